"""The application frontend: dependency manifests of ten ecosystems, SDK clients in code, app
configuration and build files (which link workloads to the code their images are built from).

This module only declares the frontend; reading lives in `read.py` and loads when there are files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.application.paths import role


def is_application_file(relpath: str) -> bool:
    return role(relpath) is not None


def _claims(relpath: str, head: bytes) -> bool:
    return is_application_file(relpath)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.application.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="application",
    title="application",
    claims=_claims,
    parse=_parse,
    match_kinds={
        "sdk_package": MatchKind("SDK packages in dependency manifests as `ecosystem:name` (`pypi:boto3`, `npm:@aws-sdk/client-sqs`)", "SDK package"),
        "sdk_client": MatchKind("SDK clients created in code as `sdk:service` (`boto3:dynamodb`)", "SDK client", True, "SDK-CLIENT"),
        "compose_extension": MatchKind(
            "Compose `x-aws-*` and `x-azure-*` keys (Docker's ECS and ACI integrations), lower case: `x-aws-cluster`", "Compose extension"
        ),
    },
)
