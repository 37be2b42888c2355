"""The inline suppressions of a chart's files: values, templates, vendored subcharts, CRDs.

Discovery hands a chart over as its Chart.yaml alone, and the renderer reads the templates in
another process, so the chart's YAML files are looked at here, once each: a byte search for
the marker first, so that files without it cost one read. Values files are composed (their
extents come from the nodes); templates are Go templates, not YAML, and keep the indentation
reading; anything else is composed when it parses.
"""

from __future__ import annotations

import os

from portacheck.errors import InputError
from portacheck.model import Directive
from portacheck.parse import yaml_directives
from portacheck.parse.helm.values import load_values

_YAML_SUFFIXES = (".yaml", ".yml")
_MARKERS = (yaml_directives.MARKER.encode(), yaml_directives.ANNOTATION.encode())


def chart_directives(directory: str, display: str, max_bytes: int) -> list[Directive]:
    """The directives of every YAML file under a chart directory shown as `display` ("" for the root)."""
    found: list[Directive] = []
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.lower().endswith(_YAML_SUFFIXES):
                continue
            path = os.path.join(current, name)
            inside = os.path.relpath(path, directory).replace(os.sep, "/")
            shown = f"{display}/{inside}" if display not in ("", ".") else inside
            text = _marked_text(path, max_bytes)
            if text is not None:
                found.extend(file_directives(shown, inside, text, os.path.isfile(os.path.join(current, "Chart.yaml"))))
    return found


def file_directives(shown: str, inside: str, text: str, at_chart_root: bool) -> tuple[Directive, ...]:
    """One chart file's directives: `inside` is its path in the (outermost) chart directory."""
    name = inside.rsplit("/", 1)[-1]
    if at_chart_root and name.startswith("values"):
        try:
            return load_values(text, shown).directives
        except InputError:
            return yaml_directives.template_directives(shown, text)
    if "templates" in inside.split("/")[:-1]:
        return yaml_directives.template_directives(shown, text)
    return yaml_directives.from_text(shown, text)


def _marked_text(path: str, max_bytes: int) -> str | None:
    """The file's text when it holds a suppression marker; None otherwise, or when it cannot be read."""
    try:
        if os.path.islink(path) or os.path.getsize(path) > max_bytes:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if not any(marker in data for marker in _MARKERS):
        return None
    return data.decode("utf-8", errors="replace")
