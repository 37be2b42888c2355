"""Reading Bicep: files in, resources out, with parameters and variables resolved where they are literal.

A `.bicep` file that no other scanned file calls as a local module is a root: it is evaluated with
its parameter defaults, or with the values of a `.bicepparam` file `using` it. Local `module`
declarations are followed (the module's resources carry the call chain as origin and
`module.<name>.` in their address; a cycle is reported and not followed); registry modules
(`br:`, `br/<alias>:`, `ts:`) become module calls classified by name. Every `resource` becomes a
Resource (`existing` ones are couplings, kind `data`), nested ones with their type composed.
Values are computed from the syntax tree only: literals, parameters, variables and string
interpolation of those; anything else (functions, references to other resources) is Unresolved.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from portacheck.errors import InputError
from portacheck.model import (
    Directive,
    Location,
    Origin,
    ParseResult,
    Resource,
    ScanError,
    Severity,
    Signal,
    SourceFile,
    Unresolved,
)
from portacheck.parse import ParseContext, read_source, relpath
from portacheck.parse.arm.resources import PROVIDER, arm_type, child_type, make_resource

MARKER = "portacheck:ignore"
_TEXT_HINT = re.compile(r"[.:/]")
_DECLARATIONS = frozenset({"resource_declaration", "module_declaration", "parameter_declaration", "variable_declaration"})
_REGISTRY = re.compile(r"^(?:br|ts)[:/]", re.I)


@functools.lru_cache(maxsize=1)
def _parser():
    import tree_sitter
    import tree_sitter_bicep

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


class _File:
    """One parsed file: its tree, its text, its first syntax error."""

    def __init__(self, path: str, rel: str, text: str):
        self.path = path
        self.rel = rel
        self.tree = _parser().parse(compatible(text).encode("utf-8"))
        self.lines = text.split("\n")
        root = self.tree.root_node
        self.declarations = list(_declarations(root, root.type == "ERROR"))
        # The grammar predates `.bicepparam` (`param name = value` parses with errors): no error there.
        self.error = _syntax_error(rel, root) if root.has_error and not rel.lower().endswith(".bicepparam") else None

    def modules(self) -> Iterator[tuple[Any, str]]:
        for node in self.declarations:
            if node.type == "module_declaration":
                source = _string_literal(node.named_children[1]) if len(node.named_children) > 1 else None
                if source is not None:
                    yield node, source


# Bicep syntax newer than the grammar, blanked out (same lines, same columns elsewhere) so that the
# rest of the file parses: imports and extensions, types of variables and parameters taken from a
# resource (`resourceInput<'…'>.properties.x`), nullable parameter types, the non-null `!`, and
# spreads (`...x`).
_NEWER = (
    (re.compile(r"(?ms)^import\b[^']*'[^']*'"), None),
    (re.compile(r"(?m)^extension\b[^\n]*"), None),
    (re.compile(r"(?m)^(var\s+\w+)(\s+[A-Za-z_][\w.]*(?:\[\])?)(?=\s*=)"), 2),
    (re.compile(r"\bresource(?:Input|Output)<'[^'\n]*'>(?:\.[\w.]+)?"), "object"),
    (re.compile(r"(?<=[\w)\]])!(?!=)"), None),
    (re.compile(r"(?m)(?<=^param )(\s*\w+\s+[^\n=]*?)(\?)"), 2),
    (re.compile(r"(?m)^[ \t]*\.\.\.[^\n]*"), None),
    (re.compile(r"\.\.\.(?=[\w(\[{])"), None),
)


def compatible(text: str) -> str:
    """The text with syntax the grammar does not know replaced by blanks, lines kept."""
    for pattern, keep in _NEWER:
        text = pattern.sub(functools.partial(_replace, keep), text)
    return text


def _replace(keep: str | int | None, match: re.Match[str]) -> str:
    """One piece of newer syntax blanked: all of it, all but group 1 (keep == 2), or all but a word."""
    if keep == 2:
        return match.group(1) + _blank(match.group(2))
    if isinstance(keep, str):
        return keep + _blank(match.group()[len(keep):])
    return _blank(match.group())


def _blank(text: str) -> str:
    return "".join(c if c == "\n" else " " for c in text)


def _declarations(node, in_error: bool) -> Iterator[Any]:
    """Top-level declarations, and those a syntax error left inside its ERROR node."""
    for child in node.named_children:
        if child.type in _DECLARATIONS:
            yield child
        elif child.type == "ERROR" or in_error:
            yield from _declarations(child, True)


def _syntax_error(rel: str, root) -> ScanError:
    node = _first_problem(root) or root
    what = f"missing {node.type}" if node.is_missing else "unexpected " + repr(_text(node)[:30]) if _text(node).strip() else "unexpected end"
    line, column = node.start_point
    return ScanError(rel, f"Bicep not understood here ({what}): a syntax error, or syntax newer than the grammar; "
                     "the declarations before and after it are read", line + 1, column + 1)


def _first_problem(node):
    if node.is_missing or node.type == "ERROR":
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_problem(child)
            if found is not None:
                return found
    return None


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _string_literal(node) -> str | None:
    if node.type != "string" or any(c.type == "interpolation" for c in node.named_children):
        return None
    return "".join(_text(c) for c in node.named_children if c.type in ("string_content", "escape_sequence"))


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    reader = _Reader(context)
    params: list[SourceFile] = []
    for source in files:
        if source.path.lower().endswith(".bicepparam"):
            params.append(source)
        else:
            reader.load(source.path)
    given = reader.parameter_files(params)
    called = {target for path in list(reader.files) for target in reader.local_targets(path)}
    for path in sorted(reader.files):
        if reader.files[path] is not None and path not in called:
            reader.run(path, given.get(path, {}), "", Origin(), ())
    for path in sorted(reader.files):  # files only reachable through a cycle of calls
        if reader.files[path] is not None and path not in reader.evaluated:
            reader.run(path, {}, "", Origin(), ())
    return ParseResult(tuple(reader.resources), tuple(reader.errors), tuple(reader.directives))


class _Reader:
    def __init__(self, context: ParseContext):
        self.context = context
        self.files: dict[str, _File | None] = {}
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.directives: list[Directive] = []
        self.evaluated: set[str] = set()

    def load(self, path: str) -> _File | None:
        if path in self.files:
            return self.files[path]
        rel = relpath(path, self.context.root)
        try:
            loaded: _File | None = _File(path, rel, read_source(path, self.context.max_file_bytes))
        except InputError as exc:
            self.errors.append(ScanError(rel, exc.message, exc.line, exc.column))
            loaded = None
        self.files[path] = loaded
        if loaded is not None:
            if loaded.error:
                self.errors.append(loaded.error)
            if MARKER in "\n".join(loaded.lines):
                self.directives.extend(_directives(loaded))
        return loaded

    def local_targets(self, path: str) -> list[str]:
        loaded = self.files.get(path)
        if loaded is None:
            return []
        return [
            os.path.normpath(os.path.join(os.path.dirname(path), source))
            for _, source in loaded.modules()
            if not _REGISTRY.match(source) and source.lower().endswith(".bicep")
        ]

    def parameter_files(self, sources: Sequence[SourceFile]) -> dict[str, dict[str, Any]]:
        """The values of each `.bicepparam` file, by the path of the file it is `using`; the first
        file by name wins when several use one template (the others are environments of it)."""
        given: dict[str, dict[str, Any]] = {}
        for source in sorted(sources, key=lambda s: s.path):
            loaded = self.load(source.path)
            if loaded is None:
                continue
            root = loaded.tree.root_node
            using = next((c for c in root.named_children if c.type == "using_statement"), None)
            target = _string_literal(using.named_children[0]) if using is not None and using.named_children else None
            if not target:
                continue
            values = {}
            for node in root.named_children:
                if node.type == "parameter_declaration" and node.named_children:
                    value = _param_value(node)
                    values[_text(node.named_children[0])] = _Scope({}).value(value) if value is not None else Unresolved("?")
            given.setdefault(os.path.normpath(os.path.join(os.path.dirname(source.path), target)), values)
        return given

    def run(self, path: str, given: Mapping[str, Any], prefix: str, origin: Origin, stack: tuple[str, ...]) -> None:
        loaded = self.files.get(path) if path in self.files else self.load(path)
        if loaded is None:
            return
        self.evaluated.add(path)
        scope = _Scope(given)
        root_dir = origin.root or (os.path.dirname(loaded.rel) or ".")
        for node in loaded.declarations:
            kind = node.type
            if kind == "parameter_declaration":
                scope.declare_param(node)
            elif kind == "variable_declaration" and len(node.named_children) >= 2:
                scope.names[_text(node.named_children[0])] = scope.value(node.named_children[-1])
            elif kind == "resource_declaration":
                self.resource(loaded, node, scope, "", prefix, origin)
            elif kind == "module_declaration":
                self.module(loaded, node, scope, prefix, origin, root_dir, stack + (path,))

    def resource(self, loaded: _File, node, scope: _Scope, parent: str, prefix: str, origin: Origin, parent_address: str = "") -> None:
        children = node.named_children
        if len(children) < 3:
            return
        symbol, declared = _text(children[0]), _string_literal(children[1])
        if declared is None:
            return
        type_ = child_type(parent, declared) if parent else arm_type(declared)
        body, instances = _body(children[2], scope)
        if body is None:
            return
        address = prefix + (f"{parent_address}::{symbol}" if parent_address else symbol)
        location = Location(loaded.rel, node.start_point[0] + 1, 0, origin)
        existing = any(c.type == "existing" for c in node.children)
        values = scope.value(body)
        texts = list(_texts(body, scope, loaded.rel, origin, address))
        self.resources.append(
            make_resource("bicep", "data" if existing else "resource", type_, address, location, values if isinstance(values, dict) else {}, texts, instances)
        )
        for prop in body.named_children:
            for nested in prop.named_children:
                if nested.type == "resource_declaration":
                    self.resource(loaded, nested, scope, type_, prefix, origin, address.removeprefix(prefix))

    def module(self, loaded: _File, node, scope: _Scope, prefix: str, origin: Origin, root_dir: str, stack: tuple[str, ...]) -> None:
        children = node.named_children
        if len(children) < 3:
            return
        symbol, source = _text(children[0]), _string_literal(children[1])
        body, instances = _body(children[2], scope)
        location = Location(loaded.rel, node.start_point[0] + 1, 0, origin)
        address = f"{prefix}module.{symbol}"
        if source is None or body is None:
            return
        values = scope.value(body)
        params = values.get("params") if isinstance(values, dict) else None
        if _REGISTRY.match(source):
            name = normalize_module(source)
            texts = list(_texts(body, scope, loaded.rel, origin, address))
            self.resources.append(
                Resource("bicep", "module", PROVIDER, name, address, location, (Signal("bicep_module", name, location, address), *texts),
                         values if isinstance(values, dict) else {}, instances)
            )
            return
        target = os.path.normpath(os.path.join(os.path.dirname(loaded.path), source))
        if not target.lower().endswith(".bicep"):
            return  # an ARM JSON template as module: the ARM frontend reads it where it is
        if target in stack:
            chain = " -> ".join(relpath(p, self.context.root) for p in stack + (target,))
            self.errors.append(ScanError(loaded.rel, f"module {symbol}: call cycle ({chain}); not followed", location.line, severity=Severity.WARNING))
            return
        if not os.path.isfile(target):
            self.errors.append(ScanError(loaded.rel, f"module {symbol}: {source} not found", location.line))
            return
        called = Origin(root_dir, origin.modules + (symbol,))
        self.run(target, params if isinstance(params, dict) else {}, f"{address}.", called, stack)


def _body(node, scope: _Scope):
    """The object of a declaration and how many instances it makes: `{…}`, `if (…) {…}`, `[for …: {…}]`."""
    if node.type == "object":
        return node, 1
    if node.type == "if_statement":
        found = next((c for c in node.named_children if c.type == "object"), None)
        return found, 1
    if node.type == "for_statement":
        body = node.child_by_field_name("body")
        if body is not None and body.type == "if_statement":
            body = next((c for c in body.named_children if c.type == "object"), None)
        return body, _count(node, scope)
    return None, 1


def _count(loop, scope: _Scope) -> int | None:
    named = [c for c in loop.named_children if c != loop.child_by_field_name("body")]
    iterable = named[-1] if named else None
    if iterable is None:
        return None
    if iterable.type == "call_expression" and iterable.named_children and _text(iterable.named_children[0]) == "range":
        arguments = iterable.named_children[-1].named_children
        values = [scope.value(a) for a in arguments]
        return values[1] if len(values) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in values) else None
    value = scope.value(iterable)
    return len(value) if isinstance(value, list) else None


def _param_value(node):
    """The value node of a `.bicepparam` `param name = value` (the grammar reads it as a type)."""
    for child in reversed(node.named_children[1:]):
        if child.type == "type" and child.named_children and not child.named_children[0].is_missing:
            return child.named_children[0]
        if child.type not in ("ERROR", "type", "identifier"):
            return child
    return None


class _Scope:
    """Parameters and variables of one file evaluation, as far as they are literal."""

    def __init__(self, given: Mapping[str, Any]):
        self.given = given
        self.names: dict[str, Any] = {}

    def declare_param(self, node) -> None:
        children = node.named_children
        name = _text(children[0])
        if name in self.given:
            self.names[name] = self.given[name]
        elif len(children) >= 3:
            self.names[name] = self.value(children[-1])
        else:
            self.names[name] = Unresolved(f"param {name} (no value given)")

    def value(self, node) -> Any:
        kind = node.type
        if kind == "string":
            parts = []
            for child in node.named_children:
                if child.type == "interpolation":
                    inner = self.value(child.named_children[0]) if child.named_children else None
                    if not isinstance(inner, (str, int)) or isinstance(inner, bool):
                        return Unresolved(_text(node))
                    parts.append(str(inner))
                elif child.type == "escape_sequence":
                    parts.append(_unescape(_text(child)))
                else:
                    parts.append(_text(child))
            return "".join(parts)
        if kind == "number":
            return int(_text(node)) if _text(node).isdigit() else Unresolved(_text(node))
        if kind == "boolean":
            return _text(node) == "true"
        if kind == "null":
            return None
        if kind == "array":
            return [self.value(c) for c in node.named_children if c.type != "comment"]
        if kind == "object":
            result = {}
            for prop in node.named_children:
                if prop.type == "object_property" and len(prop.named_children) >= 2:
                    key_node = prop.named_children[0]
                    key = _string_literal(key_node) if key_node.type == "string" else _text(key_node)
                    if key is not None and prop.named_children[-1].type != "resource_declaration":
                        result[key] = self.value(prop.named_children[-1])
            return result
        if kind == "identifier" and _text(node) in self.names:
            return self.names[_text(node)]
        if kind == "parenthesized_expression" and node.named_children:
            return self.value(node.named_children[0])
        return Unresolved(_text(node))


def _unescape(text: str) -> str:
    return {"\\'": "'", "\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\$": "$"}.get(text, text)


def _texts(body, scope: _Scope, rel: str, origin: Origin, context: str) -> Iterator[Signal]:
    """Strings of a declaration's body with their lines, resolved where they can be; nested
    resources speak for themselves."""
    stack = [(body, context)]
    while stack:
        node, where = stack.pop()
        if node.type == "resource_declaration":
            continue
        if node.type == "string":
            value = scope.value(node)
            text = value if isinstance(value, str) else _text(node)
            if _TEXT_HINT.search(text):
                yield Signal("text", text, Location(rel, node.start_point[0] + 1, 0, origin), where)
            continue
        if node.type == "object_property" and node.named_children and node.named_children[0].type == "identifier":
            where = f"{where}.{_text(node.named_children[0])}"
        stack.extend((child, where) for child in reversed(node.named_children))


def normalize_module(source: str) -> str:
    """`br/public:avm/res/document-db/database-account:0.8.1` -> `br/public:avm/res/documentdb/databaseaccount`:
    lower case, without tag or digest, without dashes, the public registry's long form shortened."""
    name = source.strip().lower()
    name = re.sub(r"^br:mcr\.microsoft\.com/bicep/", "br/public:", name)
    name = name.split("@", 1)[0]
    head, sep, rest = name.partition(":")
    if sep and ":" in rest:
        rest = rest.rsplit(":", 1)[0]
    return f"{head}{sep}{rest}".replace("-", "")


