"""Read `terraform show -json` plans and states, and raw `.tfstate` files, into Resources.

Every instance has its values resolved, so a resource's `attributes` (`engine`...) are exact.
Instances are grouped by configuration address (`module.db.aws_db_instance.main`, keys
dropped) and by the attributes rules look at: one Resource per block with `instances` = how many
the plan or state holds, as the Terraform reader counts a block with `count`; two instances of one
block with different engines stay two Resources. Where the configuration is in the scanned tree
(`.tf` files beside the plan, local module sources followed), a resource points at its block's
file and line and replaces the Terraform reader's own evaluation of that root's resources, data
sources and module calls (`supersedes`); otherwise it points at its address in the JSON file.
String values are not scanned for endpoints: a state fills in every ARN and hostname the
provider computed, which the resource's type already accounts for.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError
from portacheck.model import (
    NO_ORIGIN,
    Location,
    Origin,
    ParseResult,
    Resource,
    ScanError,
    Severity,
    Signal,
    SourceFile,
    Unresolved,
)
from portacheck.parse import ParseContext, read_source, relpath
from portacheck.parse.terraform.expr import literal_string
from portacheck.parse.terraform.hcl import parse_text
from portacheck.parse.terraform.sources import TERRAFORM_SUFFIXES, is_local, normalize_provider_source

_ALWAYS_KEEP = frozenset({"region", "location", "zone"})
_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')  # an instance key: [0], ["a"]
_MODULE = re.compile(r"^module\.([^.\[]+)(?:\[[^\]]*\])?\.")
SUPERSEDED_KINDS = ("resource", "data", "module")


@dataclass(frozen=True)
class _Instance:
    address: str  # with instance keys: module.app[0].aws_db_instance.main["a"]
    mode: str  # managed or data
    type: str
    provider_name: str  # registry.terraform.io/hashicorp/aws
    values: dict
    unknown: dict  # after_unknown of a plan: attribute -> True when known only after apply


@dataclass
class _ConfigDir:
    """The blocks of one module directory's .tf files: where each resource is, where each call goes."""

    blocks: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)  # (mode, type, name) -> (relpath, line)
    calls: dict[str, str] = field(default_factory=dict)  # module name -> literal source


