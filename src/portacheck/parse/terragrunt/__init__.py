"""The Terragrunt frontend: `terragrunt.hcl` units and the `.hcl` files they include or read.

This module only declares the frontend and recognises its files; reading lives in `units.py`,
loaded when there are files to read. What is read is told in docs/frontends.md (Terragrunt).

Recognition: `.hcl` is Terragrunt only with Terragrunt blocks (`include`, `dependency`,
`remote_state`, `inputs =`, `terraform { source = … }`, `generate`) or functions
(`find_in_parent_folders`, `read_terragrunt_config`…). A fragment holding plain `locals`
(`account.hcl`) is not claimed: it deploys nothing, and the `terragrunt.hcl` reading it is.
Packer (`*.pkr.hcl`), Nomad jobs, Vault and Consul policies and `.terraform.lock.hcl` are not
claimed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.terraform import FRONTEND as TERRAFORM

_TERRAGRUNT_NAMES = ("terragrunt.hcl", "terragrunt.hcl.json", "terragrunt.stack.hcl")
_TERRAGRUNT_BLOCKS = re.compile(
    rb'\n(?:include(?:\s+"[^"]*")?\s*\{|dependency\s+"[^"]*"\s*\{|dependencies\s*\{'
    rb'|remote_state\s*\{|inputs\s*=|generate\s+"[^"]*"\s*\{)'
)
_TERRAGRUNT_FUNCTIONS = (
    b"find_in_parent_folders(", b"read_terragrunt_config(", b"get_terragrunt_dir(", b"get_parent_terragrunt_dir(",
    b"path_relative_to_include(",
)
_TERRAFORM_BLOCK = re.compile(rb"\nterraform\s*\{")
_SOURCE_ATTRIBUTE = re.compile(rb"\n[ \t]+source\s*=")


def is_terragrunt(relpath: str, head: bytes) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    if name in _TERRAGRUNT_NAMES:
        return True
    if not name.endswith(".hcl") or name.endswith((".pkr.hcl", ".pkrvars.hcl")) or name == ".terraform.lock.hcl":
        return False
    lines = b"\n" + head.removeprefix(b"\xef\xbb\xbf")
    if _TERRAGRUNT_BLOCKS.search(lines) or any(function in head for function in _TERRAGRUNT_FUNCTIONS):
        return True
    return bool(_TERRAFORM_BLOCK.search(lines) and _SOURCE_ATTRIBUTE.search(lines))


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.terragrunt.units import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="terragrunt",
    title="Terragrunt",
    claims=is_terragrunt,
    parse=_parse,
    match_kinds={kind: TERRAFORM.match_kinds[kind] for kind in ("terraform_module", "terraform_backend")},
    suffixes=(".hcl", ".hcl.json"),
    sniff_suffixes=(".hcl",),
)