def _directives(loaded: _File) -> list[Directive]:
    """A marked comment inside a resource or module declaration, or on its own line(s) right above
    one (decorators between), covers that declaration (a module's: also what the call creates);
    otherwise one on its own line covers the next line of code, one at a line's end that line."""
    spans = [(d.start_point[0] + 1, d.end_point[0] + 1, d) for d in loaded.declarations if d.type in ("resource_declaration", "module_declaration")]
    found = []
    for comment in _comments(loaded.tree.root_node):
        text = _text(comment)
        if MARKER not in text:
            continue
        index = text.index(MARKER)
        line = comment.start_point[0] + 1 + text.count("\n", 0, index)
        rest = text[index + len(MARKER):].split("\n", 1)[0].removesuffix("*/").rstrip()
        own_line = not loaded.lines[comment.start_point[0]][: comment.start_point[1]].strip()
        covering = [s for s in spans if s[0] <= line <= s[1]]
        if not covering and own_line:
            target = _next_code_line(loaded.lines, comment.end_point[0] + 1)
            covering = [s for s in spans if s[0] == target]
            if not covering:
                found.append(Directive(loaded.rel, line, rest, target, target))
                continue
        if not covering:
            found.append(Directive(loaded.rel, line, rest, line, line))
            continue
        start, end, node = min(covering, key=lambda s: s[1] - s[0])
        module = _text(node.named_children[0]) if node.type == "module_declaration" and node.named_children else ""
        found.append(Directive(loaded.rel, line, rest, start, end, True, module))
    return found


def _comments(node) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "comment":
            yield current
        else:
            stack.extend(reversed(current.children))


def _next_code_line(lines: Sequence[str], after: int) -> int:
    """The first line after `after` (1-based) that is neither blank, a comment nor a decorator."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith(("//", "@")):
            return number
    return 0
