"""The AWS CDK frontend: CDK apps read from their source (TypeScript, JavaScript, Python), each
construct mapped to the CloudFormation type it synthesises (see `types.py`), and CDK's synth output
(`cdk.out/*.template.json`) when there is no source to read.

A source file is the CDK's when it imports `aws-cdk-lib`, `@aws-cdk/*` or `aws_cdk` in its first
8 KiB; `cdk.json` marks an app's directory. Source wins over synth output: a template under
`<app>/cdk.out/` is skipped when `<app>/cdk.json` and CDK source under `<app>` are in the scan (the
same constructs, at the lines people edit and suppress), and read as CloudFormation otherwise (a
Java or C# app, a synth output committed alone). This module only declares the frontend and
recognises its files; reading lives in `analyse.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext

SOURCE_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".py")
TEST_DIRS = frozenset({"test", "tests", "__tests__", "cdk.out", "node_modules"})
_TEST_NAME = re.compile(r"(?:\.(?:test|spec)\.[cm]?[jt]s|^test_[\w-]*\.py|_test\.py|\.d\.ts)$")
_CDK_IMPORT = re.compile(
    rb"""(?:from\s*|require\(\s*|import\s*)["'](?:aws-cdk-lib|@aws-cdk/)"""
    rb"""|(?:^|\n)[ \t]*(?:from|import)[ \t]+aws_cdk\b"""
)


def is_synth_output(relpath: str) -> bool:
    """In `cdk.out/`, only `*.template.json` are templates; the manifest, assets and tree deploy nothing."""
    parts = relpath.split("/")
    return parts[-1].endswith(".template.json") and "cdk.out" in parts[:-1]


def is_cdk_source(relpath: str, head: bytes) -> bool:
    parts = relpath.split("/")
    name = parts[-1]
    if not name.endswith(SOURCE_SUFFIXES) or _TEST_NAME.search(name) or TEST_DIRS.intersection(parts[:-1]):
        return False
    return bool(_CDK_IMPORT.search(head))


def _claims(relpath: str, head: bytes) -> bool:
    return relpath.rsplit("/", 1)[-1] == "cdk.json" or is_synth_output(relpath) or is_cdk_source(relpath, head)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.cdk.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name="cdk",
    title="AWS CDK",
    claims=_claims,
    parse=_parse,
    suffixes=(*SOURCE_SUFFIXES, ".json"),
    sniff_suffixes=SOURCE_SUFFIXES,
)
