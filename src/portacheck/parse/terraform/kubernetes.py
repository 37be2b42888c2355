"""Kubernetes objects declared in Terraform, judged by the Kubernetes reader at their Terraform lines.

- `kubernetes_*` resources (kubernetes_service, kubernetes_deployment_v1, ...): the block becomes
  the object it declares (`storage_class_name` is `storageClassName`, `container` blocks are
  `containers`), each key and value at its Terraform line;
- `kubernetes_manifest` `manifest` (an HCL object, or `yamldecode(...)` of a text) and
  `kubectl_manifest` `yaml_body` (a heredoc, or `file(...)`/`templatefile(...)`);
- `helm_release`: `set`/`set_sensitive` pairs and inline `values` as chart values; values files
  (`values = [file(...)]`) are read as values passed to a chart (kubernetes/analyse.py).

The tree goes through the Kubernetes reader unchanged (kubernetes/analyse.py `object_signals`,
`text_signals`): one signal extraction for both languages. Its string values replace the
Terraform text signals of the attributes it was built from, so an annotation's value is judged
with its annotation, as in a manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from portacheck._ydata import YList, YMap
from portacheck.model import Location, Resource, ScanError, Signal, Unresolved
from portacheck.parse import ParseContext, relpath
from portacheck.parse.terraform.expr import (
    Resolver,
    _heredoc_body,
    _heredoc_finish,
    _key,
    _single,
    evaluate,
    is_node,
    literal_string,
)
from portacheck.parse.terraform.hcl import Attr, Block

# kubernetes_<name>, without a _v1/_v2 suffix -> apiVersion; the Kind is <name> in CamelCase.
_API_VERSIONS = {
    "deployment": "apps/v1", "stateful_set": "apps/v1", "daemon_set": "apps/v1", "daemonset": "apps/v1", "replica_set": "apps/v1",
    "job": "batch/v1", "cron_job": "batch/v1",
    "ingress": "networking.k8s.io/v1", "ingress_class": "networking.k8s.io/v1", "network_policy": "networking.k8s.io/v1",
    "storage_class": "storage.k8s.io/v1", "csi_driver": "storage.k8s.io/v1",
    "horizontal_pod_autoscaler": "autoscaling/v2",
}
_KINDS = {"daemonset": "DaemonSet", "csi_driver": "CSIDriver"}
# Terraform block and attribute names whose Kubernetes name is not their camelCase.
_RENAMES = {
    "container": "containers", "init_container": "initContainers", "volume": "volumes", "toleration": "tolerations",
    "port": "ports", "rule": "rules", "path": "paths", "volume_mount": "volumeMounts", "image_pull_secrets": "imagePullSecrets",
    "topology_spread_constraint": "topologySpreadConstraints", "node_selector_term": "nodeSelectorTerms",
    "volume_claim_template": "volumeClaimTemplates", "storage_provisioner": "provisioner", "tls": "tls",
    "preferred_during_scheduling_ignored_during_execution": "preferredDuringSchedulingIgnoredDuringExecution",
    "required_during_scheduling_ignored_during_execution": "requiredDuringSchedulingIgnoredDuringExecution",
}
# Kubernetes fields that are lists: a Terraform block of that name is one item.
_LISTS = frozenset({
    "containers", "initContainers", "volumes", "tolerations", "ports", "rules", "paths", "volumeMounts", "env", "envFrom",
    "imagePullSecrets", "topologySpreadConstraints", "nodeSelectorTerms", "volumeClaimTemplates", "matchExpressions",
    "matchLabelExpressions", "allowedTopologies", "tls", "preferredDuringSchedulingIgnoredDuringExecution",
})
_SNAKE = re.compile(r"_([a-z0-9])")
_MANIFESTS = {"kubernetes_manifest": "manifest", "kubectl_manifest": "yaml_body"}
_FILE_FUNCTIONS = ("file", "templatefile")
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")  # files the Kubernetes frontend reads itself


def is_declared_kubernetes(type_: str) -> bool:
    return type_.startswith("kubernetes_") or type_ in ("kubectl_manifest", "helm_release")


@dataclass
class Declared:
    """What a Terraform resource declares for Kubernetes: signals at its lines, the Terraform
    attributes whose text signals they replace, values files read as resources of their own."""

    signals: list[Signal] = field(default_factory=list)
    # ".attribute" -> True: its text was read whole (a YAML text); False: only the strings the
    # reader saw replace the attribute's (one an expression hides, in a function call, stays)
    replaces: dict[str, bool] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)

    def keeps(self, signal: Signal, address: str) -> bool:
        """Whether a Terraform signal of the resource stays beside these."""
        if signal.kind != "text":
            return True
        for name, whole in self.replaces.items():
            prefix = address + name
            if signal.context == prefix or signal.context.startswith(prefix + "."):
                seen = {(s.location.path, s.location.line) for s in self.signals if s.kind == "text"}
                return not whole and (signal.location.path, signal.location.line) not in seen
        return True


@dataclass(frozen=True)
class Place:
    """Where the block is: its file, its module instance's origin and directories, the scan."""

    location: Location
    address: str
    directory: str
    root_dir: str
    context: ParseContext


