"""The ARM template frontend: Azure Resource Manager JSON templates (resource group, subscription,
management group and tenant deployments) and their parameter files.

This module only declares the frontend; reading lives in `template.py`, with what Bicep shares
(types, attributes, text signals) in `resources.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext

# One signal kind for Bicep and ARM: the resource type, lower-cased, without its API version.
ARM_KIND = MatchKind(
    "ARM resource types, lower-cased without API version (`microsoft.documentdb/databaseaccounts`), from Bicep and ARM templates (globs)",
    "ARM resource type", True,
)

_SCHEMA = re.compile(
    rb'"\$schema"\s*:\s*"[^"]*/(?:(?:subscription|managementGroup|tenant)?deploymentTemplate|deploymentParameters)\.json#?"',
    re.I,
)


def claims(relpath: str, head: bytes) -> bool:
    """A `.json` file whose `$schema` (in its first 8 KiB) is an ARM template or parameter file."""
    if not relpath.lower().endswith(".json"):
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and bool(_SCHEMA.search(head))


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.arm.template import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="arm",
    title="ARM template",
    claims=claims,
    parse=_parse,
    suffixes=(".json",),
    sniff_suffixes=(".json",),
    match_kinds={"arm": ARM_KIND},
)
