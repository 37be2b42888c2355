"""Run every frontend on its files and merge what they found into one inventory."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from portacheck.discover import Discovery
from portacheck.model import Directive, FormatRead, ParseResult, Resource, ScanError, SourceFile, terraform_root
from portacheck.parse import Frontend, ParseContext, background
from portacheck.parse.registry import FRONTENDS


@dataclass(frozen=True)
class Inventory:
    root: str
    files: tuple[SourceFile, ...]
    resources: tuple[Resource, ...]
    errors: tuple[ScanError, ...]
    focus: frozenset[str] | None = None
    directives: tuple[Directive, ...] = ()  # inline suppressions, as the frontends read them
    read: tuple[FormatRead, ...] = ()  # per format: how much was read, or recognised and not analysed


def build(discovery: Discovery, context: ParseContext, options: Callable[[str], Any], debug: bool = False) -> Inventory:
    """`options(name)` gives a frontend's Options (Config.options)."""
    by_kind: dict[str, list[SourceFile]] = {}
    for source in discovery.files:
        by_kind.setdefault(source.kind, []).append(source)
    errors: list[ScanError] = list(discovery.errors)
    results: dict[str, ParseResult] = {}
    aside = background.start(by_kind, context, FRONTENDS, lambda frontend, files: _parse(frontend, files, context, options, debug))
    for frontend in FRONTENDS:
        files = by_kind.get(frontend.name)
        if not files or frontend.name in aside:
            continue
        result = _parse(frontend, files, context, options, debug)
        if result.chart_values:
            context = replace(context, chart_values=context.chart_values + result.chart_values)
        results[frontend.name] = result
    for name, pending in aside.items():
        try:
            results[name] = pending.wait(context)
        except background.Lost as exc:
            results[name] = ParseResult((), (internal_error(pending.frontend, pending.files, str(exc)),), ())
    resources: list[Resource] = []
    directives: list[Directive] = []
    superseded: dict[str, set[str]] = {}  # root -> kinds ("" for all)
    terraform_ids: set[int] = set()
    for frontend in FRONTENDS:  # in registry order, wherever each ran
        found = results.get(frontend.name)
        if found is None:
            continue
        if frontend.name == "terraform":
            terraform_ids = {id(r) for r in found.resources}
        resources.extend(found.resources)
        errors.extend(found.errors)
        directives.extend(found.directives)
        for root, kinds in found.supersedes:
            superseded.setdefault(root, set()).update(kinds or ("",))
    if superseded:  # what another frontend deploys in their place: the Terraform frontend's resources go
        resources = [r for r in resources if id(r) not in terraform_ids or not _superseded(r, superseded)]
    resources.sort(key=lambda r: (r.location.path, r.location.line, r.address))
    errors.sort(key=lambda e: (e.path, e.line, e.column, e.message))
    directives.sort(key=lambda d: (d.path, d.line, d.text))
    return Inventory(
        discovery.root, discovery.files, tuple(resources), tuple(_unique(errors)), discovery.focus,
        tuple(dict.fromkeys(directives)), _read(by_kind, resources),
    )


def _parse(frontend: Frontend, files: Sequence[SourceFile], context: ParseContext, options: Callable[[str], Any], debug: bool) -> ParseResult:
    try:
        return frontend.parse(files, context, options(frontend.name))
    except Exception as exc:  # noqa: BLE001 - a bug in a frontend must not hide the other frontends' results
        if debug:
            traceback.print_exc()
        return ParseResult((), (internal_error(frontend, files, f"{type(exc).__name__}: {exc}"),), ())


def internal_error(frontend: Frontend, files: Sequence[SourceFile], what: str) -> ScanError:
    return ScanError(files[0].relpath, f"internal error in the {frontend.title} reader ({what}); its {len(files)} file(s) were not analysed; please report this")


def _read(by_kind: dict[str, list[SourceFile]], resources: list[Resource]) -> tuple[FormatRead, ...]:
    """What each frontend was given, in registry order: the analysed formats, then the others."""
    counts = []
    for frontend in FRONTENDS:
        files = by_kind.get(frontend.name)
        if not files:
            continue
        objects = 0
        if frontend.object_noun:
            objects = sum(1 for r in resources if r.source == frontend.name and r.kind != "reference")
        counts.append(FormatRead(frontend.name, frontend.title, frontend.unit, len(files), objects, frontend.object_noun, frontend.analysed))
    return tuple(sorted(counts, key=lambda c: not c.analysed))


def _superseded(resource: Resource, superseded: dict[str, set[str]]) -> bool:
    kinds = superseded.get(terraform_root(resource))
    return kinds is not None and ("" in kinds or resource.kind in kinds)


def _unique(errors: list[ScanError]) -> list[ScanError]:
    seen = set()
    result = []
    for error in errors:
        if error not in seen:
            seen.add(error)
            result.append(error)
    return result