def declared_objects(type_: str, block: Block, resolve: Resolver, place: Place) -> Declared:
    declared = Declared()
    resolve = _with_paths(resolve, place)
    rel = place.location.path
    if type_ == "helm_release":
        _helm_release(block, resolve, place, declared)
    elif type_ in _MANIFESTS:
        name = _MANIFESTS[type_]
        attr = block.attrs.get(name)
        if attr is not None:
            signals = _manifest(attr, resolve, place, declared)
            if signals is not None:
                declared.signals += signals
                declared.replaces[f".{name}"] = not _is_object(attr.value)
    elif type_.startswith("kubernetes_"):
        tree = _typed_object(type_, block, resolve)
        from portacheck.parse.kubernetes.analyse import object_signals

        declared.signals += [s for s in object_signals(tree, rel, declared.errors) if s.kind != "k8s_kind"]  # the type says the kind
        declared.replaces.update((f".{name}", False) for name in block.attrs)
        declared.replaces.update((f".{nested.type}", False) for nested in block.blocks)
    declared.signals = [_placed(s, place) for s in declared.signals]
    return declared


def _placed(signal: Signal, place: Place) -> Signal:
    """A reader's signal at the module instance's origin, its context under the resource's address."""
    location = replace(signal.location, origin=place.location.origin)
    return replace(signal, location=location, context=f"{place.address}: {signal.context}" if signal.context else place.address)


def _with_paths(resolve: Resolver, place: Place) -> Resolver:
    """The resolver, knowing `path.module`, `path.root` and `path.cwd` (file names are built from them)."""

    def paths(name: str, path: list) -> Any:
        if name == "path" and len(path) == 1:
            if path[0] == "module":
                return place.directory
            if path[0] in ("root", "cwd"):
                return place.root_dir
        return resolve(name, path)

    return paths


# -- kubernetes_* resources --


def _typed_object(type_: str, block: Block, resolve: Resolver) -> YMap:
    name = re.sub(r"_v\d+$", "", type_.removeprefix("kubernetes_"))
    tree = _block_map(block, resolve)
    tree["apiVersion"] = _API_VERSIONS.get(name, "v1")
    tree["kind"] = _KINDS.get(name) or "".join(part.capitalize() for part in name.split("_"))
    return tree


def _field(name: str) -> str:
    return _RENAMES.get(name) or _SNAKE.sub(lambda m: m.group(1).upper(), name)


