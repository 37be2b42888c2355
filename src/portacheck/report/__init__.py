"""Reporters: one module per format, each a `render(assessment, stream, **options)` function."""

from __future__ import annotations

from typing import Callable, Mapping, TextIO

from portacheck.assess import Assessment

Reporter = Callable[..., None]


def reporters() -> Mapping[str, Reporter]:
    from portacheck.report import json, text

    return {"text": text.render, "json": json.render}


FORMATS = ("text", "json")


def render(name: str, assessment: Assessment, stream: TextIO, **options) -> None:
    reporters()[name](assessment, stream, **options)
