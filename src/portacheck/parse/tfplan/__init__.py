"""The Terraform plan and state frontend: `terraform show -json` of a plan or a state (also
`tofu show -json`), and raw `*.tfstate` files.

This module only declares the frontend and recognises its files; reading lives in `read.py`.
A plan or state holds every instance with its values resolved, so `engine`, counts and module
contents are exact where the configuration's own evaluation has to say "unknown".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.terraform import FRONTEND as TERRAFORM

_FORMAT_VERSION = re.compile(rb'"format_version"\s*:')
_TERRAFORM_VERSION = re.compile(rb'"terraform_version"\s*:')
_PLAN_KEYS = re.compile(rb'"(?:planned_values|resource_changes|prior_state)"\s*:')
_PLAN_VARIABLES = re.compile(rb'"variables"\s*:')  # `terraform show -json` plans open with them
_LINEAGE = re.compile(rb'"lineage"\s*:')
_SHOWN_STATE = re.compile(rb'"values"\s*:')  # `terraform show -json` of a state
STATE_SUFFIXES = (".tfstate", ".tfstate.backup")


def _terraform_json(relpath: str, head: bytes) -> bool:
    return relpath.lower().endswith(".json") and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def is_terraform_plan(relpath: str, head: bytes) -> bool:
    if not _terraform_json(relpath, head) or not _FORMAT_VERSION.search(head):
        return False
    return bool(_PLAN_KEYS.search(head) or (_TERRAFORM_VERSION.search(head) and _PLAN_VARIABLES.search(head)))


def is_terraform_state(relpath: str, head: bytes) -> bool:
    if relpath.endswith(STATE_SUFFIXES):
        return True
    if not _terraform_json(relpath, head) or not _TERRAFORM_VERSION.search(head) or is_terraform_plan(relpath, head):
        return False
    return bool(_LINEAGE.search(head) or (_FORMAT_VERSION.search(head) and _SHOWN_STATE.search(head)))


def _claims(relpath: str, head: bytes) -> bool:
    return is_terraform_plan(relpath, head) or is_terraform_state(relpath, head)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.tfplan.read import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="terraform-json",
    title="Terraform plan and state",
    claims=_claims,
    parse=_parse,
    match_kinds={kind: TERRAFORM.match_kinds[kind] for kind in ("terraform", "terraform_data")},
    suffixes=(".json",) + STATE_SUFFIXES,
    sniff_suffixes=(".json",),
)