def _block_map(block: Block, resolve: Resolver) -> YMap:
    tree = YMap(block.line)
    for name, attr in block.attrs.items():
        if name in ("count", "for_each", "depends_on", "provider", "lifecycle"):
            continue
        key = _field(name)
        tree[key] = located(attr.value, resolve, attr.line)
        tree.key_lines[key] = attr.line
        tree.value_lines[key] = attr.line
    for nested in block.blocks:
        if nested.type in ("lifecycle", "timeouts"):
            continue
        key = _field(nested.type)
        child = _block_map(nested, resolve)
        if key in _LISTS or isinstance(tree.get(key), YList):
            items = tree.get(key)
            if not isinstance(items, YList):
                items = tree[key] = YList(nested.line)
            items.append(child)
            items.item_lines.append(nested.line)
        else:
            tree[key] = child
        tree.key_lines.setdefault(key, nested.line)
        tree.value_lines.setdefault(key, nested.line)
    return tree


# -- values with their lines --


def located(value: Any, resolve: Resolver, line: int) -> Any:
    """An attribute's value as the Kubernetes reader reads YAML: object constructors as YMap and
    tuples as YList with the line of each key and item, anything else evaluated (an unresolved
    string keeps its literal text, an unresolved reference is None)."""
    if not is_node(value):
        return _plain(evaluate(value, resolve), line)
    inner = _single(value)
    line = inner.start_point[0] + 1
    if inner.type == "collection_value":
        collection = inner.named_children[0]
        if collection.type == "object":
            tree = YMap(line)
            for elem in collection.named_children:
                if elem.type == "object_elem" and len(elem.named_children) == 2:
                    key_node, val = elem.named_children
                    key = _key(key_node, resolve)
                    tree[key] = located(val, resolve, line)
                    tree.key_lines[key] = key_node.start_point[0] + 1
                    tree.value_lines[key] = val.start_point[0] + 1
            return tree
        if collection.type == "tuple":
            items = YList(line)
            for item in collection.named_children:
                if item.type == "expression":
                    items.append(located(item, resolve, line))
                    items.item_lines.append(item.start_point[0] + 1)
            return items
    call = _call(value)
    if call is not None and call[0] in ("yamlencode", "jsonencode", "tolist", "toset", "tomap") and call[1]:
        return located(call[1][0], resolve, line)
    result = evaluate(value, resolve)
    if isinstance(result, Unresolved):
        return _raw_string(inner)
    return _plain(result, line)


def _plain(value: Any, line: int) -> Any:
    if isinstance(value, dict):
        tree = YMap(line)
        for key, item in value.items():
            tree[str(key)] = _plain(item, line)
            tree.key_lines[str(key)] = tree.value_lines[str(key)] = line
        return tree
    if isinstance(value, list):
        items = YList(line)
        for item in value:
            items.append(_plain(item, line))
            items.item_lines.append(line)
        return items
    return None if isinstance(value, Unresolved) else value


def _raw_string(node: Any) -> str | None:
    """A string whose interpolations did not resolve, as written: its literal parts still tell."""
    if node.type in ("literal_value", "template_expr"):
        node = node.named_children[0]
    if node.type in ("string_lit", "quoted_template"):
        text = node.text.decode("utf-8")
        return text[1:-1] if len(text) > 1 else ""
    return None


def _call(value: Any) -> tuple[str, list[Any]] | None:
    """(function name, argument nodes) of a function call expression; None for anything else."""
    if not is_node(value):
        return None
    node = _single(value)
    if node.type != "function_call":
        return None
    arguments = next((c for c in node.named_children if c.type == "function_arguments"), None)
    args = [c for c in arguments.named_children if c.type == "expression"] if arguments is not None else []
    return node.named_children[0].text.decode("utf-8"), args


# -- manifests as text --


@dataclass(frozen=True)
class _Text:
    """A YAML text with where it is: its file (relpath) and the line before its first line there."""

    text: str
    rel: str
    offset: int
    from_file: bool = False


