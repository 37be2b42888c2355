"""Inline suppressions written as HCL comments, with the lines they cover, from the syntax tree.

    # portacheck:ignore[AWS-DYNAMODB] reason: legacy table, until: 2027-06-30
    // portacheck:ignore[AWS-SQS] reason: ...        /* portacheck:ignore[...] ... */

A comment inside a top-level block, or on its own line(s) right above one (only comments and
blank lines between), covers that block (and on a `module` block, what the call creates);
otherwise a comment on its own line covers the next line of code, and a comment at the end of
a line covers that line. suppress.py reads the text (rule ids, reason, expiry).
"""

from __future__ import annotations

from portacheck.model import Directive
from portacheck.parse.terraform.hcl import MARKER, Block, Comment, HclFile

_MARKER = MARKER.decode()


def directives(hcl: HclFile) -> list[Directive]:
    found = []
    for comment in hcl.comments:
        if _MARKER not in comment.text:
            continue
        line, text = _marked(comment)
        own_line = not hcl.lines[comment.line - 1][: comment.column].strip() if comment.line <= len(hcl.lines) else True
        block = _enclosing(hcl.blocks, line)
        if block is None and own_line:
            target = _next_code_line(hcl, comment.end_line)
            block = next((b for b in hcl.blocks if b.line == target), None)
            if block is None:
                found.append(Directive(hcl.relpath, line, text, target, target))
                continue
        if block is None:
            found.append(Directive(hcl.relpath, line, text, line, line))
            continue
        module = block.labels[0] if block.type == "module" and block.labels else ""
        found.append(Directive(hcl.relpath, line, text, block.line, block.end_line, True, module))
    return found


def _marked(comment: Comment) -> tuple[int, str]:
    """The line of the marker and what follows it on that line, without a closing `*/`."""
    index = comment.text.index(_MARKER)
    line = comment.line + comment.text.count("\n", 0, index)
    rest = comment.text[index + len(_MARKER) :].split("\n", 1)[0]
    if "*/" in rest:
        rest = rest[: rest.index("*/")]
    return line, rest.rstrip()


def _enclosing(blocks: list[Block], line: int) -> Block | None:
    inside = [b for b in blocks if b.line <= line <= b.end_line]
    return min(inside, key=lambda b: b.end_line - b.line) if inside else None


def _next_code_line(hcl: HclFile, after: int) -> int:
    """The first line after `after` that holds code: not blank, not starting inside a comment."""
    for number in range(after + 1, len(hcl.lines) + 1):
        text = hcl.lines[number - 1]
        stripped = text.lstrip()
        if not stripped:
            continue
        column = len(text.encode("utf-8")) - len(stripped.encode("utf-8"))
        if any(_covers(c, number, column) for c in hcl.comments):
            continue
        return number
    return 0


def _covers(comment: Comment, line: int, column: int) -> bool:
    if comment.line == line:
        return comment.column <= column
    return comment.line < line <= comment.end_line
