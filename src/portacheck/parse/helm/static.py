"""What can be said of a chart without rendering it: its values files and its raw templates.

Used when a chart cannot be rendered (a template fails or loops, a dependency is missing, no
renderer is installed). Values keys that charts conventionally pass through to manifests
(`annotations`, `storageClass`, `ingress.className`, `nodeSelector`...) become the signals the
Kubernetes analyser would have produced, and every string value goes to the shared endpoint
matcher. A template that is plain YAML once its action-only lines are blanked is analysed as a
manifest; any other template's lines go to the endpoint matcher with their actions removed.
Every finding carries the origin given, which says the chart was not rendered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Location, Origin, Resource, ScanError, Severity, Signal
from portacheck.parse.helm.charts import Chart
from portacheck.parse.helm.values import Values, load_values

_TEXT_HINT = re.compile(r"[.:/]")
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_KEY_PREFIX = re.compile(r"^\s*(?:-\s+)*(?:[\w./-]+:(?:\s+|$))?")
_STORAGE_KEYS = frozenset({"storageClass", "storageClassName"})
_INGRESS_KEYS = frozenset({"ingressClassName", "className", "ingressClass", "class"})
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".tpl", ".json", ".txt")


def values_files(chart: Chart) -> list[str]:
    """values.yaml first, then the chart's other values*.yaml (environment variants), sorted."""
    try:
        names = sorted(os.listdir(chart.directory))
    except OSError:
        return []
    found = [n for n in names if n.startswith("values") and n.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(chart.directory, n))]
    return sorted(found, key=lambda n: (n not in ("values.yaml", "values.yml"), n))


def read_values(chart: Chart, name: str, max_bytes: int) -> Values:
    from portacheck.parse import read_source

    text = read_source(os.path.join(chart.directory, name), max_bytes)
    shown, member = chart.shown(name)
    return load_values(text, shown, member)


def value_signals(values: Values, origin: Origin, prefix: tuple = (), section: Any = None) -> list[Signal]:
    """The signals a values file carries by convention (below `prefix` when given)."""
    signals: list[Signal] = []
    data = values.data if section is None else section

    def loc(path: tuple) -> Location:
        line = 0 if values.member else values.line(prefix + path)
        return Location(values.display, line, 0, origin)

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = path + (key,)
                context = _dotted(prefix + here)
                if (key == "annotations" or key.endswith("Annotations")) and isinstance(value, dict):
                    for name, text in value.items():
                        signals.append(Signal("k8s_annotation", str(name), loc(here + (name,)), f"{context}.{name}"))
                        if name == "kubernetes.io/ingress.class" and isinstance(text, str) and text:
                            signals.append(Signal("k8s_ingress_class", text, loc(here + (name,)), f"{context}.{name}"))
                elif key in _STORAGE_KEYS and isinstance(value, str) and value.strip():
                    signals.append(Signal("k8s_storage_class", value.strip(), loc(here), context))
                elif key in _INGRESS_KEYS and isinstance(value, str) and value.strip() and (key == "ingressClassName" or "ingress" in context.lower()):
                    signals.append(Signal("k8s_ingress_class", value.strip(), loc(here), context))
                elif key == "loadBalancerClass" and isinstance(value, str) and value.strip():
                    signals.append(Signal("k8s_lb_class", value.strip(), loc(here), context))
                elif key == "provisioner" and isinstance(value, str) and value.strip():
                    signals.append(Signal("k8s_storage_provisioner", value.strip(), loc(here), context))
                elif key == "nodeSelector" and isinstance(value, dict):
                    for name, text in value.items():
                        label = f"{name}={text}" if isinstance(text, str) and text else str(name)
                        signals.append(Signal("k8s_node_label", label, loc(here + (name,)), f"{context}.{name}"))
                walk(value, here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))
        elif isinstance(node, str) and node and _TEXT_HINT.search(node):
            signals.append(Signal("text", node, loc(path), _dotted(prefix + path)))

    walk(data, ())
    return signals


def _dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def template_files(chart: Chart) -> list[str]:
    """Template files relative to the chart (NOTES.txt aside), sorted."""
    base = os.path.join(chart.directory, "templates")
    found = []
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(directory, d)))
        for name in files:
            path = os.path.join(directory, name)
            if name == "NOTES.txt" or os.path.islink(path) or not name.endswith(TEMPLATE_SUFFIXES):
                continue
            found.append(os.path.relpath(path, chart.directory).replace(os.sep, "/"))
    return sorted(found)


def analyse(chart: Chart, user_values: list[Values], context, origin: Origin, max_bytes: int) -> tuple[list[Resource], list[ScanError]]:
    """Static signals of the chart's values files, the user's values files, and its raw templates."""
    from portacheck.parse import read_source
    from portacheck.parse.kubernetes.analyse import analyse_text

    resources: list[Resource] = []
    errors: list[ScanError] = []
    for values in _chart_values(chart, max_bytes, errors) + list(user_values):
        signals = value_signals(values, origin)
        if signals:
            resources.append(values_resource(chart, values, signals, origin))
    for inside in template_files(chart):
        shown, member = chart.shown(inside)
        try:
            text = read_source(os.path.join(chart.directory, inside), max_bytes)
        except InputError as exc:
            errors.append(ScanError(shown, exc.message, exc.line, exc.column, Severity.WARNING))
            continue
        blanked = blank_actions(text)
        if "{{" not in blanked and not member and not inside.rsplit("/", 1)[-1].startswith("_"):
            result = analyse_text(blanked, shown, context, origin=str(origin), source="helm")
            if result.resources:
                resources.extend(result.resources)
                continue
        signals = []
        for number, line in enumerate(text.split("\n"), start=1):
            plain = _KEY_PREFIX.sub("", _ACTION.sub(" ", line)).strip().strip("\"'")
            if plain and _TEXT_HINT.search(plain) and not plain.startswith("#"):
                signals.append(Signal("text", plain, Location(shown, 0 if member else number, 0, origin), f"{inside}:{number}"))
        if signals:
            resources.append(Resource(
                source="helm", kind="reference", provider="kubernetes", type="helm/template",
                address=f"chart {chart.name} {inside}", location=Location(shown, 0 if member else 1, 0, origin), signals=tuple(signals),
            ))
    return resources, errors


def values_resource(chart: Chart, values: Values, signals: list[Signal], origin: Origin) -> Resource:
    return Resource(
        source="helm", kind="reference", provider="kubernetes", type="helm/values",
        address=f"chart {chart.name} {values.member or values.display.rsplit('/', 1)[-1]}",
        location=Location(values.display, 0 if values.member else 1, 0, origin),
        signals=tuple(signals),
    )


def _chart_values(chart: Chart, max_bytes: int, errors: list[ScanError]) -> list[Values]:
    found = []
    for name in values_files(chart):
        try:
            found.append(read_values(chart, name, max_bytes))
        except InputError as exc:
            shown, _member = chart.shown(name)
            errors.append(ScanError(shown, exc.message, exc.line, exc.column))
    return found


def blank_actions(text: str) -> str:
    """The template with every line that holds only template actions emptied (line numbers kept)."""
    out = []
    inside = False
    for line in text.split("\n"):
        stripped = line.strip()
        if inside:
            out.append("")
            inside = "}}" not in line
            continue
        if stripped.startswith("{{") and not _ACTION.sub("", stripped).strip():
            out.append("")
            continue
        if stripped.startswith("{{") and stripped.count("{{") > stripped.count("}}"):
            out.append("")
            inside = True
            continue
        out.append(line)
    return "\n".join(out)
