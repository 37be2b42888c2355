"""Read Terraform's JSON syntax (.tf.json, .tfvars.json) into the same blocks as the native syntax.

Values stay decoded JSON; their strings are templates, evaluated by `expr` like native ones.
Python's JSON parser keeps no positions, so a key's line is found by its quoted text.
"""

from __future__ import annotations

import json
from typing import Any

from portacheck.errors import InputError
from portacheck.parse.terraform.hcl import Attr, Block, HclFile

# Block types whose JSON form nests labels as object keys, and how many labels they take.
_JSON_LABELS = {
    "resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1,
    "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0,
}


def parse_json(text: str, relpath: str, is_tfvars: bool) -> HclFile:
    lines = text.splitlines()
    data = _load_json_object(text)
    if is_tfvars:
        return HclFile(relpath, lines, [], _json_tfvars(data, lines))
    return HclFile(relpath, lines, _json_blocks(data, lines))


def _load_json_object(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise InputError(f"invalid JSON: {str(exc).split(':')[0]}") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object at the top of the file")
    return data


def _json_tfvars(data: dict, lines: list[str]) -> dict[str, Attr]:
    finder = _LineFinder(lines)
    result = {}
    for key, value in data.items():
        line = finder.find(key) or 1
        result[key] = Attr(key, value, line, line)
    return result


def _json_blocks(data: dict, lines: list[str]) -> list[Block]:
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


def _json_block(block_type: str, labels: tuple[str, ...], body: dict, line: int, finder: _LineFinder) -> Block:
    block = Block(block_type, labels, line, line)
    for key, value in body.items():
        if key == "//":
            continue
        attr_line = finder.find(key, start=line) or line
        block.attrs[key] = Attr(key, value, attr_line, attr_line)
    return block


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
