"""Values files passed to a chart by name, whatever they are called.

A `values*.yaml` outside a chart is judged as chart values already. A release names others too:
a helmfile's `releases[].values`, an Argo CD Application's `helm.valueFiles`. Those files are
read as chart values, with their own lines, marked with the file that passes them. (Terraform's
`helm_release` `values = [file(...)]` would be read the same way by the Terraform frontend.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from portacheck.errors import InputError
from portacheck.model import SourceFile
from portacheck.parse import ParseContext, read_source, relpath

_HELMFILE = re.compile(r"(^|/)(helmfile\.ya?ml|helmfile\.d/[^/]+\.ya?ml)$")
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


def passed_values(files: Iterable[SourceFile], context: ParseContext, applications: Iterable[str]) -> dict[str, str]:
    """relpath of each values file a helmfile or an Argo CD Application passes -> the relpath passing it.

    `applications`: relpaths of the files holding Argo CD Applications (their objects were read)."""
    by_rel = {source.relpath: source for source in files}
    found: dict[str, str] = {}
    for rel in sorted(set(applications) | {r for r in by_rel if _HELMFILE.search(r)}):
        source = by_rel.get(rel)
        if source is None:
            continue
        for document in _documents(source, context):
            names = _helmfile(document) if _HELMFILE.search(rel) else _argo(document)
            for base, name in names:
                target = _resolve(context.root, os.path.dirname(source.path) if base is None else base, name)
                if target is not None:
                    found.setdefault(relpath(target, context.root), rel)
    return found


def _documents(source: SourceFile, context: ParseContext) -> list[Any]:
    from portacheck._yaml import DataError, load_documents

    try:
        text = read_source(source.path, context.max_file_bytes)
    except InputError:
        return []
    for attempt in (text, _TEMPLATE.sub("", text)):  # a helmfile may hold Go templates
        try:  # bounded in nodes and depth, as every YAML a scan reads
            return [d.root for d in load_documents(attempt) if isinstance(d.root, dict)]
        except DataError:
            continue
    return []


def _helmfile(document: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """`releases[].values` entries that are file names (relative to the helmfile)."""
    names: list[tuple[str | None, str]] = []
    for release in document.get("releases") or []:
        if isinstance(release, dict):
            names += [(None, v) for v in release.get("values") or [] if isinstance(v, str)]
    return names


def _argo(document: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """`spec.source(s)[].helm.valueFiles`: relative to the source's `path` in the repository (the scan root here)."""
    if not str(document.get("apiVersion", "")).startswith("argoproj.io/"):
        return []
    spec = _mapping(document.get("spec"))
    if document.get("kind") == "ApplicationSet":
        spec = _mapping(_mapping(spec.get("template")).get("spec"))
    sources = [spec.get("source"), *list(spec.get("sources") or [])]
    names: list[tuple[str | None, str]] = []
    for source in sources:
        if not isinstance(source, dict) or not isinstance(source.get("helm"), dict):
            continue
        path = str(source.get("path") or "")
        for name in source["helm"].get("valueFiles") or []:
            if isinstance(name, str):
                if name.startswith("$"):  # $values/envs/prod.yaml: from the `ref: values` source's repository
                    names.append(("", name.split("/", 1)[1] if "/" in name else ""))
                else:
                    names.append(("", os.path.join(path, name)))
    return names


def _resolve(root: str, base: str, name: str) -> str | None:
    """The file inside the scan root (never outside it), or None."""
    if not name or "{{" in name or "://" in name:
        return None
    target = os.path.normpath(os.path.join(root if base == "" else base, name))
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root or not os.path.isfile(target):
        return None
    return target


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
