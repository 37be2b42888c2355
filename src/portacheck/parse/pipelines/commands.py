"""Provider CLIs in pipeline scripts: `aws ecs update-service ...` -> `aws ecs`.

Each script line is split into commands at `&&`, `||`, `;`, `|` and `$(`; a command whose
first word (after `sudo`, `npx`, `exec`, `time` and `VAR=value` prefixes, and without its
directory) is a provider CLI gives `tool subcommand`, or the tool alone when no subcommand
follows. `gcloud alpha|beta` are skipped to the real group. Text in quotes, `echo` lines and
comments are not commands; nothing is ever run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TOOLS = frozenset({"aws", "gcloud", "gsutil", "bq", "az", "azd", "eksctl", "sam", "cdk", "copilot", "func"})
_PREFIXES = frozenset({"sudo", "npx", "exec", "time", "command", "pnpm", "yarn"})
_SPLIT = re.compile(r"&&|\|\||[;|`]|\$\(")
_ASSIGNMENT = re.compile(r"^\w+=")
_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
_RELEASE_TRACKS = frozenset({"alpha", "beta", "preview"})


def commands(script: str) -> Iterator[tuple[int, str]]:
    """(line offset in the script, `tool subcommand`) of every provider CLI call, once per line and value."""
    for offset, row in enumerate(script.splitlines()):
        row = row.strip()
        if not row or row.startswith("#"):
            continue
        seen: set[str] = set()
        for part in _SPLIT.split(row):
            value = _command(part.split())
            if value and value not in seen:
                seen.add(value)
                yield offset, value


def _command(words: list[str]) -> str:
    while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if not words:
        return ""
    tool = words[0].rsplit("/", 1)[-1]
    if tool not in TOOLS:
        return ""
    for word in words[1:]:
        if word.startswith("-") or word in _RELEASE_TRACKS:
            continue
        return f"{tool} {word}" if _WORD.match(word) else tool
    return tool
