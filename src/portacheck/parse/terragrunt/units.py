"""Read Terragrunt units: each `terragrunt.hcl` merged with what it includes, evaluated statically.

A unit deploys one Terraform module (`terraform { source = … }`, or the `.tf` files beside it).
A local module is evaluated by the Terraform reader with the unit's `inputs` as its variables, and
that evaluation replaces the Terraform frontend's own one of the module directory (`supersedes`);
a registry or git module is a module call classified by its source. `remote_state` is a state
backend; `generate` blocks holding Terraform (providers, backends) are read as Terraform;
`dependency` and `dependencies` are links between units. Terragrunt's path functions are
computed from the files' places; anything depending on the environment, on another unit's
outputs or on a command stays Unresolved. Nothing is ever executed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Directive, Location, Origin, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_source, relpath
from portacheck.parse.terraform.directives import directives
from portacheck.parse.terraform.expr import evaluate
from portacheck.parse.terraform.hcl import Attr, Block, HclFile, parse_text
from portacheck.parse.terraform.sources import is_terraform_file, normalize_module_source, normalize_provider_source

UNIT_NAME = "terragrunt.hcl"
MAX_READ_DEPTH = 8  # read_terragrunt_config inside read_terragrunt_config...


@dataclass
class _Files:
    """Each .hcl file read and parsed once, its errors and suppressions kept once."""

    context: ParseContext
    parsed: dict[str, HclFile | None] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)

    def get(self, path: str) -> HclFile | None:
        path = os.path.normpath(path)
        if path in self.parsed:
            return self.parsed[path]
        rel = relpath(path, self.context.root)
        hcl = None
        try:
            hcl = parse_text(read_source(path, self.context.max_file_bytes), rel, is_json=False)
        except InputError as exc:
            self.errors.append(ScanError(rel, exc.message, exc.line, exc.column))
        if hcl is not None:
            if hcl.error is not None:
                self.errors.append(ScanError(rel, hcl.error.message, hcl.error.line, hcl.error.column))
            if hcl.comments:
                self.directives.extend(directives(hcl))
        self.parsed[path] = hcl
        return hcl


class _Resolver:
    """References and Terragrunt functions of one file evaluated for one unit."""

    def __init__(self, scope: _Scope):
        self.scope = scope
        self.functions = scope.functions()

    def __call__(self, name: str, path: list) -> Any:
        if name == "local" and path and isinstance(path[0], str):
            return _access(self.scope.local(path[0]), path[1:], f"local.{path[0]}")
        if name == "include" and path and isinstance(path[0], str):
            return _access(self.scope.exposed(path[0]), path[1:], f"include.{path[0]}")
        return Unresolved(name)  # dependency.x.outputs, values, feature: known only when applied


class _Scope:
    """One file (the unit's own, an included one, one read with read_terragrunt_config) for one unit."""

    def __init__(self, files: _Files, path: str, unit_dir: str, include_dir: str, depth: int = 0):
        self.files = files
        self.path = path
        self.hcl = files.get(path)
        self.unit_dir = unit_dir
        self.include_dir = include_dir  # what path_relative_to_include() is relative to
        self.depth = depth
        self.memo: dict[str, Any] = {}
        self.resolving: set[str] = set()
        self.includes: dict[str, _Scope] = {}
        self.resolver = _Resolver(self)

    @property
    def blocks(self) -> list[Block]:
        return self.hcl.blocks if self.hcl is not None else []

    @property
    def attrs(self) -> dict[str, Attr]:
        return self.hcl.attrs if self.hcl is not None else {}

    def value(self, attr: Attr | None) -> Any:
        return None if attr is None else evaluate(attr.value, self.resolver)

    def local(self, name: str) -> Any:
        if name in self.memo:
            return self.memo[name]
        if name in self.resolving:
            return Unresolved(f"local.{name} (refers to itself)")
        attr = next((b.attrs[name] for b in self.blocks if b.type == "locals" and name in b.attrs), None)
        if attr is None:
            return Unresolved(f"local.{name} (not defined)")
        self.resolving.add(name)
        try:
            self.memo[name] = self.value(attr)
        finally:
            self.resolving.discard(name)
        return self.memo[name]

    def exported(self) -> dict[str, Any]:
        """What read_terragrunt_config and an exposed include give: locals and inputs."""
        names = [name for b in self.blocks if b.type == "locals" for name in b.attrs]
        inputs = self.value(self.attrs.get("inputs"))
        return {"locals": {name: self.local(name) for name in names}, "inputs": inputs if isinstance(inputs, dict) else {}}

    def exposed(self, name: str) -> Any:
        scope = self.includes.get(name)
        return scope.exported() if scope is not None else Unresolved(f"include.{name}")

    # -- Terragrunt's functions, as far as the files' places decide them --

    def functions(self) -> dict[str, Any]:
        here = os.path.dirname(self.path)
        return {
            "find_in_parent_folders": self._find_in_parent_folders,
            "read_terragrunt_config": self._read_config,
            "get_terragrunt_dir": lambda args: self.unit_dir,
            "get_original_terragrunt_dir": lambda args: self.unit_dir,
            "get_parent_terragrunt_dir": lambda args: self.include_dir or here,
            "path_relative_to_include": lambda args: _relative(self.unit_dir, self.include_dir),
            "path_relative_from_include": lambda args: _relative(self.include_dir, self.unit_dir),
            "get_repo_root": lambda args: _repo_root(self.unit_dir),
            "get_path_to_repo_root": lambda args: _relative(_repo_root(self.unit_dir), self.unit_dir),
            "dirname": lambda args: os.path.dirname(args[0]) if len(args) == 1 and isinstance(args[0], str) else Unresolved("dirname"),
            "basename": lambda args: os.path.basename(args[0]) if len(args) == 1 and isinstance(args[0], str) else Unresolved("basename"),
        }

    def _find_in_parent_folders(self, args: list) -> Any:
        name = args[0] if args and isinstance(args[0], str) else "terragrunt.hcl"
        root = os.path.normpath(self.files.context.root)
        directory = os.path.dirname(self.unit_dir)
        while os.path.commonpath([root, directory]) == root:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        if len(args) > 1:
            return args[1]  # the fallback Terragrunt returns when nothing is found
        return Unresolved(f"find_in_parent_folders({name}) (not under the scanned root)")

    def _read_config(self, args: list) -> Any:
        if not args or not isinstance(args[0], str) or self.depth >= MAX_READ_DEPTH:
            return Unresolved("read_terragrunt_config")
        path = os.path.normpath(os.path.join(self.unit_dir, args[0]))
        if not _inside(self.files.context.root, path) or not os.path.isfile(path):
            return args[1] if len(args) > 1 else Unresolved(f"read_terragrunt_config({args[0]})")
        scope = _Scope(self.files, path, os.path.dirname(path), self.include_dir, self.depth + 1)
        return scope.exported() if scope.hcl is not None else Unresolved(f"read_terragrunt_config({args[0]})")


def _relative(path: Any, start: Any) -> Any:
    if not isinstance(path, str) or not isinstance(start, str) or not path or not start:
        return "."
    return os.path.relpath(path, start).replace(os.sep, "/")


def _repo_root(directory: str) -> Any:
    from portacheck.trust import git_root

    top = git_root(directory)
    return Unresolved("get_repo_root()") if top is None else top


def _inside(root: str, path: str) -> bool:
    root = os.path.normpath(root)
    return os.path.commonpath([root, os.path.abspath(path)]) == root


def _access(value: Any, path: list, label: str) -> Any:
    for step in path:
        if (isinstance(value, dict) and step in value) or (isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value)):
            value = value[step]
        elif isinstance(value, Unresolved):
            return value
        else:
            return Unresolved(f"{label}.{step}")
        label = f"{label}.{step}"
    return value