def _text_of(value: Any, resolve: Resolver, place: Place, errors: list[ScanError]) -> _Text | None:
    """The text of a heredoc or string, or of the file `file()`/`templatefile()` reads, with its place."""
    call = _call(value)
    if call is not None:
        name, args = call
        if name in ("yamldecode", "jsondecode", "trimspace", "chomp") and args:
            return _text_of(args[0], resolve, place, errors)
        if name in _FILE_FUNCTIONS and args:
            target = _file(args[0], resolve, place)
            if target is None:
                return None
            from portacheck.errors import InputError
            from portacheck.parse import read_source

            rel = relpath(target, place.context.root)
            try:
                return _Text(read_source(target, place.context.max_file_bytes), rel, 0, from_file=True)
            except InputError as exc:
                errors.append(ScanError(rel, f"file read by {place.address}: {exc.message}", exc.line, exc.column))
                return None
        return None
    if not is_node(value):
        return _Text(value, place.location.path, 0) if isinstance(value, str) else None
    node = _single(value)
    if node.type in ("literal_value", "template_expr"):
        node = node.named_children[0]
    if node.type == "heredoc_template":
        result = evaluate(value, resolve)
        if not isinstance(result, str):
            body, _holes = _heredoc_body(node, keep_holes=True)
            result = _heredoc_finish(body)
        return _Text(result, place.location.path, node.start_point[0] + 1)
    if node.type in ("string_lit", "quoted_template"):
        result = evaluate(value, resolve)
        if isinstance(result, str):
            return _Text(result, place.location.path, node.start_point[0])
    return None


def _file(argument: Any, resolve: Resolver, place: Place) -> str | None:
    """The file a `file()` argument names, inside the scan root; None when it is not known or outside."""
    from portacheck.parse.kubernetes.passed import _resolve

    name = evaluate(argument, resolve)
    if not isinstance(name, str):
        return None
    return _resolve(place.context.root, place.directory, name)


def _manifest(attr: Attr, resolve: Resolver, place: Place, declared: Declared) -> list[Signal] | None:
    """The signals of a kubernetes_manifest `manifest` or a kubectl_manifest `yaml_body`; None
    when it could not be read (its Terraform text signals stay)."""
    from portacheck.parse.kubernetes.analyse import object_signals, text_signals

    call = _call(attr.value)
    if _is_object(attr.value) or (call is not None and call[0] in ("yamlencode", "jsonencode")):
        tree = located(attr.value, resolve, attr.line)
        return object_signals(tree, place.location.path, declared.errors) if isinstance(tree, YMap) else None
    text = _text_of(attr.value, resolve, place, declared.errors)
    if text is None:
        return None
    if text.from_file and text.rel.endswith(_MANIFEST_SUFFIXES):
        return []  # the Kubernetes frontend reads that file itself
    return text_signals(text.text, text.rel, declared.errors, line_offset=text.offset)


def _is_object(value: Any) -> bool:
    """An object constructor (native syntax) or a JSON object (JSON syntax)."""
    if is_node(value):
        node = _single(value)
        return node.type == "collection_value" and node.named_children[0].type == "object"
    return isinstance(value, dict)


# -- helm_release --


