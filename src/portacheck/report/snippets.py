"""A few lines of code around each finding, for reports a person reads in full (the HTML report).

Files are read again after the scan, so they are read the one bounded way (portacheck.reader):
regular files inside the scanned root only, each at most the reader's size limit. What a report
shows is capped: CONTEXT lines either side of the finding's line, lines cut at MAX_LINE_CHARS,
the code of the first MAX_FINDINGS findings, at most MAX_READ_BYTES read in all. A file that
cannot be read gets a message instead, never an exception.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from portacheck.errors import InputError
from portacheck.model import Location
from portacheck.reader import check_file, read_text

CONTEXT = 2  # lines before and after: five lines per finding at most
MAX_LINE_CHARS = 160
MAX_FINDINGS = 1000
MAX_READ_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Snippet:
    first: int  # the number of the first line shown
    lines: tuple[str, ...]
    line: int  # the finding's line, among them


def snippets(root: str, locations: Sequence[Location]) -> list[Snippet | str]:
    """One entry per location, in order: its snippet, or why there is none (a message, "" for a whole file)."""
    result: list[Snippet | str] = ["" if loc.line <= 0 else f"code not shown: only the first {MAX_FINDINGS:,} findings' code is shown" for loc in locations]
    wanted: dict[str, list[int]] = {}
    for index, loc in enumerate(locations[:MAX_FINDINGS]):
        if loc.line > 0:
            wanted.setdefault(loc.path, []).append(index)
    budget = MAX_READ_BYTES
    for path in sorted(wanted):
        text, budget = _read(root, path, budget)
        for index in wanted[path]:
            result[index] = text if isinstance(text, str) else _cut(text, locations[index].line)
    return result


def _read(root: str, path: str, budget: int) -> tuple[list[str] | str, int]:
    """The file's lines and the budget left, or a message saying why it was not read."""
    full = os.path.join(root, *path.split("/"))
    try:
        size = check_file(full, root=root).st_size
        if size > budget:
            return f"code not shown: the report reads at most {MAX_READ_BYTES // (1024 * 1024)} MiB of code", budget
        return read_text(full, root=root).splitlines(), budget - size
    except InputError as exc:
        return f"code not shown: {exc.message}", budget


def _cut(lines: list[str], line: int) -> Snippet | str:
    if line > len(lines):
        return f"code not shown: the file has {len(lines)} lines now, not {line}"
    first = max(1, line - CONTEXT)
    shown = lines[first - 1 : line + CONTEXT]
    return Snippet(first, tuple(text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + "…" for text in shown), line)
