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
    index: _Index | None = None  # built on the first marker: linear in the file, so that 10,000 markers stay cheap
    for comment in hcl.comments:
        if _MARKER not in comment.text:
            continue
        index = index or _Index(hcl)
        line, text = _marked(comment)
        own_line = not hcl.lines[comment.line - 1][: comment.column].strip() if comment.line <= len(hcl.lines) else True
        block = index.enclosing(line)
        if block is None and own_line:
            target = index.next_code_line(comment.end_line)
            block = index.starting.get(target)
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


class _Index:
    """Per line of a file: its innermost block, the block starting on it, the next line of code."""

    def __init__(self, hcl: HclFile):
        count = len(hcl.lines)
        self.innermost: list[Block | None] = [None] * (count + 2)
        # largest first, and of equal sizes the first listed last, so that it wins as min() did
        ordered = sorted(enumerate(hcl.blocks), key=lambda item: (-(item[1].end_line - item[1].line), -item[0]))
        for _position, block in ordered:
            first, last = max(block.line, 0), min(block.end_line, count + 1)
            if first <= last:
                self.innermost[first : last + 1] = [block] * (last - first + 1)
        self.starting: dict[int, Block] = {}
        for block in hcl.blocks:
            self.starting.setdefault(block.line, block)
        comment_column: dict[int, int] = {}  # line -> the leftmost column a comment starts at on it
        inside_comment = [False] * (count + 2)  # lines a multi-line comment continues on
        for comment in hcl.comments:
            comment_column[comment.line] = min(comment.column, comment_column.get(comment.line, comment.column))
            for number in range(comment.line + 1, min(comment.end_line, count) + 1):
                inside_comment[number] = True
        self.code_from = [0] * (count + 2)  # the first line of code at or after each line
        for number in range(count, 0, -1):
            text = hcl.lines[number - 1]
            stripped = text.lstrip()
            column = len(text.encode("utf-8")) - len(stripped.encode("utf-8"))
            code = bool(stripped) and not inside_comment[number] and not comment_column.get(number, column + 1) <= column
            self.code_from[number] = number if code else self.code_from[number + 1]

    def enclosing(self, line: int) -> Block | None:
        return self.innermost[line] if 0 <= line < len(self.innermost) else None

    def next_code_line(self, after: int) -> int:
        """The first line after `after` that holds code: not blank, not starting inside a comment."""
        return self.code_from[after + 1] if 0 <= after + 1 < len(self.code_from) else 0
