"""Readers for the data formats application files use, each keeping the lines a finding needs.

Every reader takes text and either returns a value or raises InputError with the line (and
column) of the problem, so a broken manifest becomes one located ScanError. Nothing here
executes or resolves anything from the file: no XML entities, no includes, no interpolation.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from json import scanner as _json_scanner
from typing import Any

from portacheck.errors import InputError

# --- JSON with the line of every string ------------------------------------------------------


class Located(str):
    """A string value of a JSON document that knows the line it was written on."""

    line: int


def load_json(text: str, comments: bool = False) -> Any:
    """Parse JSON; every string *value* is a Located. `comments` allows // and /* */ (appsettings.json)."""
    if comments:
        text = strip_json_comments(text)
    newlines = [i for i, char in enumerate(text) if char == "\n"]

    def parse_string(s: str, end: int, strict: bool = True):
        # json's scanner hooks are undocumented (and absent from typeshed) but stable since Python 3.1
        value, new_end = json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined]
        located = Located(value)
        located.line = bisect.bisect_left(newlines, end) + 1
        return located, new_end

    decoder = json.JSONDecoder()
    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    # the C scanner ignores parse_string
    decoder.scan_once = _json_scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        value, end = decoder.raw_decode(text, _skip_space(text, 0))
        if _skip_space(text, end) != len(text):
            raise json.JSONDecodeError("extra data after the JSON value", text, _skip_space(text, end))
        return value
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested deeper than the parser allows") from None


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def strip_json_comments(text: str) -> str:
    """Blank out // and /* */ comments outside strings, keeping every offset and line."""
    out = list(text)
    i, n, in_string = 0, len(text), False
    while i < n:
        char = text[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for j in range(i, end):
                if text[j] != "\n":
                    out[j] = " "
            i = end
            continue
        i += 1
    return "".join(out)


def line_of(value: Any, default: int = 0) -> int:
    return getattr(value, "line", default) or default


# --- TOML, with lines found in the text ------------------------------------------------------

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


MAX_TOML_LINE = 4096  # tomllib is quadratic in long dotted keys: an 80 KB line took minutes


def load_toml(text: str) -> dict[str, Any]:
    for number, text_line in enumerate(text.splitlines(), 1):
        if len(text_line) > MAX_TOML_LINE:
            raise InputError(f"a line longer than {MAX_TOML_LINE} characters; not analysed", number)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        if not found and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise InputError(f"invalid TOML: {_TOML_POSITION.sub('', message).strip()}", line, column) from None
    except (RecursionError, ValueError) as exc:  # nested too deep, an integer of thousands of digits
        raise InputError(f"cannot parse TOML: {type(exc).__name__}") from None


class TextLines:
    """Finds where a name sits in a file that its parser gave no positions for (TOML, Gradle)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def table(self, dotted: str) -> int:
        """0-based index of a TOML table header `[a.b]` (quotes and spaces ignored), or -1."""
        wanted = dotted.replace('"', "").replace("'", "").replace(" ", "")
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("[") and not stripped.startswith("[["):
                name = stripped[1 : stripped.find("]")] if "]" in stripped else ""
                if name.replace('"', "").replace("'", "").replace(" ", "") == wanted:
                    return index
        return -1

    def find(self, pattern: re.Pattern, start: int = 0) -> int:
        """1-based line of the first match at or after 0-based `start`, else 0."""
        for index in range(max(start, 0), len(self.lines)):
            if pattern.search(self.lines[index]):
                return index + 1
        return 0

    def key_line(self, name: str, section: str = "") -> int:
        """Line of `name = ...` (or `"name" = ...`, `[section.name]`) after the section's header."""
        start = self.table(section) if section else 0
        key = re.compile(rf"""^\s*(?:["']?{re.escape(name)}["']?\s*=|\[\s*[^\]]*\.\s*["']?{re.escape(name)}["']?\s*\])""")
        return self.find(key, start) or self.find(key) or (start + 1 if start >= 0 and section else 0)

    def string_line(self, literal: str, section: str = "") -> int:
        """Line of a quoted string starting with `literal` (an array element), after the section header."""
        start = self.table(section) if section else 0
        quoted = re.compile(rf"""["']\s*{re.escape(literal)}""")
        return self.find(quoted, start) or self.find(quoted) or (start + 1 if start >= 0 and section else 0)


# --- XML with lines, never resolving entities ------------------------------------------------


@dataclass
class XmlElement:
    tag: str  # local name, namespace prefix removed
    attrs: dict[str, str]
    line: int
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> XmlElement | None:
        for element in self.children:
            if element.tag == tag:
                return element
        return None

    def child_text(self, tag: str) -> str:
        element = self.child(tag)
        return element.text.strip() if element is not None else ""

    def attr(self, name: str) -> str:
        for key, value in self.attrs.items():
            if key.lower() == name.lower():
                return value
        return ""


MAX_XML_DEPTH = 100


def load_xml(text: str) -> XmlElement:
    """Parse XML into elements with lines. A DOCTYPE is refused: manifests never need one."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    stack: list[XmlElement] = []
    root: list[XmlElement] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_XML_DEPTH:
            raise InputError(f"XML nested deeper than {MAX_XML_DEPTH} levels; not analysed", parser.CurrentLineNumber)
        element = XmlElement(tag.rsplit(":", 1)[-1], dict(attrs), parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].text += chunk

    def doctype(*_args) -> None:
        raise InputError("XML with a DOCTYPE declaration is not analysed (entities are never expanded)", parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"invalid XML: {xml.parsers.expat.ErrorString(exc.code)}", exc.lineno, exc.offset + 1) from None
    if not root:
        raise InputError("invalid XML: no root element")
    return root[0]


def walk_xml(element: XmlElement, visit: Callable[[XmlElement, tuple[str, ...]], None], path: tuple[str, ...] = ()) -> None:
    """Call visit(element, ancestors' tags) for every element below `element`, depth first."""
    for child in element.children:
        visit(child, path + (element.tag,))
        walk_xml(child, visit, path + (element.tag,))