class _Reader:
    def __init__(self, context: ParseContext):
        self.context = context
        self.keep = frozenset(context.attributes_of_interest) | _ALWAYS_KEEP
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.supersedes: set[str] = set()
        self.dirs: dict[str, _ConfigDir | None] = {}

    def read(self, source: SourceFile, present: set[str]) -> None:
        if source.path.endswith(".backup") and source.path[: -len(".backup")] in present:
            self.errors.append(ScanError(source.relpath, "not counted: a backup of the state file beside it", severity=Severity.WARNING))
            return
        try:
            text = read_source(source.path, self.context.max_file_bytes)
        except InputError as exc:
            self.errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
            return
        if not text.strip():
            self.errors.append(ScanError(source.relpath, "empty file, nothing to analyse", severity=Severity.WARNING))
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            message = "unexpected end of file (truncated?)" if not text[exc.pos:].strip() else exc.msg
            self.errors.append(ScanError(source.relpath, f"cannot parse JSON: {message}", exc.lineno, exc.colno))
            return
        try:
            instances = list(_instances(data))
        except _Unsupported as exc:
            self.errors.append(ScanError(source.relpath, str(exc)))
            return
        self._emit(source, text, instances)

    def _emit(self, source: SourceFile, text: str, instances: list[_Instance]) -> None:
        root = os.path.dirname(source.path)
        groups: dict[tuple, list[_Instance]] = {}
        attributes: dict[tuple, dict[str, Any]] = {}
        for instance in instances:
            attrs = self._attributes(instance)
            key = (_KEY.sub("", instance.address), instance.mode, instance.type, instance.provider_name, json.dumps(attrs, sort_keys=True, default=str))
            groups.setdefault(key, []).append(instance)
            attributes[key] = attrs
        split: dict[str, int] = {}  # configuration addresses held by more than one group
        for key in groups:
            split[key[0]] = split.get(key[0], 0) + 1
        located = False
        for key, members in groups.items():
            config_address, mode, type_, provider_name = key[:4]
            first = members[0]
            location = self._in_configuration(root, config_address, mode, type_)
            located = located or location is not None
            if location is None:
                location = Location(source.relpath, _line_of(text, first.address))
            source_address = normalize_provider_source(provider_name) if provider_name else "hashicorp/" + type_.split("_", 1)[0]
            canonical = self._canonical_type(type_, source_address)
            kind = "data" if mode == "data" else "resource"
            address = config_address if split[config_address] == 1 else first.address
            self.resources.append(
                Resource(
                    source="terraform-json",
                    kind=kind,
                    provider=self.context.provider_sources.get(source_address) or source_address.rsplit("/", 1)[-1],
                    type=canonical,
                    address=address,
                    location=location,
                    signals=(Signal("terraform_data" if kind == "data" else "terraform", canonical, location, address),),
                    attributes=attributes[key],
                    instances=len(members),
                )
            )
        if located:
            self.supersedes.add(relpath(root, self.context.root) or ".")

    def _attributes(self, instance: _Instance) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for name in sorted(self.keep):
            if instance.unknown.get(name) is True:
                attrs[name] = Unresolved(f"{_KEY.sub('', instance.address)}.{name} (known after apply)")
            elif name in instance.values and instance.values[name] is not None:
                attrs[name] = instance.values[name]
        return attrs

    def _canonical_type(self, type_: str, source: str) -> str:
        local_name = type_.split("_", 1)[0]
        prefix = self.context.type_prefixes.get(source) or source.rsplit("/", 1)[-1]
        if prefix != local_name and type_.startswith(local_name + "_") and source.rsplit("/", 1)[-1].startswith(prefix):
            return prefix + type_[len(local_name):]
        return type_

    # -- the configuration in the scanned tree --

    def _in_configuration(self, root: str, config_address: str, mode: str, type_: str) -> Location | None:
        modules = []
        rest = config_address
        while True:
            match = _MODULE.match(rest)
            if match is None:
                break
            modules.append(match.group(1))
            rest = rest[match.end():]
        name = rest.split(".")[-1]
        directory = root
        for call in modules:
            config = self._config(directory)
            source = config.calls.get(call) if config else None
            if source is None or not is_local(source):
                return None
            directory = os.path.normpath(os.path.join(directory, source))
        config = self._config(directory)
        found = config.blocks.get(("data" if mode == "data" else "resource", type_, name)) if config else None
        if found is None:
            return None
        origin = Origin(relpath(root, self.context.root) or ".", tuple(modules)) if modules else NO_ORIGIN
        return Location(found[0], found[1], 0, origin)

    def _config(self, directory: str) -> _ConfigDir | None:
        if directory in self.dirs:
            return self.dirs[directory]
        root = os.path.normpath(self.context.root)
        config = None
        if os.path.commonpath([root, os.path.abspath(directory)]) == root and os.path.isdir(directory):
            config = _ConfigDir()
            for name in sorted(os.listdir(directory)):
                if not name.endswith(TERRAFORM_SUFFIXES) or name.endswith(".json"):
                    continue
                path = os.path.join(directory, name)
                rel = relpath(path, self.context.root)
                try:
                    hcl = parse_text(read_source(path, self.context.max_file_bytes), rel, is_json=False)
                except InputError:
                    continue  # the Terraform reader reports it
                for block in hcl.blocks:
                    if block.type in ("resource", "data") and len(block.labels) >= 2:
                        config.blocks.setdefault((block.type, block.labels[0], block.labels[1]), (rel, block.line))
                    elif block.type == "module" and block.labels and "source" in block.attrs:
                        source = literal_string(block.attrs["source"].value)
                        if source is not None:
                            config.calls[block.labels[0]] = source
            if not config.blocks and not config.calls:
                config = None
        self.dirs[directory] = config
        return config


class _Unsupported(Exception):
    """A plan or state this reader does not know how to read: said in one line, never guessed."""


