"""Flux HelmReleases: the values they pass to a chart.

A HelmRelease (helm.toolkit.fluxcd.io) passes the values texts of `spec.valuesFrom` (ConfigMaps
and Secrets, the text under `valuesKey`, default `values.yaml`), in order, then `spec.values`:

    spec:
      chart: {spec: {chart: ./charts/app, sourceRef: {kind: GitRepository, name: repo}}}
      valuesFrom: [{kind: ConfigMap, name: app-values}]
      values: {aws: {enabled: true}}

- A ConfigMap or Secret of the scanned tree named there holds chart values: its text is read as
  chart values, with its own lines (as a helmfile's or an Argo CD Application's values files are).
- A chart at a path of a GitRepository or Bucket source that is a chart directory of the tree is
  rendered by the Helm frontend with these values (ChartValues), so what they switch on is
  deployed, not optional. Several releases of one chart: their values are merged in file order.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from portacheck._yaml import DataError, YList, YMap, load_documents
from portacheck.errors import InputError
from portacheck.model import ChartValues
from portacheck.parse import ParseContext, read_source

GROUP = "helm.toolkit.fluxcd.io"
_LOCAL_SOURCES = ("GitRepository", "Bucket")


@dataclass(frozen=True)
class PassedText:
    """A values text inside a ConfigMap or Secret of the tree that a release passes to its chart."""

    path: str  # relpath of the file holding the ConfigMap or Secret
    text: str
    line: int  # the line its text starts at (its lines follow on); 0: unknown
    referrer: str


def releases(objects: Iterable[Any], context: ParseContext) -> tuple[list[ChartValues], list[PassedText]]:
    """`objects`: the Kubernetes analyser's objects (path, group, kind, name, namespace)."""
    objects = list(objects)
    holders = {(o.kind, o.name): o.path for o in objects if o.group == "core" and o.kind in ("ConfigMap", "Secret")}
    charts: list[ChartValues] = []
    texts: list[PassedText] = []
    for rel in sorted({o.path for o in objects if o.group == GROUP and o.kind == "HelmRelease"}):
        for release in _documents(rel, context):
            if release.get("kind") != "HelmRelease" or not str(release.get("apiVersion", "")).startswith(GROUP + "/"):
                continue
            referrer = f"HelmRelease/{_name(release)} in {rel}"
            spec = _mapping(release.get("spec"))
            passed: list[tuple[str, Mapping[str, Any], Mapping[tuple, int]]] = []
            for entry in spec.get("valuesFrom") or []:
                found = _values_from(_mapping(entry), holders, context, referrer)
                if found is not None:
                    texts.append(found)
                    passed.append(_text_values(found))
            values = spec.get("values")
            if isinstance(values, YMap):
                lines: dict[tuple, int] = {}
                passed.append((rel, _plain(values, (), lines), lines))
            chart = _local_chart(spec, context)
            if chart is not None:
                charts += [ChartValues(chart, display, data, lines, referrer) for display, data, lines in passed if data]
    return charts, texts


def _values_from(entry: Mapping[str, Any], holders: Mapping[tuple[str, str], str], context: ParseContext, referrer: str) -> PassedText | None:
    """The values text a `valuesFrom` entry names, when its ConfigMap or Secret is in the tree."""
    kind, name = entry.get("kind"), entry.get("name")
    key = entry.get("valuesKey") or "values.yaml"
    if kind not in ("ConfigMap", "Secret") or not isinstance(name, str) or entry.get("targetPath"):
        return None  # targetPath sets one value, not a values text
    rel = holders.get((kind, name))
    if rel is None:
        return None
    for document in _documents(rel, context):
        if document.get("kind") != kind or _name(document) != name:
            continue
        for section, encoded in (("stringData", False), ("data", kind == "Secret")):
            data = _mapping(document.get(section))
            text = data.get(key)
            if not isinstance(text, str):
                continue
            line = data.value_lines.get(key, 0) if isinstance(data, YMap) else 0
            if encoded:
                try:
                    text, line = base64.b64decode(text, validate=True).decode("utf-8"), 0  # its lines are not in the file
                except (binascii.Error, UnicodeDecodeError):
                    continue
            return PassedText(rel, text, line, referrer)
    return None


def _text_values(passed: PassedText) -> tuple[str, Mapping[str, Any], Mapping[tuple, int]]:
    """A passed values text as chart values, its lines those of the file holding it."""
    from portacheck.parse.helm.values import load_values

    try:
        values = load_values(passed.text, passed.path)
    except InputError:
        return passed.path, {}, {}
    offset = passed.line - 1 if passed.line else 0
    return passed.path, values.data, {path: line + offset if passed.line else 0 for path, line in values.lines.items()}


def _local_chart(spec: Mapping[str, Any], context: ParseContext) -> str | None:
    """The chart directory (relpath) of `spec.chart.spec.chart` when it is a path of a repository source in the tree."""
    chart_spec = _mapping(_mapping(spec.get("chart")).get("spec"))
    path, source = chart_spec.get("chart"), _mapping(chart_spec.get("sourceRef"))
    if not isinstance(path, str) or source.get("kind") not in _LOCAL_SOURCES:
        return None
    root = os.path.realpath(context.root)
    directory = os.path.realpath(os.path.join(root, path))
    if os.path.commonpath([root, directory]) != root or not os.path.isfile(os.path.join(directory, "Chart.yaml")):
        return None
    return os.path.relpath(directory, root).replace(os.sep, "/")


def _documents(rel: str, context: ParseContext) -> list[YMap]:
    try:
        text = read_source(os.path.join(context.root, rel), context.max_file_bytes)
        return [d.root for d in load_documents(text) if isinstance(d.root, YMap)]
    except (InputError, DataError):
        return []


def _plain(value: Any, path: tuple, lines: dict[tuple, int]) -> Any:
    """A values tree as plain dicts and lists, the line of every key path in `lines`."""
    if isinstance(value, YMap):
        result = {}
        for key, item in value.items():
            lines[(*path, key)] = value.key_lines.get(key, value.line)
            result[key] = _plain(item, (*path, key), lines)
        return result
    if isinstance(value, YList):
        items = []
        for index, item in enumerate(value):
            lines[(*path, index)] = value.item_lines[index] if index < len(value.item_lines) else value.line
            items.append(_plain(item, (*path, index), lines))
        return items
    return value


def _name(document: Mapping[str, Any]) -> str:
    return str(_mapping(document.get("metadata")).get("name") or "")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
