"""The Terraform and OpenTofu frontend: `.tf`, `.tofu`, `.tfvars` and their JSON forms, read as
modules with tree-sitter-hcl (see docs/hcl-reader.md).

This module only declares the frontend; reading lives in `analyse.py` (modules, evaluation) and
the modules beside it, loaded when there are files to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.options import option
from portacheck.parse.terraform.sources import TERRAFORM_SUFFIXES, TFVARS_SUFFIXES, is_terraform_file

__all__ = ["FRONTEND", "TERRAFORM_SUFFIXES", "TFVARS_SUFFIXES", "TerraformOptions", "is_terraform_file"]


def _claims(relpath: str, head: bytes) -> bool:
    return is_terraform_file(relpath.rsplit("/", 1)[-1])


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.terraform.analyse import parse

    return parse(files, context, options)


@dataclass(frozen=True)
class TerraformOptions:
    var_files: tuple[str, ...] = option(
        (), key="var-files", flag="--var-file", kind="files", legacy_key="var-files",
        help="Terraform variable file applied to every root module (repeatable).",
    )
    include_undeployed: bool = option(
        False, key="include-undeployed", flag="--include-undeployed", kind="flag",
        help="Audit resources whose count/for_each is 0 with the defaults and var files as deployed (one instance): "
        "in the resource view, the effort and the policy. By default they are reported as not deployed with these inputs.",
    )


_TF = "Terraform resource type"
FRONTEND = Frontend(
    name="terraform",
    title="Terraform",
    claims=_claims,
    parse=_parse,
    options=TerraformOptions,
    suffixes=TERRAFORM_SUFFIXES + TFVARS_SUFFIXES,
    match_kinds={
        "terraform": MatchKind("Terraform resource and data source types (globs)", _TF, True),
        "terraform_data": MatchKind(
            "Terraform data source types only; wins over `terraform` for data sources", "Terraform data source", True,
            match_keys=("terraform_data", "terraform"),
        ),
        "terraform_module": MatchKind("sources of Terraform module calls that are not on disk (globs)", "Terraform module source", True, "MODULE"),
        "terraform_backend": MatchKind("Terraform state backend types", "Terraform state backend", True, "BACKEND"),
    },
    examples=True,
)
