"""Reporters: one module per format, each a `render(assessment, stream, **options)` function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from portacheck.assess import Assessment

Reporter = Callable[..., None]


# Format name -> (module in this package, function): a run imports only the formats it writes.
_REPORTERS: Mapping[str, tuple[str, str]] = {
    "text": ("text", "render"),
    "json": ("json", "render"),
    "sarif": ("sarif", "render"),
    "gitlab": ("gitlab", "render"),
    "junit": ("junit", "render"),
    "markdown": ("markdown", "render"),
    "compact": ("compact", "render"),
    "csf": ("csf", "render"),
    "csf-json": ("csf", "render_json"),
    "plan": ("plan", "render"),
    "dora": ("dora", "render"),
    "exit-plan": ("exitplan", "render"),
    "html": ("html", "render"),
}

FORMATS = tuple(_REPORTERS)


def reporter(name: str) -> Reporter:
    import importlib

    module, function = _REPORTERS[name]
    return getattr(importlib.import_module(f"portacheck.report.{module}"), function)


def reporters() -> Mapping[str, Reporter]:
    return {name: reporter(name) for name in FORMATS}


def render(name: str, assessment: Assessment, stream: TextIO, **options) -> None:
    """Render one report whole, escaped for its kind of output (report/escape.py), then write it."""
    stream.write(rendered(name, assessment, **options))


def rendered(name: str, assessment: Assessment, **options) -> str:
    import io

    from portacheck.report import escape

    buffer = io.StringIO()
    reporter(name)(assessment, buffer, **options)
    text = buffer.getvalue()
    if name in ("json", "sarif", "gitlab", "csf-json"):
        return escape.json_text(text)
    if name == "junit":
        return escape.xml_text(text)
    if name == "html":  # escaped value by value as it is written (escape.html); no line may start a workflow command
        return escape.no_workflow_commands(text)
    return escape.terminal_block(text, colour=bool(options.get("color")))
