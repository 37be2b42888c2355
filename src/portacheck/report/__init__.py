"""Reporters: one module per format, each a `render(assessment, stream, **options)` function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from portacheck.assess import Assessment

Reporter = Callable[..., None]


def reporters() -> Mapping[str, Reporter]:
    from portacheck.report import compact, csf, dora, exitplan, gitlab, html, json, junit, markdown, plan, sarif, text

    return {
        "text": text.render,
        "json": json.render,
        "sarif": sarif.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "compact": compact.render,
        "csf": csf.render,
        "csf-json": csf.render_json,
        "plan": plan.render,
        "dora": dora.render,
        "exit-plan": exitplan.render,
        "html": html.render,
    }


FORMATS = ("text", "json", "sarif", "gitlab", "junit", "markdown", "compact", "csf", "csf-json", "plan", "dora", "exit-plan", "html")


def render(name: str, assessment: Assessment, stream: TextIO, **options) -> None:
    """Render one report whole, escaped for its kind of output (report/escape.py), then write it."""
    stream.write(rendered(name, assessment, **options))


def rendered(name: str, assessment: Assessment, **options) -> str:
    import io

    from portacheck.report import escape

    buffer = io.StringIO()
    reporters()[name](assessment, buffer, **options)
    text = buffer.getvalue()
    if name in ("json", "sarif", "gitlab", "csf-json"):
        return escape.json_text(text)
    if name == "junit":
        return escape.xml_text(text)
    if name == "html":  # escaped value by value as it is written (escape.html); no line may start a workflow command
        return escape.no_workflow_commands(text)
    return escape.terminal_block(text, colour=bool(options.get("color")))
