"""The Serverless Framework frontend: `serverless.yml` (`.yaml`, `.json`, and stage files such as
`serverless.prod.yml`), read as functions with their events, embedded CloudFormation and plugins
(see `analyse.py`). `serverless.ts` and `.js` build the configuration in code and stay recognised
but unread (parse/unread.py).

This module only declares the frontend and recognises its files; reading lives in `analyse.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext

_KEYS = (re.compile(rb"\nservice\s*:"), re.compile(rb"\nprovider\s*:"))
_STAGE_FILE = re.compile(r"^serverless\.[\w-]+\.ya?ml$")  # serverless.prod.yml, passed with --config


def claims(relpath: str, head: bytes) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    if name == "serverless.json":
        return True
    lines = b"\n" + head.removeprefix(b"\xef\xbb\xbf")
    if name in ("serverless.yml", "serverless.yaml"):
        return any(p.search(lines) for p in _KEYS)
    return bool(_STAGE_FILE.match(name)) and all(p.search(lines) for p in _KEYS)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.serverless.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="serverless",
    title="Serverless Framework",
    claims=claims,
    parse=_parse,
    suffixes=(".yml", ".yaml", ".json"),
    sniff_suffixes=(".yml", ".yaml"),
    match_kinds={
        "serverless_provider": MatchKind(
            "`provider.name` of a Serverless Framework service whose functions no other signal kind describes "
            "(`openwhisk`, `knative`, ...)",
            "Serverless Framework provider", True, "SLS-PROVIDER",
        ),
    },
)
