"""Reporters: one module per format, each a `render(assessment, stream, **options)` function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from portacheck.assess import Assessment

Reporter = Callable[..., None]


def reporters() -> Mapping[str, Reporter]:
    from portacheck.report import compact, gitlab, json, junit, markdown, sarif, text

    return {
        "text": text.render,
        "json": json.render,
        "sarif": sarif.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "compact": compact.render,
    }


FORMATS = ("text", "json", "sarif", "gitlab", "junit", "markdown", "compact")


def render(name: str, assessment: Assessment, stream: TextIO, **options) -> None:
    reporters()[name](assessment, stream, **options)
