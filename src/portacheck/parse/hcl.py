"""Read one Terraform file (.tf, .tofu, .tf.json, .tfvars) into plain blocks with line numbers.

python-hcl2's dict output has no line numbers, but the rule tree it builds on the way keeps
Lark's positions. We walk that tree ourselves: blocks and attributes keep their first and last
line, values are python-hcl2's serialised form (quoted strings stay quoted so literals can be
told from expressions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError


@dataclass(slots=True)
class Attr:
    name: str
    value: Any  # python-hcl2 serialised value: '"literal"', '${expr}', numbers, lists, dicts
    line: int
    end_line: int


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)


@dataclass(slots=True)
class HclFile:
    relpath: str
    lines: list[str]
    blocks: list[Block]
    attrs: dict[str, Attr] = field(default_factory=dict)  # top-level attributes: only .tfvars have them


def parse_text(text: str, relpath: str, is_json: bool, is_tfvars: bool = False) -> HclFile:
    """Parse the text of one file; raise InputError with a line where one is known."""
    lines = text.splitlines()
    if is_json and is_tfvars:
        return HclFile(relpath, lines, [], _json_tfvars(text, lines))
    if is_json:
        return HclFile(relpath, lines, _json_blocks(text, lines))
    top = Block("", (), 1, len(lines))
    return HclFile(relpath, lines, _hcl_blocks(text, top), top.attrs)


# --- native syntax ---------------------------------------------------------------------------

_OPTIONS = None


def _options():
    global _OPTIONS  # built once: importing hcl2 is deferred until a Terraform file is read
    if _OPTIONS is None:
        from hcl2.utils import SerializationOptions

        _OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False)
    return _OPTIONS


def _hcl_blocks(text: str, top: Block) -> list[Block]:
    from hcl2.api import parses_to_tree, transform
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        tree = transform(parses_to_tree(text), discard_comments=True)
    except UnexpectedToken as exc:
        token = str(exc.token).strip().splitlines()[0] if str(exc.token).strip() else exc.token.type
        raise InputError(f"cannot parse HCL: unexpected {token[:40]!r}", exc.line, exc.column) from None
    except UnexpectedCharacters as exc:
        raise InputError(f"cannot parse HCL: unexpected character {exc.char!r}", exc.line, exc.column) from None
    except UnexpectedEOF:
        raise InputError("cannot parse HCL: unexpected end of file (unclosed block or string?)") from None
    except UnexpectedInput as exc:  # pragma: no cover - other Lark input errors
        raise InputError(f"cannot parse HCL: {type(exc).__name__}", getattr(exc, "line", 0), getattr(exc, "column", 0)) from None
    except (LarkError, RecursionError, RuntimeError, ValueError) as exc:
        raise InputError(f"cannot parse HCL: {_first_line(exc)}") from None
    try:
        _fill(top, tree.body)
        return top.blocks
    except (RecursionError, RuntimeError, ValueError) as exc:
        raise InputError(f"cannot read HCL: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _fill(block: Block, body) -> None:
    from hcl2.rules.base import AttributeRule, BlockRule

    options = _options()
    for child in body.children:
        if isinstance(child, AttributeRule):
            name = str(child.identifier.serialize(options))
            block.attrs[name] = Attr(name, child.expression.serialize(options), child._meta.line, child._meta.end_line)
        elif isinstance(child, BlockRule):
            labels = [label.serialize(options) for label in child.labels]
            nested = Block(str(labels[0]), tuple(_label(x) for x in labels[1:]), child._meta.line, child._meta.end_line)
            _fill(nested, child.body)
            block.blocks.append(nested)


def _label(value: Any) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


# --- JSON syntax -----------------------------------------------------------------------------

# Block types whose JSON form nests labels as object keys, and how many labels they take.
_JSON_LABELS = {
    "resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1,
    "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0,
}


def _load_json_object(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object at the top of the file")
    return data


def _json_tfvars(text: str, lines: list[str]) -> dict[str, Attr]:
    finder = _LineFinder(lines)
    result = {}
    for key, value in _load_json_object(text).items():
        line = finder.find(key) or 1
        result[key] = Attr(key, _json_value(value), line, line)
    return result


def _json_blocks(text: str, lines: list[str]) -> list[Block]:
    data = _load_json_object(text)
    finder = _LineFinder(lines)
    blocks: list[Block] = []
    for block_type, content in data.items():
        if block_type == "//":
            continue
        depth = _JSON_LABELS.get(block_type, 0)
        for labels, body in _json_label_walk(content, depth, ()):
            for item in body if isinstance(body, list) else [body]:
                if not isinstance(item, dict):
                    continue
                line = finder.find(labels[-1] if labels else block_type)
                blocks.append(_json_block(block_type, labels, item, line, finder))
    return blocks


def _json_label_walk(content: Any, depth: int, labels: tuple[str, ...]):
    if depth == 0 or not isinstance(content, dict):
        yield labels, content
        return
    for key, value in content.items():
        yield from _json_label_walk(value, depth - 1, labels + (key,))


def _json_block(block_type: str, labels: tuple[str, ...], body: dict, line: int, finder: "_LineFinder") -> Block:
    block = Block(block_type, labels, line, line)
    for key, value in body.items():
        if key == "//":
            continue
        attr_line = finder.find(key, start=line) or line
        block.attrs[key] = Attr(key, _json_value(value), attr_line, attr_line)
    return block


def _json_value(value: Any) -> Any:
    """JSON syntax strings are templates; quote them the way python-hcl2 serialises literals."""
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
            return value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


class _LineFinder:
    """JSON has no positions in Python's parser: find a key's line by its quoted text."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.cursor = 0

    def find(self, key: str, start: int = 0) -> int:
        needle = json.dumps(key)
        begin = max(self.cursor, start - 1 if start else 0)
        for index in range(begin, len(self.lines)):
            if needle in self.lines[index]:
                self.cursor = index
                return index + 1
        for index, text in enumerate(self.lines):
            if needle in text:
                return index + 1
        return 0
