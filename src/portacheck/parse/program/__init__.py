"""A small reader of program source (TypeScript, JavaScript, Python, Go) through tree-sitter.

Infrastructure written as code (Pulumi programs, CDK apps) declares resources with constructor
calls: `new aws.dynamodb.Table("t", {...})`, `aws.dynamodb.Table("t", ...)`,
`dynamodb.NewTable(ctx, "t", &dynamodb.TableArgs{...})`. This reader gives, per file, the imports
(with their aliases), every call and `new` with its dotted callee, line and literal arguments, and
the comments holding a suppression marker. A syntax tree, not patterns: comments and strings never
look like calls. It knows nothing of Pulumi or CDK; their frontends interpret what it returns.

Values are literals where the source has them (str, int, float, bool, None, dict, list), a nested
`Call` for a call (`pulumi.String("x")`, `aws.rds.InstanceArgs(engine=...)`), else `Unresolved`
with the expression's text. Nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portacheck.model import Unresolved

__all__ = ["LANGUAGES", "Call", "Comment", "Import", "Program", "Unresolved", "language_of", "read_program", "string_leaves"]

# File name endings and the grammar that reads them.
LANGUAGES = {
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".py": "python",
    ".go": "go",
}


@dataclass(frozen=True, slots=True)
class Import:
    """`import * as aws from "@pulumi/aws"` is Import("@pulumi/aws", "*", "aws"); `from pulumi_aws import s3 as s` is
    Import("pulumi_aws", "s3", "s"); a Go import is Import(path, "*", its package name or alias)."""

    module: str
    name: str  # "*" for the module itself
    alias: str  # the local name it is known by
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    """A call or `new`: callee as a dotted path (`("aws", "dynamodb", "Table")`), positional and keyword arguments."""

    callee: tuple[str, ...]
    line: int
    column: int
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()  # Python keyword arguments, in order
    new: bool = False
    end_line: int = 0

    def keyword(self, name: str, default: Any = None) -> Any:
        return next((value for key, value in self.kwargs if key == name), default)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment holding the marker, and the lines it covers: the statement (or property) after it when it
    stands on its own line(s), else its own line."""

    text: str
    line: int
    start: int
    end: int
    block: bool  # covers what is declared in [start, end], not only findings on those lines


@dataclass(frozen=True, slots=True)
class Program:
    """What one source file declares, in source order; `error` is the first syntax error, the rest was still read."""

    language: str
    imports: tuple[Import, ...]
    calls: tuple[Call, ...]
    comments: tuple[Comment, ...] = ()  # only those holding `marker`
    error: tuple[str, int, int] | None = None  # (message, line, column)


def language_of(name: str) -> str | None:
    """The grammar that reads a file name, or None."""
    dot = name.rfind(".")
    return LANGUAGES.get(name[dot:].lower()) if dot >= 0 else None


def read_program(text: str, language: str, marker: str = "portacheck:ignore") -> Program:
    """Read one file's text; never raises for bad syntax (tree-sitter recovers, `error` says where)."""
    from portacheck.parse.program.read import read

    return read(text, language, marker)


def string_leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) of every string in literal arguments (`tags.env`, `rules[0]`): each frontend's `text` signals."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, f"{path}[{index}]")