@dataclass
class _Unit:
    """A terragrunt.hcl merged with its includes: the child's blocks win, `inputs` merge."""

    directory: str
    rel: str  # of the directory
    scopes: list[_Scope]  # included files first, the unit's own file last

    def last_block(self, block_type: str) -> tuple[_Scope, Block] | None:
        found = None
        for scope in self.scopes:
            for block in scope.blocks:
                if block.type == block_type:
                    found = (scope, block)
        return found

    def source(self) -> tuple[_Scope, Attr] | None:
        found = None
        for scope in self.scopes:
            for block in scope.blocks:
                if block.type == "terraform" and "source" in block.attrs:
                    found = (scope, block.attrs["source"])
        return found

    def inputs(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for scope in self.scopes:
            value = scope.value(scope.attrs.get("inputs"))
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def generate_blocks(self) -> list[tuple[_Scope, Block]]:
        by_name: dict[str, tuple[_Scope, Block]] = {}
        for scope in self.scopes:
            for block in scope.blocks:
                if block.type == "generate" and block.labels:
                    by_name[block.labels[0]] = (scope, block)
        return list(by_name.values())

    def dependency_paths(self) -> list[Any]:
        paths: list[Any] = []
        for scope in self.scopes:
            for block in scope.blocks:
                if block.type == "dependency" and "config_path" in block.attrs:
                    paths.append(scope.value(block.attrs["config_path"]))
                elif block.type == "dependencies" and "paths" in block.attrs:
                    value = scope.value(block.attrs["paths"])
                    paths.extend(value if isinstance(value, list) else [value])
        return paths


class _Reader:
    def __init__(self, context: ParseContext):
        self.context = context
        self.files = _Files(context)
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.directives: list[Directive] = []
        self.supersedes: list[str] = []
        self.emitted: set[tuple[str, int, str]] = set()  # couplings of shared files, reported once

    def rel(self, path: str) -> str:
        return relpath(path, self.context.root)

    def unit(self, path: str) -> _Unit | None:
        directory = os.path.dirname(path)
        own = _Scope(self.files, path, directory, "")
        if own.hcl is None:
            return None
        scopes = []
        for block in own.blocks:
            if block.type != "include":
                continue
            target = own.value(block.attrs.get("path"))
            name = block.labels[0] if block.labels else ""
            if not isinstance(target, str):
                self._error(own, block, f"include {name or '(unnamed)'}: path is not known statically ({target}); not merged")
                continue
            target = os.path.normpath(os.path.join(directory, target))
            if not _inside(self.context.root, target) or not os.path.isfile(target):
                self._error(own, block, f"include {name or '(unnamed)'}: {self.rel(target)} is not a file under the scanned root; not merged")
                continue
            included = _Scope(self.files, target, directory, os.path.dirname(target))
            if included.hcl is None:
                continue
            own.includes[name] = included
            own.include_dir = own.include_dir or os.path.dirname(target)
            scopes.append(included)
        return _Unit(directory, self.rel(directory), scopes + [own])

    def _error(self, scope: _Scope, block: Block, message: str) -> None:
        self.errors.append(ScanError(self.rel(scope.path), message, block.line))

    def read_safely(self, source: SourceFile) -> None:
        """A bug met in one unit costs that unit, not the whole scan."""
        before = len(self.resources)
        try:
            self.read(source.path)
        except Exception as exc:  # noqa: BLE001 - reported as an analysis error of this unit
            del self.resources[before:]
            message = f"internal error while reading this unit ({type(exc).__name__}: {exc}); not analysed; please report this"
            self.errors.append(ScanError(source.relpath, message))

    def read(self, path: str) -> None:
        """Read one unit: its module, backend, generated Terraform, and a resource its dependents link to."""
        unit = self.unit(path)
        if unit is None:
            return
        via = Origin(via=f"terragrunt unit {unit.rel}")
        self._module(unit, via)
        self._remote_state(unit)
        for scope, block in unit.generate_blocks():
            self._generate(scope, block)
        links = []
        for target in unit.dependency_paths():
            if isinstance(target, str):
                config = os.path.normpath(os.path.join(unit.directory, target))
                config = config if config.endswith(".hcl") else os.path.join(config, UNIT_NAME)
                links.append(f"{self.rel(config)}#terragrunt_unit")
        self.resources.append(
            Resource("terragrunt", "reference", "", "terragrunt_unit", "terragrunt_unit", Location(self.rel(path), 1, 0, via), links=tuple(links))
        )

    # -- the module a unit deploys --

    def _module(self, unit: _Unit, via: Origin) -> None:
        found = unit.source()
        if found is None:  # the unit's own directory is the module
            if any(is_terraform_file(n) for n in _names(unit.directory)):
                self._follow(unit, unit.directory, via)
            return
        scope, attr = found
        source = scope.value(attr)
        location = Location(self.rel(scope.path), attr.line, 0, via)
        signal = normalize_module_source(_registry_address(source)) if isinstance(source, str) else "(source not known statically)"
        local = _local_dir(source, unit.directory) if isinstance(source, str) else None
        if local is not None:
            if _inside(self.context.root, local) and os.path.isdir(local) and not self.context.excluded(self.rel(local)):
                self._follow(unit, local, via)
                return
            signal = self.rel(local)  # a local module not followed: named from the scan root, never by an absolute path
            source = signal
        self.resources.append(
            Resource(
                source="terragrunt",
                kind="module",
                provider="",
                type="module",
                address=f"terragrunt.{unit.rel}",
                location=location,
                signals=(Signal("terraform_module", signal, location, "terraform.source"),),
                attributes={"source": source if isinstance(source, str) else str(source)},
            )
        )

    def _follow(self, unit: _Unit, module_dir: str, via: Origin) -> None:
        from portacheck.parse.terraform.analyse import evaluate_root

        result = evaluate_root(module_dir, self.context, unit.inputs())
        root = self.rel(module_dir) or "."
        self.supersedes.append(root)
        for resource in result.resources:
            self.resources.append(_through_unit(resource, unit.rel, via))
        self.errors.extend(result.errors)
        self.directives.extend(result.directives)

    # -- state backend and generated Terraform --

    def _remote_state(self, unit: _Unit) -> None:
        found = unit.last_block("remote_state")
        if found is None:
            return
        scope, block = found
        backend = scope.value(block.attrs.get("backend"))
        backend = backend if isinstance(backend, str) else "(backend not known statically)"
        config = scope.value(block.attrs.get("config"))
        attributes = {k: config[k] for k in ("bucket", "region", "storage_account_name") if isinstance(config, dict) and k in config}
        self._backend(Location(self.rel(scope.path), block.line), backend, "remote_state", attributes)

    def _backend(self, location: Location, backend: str, context: str, attributes: dict[str, Any]) -> None:
        if not self._first(location, "backend"):
            return
        self.resources.append(
            Resource(
                source="terragrunt",
                kind="backend",
                provider="",
                type=f"backend.{backend}",
                address=f"{context}.{backend}",
                location=location,
                signals=(Signal("terraform_backend", backend, location, context),),
                attributes=attributes,
            )
        )

    def _generate(self, scope: _Scope, block: Block) -> None:
        """Terraform written by `generate` (providers, backends): read from the heredoc's lines."""
        attr = block.attrs.get("contents")
        if attr is None or attr.end_line <= attr.line + 1 or scope.hcl is None:
            return
        body = "\n".join(scope.hcl.lines[attr.line : attr.end_line - 1])
        generated = parse_text(body, scope.hcl.relpath, is_json=False)
        rel = self.rel(scope.path)
        for nested in generated.blocks:
            line = attr.line + nested.line
            if nested.type == "terraform":
                for inner in nested.blocks:
                    if inner.type in ("backend", "cloud"):
                        backend = inner.labels[0] if inner.type == "backend" and inner.labels else "cloud"
                        self._backend(Location(rel, attr.line + inner.line), backend, f"generate.{block.labels[0]}", {})
            elif nested.type == "provider" and nested.labels and self._first(Location(rel, line), "provider"):
                name = nested.labels[0]
                source = normalize_provider_source(name)
                provider = self.context.provider_sources.get(source) or name
                self.resources.append(
                    Resource("terragrunt", "provider", provider, "provider", f"provider.{name}", Location(rel, line))
                )

    def _first(self, location: Location, kind: str) -> bool:
        key = (location.path, location.line, kind)
        if key in self.emitted:
            return False
        self.emitted.add(key)
        return True


def _names(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def _local_dir(source: str, unit_dir: str) -> str | None:
    """The directory of a local module source (`../modules//app`, an absolute path), else None."""
    if "::" in source or "://" in source or source.startswith(("tfr:", "git@")):
        return None
    path = source.split("?", 1)[0]
    if not (path.startswith((".", "/")) or os.path.isabs(path)):
        return None
    return os.path.normpath(os.path.join(unit_dir, path.replace("//", "/")))


def _registry_address(source: str) -> str:
    """`tfr:///terraform-aws-modules/vpc/aws?version=5.1.0` is the registry module terraform-aws-modules/vpc/aws."""
    if source.startswith("tfr:///"):
        return source[len("tfr:///"):]
    if source.startswith("tfr://"):
        return source[len("tfr://"):]
    return source


def _through_unit(resource: Resource, unit_rel: str, via: Origin) -> Resource:
    """A resource of a unit's module: its origin names the unit, so two units' resources differ."""
    origin = resource.location.origin
    new = Origin(unit_rel, origin.modules) if origin.modules else via
    signals = tuple(replace(s, location=replace(s.location, origin=new)) for s in resource.signals)
    return replace(resource, location=replace(resource.location, origin=new), signals=signals)


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    reader = _Reader(context)
    for source in sorted(files, key=lambda s: s.relpath):
        name = os.path.basename(source.path)
        if name == UNIT_NAME:
            reader.read_safely(source)
        elif name.endswith(".json"):
            reader.errors.append(ScanError(source.relpath, "not analysed: Terragrunt JSON configuration (no reader for it yet)"))
        elif name == "terragrunt.stack.hcl":
            reader.errors.append(ScanError(source.relpath, "not analysed: Terragrunt stack (the units it generates are not expanded)"))
        else:
            reader.files.get(source.path)  # an included file: read for its errors and suppressions
    return ParseResult(
        tuple(reader.resources),
        tuple(reader.files.errors + reader.errors),
        tuple(reader.files.directives + reader.directives),
        tuple((root, ()) for root in sorted(set(reader.supersedes))),
    )
