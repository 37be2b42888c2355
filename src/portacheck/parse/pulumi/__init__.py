"""The Pulumi frontend: a project is a directory with `Pulumi.yaml`; its program is read whatever
language it is written in (YAML, TypeScript, JavaScript, Python, Go; see `analyse.py`), and each
resource it declares is mapped to the type the rules already know (see `tokens.py`).

This module only declares the frontend; reading lives in `analyse.py` and loads when there are files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext

_PULUMI_NAME = re.compile(r"^Pulumi(?:\.[\w.-]+)?\.ya?ml$")  # Pulumi.yaml, Pulumi.<stack>.yaml


def is_pulumi_file(relpath: str) -> bool:
    return bool(_PULUMI_NAME.match(relpath.rsplit("/", 1)[-1]))


def _claims(relpath: str, head: bytes) -> bool:
    return is_pulumi_file(relpath)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.pulumi.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="pulumi",
    title="Pulumi",
    claims=_claims,
    parse=_parse,
    suffixes=(".yaml", ".yml"),
)