def _helm_release(block: Block, resolve: Resolver, place: Place, declared: Declared) -> None:
    from portacheck.parse.kubernetes.analyse import object_signals, passed_values_file, text_signals

    rel = place.location.path
    values = block.attrs.get("values")
    # Inline values keep their Terraform text signals: the endpoint matcher reads the whole text,
    # keys too (`eks.amazonaws.com/compute-type` under nodeSelector), which the values reader does not.
    line = values.line if values is not None else block.line
    for item in _items(values) if values is not None else ():
        call = _call(item)
        if call is not None and call[0] in _FILE_FUNCTIONS and call[1]:
            target = _file(call[1][0], resolve, place)
            for obj in passed_values_file(relpath(target, place.context.root), place.address, place.context, declared.errors) if target else ():
                resource = obj.resource()  # "values passed by helm_release.x", through the module chain of its instance
                origin = replace(place.location.origin, via=resource.location.origin.via)
                signals = tuple(replace(s, location=replace(s.location, origin=origin)) for s in resource.signals)
                declared.resources.append(replace(resource, location=replace(resource.location, origin=origin), signals=signals))
            continue
        found: list[Signal] | None = None
        if call is not None and call[0] in ("yamlencode", "jsonencode"):
            tree = located(item, resolve, line)
            found = object_signals(tree, rel, declared.errors, values=True) if isinstance(tree, YMap) else None
        else:
            text = _text_of(item, resolve, place, declared.errors)
            found = text_signals(text.text, text.rel, declared.errors, values=True, line_offset=text.offset) if text is not None else None
        declared.signals += [s for s in found or () if s.kind != "text"]
    pairs = [nested for nested in block.blocks if nested.type in ("set", "set_sensitive")]
    for name in ("set", "set_sensitive"):  # helm provider 3: set = [{ name = ..., value = ... }]
        if name in block.attrs:
            pairs += _pair_blocks(block.attrs[name], resolve)
    if pairs:
        declared.signals += object_signals(_set_tree(pairs, resolve, block.line), rel, declared.errors, values=True)
        declared.replaces.update({".set": False, ".set_sensitive": False})


def _items(attr: Attr) -> list[Any]:
    """The items of a tuple attribute as syntax nodes (JSON syntax: values)."""
    value = attr.value
    if is_node(value):
        node = _single(value)
        if node.type == "collection_value" and node.named_children[0].type == "tuple":
            return [c for c in node.named_children[0].named_children if c.type == "expression"]
        return [value]
    return list(value) if isinstance(value, list) else [value]


def _pair_blocks(attr: Attr, resolve: Resolver) -> list[Block]:
    """`set = [{ name = "a", value = "b" }, ...]` read as the `set { }` blocks it replaces."""
    blocks = []
    for item in _items(attr):
        node = _single(item) if is_node(item) else None
        if node is None or node.type != "collection_value" or node.named_children[0].type != "object":
            continue
        pair = Block("set", (), node.start_point[0] + 1, node.end_point[0] + 1)
        for elem in node.named_children[0].named_children:
            if elem.type == "object_elem" and len(elem.named_children) == 2:
                key_node, val = elem.named_children
                key = _key(key_node, resolve)
                pair.attrs[key] = Attr(key, val, val.start_point[0] + 1, val.end_point[0] + 1)
        blocks.append(pair)
    return blocks


def _set_tree(pairs: list[Block], resolve: Resolver, line: int) -> YMap:
    """`set { name = "a.b\\\\.c" value = ... }` pairs as the values tree they make, each key at its pair's line."""
    from portacheck.parse.helm.values import set_path

    tree = YMap(line)
    for pair in pairs:
        name = literal_string(pair.attrs["name"].value) if "name" in pair.attrs else None
        if name is None and "name" in pair.attrs:
            evaluated = evaluate(pair.attrs["name"].value, resolve)
            name = evaluated if isinstance(evaluated, str) else None
        if not name:
            continue
        try:
            path = [str(step) for step in set_path(name)]
        except ValueError:
            continue
        value_attr = pair.attrs.get("value")
        value = located(value_attr.value, resolve, value_attr.line) if value_attr is not None else None
        key_line = pair.attrs["name"].line
        value_line = value_attr.line if value_attr is not None else key_line
        node = tree
        for step in path[:-1]:
            child = node.get(step)
            if not isinstance(child, YMap):
                child = node[step] = YMap(key_line)
                node.key_lines[step] = node.value_lines[step] = key_line
            node = child
        node[path[-1]] = value
        node.key_lines[path[-1]] = key_line
        node.value_lines[path[-1]] = value_line
    return tree

