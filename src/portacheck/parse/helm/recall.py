"""Helm renders kept in the parse cache (portacheck.cache), so a warm scan renders nothing.

A render is decided by the staged tree (the chart and every dependency placed in it, after
conditions and tags), the values given, the release name, the renderer (and its version: the
SDK's, or the `helm` executable's size and time) and the limits; the key hashes all of them,
with portacheck's version (cache.py adds it). Only outcomes that the
same input always gives are kept: manifests, and load, values, template and size failures; a
timeout or a crash may not happen again, so it is not remembered.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

from portacheck.cache import Cache
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