def _instances(data: Any) -> Iterator[_Instance]:
    if not isinstance(data, dict):
        raise _Unsupported("not a Terraform plan or state: the JSON is not an object")
    if "format_version" in data:
        version = str(data["format_version"])
        if version.split(".", 1)[0] != "1":
            raise _Unsupported(f"unsupported format_version {version} (portacheck reads format 1.x of `terraform show -json`); not analysed")
        if "values" in data and not any(k in data for k in ("planned_values", "resource_changes", "prior_state")):
            yield from _module_values(_dig(data, "values", "root_module"))
        else:
            yield from _plan(data)
        return
    if "version" in data:
        if data["version"] != 4:
            raise _Unsupported(f"unsupported state version {data['version']} (portacheck reads version 4 state files); not analysed")
        yield from _raw_state(data)
        return
    raise _Unsupported("not a Terraform plan or state: neither format_version nor version; not analysed")


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _plan(data: dict) -> Iterator[_Instance]:
    changes = data.get("resource_changes")
    if not isinstance(changes, list):
        yield from _module_values(_dig(data, "planned_values", "root_module"))
        return
    seen = set()
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("address"), str):
            continue
        actions = _dig(change, "change", "actions") or []
        if "delete" in actions and "create" not in actions:
            continue  # going away: not deployed
        seen.add(change["address"])
        after = _dig(change, "change", "after")
        unknown = _dig(change, "change", "after_unknown")
        yield _Instance(
            change["address"], str(change.get("mode", "managed")), str(change.get("type", "")),
            str(change.get("provider_name", "")), after if isinstance(after, dict) else {}, unknown if isinstance(unknown, dict) else {},
        )
    for instance in _module_values(_dig(data, "prior_state", "values", "root_module")):
        if instance.mode == "data" and instance.address not in seen:  # data sources read while planning
            yield instance


def _module_values(module: Any) -> Iterator[_Instance]:
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or ():
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            values = resource.get("values")
            yield _Instance(
                resource["address"], str(resource.get("mode", "managed")), str(resource.get("type", "")),
                str(resource.get("provider_name", "")), values if isinstance(values, dict) else {}, {},
            )
    for child in module.get("child_modules") or ():
        yield from _module_values(child)


_PROVIDER = re.compile(r'provider\["([^"]+)"\]')


def _raw_state(data: dict) -> Iterator[_Instance]:
    for resource in data.get("resources") or ():
        if not isinstance(resource, dict):
            continue
        mode, type_, name = str(resource.get("mode", "managed")), str(resource.get("type", "")), str(resource.get("name", ""))
        module = resource.get("module")
        base = (f"{module}." if isinstance(module, str) and module else "") + ("data." if mode == "data" else "") + f"{type_}.{name}"
        provider = _PROVIDER.search(str(resource.get("provider", "")))
        for instance in resource.get("instances") or ():
            if not isinstance(instance, dict):
                continue
            key = instance.get("index_key")
            address = base + ("" if key is None else f"[{json.dumps(key)}]")
            values = instance.get("attributes")
            yield _Instance(address, mode, type_, provider.group(1) if provider else "", values if isinstance(values, dict) else {}, {})


def _line_of(text: str, address: str) -> int:
    """The line of a resource's address in the JSON text (plans, shown states), or of its type and name (raw states)."""
    patterns = [r'"address"\s*:\s*' + re.escape(json.dumps(address))]
    rest = _KEY.sub("", address)
    while (match := _MODULE.match(rest)) is not None:
        rest = rest[match.end():]
    type_, _, name = rest.removeprefix("data.").partition(".")
    patterns.append(r'"type"\s*:\s*' + re.escape(json.dumps(type_)) + r'\s*,\s*"name"\s*:\s*' + re.escape(json.dumps(name)))
    for pattern in patterns:
        found = re.search(pattern, text)
        if found:
            return text.count("\n", 0, found.start()) + 1
    return 0


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    reader = _Reader(context)
    present = {source.path for source in files}
    for source in sorted(files, key=lambda s: s.relpath):
        reader.read(source, present)
    supersedes = tuple((root, SUPERSEDED_KINDS) for root in sorted(reader.supersedes))
    return ParseResult(tuple(reader.resources), tuple(reader.errors), (), supersedes)
