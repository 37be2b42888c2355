"""Helm renders kept in the parse cache (portacheck.cache), so a warm scan renders nothing.

A render is decided by the staged tree (the chart and every dependency placed in it, after
conditions and tags), the values given, the release name, the renderer (and its version: the
SDK's, or the `helm` executable's size and time) and the limits; the key hashes all of them,
with portacheck's version (cache.py adds it). Only outcomes that the
same input always gives are kept: manifests, and load, values, template and size failures; a
timeout or a crash may not happen again, so it is not remembered.

What a rendered chart's analysis found (its resources located in templates and values files, its
problems) is kept too, under a key of its renders and of everything else that analysis reads, so a
warm scan does not compose, read or locate a rendered chart again (on 17 Bitnami charts, most of
what a warm scan cost).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

from portacheck.cache import Cache, from_plain, to_plain
from portacheck.model import Location, Origin, Resource, ScanError, Severity, Signal, Unresolved
from portacheck.parse.helm import render

KIND = "helm"
_KEPT = ("load", "values", "render", "too-large")


def key(cache: Cache, staged: str, values: Any, release: str, renderer: str) -> str | None:
    """The cache key of one render, or None when it cannot be told (values that JSON cannot order)."""
    try:
        given = json.dumps(values, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    limits = f"{render.NAMESPACE}\0{render.MAX_OUTPUT}\0{render.MAX_OBJECTS}"
    which = _helm_binary() if renderer == "binary" else _sdk_version()
    return cache.key(KIND, itertools.chain([renderer, which, release, limits, given], _tree(staged)))


def _tree(staged: str) -> Iterator[bytes | str]:
    """Every staged file's path and bytes, in a fixed order, one file at a time."""
    for directory, dirs, files in os.walk(staged):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            yield os.path.relpath(path, staged).replace(os.sep, "/")
            with open(path, "rb") as handle:
                yield handle.read()


def _sdk_version() -> str:
    """The installed helm-python-sdk's version: another Helm SDK may render otherwise."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("helm-python-sdk")
    except PackageNotFoundError:
        return ""


def _helm_binary() -> str:
    """Which `helm` renders: its path, size and time of change (another Helm may render otherwise)."""
    helm = shutil.which("helm") or ""
    try:
        info = os.stat(helm)
    except OSError:
        return helm
    return f"{helm}\0{info.st_size}\0{info.st_mtime_ns}"


def load(cache: Cache, entry: str) -> render.Rendered | render.Failure | None:
    """The outcome stored under `entry`, or None (none, or not of the shape `store` writes)."""
    value = cache.get(KIND, entry)
    if not isinstance(value, tuple) or not value:
        return None
    if value[0] == "rendered" and len(value) == 3 and isinstance(value[1], str) and isinstance(value[2], tuple):
        manifests = value[2]
        if all(isinstance(item, tuple) and len(item) == 2 and all(isinstance(part, str) for part in item) for item in manifests):
            return render.Rendered(dict(manifests), value[1])
    if value[0] == "failure" and len(value) == 6 and all(isinstance(part, str) for part in value[1:5]) and type(value[5]) is int:
        return render.Failure(*value[1:])
    return None


def store(cache: Cache, entry: str, outcome: render.Rendered | render.Failure) -> None:
    if isinstance(outcome, render.Rendered):
        cache.put(KIND, entry, ("rendered", outcome.renderer, tuple(outcome.manifests.items())))
    elif outcome.kind in _KEPT:
        cache.put(KIND, entry, ("failure", outcome.kind, outcome.message, outcome.renderer, outcome.template, outcome.line))


# --- the analysis of a rendered chart ----------------------------------------------------------
# What a chart's renders become (resources located in its templates and values files, problems)
# is decided by the renders (their keys above), by where each chart of the tree and each values
# file is shown (paths relative to the scan root, not the root itself), by the values files'
# data and lines, the CRDs read beside the templates, the optional switches and --helm-optional.

ANALYSIS = "helm-analysis"


def analysis_key(cache: Cache, renders: tuple[str, ...], plans: list, values: list, switches: Any, crds: list, settings: tuple) -> str | None:
    """The cache key of one chart's analysis, or None when a part cannot be told (values JSON cannot order)."""
    try:
        parts = [*renders, repr(settings), repr(switches)]
        parts += [_values_part(v) for v in values]
        for plan in plans:
            parts.append(repr([(c.name, c.display, c.archive, c.member, dep) for c, dep in plan.missing]))  # no absolute directory
            for node in plan.root.walk():
                chart = node.chart
                parts += [node.prefix, node.name, repr(node.scope), chart.name, chart.display, chart.archive, chart.member]
                parts.append(_values_part(node.defaults))
        for key, text, _literal in crds:
            parts += [key, text]
    except (TypeError, ValueError):
        return None
    return cache.key(ANALYSIS, parts)


def _values_part(values: Any) -> str:
    if values is None:
        return ""
    data = json.dumps(values.data, sort_keys=True, ensure_ascii=False)
    return repr((values.display, values.member, values.label, data, list(values.lines.items())))


def load_analysis(cache: Cache, entry: str) -> tuple[list[Resource], list[ScanError], list[ScanError]] | None:
    """(resources, warnings, problems) stored under `entry`, or None (none, or not what `store_analysis` writes)."""
    value = cache.get(ANALYSIS, entry)
    if value is None:
        return None
    try:
        resources, warnings, problems = from_plain(value, _CLASSES)
    except (ValueError, TypeError):
        return None
    return resources, warnings, problems


def store_analysis(cache: Cache, entry: str, result: tuple[list[Resource], list[ScanError], list[ScanError]]) -> None:
    try:
        plain = to_plain(result)
    except ValueError:  # holds something that is not plain data (a located YAML mapping): not cached
        return
    cache.put(ANALYSIS, entry, plain)


# What a cached analysis may hold: nothing else is ever built from a cache entry.
_CLASSES: dict[str, type] = {cls.__name__: cls for cls in (Resource, Signal, Location, Origin, ScanError, Severity, Unresolved)}
