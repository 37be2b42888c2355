"""Reading ARM JSON templates: every `resources` entry (nested ones with their type composed, inline
`Microsoft.Resources/deployments` templates recursed) becomes a Resource at its line.

Values are decoded by Python's JSON parser, which keeps no positions: a resource's line is that of
its `"type"` key, found in the text after the previous one's (a search for the type's string, so a
template is read once by the C parser and once by `str.find`, and reading stays near `json.load`).
Template expressions are evaluated only as far as `[parameters('x')]` and `[variables('x')]` with
literal values, and only where a rule or a text signal uses them; anything else is Unresolved.
Attributes are only those rules test (`ParseContext.attributes_of_interest`), as in Terraform. Comments (`//`, `/* */`, accepted by ARM) are removed before decoding when the
file needs it; they carry inline suppressions.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Directive, Location, Origin, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_source
from portacheck.parse.arm.resources import DECLARATION_KEYS, arm_type, child_type, make_resource, snake, wanted

_EXPRESSION = re.compile(r"^\s*(parameters|variables)\(\s*'([^']*)'\s*\)\s*$")
_LOOKUP_START = re.compile(r"\[\s*(?:parameters|variables)\(")  # the only expressions that may resolve to text
_DEPLOYMENTS = "microsoft.resources/deployments"
MARKER = "portacheck:ignore"
ALWAYS_KEEP = frozenset({"region", "location", "zone"})  # read for the jurisdiction summary, as Terraform's


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
    keep = context.attributes_of_interest | ALWAYS_KEEP
    for source in files:
        if source.path not in texts:
            continue
        try:
            found, marks = read_template(source.relpath, texts[source.path], given.get(source.path, {}), keep)
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


def read_template(
    relpath: str, text: str, given: Mapping[str, Any] | None = None, keep: frozenset[str] | None = None
) -> tuple[list[Resource], list[Directive]]:
    """The resources of one template (none for a parameter file) and its suppressions; attributes only
    those named in `keep`, all when it is None."""
    data, comments = _decode(text)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object at the top of an ARM template")
    reader = _Reader(relpath, text, keep)
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


_MISSING = object()


class _Scope:
    """Values of a template's parameters and variables, as far as they are literal. Each is resolved when first
    used, seeing only what is declared before it (parameters, then variables, in order), as if all were
    resolved in turn up front, which most templates would spend on values nothing uses. A `given` parameter
    value (a deployment's) is resolved in its caller's scope, or is literal when there is no caller."""

    def __init__(self, template: Mapping[str, Any], given: Mapping[str, Any], caller: _Scope | None) -> None:
        parameters, variables = template.get("parameters"), template.get("variables")
        self._parameters = parameters if isinstance(parameters, dict) else {}
        self._variables = variables if isinstance(variables, dict) else {}
        self._given = given
        self._caller = caller
        self._index: dict[tuple[str, str], list[tuple[int, Any]]] | None = None  # built at the first lookup
        self._resolved: dict[int, Any] = {}  # position of a declaration -> its value
        self._memo: dict[str, Any] = {}  # expressions met in resources, resolved

    def expression(self, value: str) -> Any:
        """A string of a resource resolved; each distinct one once per template."""
        found = self._memo.get(value, _MISSING)
        if found is _MISSING:
            found = self._memo[value] = self.resolve(value)
        return found

    def resolve(self, value: Any, before: int | None = None) -> Any:
        """The value with its `[parameters('x')]` and `[variables('x')]` replaced (declared before position
        `before` only, when given), other expressions Unresolved."""
        if isinstance(value, str):
            if not value.startswith("[") or not value.endswith("]"):
                return value
            if value.startswith("[["):
                return value[1:]
            found = _EXPRESSION.match(value[1:-1])
            if found:
                looked = self._lookup((found.group(1), found.group(2).lower()), before)
                if looked is not _MISSING:
                    return looked
            return Unresolved(value)
        if isinstance(value, dict):
            return {k: self.resolve(v, before) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, before) for v in value]
        return value

    def _lookup(self, key: tuple[str, str], before: int | None) -> Any:
        if self._index is None:
            self._index = {}
            for position, name in enumerate(self._parameters):
                self._index.setdefault(("parameters", str(name).lower()), []).append((position, name))
            for position, name in enumerate(self._variables, len(self._parameters)):
                self._index.setdefault(("variables", str(name).lower()), []).append((position, name))
        declarations = self._index.get(key)
        if declarations and before is not None:
            declarations = [d for d in declarations if d[0] < before]
        if not declarations:
            return _MISSING
        position, name = declarations[-1]
        value = self._resolved.get(position, _MISSING)
        if value is _MISSING:
            value = self._resolved[position] = self._declared(key[0], position, name)
        return value

    def _declared(self, kind: str, position: int, name: Any) -> Any:
        if kind == "variables":
            return self.resolve(self._variables[name], position)
        if name in self._given:
            value = self._given[name]
            return self._caller.resolve(value) if self._caller is not None else value
        spec = self._parameters[name]
        if isinstance(spec, dict) and "defaultValue" in spec:
            return self.resolve(spec["defaultValue"], position)
        return Unresolved(f"[parameters('{name}')]")


class _Reader:
    def __init__(self, relpath: str, text: str, keep: frozenset[str] | None):
        self.relpath = relpath
        self.text = text
        self.keep = keep
        self.resources: list[Resource] = []
        self.spans: list[tuple[int, int]] = []  # (type key offset) of each resource, for suppressions
        self._cursor = 0  # where the search for the next `"type"` starts
        self._counted, self._line = 0, 1  # the line at offset `_counted`

    def _type_offset(self, declared: str) -> tuple[int, int]:
        """Offset and line of the next `"type": "<declared>"` key, in document order; (-1, 0) if there is none."""
        if '"' in declared or "\\" in declared:
            return -1, 0  # written escaped, so never the same text
        text, needle = self.text, f'"{declared}"'
        index = text.find(needle, self._cursor)
        while index >= 0:
            key = _type_key_before(text, index)
            if key >= 0:
                self._cursor = index + len(needle)
                self._line += text.count("\n", self._counted, key)
                self._counted = key
                return key, self._line
            index = text.find(needle, index + 1)
        return -1, 0

    def template(self, template: Mapping[str, Any], given: Mapping[str, Any], prefix: str, via: Origin, caller: _Scope | None = None) -> None:
        """Read a template's resources; `given` parameter values are resolved in `caller`'s scope (else literal)."""
        scope = _Scope(template, given, caller)
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
                    given[key] = value["value"]
            deployment = name if isinstance(name, str) else own
            self.template(properties["template"], given, f"{address}::", Origin(via=f"deployment {deployment}"), scope)
        else:
            if offset >= 0:
                self.spans.append((offset, len(self.resources)))
            texts: list[Signal] = []
            _texts(entry, scope, location, address, texts, top=True)
            kind = "data" if entry.get("existing") is True else "resource"
            body = self.body(entry, scope, type_)
            self.resources.append(make_resource("arm", kind, type_, address, location, body, texts, _instances(entry, scope), self.keep))
        self.resources_of(entry.get("resources"), scope, f"{type_}|{address.removeprefix(prefix)}", prefix, via)


    def body(self, entry: Mapping[str, Any], scope: _Scope, type_: str) -> dict[str, Any]:
        """The entry resolved, as far as its attributes need (those kept, and what an alias reads)."""
        if self.keep is None:
            return {k: scope.resolve(v) for k, v in entry.items() if k != "resources"}
        needed = wanted(type_, self.keep)
        body: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "properties":
                properties = scope.resolve(value) if isinstance(value, str) else value
                if isinstance(properties, dict):
                    properties = {k: scope.resolve(v) for k, v in properties.items() if snake(str(k)) in needed}
                body[key] = properties
            elif key not in DECLARATION_KEYS and snake(key) in needed:
                body[key] = scope.resolve(value)
        return body


def _type_key_before(text: str, index: int) -> int:
    """The offset of the `"type"` key whose value starts at `index` (`"type" : "…"`), or -1 if it is not one."""
    at = index - 1
    while at >= 0 and text[at].isspace():
        at -= 1
    if at < 0 or text[at] != ":":
        return -1
    at -= 1
    while at >= 0 and text[at].isspace():
        at -= 1
    return at - 5 if at >= 5 and text.startswith('"type"', at - 5) else -1


def _instances(entry: Mapping[str, Any], scope: _Scope) -> int | None:
    copy = entry.get("copy")
    if not isinstance(copy, dict):
        return 1
    count = scope.resolve(copy.get("count"))
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _texts(value: Any, scope: _Scope | None, location: Location, context: str, found: list[Signal], top: bool = False) -> None:
    """A `text` signal for each string that may hold a hostname, ARN or URI, after resolving (an entry's nested
    `resources` are entries of their own); expressions are resolved only here, where a string is met."""
    items = value.items() if type(value) is dict else zip(itertools.repeat(None), value)
    for key, item in items:
        if top and key == "resources":
            continue
        kind = type(item)
        if kind is str:
            if item[:1] == "[" and item[-1:] == "]" and scope is not None:
                if item[1:2] == "[":
                    item = item[1:]  # `[[` escapes a literal `[`
                elif not _LOOKUP_START.match(item):
                    continue  # another function: Unresolved
                else:
                    item = scope.expression(item)
                    kind = type(item)
                    if kind is not str:
                        if kind is dict or kind is list:
                            _texts(item, None, location, context if key is None else f"{context}.{key}", found)
                        continue
            if "." in item or ":" in item or "/" in item:
                found.append(Signal("text", item, location, context if key is None else f"{context}.{key}"))
        elif kind is dict or kind is list:
            _texts(item, scope, location, context if key is None else f"{context}.{key}", found)


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
