"""Reading ARM JSON templates: every `resources` entry (nested ones with their type composed, inline
`Microsoft.Resources/deployments` templates recursed) becomes a Resource at its line.

Values are decoded by Python's JSON parser, which keeps no positions: a resource's line is that of
its `"type"` key, found by a regex over the text in document order (a template is read once by the
C parser and once by the regex, so reading stays near `json.load`). Template expressions are
evaluated only as far as `[parameters('x')]` and `[variables('x')]` with literal values; anything
else is Unresolved. Comments (`//`, `/* */`, accepted by ARM) are removed before decoding when the
file needs it; they carry inline suppressions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Directive, Location, Origin, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_source
from portacheck.parse.arm.resources import arm_type, child_type, make_resource

_TYPE_KEY = re.compile(r'"type"\s*:\s*"((?:[^"\\]|\\.)*)"')
_EXPRESSION = re.compile(r"^\s*(parameters|variables)\(\s*'([^']*)'\s*\)\s*$")
_TEXT_HINT = re.compile(r"[.:/]")
_DEPLOYMENTS = "microsoft.resources/deployments"
MARKER = "portacheck:ignore"


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    resources: list[Resource] = []
    errors: list[ScanError] = []
    directives: list[Directive] = []
    texts: dict[str, str] = {}
    for source in files:
        try:
            texts[source.path] = read_source(source.path, context.max_file_bytes)
        except InputError as exc:
            errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
    given = _parameter_files(files, texts)
    for source in files:
        if source.path not in texts:
            continue
        try:
            found, marks = read_template(source.relpath, texts[source.path], given.get(source.path, {}))
        except InputError as exc:
            errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
            continue
        resources.extend(found)
        directives.extend(marks)
    return ParseResult(tuple(resources), tuple(errors), tuple(directives))


def _parameter_files(files: Sequence[SourceFile], texts: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Literal values of `X.parameters.json` for the template `X.json` beside it (the quickstart
    convention); a template with several parameter files, or none, keeps its defaults."""
    paths = {source.path for source in files}
    given: dict[str, dict[str, Any]] = {}
    for path in sorted(paths):
        if not path.endswith(".parameters.json"):
            continue
        template = path[: -len(".parameters.json")] + ".json"
        if template not in paths or path not in texts:
            continue
        try:
            data, _ = _decode(texts[path])
        except InputError:
            continue  # reported when the parameter file itself is read
        values = data.get("parameters") if isinstance(data, dict) else None
        given[template] = {
            str(k): v["value"] for k, v in (values.items() if isinstance(values, dict) else ())
            if isinstance(v, dict) and "value" in v and not (isinstance(v["value"], str) and v["value"].startswith("["))
        }
    return given


def read_template(relpath: str, text: str, given: Mapping[str, Any] | None = None) -> tuple[list[Resource], list[Directive]]:
    """The resources of one template (none for a parameter file) and its suppressions."""
    data, comments = _decode(text)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object at the top of an ARM template")
    reader = _Reader(relpath, text)
    if "deploymentparameters" not in str(data.get("$schema", "")).lower():
        reader.template(data, given or {}, "", NO_VIA)
    return reader.resources, _directives(relpath, text, comments, reader.spans) if comments else []


NO_VIA = Origin()


