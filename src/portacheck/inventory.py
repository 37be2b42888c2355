"""Run every analyser on its files and merge what they found into one inventory."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Mapping

from portacheck.discover import Discovery
from portacheck.model import Resource, ScanError, SourceFile
from portacheck.parse import ParseContext, Parser


@dataclass(frozen=True)
class Inventory:
    root: str
    files: tuple[SourceFile, ...]
    resources: tuple[Resource, ...]
    errors: tuple[ScanError, ...]
    focus: frozenset[str] | None = None


def build(discovery: Discovery, context: ParseContext, parsers: Mapping[str, Parser], debug: bool = False) -> Inventory:
    by_kind: dict[str, list[SourceFile]] = {}
    for source in discovery.files:
        by_kind.setdefault(source.kind, []).append(source)
    resources: list[Resource] = []
    errors: list[ScanError] = list(discovery.errors)
    for kind, files in sorted(by_kind.items()):
        parser = parsers.get(kind)
        if parser is None:
            continue
        try:
            result = parser(files, context)
        except Exception as exc:  # a bug in an analyser must not hide the other analysers' results
            if debug:
                traceback.print_exc()
            errors.append(ScanError(files[0].relpath, f"internal error in the {kind} analyser ({type(exc).__name__}: {exc}); its {len(files)} file(s) were not analysed; please report this"))
            continue
        resources.extend(result.resources)
        errors.extend(result.errors)
    resources.sort(key=lambda r: (r.location.path, r.location.line, r.address))
    errors.sort(key=lambda e: (e.path, e.line, e.column, e.message))
    return Inventory(discovery.root, discovery.files, tuple(resources), tuple(_unique(errors)), discovery.focus)


def _unique(errors: list[ScanError]) -> list[ScanError]:
    seen = set()
    result = []
    for error in errors:
        if error not in seen:
            seen.add(error)
            result.append(error)
    return result
