"""The Bicep frontend: `.bicep` files read with tree-sitter-bicep, local modules followed, registry
modules classified by name, `.bicepparam` files feeding the parameters of the file they use.

This module only declares the frontend; reading lives in `analyse.py` (loaded when there are
files to read), with what ARM templates share in `parse/arm/resources.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.arm import ARM_KIND

SUFFIXES = (".bicep", ".bicepparam")


def _claims(relpath: str, head: bytes) -> bool:
    return relpath.lower().endswith(SUFFIXES)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.bicep.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="bicep",
    title="Bicep",
    claims=_claims,
    parse=_parse,
    suffixes=SUFFIXES,
    examples=True,
    match_kinds={
        "arm": ARM_KIND,
        "bicep_module": MatchKind(
            "registry modules of Bicep `module` declarations, lower-cased, without tag and dashes, "
            "`br:mcr.microsoft.com/bicep/` written `br/public:` (`br/public:avm/res/documentdb/databaseaccount`)",
            "Bicep registry module", True, "MODULE",
        ),
    },
)
