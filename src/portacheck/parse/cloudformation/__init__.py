"""The CloudFormation frontend: templates in YAML (short-form tags `!Ref`, `!Sub`, ...) or JSON, AWS
SAM templates (the `AWS::Serverless-2016-10-31` transform) and CDK's synthesised
`cdk.out/*.template.json`.

One frontend for the three: a SAM template and a CDK synth are CloudFormation templates, read by
the same reader and reported under one title ("CloudFormation"); the transform and the cdk.out
directory only change which types and metadata appear. This module only declares the frontend
and recognises its files (the first 8 KiB; never a parse); reading lives in `analyse.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.unread import _any, _dirs, _is_json, _lines, _name, _structured

SUFFIXES = (".yaml", ".yml", ".json", ".template")  # CloudFormation's usual names

_CFN_VERSION = (re.compile(rb"\n[\"']?AWSTemplateFormatVersion[\"']?\s*:"), re.compile(rb'"AWSTemplateFormatVersion"\s*:'))
_CFN_TYPE = re.compile(rb"""Type["']?\s*:\s*["']?(?:AWS|Alexa|Custom)::\w""")
_CFN_SECTION_YAML = re.compile(rb"\n[\"']?(?:Resources|Parameters|Outputs|Conditions|Mappings|Transform)[\"']?\s*:")
_CFN_SECTION_JSON = re.compile(rb'"(?:Resources|Parameters|Outputs|Conditions|Mappings|Transform)"\s*:')
_CFN_RESOURCES_YAML = re.compile(rb"\n[\"']?Resources[\"']?\s*:")
_CFN_SHORT_TAG = re.compile(
    rb"!(?:Ref|GetAtt|Sub|Join|Select|Split|If|Equals|FindInMap|ImportValue|Base64|GetAZs|Cidr)(?=[\s\[])"
)
_SAM_TRANSFORM = b"AWS::Serverless-2016-10-31"
_SAM_TRANSFORM_KEY = (re.compile(rb"\n[\"']?Transform[\"']?\s*:"), re.compile(rb'"Transform"\s*:'))
_SAM_TYPE = re.compile(rb"""Type["']?\s*:\s*["']?AWS::Serverless::\w""")


def is_cdk_output(relpath: str, head: bytes) -> bool:
    """In `cdk.out/`, only `*.template.json` are templates; the manifest, assets and tree deploy nothing."""
    return _name(relpath).endswith(".template.json") and any(d == "cdk.out" for d in _dirs(relpath))


def is_sam(relpath: str, head: bytes) -> bool:
    if not _structured(relpath, head, SUFFIXES):
        return False
    if _SAM_TRANSFORM in head and _any(_SAM_TRANSFORM_KEY, _lines(head)):
        return True
    return b"AWS::Serverless::" in head and bool(_SAM_TYPE.search(head))


def is_cloudformation(relpath: str, head: bytes) -> bool:
    if (b"::" not in head and b"Resources" not in head) or not _structured(relpath, head, SUFFIXES):
        return False
    if _is_json(head):
        return bool(_CFN_VERSION[1].search(head) or (_CFN_SECTION_JSON.search(head) and _CFN_TYPE.search(head)))
    lines = _lines(head)
    if _CFN_VERSION[0].search(lines) or (_CFN_SECTION_YAML.search(lines) and _CFN_TYPE.search(head)):
        return True
    return bool(_CFN_RESOURCES_YAML.search(lines) and _CFN_SHORT_TAG.search(head))


def claims(relpath: str, head: bytes) -> bool:
    return is_cdk_output(relpath, head) or is_sam(relpath, head) or is_cloudformation(relpath, head)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.cloudformation.analyse import parse

    return parse(files, context)


CLOUDFORMATION_KIND = MatchKind(
    "CloudFormation resource types as written (`AWS::DynamoDB::Table`, SAM's `AWS::Serverless::Function`), "
    "and `Custom::*` for custom resources (globs)",
    "CloudFormation resource type", True, "CFN-TYPE",
)

FRONTEND = Frontend(
    name="cloudformation",
    title="CloudFormation",
    claims=claims,
    parse=_parse,
    suffixes=SUFFIXES,
    sniff_suffixes=SUFFIXES,
    match_kinds={
        "cloudformation": CLOUDFORMATION_KIND,
        "sam_event": MatchKind(
            "event source types of SAM functions and state machines (`SQS`, `S3`, `Schedule`, `EventBridgeRule`, ...)",
            "SAM event source", True, "SAM-EVENT",
        ),
    },
)
