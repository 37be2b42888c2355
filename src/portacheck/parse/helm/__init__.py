"""The Helm frontend: charts (directories with a Chart.yaml, and chart archives) rendered offline.

Its options say which values to render with, how to render and where dependencies may come from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portacheck.parse import Frontend
from portacheck.parse.options import OptionError, option


@dataclass(frozen=True)
class HelmChart:
    """Values for rendering one chart: files in order, then --set pairs."""

    values: tuple[str, ...] = ()  # absolute paths of values files
    set: Mapping[str, str] = field(default_factory=dict)  # dotted key -> value, as `helm --set`


def _check_set(pair: str, base: str) -> str:
    from portacheck.parse.helm.values import parse_set

    try:
        parse_set([pair])
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    return pair


def _check_charts(value: Any, base: str) -> Mapping[str, HelmChart]:
    """`charts: {DIR: {values: [...], set: {key: value}}}`: paths relative to `base` (the configuration file's directory)."""
    if not isinstance(value, dict):
        raise OptionError("expected a mapping of chart directory to {values: [...], set: {...}}")
    from portacheck.trust import config_path

    result: dict[str, HelmChart] = {}
    for chart, spec in value.items():
        directory = config_path(base, str(chart))
        if directory is None:  # outside what untrusted configuration may name; trust.py records it
            continue
        if not os.path.isdir(directory):
            raise OptionError(f"{chart}: no such chart directory", str(chart))
        spec = spec or {}
        if not isinstance(spec, dict):
            raise OptionError("expected a mapping with `values:` and/or `set:`", str(chart))
        for name in spec:
            if name not in ("values", "set"):
                raise OptionError("unknown key; expected one of: values, set", f"{chart}.{name}")
        files: list[str] = []
        raw_values = spec.get("values", [])
        for item in [raw_values] if isinstance(raw_values, str) else raw_values or []:
            if not isinstance(item, str) or not item.strip():
                raise OptionError("expected a list of non-empty strings", f"{chart}.values")
            # relative to the configuration file, as every other path; a chart-relative name also works
            candidates = [config_path(base, item), config_path(directory, item)]
            found = next((c for c in candidates if c is not None and os.path.isfile(c)), None)
            if found is None and None in candidates:
                continue
            if found is None:
                raise OptionError(f"{item}: no such values file", f"{chart}.values")
            files.append(found)
        pairs: dict[str, str] = {}
        raw = spec.get("set") or {}
        if not isinstance(raw, dict):
            raise OptionError("expected a mapping of dotted key to value, as `helm --set`", f"{chart}.set")
        for set_key, set_value in raw.items():
            if isinstance(set_value, (dict, list)) or set_value is None:
                raise OptionError("expected a scalar value (string, number or boolean)", f"{chart}.set.{set_key}")
            pairs[str(set_key)] = str(set_value).lower() if isinstance(set_value, bool) else str(set_value)
        result[directory] = HelmChart(tuple(files), pairs)
    return result


@dataclass(frozen=True)
class HelmOptions:
    values: tuple[str, ...] = option(
        (), key="values", flag="--helm-values", kind="files",
        help="Helm values file for every chart scanned (repeatable; after values.yaml and the configuration's per-chart files).",
    )
    set: tuple[str, ...] = option(
        (), key="set", flag="--helm-set", kind="strings", check=_check_set, metavar="KEY=VALUE",
        help="Helm value as key=value, like `helm --set` (repeatable; after every values file).",
    )
    charts_dirs: tuple[str, ...] = option(
        (), key="charts-dirs", flag="--helm-charts-dir", kind="dirs",
        help="Directory of chart archives (e.g. a `helm dependency build` cache) that satisfy chart dependencies (repeatable).",
    )
    renderer: str = option(
        "auto", key="renderer", flag="--helm-renderer", kind="choice", choices=("auto", "sdk", "binary", "static"),
        help="How to render Helm charts: auto (the SDK of portacheck[helm], else `helm` on PATH), sdk, binary or static (no rendering).",
    )
    timeout: float = option(
        30.0, key="timeout", flag="--helm-timeout", kind="number", minimum=0.1, metavar="SECONDS",
        help="Seconds one Helm chart may take to render before it counts as not analysed. Default: 30.",
    )
    optional: str = option(
        "report", key="optional", flag="--helm-optional", kind="choice", choices=("off", "report", "fail"),
        help="Render each chart once more with its optional features on (false `*.enabled`, `*.create` and booleans its "
        "templates' ifs read): off, report what appears only then (apart: no effort, no failure), or fail on it too. Default: report.",
    )
    charts: Mapping[str, HelmChart] = option(
        default_factory=dict, key="charts", kind="custom", check=_check_charts,
        help="Values for rendering one chart, per chart directory: {DIR: {values: [...], set: {key: value}}}.",
    )


def _claims(relpath: str, head: bytes) -> bool:
    return relpath.endswith((".tgz", ".tar.gz"))


def _parse(files, context, options):
    from portacheck.parse.helm.analyse import parse

    return parse(files, context, options)


FRONTEND = Frontend(
    name="helm", title="Helm", claims=_claims, parse=_parse, options=HelmOptions, unit="chart",
    suffixes=(".tgz", ".tar.gz", "Chart.yaml", "values.yaml", ".tpl"),
)
