"""Evaluate Terraform modules: root modules with their variables, module calls followed, and every
resource, data source, provider, backend and unresolved module call turned into a Resource."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from portacheck import reader
from portacheck.errors import InputError
from portacheck.model import NO_ORIGIN, Location, Origin, Resource, ScanError, Severity, Signal, Unresolved
from portacheck.parse import ParseContext, read_source, relpath
from portacheck.parse.terraform.expr import (
    Resolver,
    contains_unresolved,
    evaluate,
    literal_string,
    object_entries,
    reference_text,
    string_leaves,
    template_text,
)
from portacheck.parse.terraform.hcl import Attr, Block, HclFile
from portacheck.parse.terraform.kubernetes import Place, declared_objects, is_declared_kubernetes
from portacheck.parse.terraform.loader import Loader, Module
from portacheck.parse.terraform.sources import is_local, normalize_module_source, normalize_provider_source
from portacheck.trust import repository_root

MAX_MODULE_DEPTH = 25

# Attributes every resource keeps when set, besides those the rules ask for.
_ALWAYS_KEEP = frozenset({"region", "location", "zone"})
# Strings without any of these characters cannot hold a hostname, ARN or URI.
_TEXT_HINT = re.compile(r"[.:/]")
_NOT_TEXT = frozenset({"provider", "depends_on", "count", "for_each"})  # attributes whose strings are not scanned for endpoints
_ORIGIN = " origin"  # memo key of an instance's Origin: no reference has a space


def _literal(attr: Attr | None) -> str | None:
    return None if attr is None else literal_string(attr.value)


_BACKEND_BLOCKS = ("backend", "cloud")
_LEAVES = "module source"  # how the reason for a local source outside the repository starts


@dataclass
class _Instance:
    """One evaluation of a module: its directory, variables, call path and inherited context."""

    module: Module
    variables: dict[str, Any]
    call_path: tuple[str, ...]  # module call names from the root, e.g. ("app", "db")
    root_dir: str
    stack: tuple[str, ...]  # directories on the call path, for cycle detection
    multiplier: int | None  # instances of the enclosing module calls (count/for_each)
    provider_sources: dict[str, str]  # local provider name -> normalised source address
    provider_regions: dict[str, Any]  # "aws" or "aws.alias" -> region value
    memo: dict[str, Any] = field(default_factory=dict)
    resolving: set[str] = field(default_factory=set)


class _Evaluator:
    def __init__(
        self, loader: Loader, context: ParseContext, var_files: tuple[str, ...] = (), inputs: dict[str, Any] | None = None, include_undeployed: bool = False
    ):
        self.loader = loader
        self.context = context
        self.include_undeployed = include_undeployed  # count/for_each of 0 audited as one instance
        self.repository = repository_root(context.root)
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.evaluated: set[str] = set()
        self.keep = frozenset(context.attributes_of_interest) | _ALWAYS_KEEP
        self._modules_json: dict[str, dict[str, str]] = {}
        self._var_files = [(path, loader.var_file(path)) for path in var_files]
        self._inputs = dict(inputs or {})  # values given from outside (Terragrunt's, as TF_VAR_*): tfvars override them
        self._trace: list[tuple[str, tuple, Any]] | None = None  # (name, path, value) of each reference the current evaluation looked up

    # -- entry points --

    def run_root_safely(self, directory: str) -> None:
        """A bug met in one root module costs that module, not the whole scan."""
        before = len(self.resources)
        try:
            self.run_root(directory)
        except Exception as exc:  # noqa: BLE001 - reported as an analysis error of this module
            del self.resources[before:]
            self.evaluated.add(directory)
            self.errors.append(
                ScanError(relpath(directory, self.context.root) or ".", f"internal error while evaluating this module ({type(exc).__name__}: {exc}); not analysed; please report this")
            )

    def run_root(self, directory: str) -> None:
        module = self.loader.load_dir(directory)
        variables: dict[str, Any] = dict(self._inputs)
        for _rel, values in module.auto_vars + self._var_files:
            for name, attr in values.items():
                variables[name] = self._value_of(attr, self._unknown)
        self._run(_Instance(module, variables, (), directory, (directory,), 1, {}, {}))

    def _run(self, inst: _Instance) -> None:
        self.evaluated.add(inst.module.directory)
        module = inst.module
        self._declare_variables(inst)
        self._read_terraform_blocks(inst)
        self._read_providers(inst)
        for hcl, block in self._blocks(module):
            if block.type == "resource" and len(block.labels) >= 2:
                self._resource(inst, hcl, block, "resource")
            elif block.type == "data" and len(block.labels) >= 2:
                self._resource(inst, hcl, block, "data")
            elif block.type == "module" and block.labels:
                self._module_call(inst, hcl, block)
            elif block.type in ("locals", "output", "variable"):
                self._references(inst, hcl, block)

    @staticmethod
    def _blocks(module: Module) -> Iterable[tuple[HclFile, Block]]:
        for hcl in module.files:
            for block in hcl.blocks:
                yield hcl, block

    # -- scope --

    def _declare_variables(self, inst: _Instance) -> None:
        declared = {}
        for block in inst.module.blocks("variable"):
            if block.labels:
                declared[block.labels[0]] = block
        for name, block in declared.items():
            if name in inst.variables:
                continue
            if "default" in block.attrs:
                inst.variables[name] = self._value_of(block.attrs["default"], self._unknown)
            else:
                inst.variables[name] = Unresolved(f"var.{name} (no default and no value given)")

    def _value_of(self, attr: Attr, resolve: Resolver) -> Any:
        """An attribute's value. A module is evaluated again for every call of it (each example
        calls the root module): when the references its last evaluation looked up have the same
        values here, so has the attribute, and the syntax tree is not walked again."""
        return self._recall(attr, -1, evaluate, attr.value, resolve)

    def _recall(self, attr: Attr, key: int, how: Callable[[Any, Resolver], Any], what: Any, resolve: Resolver) -> Any:
        """how(what, resolve), or the value it had last time if every reference it looked up has
        the same value now (evaluation is a function of those values)."""
        last = attr.last.get(key)
        if last is not None and not last[0]:  # it looked nothing up: the same everywhere
            return last[1]
        outer = self._trace
        trace: list[tuple[str, tuple, Any]] = []
        self._trace = trace
        try:
            if last is not None:
                lookups, value = last
                if all(_same(resolve(name, list(path)), seen) for name, path, seen in lookups):
                    return value
                trace.clear()
            value = how(what, resolve)
        finally:
            self._trace = outer
        attr.last[key] = (tuple(trace), value)
        return value

    def _unknown(self, name: str, path: list) -> Any:
        """The resolver of values that cannot refer to anything: variable defaults, tfvars."""
        value = Unresolved(name)
        if self._trace is not None:
            self._trace.append((name, tuple(path), value))
        return value

    def _resolver(self, inst: _Instance) -> Resolver:
        def resolve(name: str, path: list) -> Any:
            value = lookup(name, path)
            if self._trace is not None:
                self._trace.append((name, tuple(path), value))
            return value

        def lookup(name: str, path: list) -> Any:
            if name == "var":
                if not path or not isinstance(path[0], str):
                    return Unresolved("var")
                value = inst.variables.get(path[0], Unresolved(f"var.{path[0]} (not declared)"))
                return _access(value, path[1:], f"var.{path[0]}")
            if name == "local":
                if not path or not isinstance(path[0], str):
                    return Unresolved("local")
                return _access(self._local(inst, path[0]), path[1:], f"local.{path[0]}")
            if name == "data":
                if len(path) < 3:
                    return Unresolved("data")
                return self._block_attribute(inst, "data", path[0], path[1], path[2:])
            if name in ("module", "each", "count", "path", "terraform", "self"):
                return Unresolved(name)
            if path and isinstance(path[0], str):
                return self._block_attribute(inst, "resource", name, path[0], path[1:])
            return Unresolved(name)

        return resolve

    def _local(self, inst: _Instance, name: str) -> Any:
        key = "local." + name
        if key in inst.memo:
            return inst.memo[key]
        if key in inst.resolving:
            return Unresolved(f"{key} (refers to itself)")
        attr = inst.module.locals.get(name)
        if attr is None:
            return Unresolved(f"{key} (not defined)")
        return self._once(inst, key, attr)

    def _once(self, inst: _Instance, key: str, attr: Attr) -> Any:
        """A local's or a resource attribute's value in this instance, kept under key; a reference
        back to key while it is evaluated is a cycle (the callers check `resolving`)."""
        inst.resolving.add(key)
        try:
            value = self._value_of(attr, self._resolver(inst))
        finally:
            inst.resolving.discard(key)
        inst.memo[key] = value
        return value

    def _block_attribute(self, inst: _Instance, block_type: str, type_: str, name: str, path: list) -> Any:
        if path and isinstance(path[0], int):  # aws_x.y[0].attr: every instance has the same literal
            path = path[1:]
        if not path or not isinstance(path[0], str):
            return Unresolved(f"{type_}.{name}")
        key = f"{block_type}.{type_}.{name}.{path[0]}"
        if key in inst.memo:
            return _access(inst.memo[key], path[1:], key)
        if key in inst.resolving:
            return Unresolved(key)
        block = inst.module.named_blocks.get((block_type, type_, name))
        if block is None:
            return Unresolved(f"{type_}.{name} (not in this module)")
        attr = block.attrs.get(path[0])
        if attr is None:
            return Unresolved(f"{type_}.{name}.{path[0]} (computed)")
        return _access(self._once(inst, key, attr), path[1:], key)

    # -- terraform and provider blocks --

    def _read_terraform_blocks(self, inst: _Instance) -> None:
        for hcl, block in inst.module.blocks_with_file("terraform"):
            for nested in block.blocks:
                if nested.type == "required_providers":
                    for local_name, attr in nested.attrs.items():
                        value = self._value_of(attr, self._unknown)
                        source = value.get("source") if isinstance(value, dict) else (value if isinstance(value, str) else None)
                        if isinstance(source, str):
                            inst.provider_sources[local_name] = normalize_provider_source(source)
                            key = self._provider_key(source)
                            version = value.get("version", "") if isinstance(value, dict) else ""
                            self.resources.append(
                                Resource(
                                    source="terraform",
                                    kind="provider",
                                    provider=key,
                                    type="required_provider",
                                    address=self._address(inst, f"terraform.required_providers.{local_name}"),
                                    location=self._location(inst, hcl, attr.line),
                                    attributes={"source": source, "version": version if isinstance(version, str) else ""},
                                )
                            )
                elif nested.type in _BACKEND_BLOCKS and not inst.call_path:
                    backend = nested.labels[0] if nested.type == "backend" and nested.labels else "cloud"
                    location = self._location(inst, hcl, nested.line)
                    signals = [Signal("terraform_backend", backend, location, "terraform.backend")]
                    signals += self._text_signals(inst, nested, location, "terraform.backend")
                    self.resources.append(
                        Resource(
                            source="terraform",
                            kind="backend",
                            provider="",
                            type=f"backend.{backend}",
                            address=self._address(inst, f"terraform.backend.{backend}"),
                            location=location,
                            signals=tuple(signals),
                            attributes=self._attributes(inst, nested, self.keep | {"bucket", "region", "storage_account_name"}),
                        )
                    )

    def _provider_key(self, source: str) -> str:
        normalized = normalize_provider_source(source)
        known = self.context.provider_sources.get(normalized)
        return known or normalized.rsplit("/", 1)[-1]

    def _source_for_local(self, inst: _Instance, local_name: str) -> str:
        return inst.provider_sources.get(local_name) or normalize_provider_source(local_name)

    def _provider_for_local(self, inst: _Instance, local_name: str) -> str:
        return self._provider_key(self._source_for_local(inst, local_name))

    def _read_providers(self, inst: _Instance) -> None:
        for hcl, block in inst.module.blocks_with_file("provider"):
            if not block.labels:
                continue
            local_name = block.labels[0]
            alias = _literal(block.attrs.get("alias"))
            name = f"{local_name}.{alias}" if alias else local_name
            region = None
            for key in ("region", "location"):
                if key in block.attrs:
                    region = self._value_of(block.attrs[key], self._resolver(inst))
                    break
            if region is not None:
                inst.provider_regions[name] = region
            location = self._location(inst, hcl, block.line)
            self.resources.append(
                Resource(
                    source="terraform",
                    kind="provider",
                    provider=self._provider_for_local(inst, local_name),
                    type="provider",
                    address=self._address(inst, f"provider.{name}"),
                    location=location,
                    signals=tuple(self._text_signals(inst, block, location, f"provider.{name}")),
                    attributes={"region": region} if region is not None else {},
                )
            )

    # -- resources and data sources --

    def _resource(self, inst: _Instance, hcl: HclFile, block: Block, kind: str) -> None:
        type_, name = block.labels[0], block.labels[1]
        local_name = type_.split("_", 1)[0]
        provider_ref = block.attrs.get("provider")
        provider_local = local_name
        provider_config = local_name
        if provider_ref is not None:
            reference = reference_text(provider_ref.value)
            provider_local = reference.split(".", 1)[0]
            provider_config = reference
        canonical = self._canonical_type(type_, local_name, self._source_for_local(inst, local_name))
        provider = self._provider_for_local(inst, provider_local)
        location = self._location(inst, hcl, block.line)
        address = (f"data.{type_}.{name}" if kind == "data" else f"{type_}.{name}")
        attributes = self._attributes(inst, block, self.keep)
        if "region" not in attributes and "location" not in attributes:
            region = inst.provider_regions.get(provider_config, inst.provider_regions.get(provider_local))
            if region is not None:
                attributes["region"] = region
        signal_kind = "terraform_data" if kind == "data" else "terraform"
        signals = [Signal(signal_kind, canonical, location, address)]
        signals += self._text_signals(inst, block, location, address)
        if kind == "resource" and is_declared_kubernetes(canonical):
            signals = self._kubernetes(inst, block, canonical, location, address, signals)
        self.resources.append(
            Resource(
                source="terraform",
                kind=kind,
                provider=provider,
                type=canonical,
                address=self._address(inst, address),
                location=location,
                signals=tuple(signals),
                attributes=attributes,
                instances=self._instances(inst, block),
            )
        )

    def _kubernetes(self, inst: _Instance, block: Block, type_: str, location: Location, address: str, signals: list[Signal]) -> list[Signal]:
        """A Kubernetes object, manifest or Helm release declared in Terraform, judged by the
        Kubernetes reader (kubernetes.py): its signals replace the text signals of what it read."""
        place = Place(location, address, inst.module.directory, inst.root_dir, self.context)
        declared = declared_objects(type_, block, self._resolver(inst), place)
        self.errors.extend(declared.errors)
        self.resources.extend(declared.resources)
        return [s for s in signals if declared.keeps(s, address)] + declared.signals

    def _canonical_type(self, type_: str, local_name: str, source: str) -> str:
        """Types start with the local provider name; rules use the provider's own type name."""
        prefix = self.context.type_prefixes.get(source) or source.rsplit("/", 1)[-1]
        if prefix != local_name and type_.startswith(local_name + "_"):
            return prefix + type_[len(local_name):]
        return type_

    def _attributes(self, inst: _Instance, block: Block, keep: frozenset[str] | set[str]) -> dict[str, Any]:
        resolver = self._resolver(inst)
        attributes: dict[str, Any] = {}
        nested_types = {b.type for b in block.blocks}
        dynamic = {b.labels[0] for b in block.blocks if b.type == "dynamic" and b.labels}
        for name in keep:
            if name in block.attrs:
                attributes[name] = self._value_of(block.attrs[name], resolver)
            elif name in nested_types:
                attributes[name] = [self._attributes_all(inst, b) for b in block.blocks if b.type == name]
            elif name in dynamic:  # generated by a `dynamic` block: present or not depends on its for_each
                attributes[name] = Unresolved(f'dynamic "{name}" block')
        return attributes

    def _attributes_all(self, inst: _Instance, block: Block) -> dict[str, Any]:
        resolver = self._resolver(inst)
        values: dict[str, Any] = {name: self._value_of(attr, resolver) for name, attr in block.attrs.items()}
        for nested in block.blocks:
            current = values.get(nested.type)
            if isinstance(current, list):  # an attribute's list may be shared by other instances: not appended to
                values[nested.type] = current + [self._attributes_all(inst, nested)]
            else:
                values.setdefault(nested.type, []).append(self._attributes_all(inst, nested))
        return values

    def _count(self, block: Block, resolver: Resolver) -> int | None:
        """count or for_each: how many instances the block makes; None when not known."""
        if "count" in block.attrs:
            value = self._value_of(block.attrs["count"], resolver)
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, int):
                return max(value, 0)
            if isinstance(value, float) and value.is_integer():
                return max(int(value), 0)
            return None
        if "for_each" in block.attrs:
            value = self._value_of(block.attrs["for_each"], resolver)
            if isinstance(value, (list, dict)) and not contains_unresolved(value):
                return len(set(map(str, value))) if isinstance(value, list) else len(value)
            return None
        return 1

    def _deployed_count(self, block: Block, resolver: Resolver) -> int | None:
        """_count, where 0 (not deployed with these inputs) is one instance under --include-undeployed."""
        count = self._count(block, resolver)
        return 1 if count == 0 and self.include_undeployed else count

    def _instances(self, inst: _Instance, block: Block) -> int | None:
        own = self._deployed_count(block, self._resolver(inst))
        if own is None or inst.multiplier is None:
            return None
        return own * inst.multiplier

    # -- module calls --

    def _module_call(self, inst: _Instance, hcl: HclFile, block: Block) -> None:
        name = block.labels[0]
        location = self._location(inst, hcl, block.line)
        address = f"module.{name}"
        source = _literal(block.attrs.get("source"))
        call_signals = self._text_signals(inst, block, location, address, skip=frozenset({"source", "version"}))
        count = self._deployed_count(block, self._resolver(inst))
        multiplier = None if count is None or inst.multiplier is None else count * inst.multiplier
        target, reason = self._module_target(inst, name, source)
        if target is None and reason.startswith(_LEAVES):
            self.errors.append(ScanError(location.path, f"module {name}: {reason}", location.line, severity=Severity.WARNING))
        if target is not None and target in inst.stack:
            chain = " -> ".join(relpath(d, self.context.root) for d in inst.stack + (target,))
            self.errors.append(
                ScanError(location.path, f"module {name}: call cycle ({chain}); not followed", location.line, severity=Severity.WARNING)
            )
            target, reason = None, "module call cycle"
        if target is not None and len(inst.stack) >= MAX_MODULE_DEPTH:
            target, reason = None, f"modules nested deeper than {MAX_MODULE_DEPTH}"
        if target is None:
            normalized = normalize_module_source(source) if source else "(source not a literal)"
            signals = [Signal("terraform_module", normalized, location, address)] + call_signals
            self.resources.append(
                Resource(
                    source="terraform",
                    kind="module",
                    provider="",
                    type="module",
                    address=self._address(inst, address),
                    location=location,
                    signals=tuple(signals),
                    attributes={"source": source or "", "unresolved": reason},
                    instances=multiplier,
                )
            )
            return
        if call_signals:
            self.resources.append(
                Resource(
                    source="terraform",
                    kind="reference",
                    provider="",
                    type="module_call",
                    address=self._address(inst, address),
                    location=location,
                    signals=tuple(call_signals),
                )
            )
        if not self._leads_to_focus(target):
            return
        resolver = self._resolver(inst)
        inputs = {
            key: self._value_of(attr, resolver)
            for key, attr in block.attrs.items()
            if key not in ("source", "version", "count", "for_each", "providers", "depends_on")
        }
        child = self.loader.load_dir(target)
        regions = dict(inst.provider_regions)
        providers = block.attrs.get("providers")
        entries = object_entries(providers.value) if providers is not None else None
        if entries:
            # providers = { aws = aws.frankfurt }: the child's aws is the parent's alias
            for child_name, parent_ref in entries.items():
                parent_name = reference_text(parent_ref)
                if parent_name in inst.provider_regions:
                    regions[child_name.strip('"')] = inst.provider_regions[parent_name]
        child_inst = _Instance(
            module=child,
            variables=inputs,
            call_path=inst.call_path + (name,),
            root_dir=inst.root_dir,
            stack=inst.stack + (target,),
            multiplier=multiplier,
            provider_sources=dict(inst.provider_sources),
            provider_regions=regions,
        )
        self._run(child_inst)

    def _leads_to_focus(self, target: str) -> bool:
        """Whether a called module may hold or call a named file: always, unless only files are
        named and the module is inside the root and not one of their callers (module outputs are
        not evaluated, so a module left out changes nothing in its caller)."""
        reach = self.context.terraform_reach
        if reach is None or target in reach:
            return True
        return os.path.commonpath([self.context.root, os.path.abspath(target)]) != self.context.root

    def _module_target(self, inst: _Instance, name: str, source: str | None) -> tuple[str | None, str]:
        if source is None:
            return None, "module source is not a literal string"
        if is_local(source):
            target = os.path.normpath(os.path.join(inst.module.directory, source))
            if os.path.commonpath([self.repository, os.path.abspath(target)]) != self.repository:
                top = relpath(self.repository, self.context.root)
                return None, f"{_LEAVES} {source} leaves the repository ({'the scanned directory: no .git above it' if top == '.' else top}); not followed"
            if not os.path.isdir(target):
                return None, f"module directory {source} does not exist"
            if self.context.excluded(relpath(target, self.context.root)):
                return None, f"module directory {source} is excluded from the scan"
            return target, ""
        key = ".".join(inst.call_path + (name,))
        modules = self._downloaded_modules(inst.root_dir)
        if key in modules:
            target = os.path.normpath(os.path.join(inst.root_dir, modules[key]))
            if os.path.isdir(target):
                return target, ""
        return None, "module not on disk (run `terraform init` to download it, or it is classified by its source)"

    def _downloaded_modules(self, root_dir: str) -> dict[str, str]:
        if root_dir in self._modules_json:
            return self._modules_json[root_dir]
        path = os.path.join(root_dir, ".terraform", "modules", "modules.json")
        result: dict[str, str] = {}
        if os.path.isfile(path):
            shown = relpath(path, self.context.root)
            try:
                data = json.loads(read_source(path, self.context.max_file_bytes, self.context.root))
                entries = data.get("Modules", []) if isinstance(data, dict) else None
                if not isinstance(entries, list):
                    raise InputError("expected an object with a list of \"Modules\"")
                for entry in entries:
                    if not (isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str)):
                        continue
                    directory = entry["Dir"].replace("\\", "/")
                    target = os.path.join(root_dir, directory)
                    if os.path.isabs(directory) or ".." in directory.split("/") or not reader.inside(target, self.context.root):
                        self.errors.append(ScanError(shown, f"module {str(entry['Key'])!r}: Dir {directory!r} leaves the scanned root; refused"))
                        continue
                    result[str(entry["Key"])] = directory
            except (InputError, ValueError, RecursionError) as exc:
                message = getattr(exc, "message", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
                self.errors.append(ScanError(shown, f"cannot read modules.json: {message}", severity=Severity.WARNING))
        self._modules_json[root_dir] = result
        return result

    # -- locals, outputs, variables --

    def _references(self, inst: _Instance, hcl: HclFile, block: Block) -> None:
        if block.type == "locals":
            entries = [(f"local.{name}", attr) for name, attr in block.attrs.items()]
        elif block.type == "output" and block.labels and "value" in block.attrs:
            entries = [(f"output.{block.labels[0]}", block.attrs["value"])]
        elif block.type == "variable" and block.labels and "default" in block.attrs:
            entries = [(f"var.{block.labels[0]}", block.attrs["default"])]
        else:
            return
        for address, attr in entries:
            if not _leaves(attr):
                continue
            location = self._location(inst, hcl, attr.line)
            signals = self._leaf_signals(inst, attr, location, address)
            if signals:
                self.resources.append(
                    Resource(
                        source="terraform",
                        kind="reference",
                        provider="",
                        type=block.type,
                        address=self._address(inst, address),
                        location=location,
                        signals=tuple(signals),
                    )
                )

    # -- text signals --

    def _text_signals(self, inst: _Instance, block: Block, location: Location, context: str, skip: frozenset[str] = frozenset()) -> list[Signal]:
        signals: list[Signal] = []
        for path, attr in _text_attrs(block, skip):
            signals.extend(self._leaf_signals(inst, attr, location, context + path))
        return signals

    def _leaf_signals(self, inst: _Instance, attr: Attr, location: Location, context: str) -> list[Signal]:
        signals = []
        resolver = None
        for index, (raw, line, template) in enumerate(_leaves(attr)):
            text = raw
            if template is not None and "${" in raw:  # "https://dynamodb.${var.region}.amazonaws.com": scan it resolved, unknown parts as written
                resolver = resolver or self._resolver(inst)
                value = self._recall(attr, index, template_text, template, resolver)
                if isinstance(value, str):
                    text = value
            signals.append(Signal("text", text, Location(location.path, line or attr.line, 0, location.origin), context))
        return signals

    # -- helpers --

    def _location(self, inst: _Instance, hcl: HclFile, line: int) -> Location:
        origin = inst.memo.get(_ORIGIN)
        if origin is None:
            origin = NO_ORIGIN
            if inst.call_path:
                origin = Origin(relpath(inst.root_dir, self.context.root), tuple(inst.call_path))
            inst.memo[_ORIGIN] = origin
        return Location(hcl.relpath, line, 0, origin)

    def _address(self, inst: _Instance, address: str) -> str:
        if not inst.call_path:
            return address
        return ".".join(f"module.{n}" for n in inst.call_path) + "." + address


def _text_attrs(block: Block, skip: frozenset[str]) -> list[tuple[str, Attr]]:
    """(key path under the block, attribute) of its attributes with string leaves, nested blocks'
    included, in file order: the same in every instance of the module, found once."""
    if block.texts is None or block.texts[0] != skip:
        found = [(f".{name}", attr) for name, attr in block.attrs.items() if name not in skip and name not in _NOT_TEXT and _leaves(attr)]
        for nested in block.blocks:
            found += [(f".{nested.type}{path}", attr) for path, attr in _text_attrs(nested, frozenset())]
        block.texts = (skip, found)
    return block.texts[1]


def _leaves(attr: Attr) -> tuple:
    """An attribute's string leaves that may hold an endpoint: the same in every instance of its module, read once."""
    if attr.leaves is None:
        attr.leaves = tuple(leaf for leaf in string_leaves(attr.value) if _TEXT_HINT.search(leaf[0]))
    return attr.leaves


_SCALARS = frozenset({str, int, float, bool, type(None), Unresolved})


def _same(value: Any, seen: Any) -> bool:
    """The same value for an evaluation: collections by identity (an unchanged input is passed
    on as the same object), scalars by type and value (True is not 1 in a template)."""
    return value is seen or (type(value) is type(seen) and type(value) in _SCALARS and value == seen)


def _access(value: Any, path: list, label: str) -> Any:
    for step in path:
        if isinstance(value, Unresolved):
            return value
        if not _has(value, step):
            return Unresolved(f"{label}.{step}")
        value = value[step]
        label = f"{label}.{step}"
    return value


def _has(value: Any, step: Any) -> bool:
    if isinstance(value, dict):
        return isinstance(step, str) and step in value
    return isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value)