def _decode(text: str) -> tuple[Any, list[tuple[int, int, str]]]:
    """The decoded JSON and, when the file has comments, each as (start offset, end offset, text)."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as first:
        comments = _comments(text)
        if comments:
            stripped = list(text)
            for start, end, _ in comments:
                stripped[start:end] = [c if c == "\n" else " " for c in text[start:end]]
            try:
                return json.loads("".join(stripped)), comments
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        raise InputError(f"invalid JSON: {first.msg}", first.lineno, first.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|[{}]', re.S)


def _comments(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKENS.finditer(text) if m.group().startswith("/")]


class _Scope:
    """Values of a template's parameters and variables, as far as they are literal."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            if not value.startswith("[") or not value.endswith("]"):
                return value
            if value.startswith("[["):
                return value[1:]
            found = _EXPRESSION.match(value[1:-1])
            if found:
                key = (found.group(1), found.group(2).lower())
                if key in self.values:
                    return self.values[key]
            return Unresolved(value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


class _Reader:
    def __init__(self, relpath: str, text: str):
        self.relpath = relpath
        self.text = text
        self.resources: list[Resource] = []
        self.spans: list[tuple[int, int]] = []  # (type key offset) of each resource, for suppressions
        # Every `"type": "…"` with its offset and line, lines counted between one and the next.
        self._types: list[tuple[str, int, int]] = []
        line, previous = 1, 0
        for found in _TYPE_KEY.finditer(text):
            line += text.count("\n", previous, found.start())
            previous = found.start()
            self._types.append((found.group(1), previous, line))
        self._cursor = 0

    def _type_offset(self, declared: str) -> tuple[int, int]:
        """Offset and line of the next `"type"` key with this value, in document order."""
        for index in range(self._cursor, len(self._types)):
            if self._types[index][0] == declared:
                self._cursor = index + 1
                return self._types[index][1], self._types[index][2]
        return -1, 0

    def template(self, template: Mapping[str, Any], given: Mapping[str, Any], prefix: str, via: Origin) -> None:
        scope = _Scope()
        parameters = template.get("parameters")
        for name, spec in (parameters.items() if isinstance(parameters, dict) else ()):
            key = ("parameters", str(name).lower())
            if name in given:
                scope.values[key] = given[name]
            elif isinstance(spec, dict) and "defaultValue" in spec:
                scope.values[key] = scope.resolve(spec["defaultValue"])
            else:
                scope.values[key] = Unresolved(f"[parameters('{name}')]")
        variables = template.get("variables")
        for name, value in (variables.items() if isinstance(variables, dict) else ()):
            scope.values[("variables", str(name).lower())] = scope.resolve(value)
        self.resources_of(template.get("resources"), scope, "", prefix, via)

    def resources_of(self, entries: Any, scope: _Scope, parent: str, prefix: str, via: Origin) -> None:
        items = entries.items() if isinstance(entries, dict) else enumerate(entries) if isinstance(entries, list) else ()
        for symbol, entry in items:
            if isinstance(entry, dict) and isinstance(entry.get("type"), str):
                self.resource(entry, symbol if isinstance(symbol, str) else "", scope, parent, prefix, via)

    def resource(self, entry: dict, symbol: str, scope: _Scope, parent: str, prefix: str, via: Origin) -> None:
        declared = entry["type"]
        type_ = child_type(parent.split("|", 1)[0], declared) if parent else arm_type(declared)
        offset, line = self._type_offset(declared)
        name = scope.resolve(entry.get("name"))
        own = symbol or (name if isinstance(name, str) else str(entry.get("name") or type_.rsplit("/", 1)[-1]))
        parent_address = parent.split("|", 1)[1] if parent else ""
        address = prefix + (f"{parent_address}/{own}" if parent_address else own)
        location = Location(self.relpath, line, 0, via)
        properties = entry.get("properties")
        if type_ == _DEPLOYMENTS and isinstance(properties, dict) and isinstance(properties.get("template"), dict):
            given = {}
            for key, value in (properties.get("parameters") or {}).items():
                if isinstance(value, dict) and "value" in value:
                    given[key] = scope.resolve(value["value"])
            deployment = name if isinstance(name, str) else own
            self.template(properties["template"], given, f"{address}::", Origin(via=f"deployment {deployment}"))
        else:
            if offset >= 0:
                self.spans.append((offset, len(self.resources)))
            body = {k: scope.resolve(v) for k, v in entry.items() if k != "resources"}
            kind = "data" if entry.get("existing") is True else "resource"
            self.resources.append(
                make_resource("arm", kind, type_, address, location, body, list(_texts(body, location, address)), _instances(entry, scope))
            )
        self.resources_of(entry.get("resources"), scope, f"{type_}|{address.removeprefix(prefix)}", prefix, via)


def _instances(entry: Mapping[str, Any], scope: _Scope) -> int | None:
    copy = entry.get("copy")
    if not isinstance(copy, dict):
        return 1
    count = scope.resolve(copy.get("count"))
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _texts(value: Any, location: Location, context: str):
    if isinstance(value, str):
        if _TEXT_HINT.search(value):
            yield Signal("text", value, location, context)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, location, f"{context}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, location, context)


def _directives(relpath: str, text: str, comments: list[tuple[int, int, str]], types: list[tuple[int, int]]) -> list[Directive]:
    """A marked comment inside a resource's object covers that resource; one on its own line
    right above a resource covers it; otherwise it covers its own line."""
    objects = _objects(text)
    lines = text.split("\n")
    spans = []
    for offset, _ in types:
        inside = [(s, e) for s, e in objects if s <= offset <= e]
        if inside:
            start, end = max(inside)  # the innermost object holding the `"type"` key
            spans.append((text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 1))
    found = []
    for start, _end, body in comments:
        if MARKER not in body:
            continue
        index = body.index(MARKER)
        line = text.count("\n", 0, start + index) + 1
        rest = body[index + len(MARKER):].split("\n", 1)[0].removesuffix("*/").rstrip()
        covering = [s for s in spans if s[0] <= line <= s[1]]
        own_line = not text[text.rfind("\n", 0, start) + 1 : start].strip()
        if not covering and own_line:
            following = line + 1
            while following <= len(lines) and (not lines[following - 1].strip() or lines[following - 1].lstrip().startswith("//")):
                following += 1
            covering = [s for s in spans if s[0] == following]
        if covering:
            span = min(covering, key=lambda s: s[1] - s[0])
            found.append(Directive(relpath, line, rest, span[0], span[1], True))
        else:
            found.append(Directive(relpath, line, rest, line, line))
    return found


def _objects(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every JSON object, strings and comments skipped."""
    stack: list[int] = []
    spans = []
    for token in _TOKENS.finditer(text):
        value = token.group()
        if value == "{":
            stack.append(token.start())
        elif value == "}" and stack:
            spans.append((stack.pop(), token.start()))
    return spans
