"""A template's text to one tree of plain values, with lines, whatever its syntax.

YAML is composed by libyaml (portacheck._yaml) with a builder that keeps CloudFormation's
short-form tags as their long form, so `!Ref Db` and `{"Ref": "Db"}` read the same from here
on; an unknown tag is a located problem and its value is read as if untagged. JSON is read by
the json module (several times faster than composing it as YAML), and the lines of what the
reader reports are found in the text afterwards: each logical ID after `"Resources"`, each
string after its resource.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

import yaml

from portacheck._yaml import Builder, DataError, Document, YMap, load_documents

# Short-form tags and the intrinsic functions they stand for.
SHORT_FORMS = {
    "Ref": "Ref", "Condition": "Condition",
    **{name: f"Fn::{name}" for name in (
        "GetAtt", "Sub", "If", "Join", "Select", "Split", "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs",
        "Equals", "And", "Or", "Not", "Transform", "Length", "ToJsonString", "ForEach",
    )},
}


_build = Builder.build


class _TagBuilder(Builder):
    """Builder keeping `!Ref x` as {"Ref": "x"} (a YMap, so its line is known)."""

    def __init__(self):
        super().__init__()
        self.problems: list[tuple[int, int, str]] = []

    def build(self, node: yaml.Node, depth: int) -> Any:
        tag = node.tag
        if tag[0] != "!" or tag == "!":
            return _build(self, node, depth)
        value = _build(self, node, depth)
        name = SHORT_FORMS.get(tag[1:])
        line = node.start_mark.line + 1
        if name is None:
            self.problems.append((line, node.start_mark.column + 1, f"unknown tag {tag}; its value is read as if untagged"))
            return value
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        wrapped = YMap(line)
        wrapped[name] = value
        wrapped.key_lines[name] = line
        wrapped.value_lines[name] = line
        return wrapped


class Loaded:
    """A template's root mapping, the problems met reading it, and how to find a line."""

    __slots__ = ("_newlines", "document", "problems", "root", "text", "warnings")

    def __init__(self, root: Any, problems: list[tuple[int, int, str]], document: Document | None, text: str):
        self.root = root
        self.problems = problems  # (line, column, message): the rest of the template is still read
        self.warnings: list[tuple[int, str]] = []  # (line, message): duplicate keys
        self.document = document  # YAML: the composed document, for suppressions
        self.text = text  # the source, where JSON lines are looked up (a fragment read again keeps it)
        self._newlines: list[int] | None = None

    @property
    def is_json(self) -> bool:
        return self.document is None

    def line_of(self, needle: str, start: int = 0) -> tuple[int, int]:
        """(line, offset) of the first `needle` at or after offset `start` of a JSON text; (0, start) if absent."""
        index = self.text.find(needle, start)
        if index < 0:
            return 0, start
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, index) + 1, index


def load(text: str) -> Loaded:
    """The template in the text; DataError (with a line) when it is not YAML or JSON at all."""
    if text.lstrip()[:1] == "{":
        try:
            root = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise DataError("invalid JSON: nested deeper than the parser allows") from None
        return Loaded(root, [], None, text)
    builders: list[_TagBuilder] = []

    def builder() -> _TagBuilder:
        builders.append(_TagBuilder())
        return builders[-1]

    documents = load_documents(text, builder=builder)
    problems = [problem for b in builders for problem in b.problems]
    document = documents[0] if documents else None
    loaded = Loaded(document.root if document else None, problems, document, text)
    loaded.warnings = [(line, message) for document in documents for line, message in document.warnings]
    return loaded
