"""Optional features: what a chart deploys only when one of its switches is turned on.

Charts are built to be switched to a cloud: a security-group policy, workload-identity
annotations, a database proxy or an exporter sit behind `irsa.enabled`, `serviceAccount.create`
or an `{{ if .Values.metrics.cloudwatch }}`. After the default render the chart is rendered once
more with every such switch on (every `false` boolean named `enabled` or `create` in its values,
and every `false` boolean a template's `if`, `else if` or `with` reads). What appears only then
becomes a Resource of kind `optional`: its findings are reported, marked "optional: only when
`<key>` is set", but it is not deployed with these values, so it stays out of the resource view,
the workloads, the effort and (unless `--helm-optional fail`) the policy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from portacheck.model import Origin, Resource

KIND = "optional"
SWITCH_NAMES = ("enabled", "create")
_GATE = re.compile(r"\{\{-?\s*(?:if|else\s+if|with)\s(.*?)-?\}\}", re.S)
_VALUE = re.compile(r"\.Values((?:\.[A-Za-z_][\w-]*)+)")
_SHOWN_KEYS = 3  # keys named in one finding; the rest are counted


@dataclass
class Switched:
    """The second render of one chart: the switches turned on, the values and plan it renders with."""

    keys: tuple[str, ...]  # dotted keys of the chart's values, as a user would --set them
    user: dict[str, Any]
    plan: Any  # stage.Plan
    gates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # shown template path -> switched keys its ifs read
    enabled_by: Mapping[str, str] = field(default_factory=dict)  # prefix of a subchart switched on -> its condition
    outcome: Any = None  # render.Rendered | render.Failure


def switch(chart, user: dict[str, Any], default_plan, make_plan) -> Switched | None:
    """Plan the render with every switch of `chart` on; None when it has none.

    `make_plan(values)` stages the chart with those user values (stage.plan). A subchart the
    switches enable brings switches of its own: the plan is made once more to include them.
    """
    from portacheck.parse.helm.values import merge

    found = _switches(default_plan)
    if not found:
        return None
    plan = None
    for _attempt in range(2):
        values = merge(user, _overlay(found))
        plan = make_plan(values)
        more = {path: keys for path, keys in _switches(plan).items() if path not in found}
        if not more:
            break
        found.update(more)
    else:
        values = merge(user, _overlay(found))
        plan = make_plan(values)
    gates: dict[str, set[str]] = {}
    for path, shown in found.items():
        for where in shown:
            gates.setdefault(where, set()).add(_dotted(path))
    before = {node.prefix for node in default_plan.root.walk()}
    enabled_by = {}
    for _parent, dep, _why in default_plan.disabled:
        condition = next((c.strip() for c in (dep.condition or "").split(",") if c.strip()), "")
        key = condition or (f"tags.{dep.tags[0]}" if dep.tags else "")
        for node in plan.root.walk():
            if node.prefix not in before and node.name == dep.key and key:
                enabled_by[node.prefix] = key
    return Switched(tuple(sorted(_dotted(p) for p in found)), values, plan, {k: tuple(sorted(v)) for k, v in gates.items()}, enabled_by)


def _switches(plan) -> dict[tuple, list[str]]:
    """Key paths (in the top chart's values) of every switch that is off -> the templates whose ifs read it."""
    from portacheck.parse.helm.static import template_files
    from portacheck.parse.helm.values import leaves, lookup

    found: dict[tuple, list[str]] = {}
    for node in plan.root.walk():
        for path, value in leaves(node.values):
            if value is False and path[-1] in SWITCH_NAMES and path[0] != "global":
                found.setdefault(node.scope + path, [])
        for inside in template_files(node.chart):
            try:
                with open(os.path.join(node.chart.directory, inside), encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            shown = node.chart.shown(inside)[0]
            for gate in _GATE.finditer(text):
                for ref in _VALUE.finditer(gate.group(1)):
                    path = tuple(ref.group(1).strip(".").split("."))
                    hit, value = lookup(node.values, path)
                    if hit and value is False and path[0] != "global":
                        where = found.setdefault(node.scope + path, [])
                        if shown not in where:
                            where.append(shown)
    return found


def _overlay(paths) -> dict[str, Any]:
    overlay: dict[str, Any] = {}
    for path in paths:
        target = overlay
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[path[-1]] = True
    return overlay


def _dotted(path: Sequence[str]) -> str:
    return ".".join(str(p) for p in path)


def only_optional(default: Sequence[Resource], switched: Sequence[Resource], found: Switched, fails: bool) -> list[Resource]:
    """The objects and signals of the switched render that the default render does not have, as `optional` resources."""
    seen: dict[tuple[str, str], set[tuple]] = {}
    for resource in default:
        seen.setdefault((resource.location.path, resource.address), set()).update(_key(s) for s in resource.signals)
    result = []
    for resource in switched:
        known = seen.get((resource.location.path, resource.address))
        signals = [s for s in resource.signals if known is None or _key(s) not in known]
        if not signals:
            continue
        keys = _keys_for(resource, found)
        origin = Origin(via=f"{resource.location.origin} (optional: only when {_when(keys)})".strip())
        result.append(replace(
            resource,
            kind=KIND,
            address=f"{resource.address} (optional)",  # never the key of a deployed object: links and ties stay apart
            location=replace(resource.location, origin=origin),
            signals=tuple(replace(s, location=replace(s.location, origin=origin)) for s in signals),
            attributes={**resource.attributes, "optional_when": tuple(keys), "optional_fails": fails},
            links=(),
        ))
    return result


def _when(keys: Sequence[str]) -> str:
    """`a` is set; `a` and `b` are set; `a`, `b`, `c` and 2 more are set."""
    shown = [f"`{k}`" for k in keys[:_SHOWN_KEYS]]
    if len(keys) > _SHOWN_KEYS:
        shown.append(f"{len(keys) - _SHOWN_KEYS} more")
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"{text} {'is' if len(keys) == 1 else 'are'} set"


def _key(signal) -> tuple:
    return (signal.kind, signal.value, signal.location.path, signal.location.line, signal.context)


def _keys_for(resource: Resource, found: Switched) -> list[str]:
    """The switches that bring this object or signal: its template's ifs, the condition of its subchart, else all."""
    keys = list(found.gates.get(resource.location.path, ()))
    via = resource.location.origin.via
    for prefix, condition in found.enabled_by.items():
        chart_path = "/".join(p for p in prefix.strip("/").split("/") if p != "charts")
        if f"chart {chart_path}" in via and condition not in keys:
            keys.append(condition)
    return keys or list(found.keys)
