"""Go: go.mod.

    require cloud.google.com/go/pubsub v1.38.0
    require (
        github.com/aws/aws-sdk-go-v2/service/dynamodb v1.32.0
        cloud.google.com/go/compute/metadata v0.3.0 // indirect
    )

Read: `require` lines and blocks. Modules marked `// indirect` are skipped: the module's own
code does not import them (`go mod tidy` keeps that mark exact), they come in through another
module. Module paths keep their case in the address and match case-insensitively.
"""

from __future__ import annotations

import re

from portacheck.errors import InputError
from portacheck.parse.application.manifests import Dependency, unique

_REQUIRE_LINE = re.compile(r"^\s*require\s+(?!\()(\S+)\s+(\S+)(.*)$")
_REQUIRE_OPEN = re.compile(r"^\s*require\s*\(\s*(//.*)?$")
_BLOCK_ITEM = re.compile(r"^\s*(\S+)\s+(\S+)(.*)$")
_OTHER_BLOCK = re.compile(r"^\s*(replace|exclude|retract|tool|godebug|ignore)\s*\(\s*(//.*)?$")


def go_mod(text: str, _name: str) -> list[Dependency]:
    result: list[Dependency] = []
    block = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if block:
            if line.startswith(")"):
                block = ""
            elif block == "require" and line and not line.startswith("//"):
                found = _BLOCK_ITEM.match(line)
                if not found:
                    raise InputError(f"go.mod: cannot read this require line: {line!r}", number)
                _add(result, found.group(1), found.group(2), found.group(3), number)
            continue
        if _REQUIRE_OPEN.match(line):
            block = "require"
        elif _OTHER_BLOCK.match(line):
            block = "other"
        else:
            found = _REQUIRE_LINE.match(line)
            if found:
                _add(result, found.group(1), found.group(2), found.group(3), number)
    if block:
        raise InputError("go.mod: a `(` block is not closed", len(text.splitlines()))
    return unique(result)


def _add(result: list[Dependency], module: str, version: str, rest: str, line: int) -> None:
    if "indirect" in rest.partition("//")[2]:
        return
    result.append(Dependency("go", module.strip('"'), line, "require", version))
