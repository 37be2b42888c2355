"""The tree-sitter walk behind `read_program`: one parser per grammar and process, one pass per file."""

from __future__ import annotations

import functools
from typing import Any

from portacheck.model import Unresolved
from portacheck.parse.program import Call, Comment, Import, Program

MAX_DEPTH = 64  # nesting of literal values read; deeper is Unresolved
_UNRESOLVED_TEXT = 80  # characters of an expression kept in Unresolved


_GRAMMARS = {
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "javascript": ("tree_sitter_javascript", "language"),
    "python": ("tree_sitter_python", "language"),
    "go": ("tree_sitter_go", "language"),
}


@functools.cache
def parser(language: str) -> Any:
    """One tree-sitter parser per grammar and process: building the language is the slow part."""
    import importlib

    import tree_sitter

    if language not in _GRAMMARS:
        raise ValueError(f"no grammar for {language!r}")
    module_name, function = _GRAMMARS[language]
    raw = getattr(importlib.import_module(module_name), function)()
    return tree_sitter.Parser(tree_sitter.Language(raw))


_NAMES = {"typescript": "TypeScript", "tsx": "TypeScript (TSX)", "javascript": "JavaScript", "python": "Python", "go": "Go"}


def read(text: str, language: str, marker: str) -> Program:
    source = text.encode("utf-8")
    root = parser(language).parse(source).root_node
    walker = _WALKERS[language]()
    walker.walk(root)
    comments = tuple(_comments(root, source, marker)) if marker.encode() in source else ()
    error = _syntax_error(root, _NAMES[language]) if root.has_error else None
    return Program(language, tuple(walker.imports), tuple(walker.calls), comments, error)


# --- shared helpers ---------------------------------------------------------------------------


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace")


def _unresolved(node: Any) -> Unresolved:
    text = " ".join(_text(node).split())
    return Unresolved(text if len(text) <= _UNRESOLVED_TEXT else text[: _UNRESOLVED_TEXT - 1] + "…")


def _line(node: Any) -> int:
    return node.start_point[0] + 1


def _number(text: str) -> Any:
    cleaned = text.replace("_", "")
    try:
        return int(cleaned, 0)
    except ValueError:
        try:
            return float(cleaned)
        except ValueError:
            return Unresolved(text)


def _comments(root: Any, source: bytes, marker: str) -> list[Comment]:
    found = []
    for node in _descendants(root):
        if node.type != "comment" or marker not in _text(node):
            continue
        line = _line(node)
        line_start = source.rfind(b"\n", 0, node.start_byte) + 1
        own_line = not source[line_start : node.start_byte].strip()
        text = _text(node)
        offset = text.index(marker)
        marked = line + text.count("\n", 0, offset)
        rest = text[offset + len(marker) :].split("\n", 1)[0]
        rest = rest.split("*/", 1)[0].rstrip()
        target = node.next_named_sibling
        while target is not None and target.type == "comment":
            target = target.next_named_sibling
        if own_line and target is not None:
            found.append(Comment(rest, marked, _line(target), target.end_point[0] + 1, True))
        else:
            found.append(Comment(rest, marked, marked, marked, False))
    return found


def _descendants(root: Any):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _syntax_error(root: Any, language: str) -> tuple[str, int, int]:
    for node in _descendants(root):
        if node.is_missing or node.type == "ERROR":
            line, column = node.start_point[0] + 1, node.start_point[1] + 1
            if node.is_missing:
                return f"cannot parse {language}: missing {node.type!r}", line, column
            token = _text(node).split("\n", 1)[0].strip()[:40]
            return f"cannot parse {language}: unexpected {token!r}" if token else f"cannot parse {language}", line, column
    return f"cannot parse {language}", 1, 1  # pragma: no cover - has_error without an error node


class _Walker:
    """Collects imports and calls in source order; subclasses know one grammar's node types."""

    CALLS: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.imports: list[Import] = []
        self.calls: list[Call] = []

    def walk(self, root: Any) -> None:
        for node in _descendants(root):
            if node.type in self.CALLS:
                call = self.call(node, 0)
                if call is not None:
                    self.calls.append(call)
            else:
                self.visit(node)

    def visit(self, node: Any) -> None:  # imports
        raise NotImplementedError

    def call(self, node: Any, depth: int) -> Call | None:
        raise NotImplementedError

    # A member access `a.b` of the grammar: node type, object field, member field; and the names that end a path.
    MEMBER: tuple[str, str, str] = ("", "", "")
    NAMES: frozenset[str] = frozenset()

    def dotted(self, node: Any | None) -> tuple[str, ...]:
        """`aws.dynamodb.Table` as ("aws", "dynamodb", "Table"); () for anything but names and member access."""
        member, object_field, member_field = self.MEMBER
        parts: list[str] = []
        while node is not None:
            if node.type == member:
                name = node.child_by_field_name(member_field)
                parts.append(_text(name) if name is not None else "")
                node = node.child_by_field_name(object_field)
            elif node.type in self.NAMES:
                parts.append(_text(node))
                return tuple(reversed(parts))
            else:
                return ()
        return ()


# --- TypeScript and JavaScript ----------------------------------------------------------------


def _js_string(node: Any) -> str | None:
    """The value of a string or template without substitutions."""
    if any(c.type == "template_substitution" for c in node.named_children):
        return None
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(_text(child))
        elif child.type == "escape_sequence":
            parts.append(_unescape(_text(child)))
    return "".join(parts)


def _unescape(sequence: str) -> str:
    simple = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\0": "\0"}
    return simple.get(sequence, sequence[1:] if len(sequence) == 2 else sequence)


class _JsWalker(_Walker):
    CALLS = frozenset({"new_expression", "call_expression"})
    MEMBER = ("member_expression", "object", "property")
    NAMES = frozenset({"identifier", "this"})

    def visit(self, node: Any) -> None:
        if node.type == "import_statement":
            source = node.child_by_field_name("source")
            clause = next((c for c in node.named_children if c.type in ("import_clause", "import_require_clause")), None)
            if clause is not None and clause.type == "import_require_clause":
                source = clause.child_by_field_name("source")
            module = _js_string(source) if source is not None else None
            if module is None or clause is None:
                return
            line = _line(node)
            for child in clause.named_children:
                if child.type == "identifier":  # default import or `import x = require(...)`
                    self.imports.append(Import(module, "*", _text(child), line))
                elif child.type == "namespace_import":
                    name = next((c for c in child.named_children if c.type == "identifier"), None)
                    if name is not None:
                        self.imports.append(Import(module, "*", _text(name), line))
                elif child.type == "named_imports":
                    for spec in child.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                        if name is not None:
                            self.imports.append(Import(module, _text(name), _text(alias or name), line))
        elif node.type == "variable_declarator":  # const aws = require("@pulumi/aws"), const { s3 } = require(...)
            value, name = node.child_by_field_name("value"), node.child_by_field_name("name")
            module = self._required(value)
            if module is None or name is None:
                return
            if name.type == "identifier":
                self.imports.append(Import(module, "*", _text(name), _line(node)))
            elif name.type == "object_pattern":
                for prop in name.named_children:
                    if prop.type == "shorthand_property_identifier_pattern":
                        self.imports.append(Import(module, _text(prop), _text(prop), _line(node)))
                    elif prop.type == "pair_pattern":
                        key, alias = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                        if key is not None and alias is not None and alias.type == "identifier":
                            self.imports.append(Import(module, _text(key), _text(alias), _line(node)))

    def _required(self, value: Any | None) -> str | None:
        if value is None or value.type != "call_expression":
            return None
        function, arguments = value.child_by_field_name("function"), value.child_by_field_name("arguments")
        if function is None or _text(function) != "require" or arguments is None or arguments.named_child_count != 1:
            return None
        (argument,) = arguments.named_children
        return _js_string(argument) if argument.type in ("string", "template_string") else None


    def call(self, node: Any, depth: int) -> Call | None:
        field = "constructor" if node.type == "new_expression" else "function"
        callee = self.dotted(node.child_by_field_name(field))
        if not callee:
            return None
        arguments = node.child_by_field_name("arguments")
        args = tuple(self.value(a, depth + 1) for a in arguments.named_children if a.type != "comment") if arguments is not None else ()
        return Call(callee, _line(node), node.start_point[1] + 1, args, (), node.type == "new_expression", node.end_point[0] + 1)

    def value(self, node: Any, depth: int) -> Any:
        kind = node.type
        if depth > MAX_DEPTH:
            return _unresolved(node)
        if kind in ("string", "template_string"):
            text = _js_string(node)
            return text if text is not None else _unresolved(node)
        if kind == "number":
            return _number(_text(node))
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        if kind == "array":
            return [self.value(c, depth + 1) for c in node.named_children if c.type != "comment"]
        if kind == "object":
            result: dict[str, Any] = {}
            for pair in node.named_children:
                if pair.type != "pair":
                    continue
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = _js_string(key) if key.type == "string" else _text(key)
                if name is not None:
                    result[name] = self.value(value, depth + 1)
            return result
        if kind in ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
            inner = node.named_children[0] if node.named_child_count else None
            return self.value(inner, depth + 1) if inner is not None else _unresolved(node)
        if kind in self.CALLS:
            return self.call(node, depth + 1) or _unresolved(node)
        return _unresolved(node)


# --- Python -----------------------------------------------------------------------------------


def _py_string(node: Any) -> str | None:
    if node.type == "concatenated_string":
        parts = [_py_string(c) for c in node.named_children]
        return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)
    pieces = []
    for child in node.named_children:
        if child.type == "interpolation":
            return None
        if child.type == "string_content":
            pieces.append(_text(child))
        elif child.type == "escape_sequence":
            pieces.append(_unescape(_text(child)))
    return "".join(pieces)


class _PyWalker(_Walker):
    CALLS = frozenset({"call"})
    MEMBER = ("attribute", "object", "attribute")
    NAMES = frozenset({"identifier"})

    def visit(self, node: Any) -> None:
        if node.type == "import_statement":
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        self.imports.append(Import(_text(name), "*", _text(alias), _line(node)))
                else:  # `import pulumi_gcp.cloudrun` binds pulumi_gcp; the dotted callee carries the rest
                    self.imports.append(Import(_text(child), "*", _text(child), _line(node)))
        elif node.type == "import_from_statement":
            module = node.child_by_field_name("module_name")
            if module is None or module.type != "dotted_name":
                return
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        self.imports.append(Import(_text(module), _text(name), _text(alias), _line(node)))
                else:
                    self.imports.append(Import(_text(module), _text(child), _text(child), _line(node)))


    def call(self, node: Any, depth: int) -> Call | None:
        callee = self.dotted(node.child_by_field_name("function"))
        arguments = node.child_by_field_name("arguments")
        if not callee or arguments is None or arguments.type != "argument_list":
            return None
        args, kwargs = [], []
        for child in arguments.named_children:
            if child.type == "keyword_argument":
                name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
                if name is not None and value is not None:
                    kwargs.append((_text(name), self.value(value, depth + 1)))
            elif child.type not in ("comment", "list_splat", "dictionary_splat"):
                args.append(self.value(child, depth + 1))
        return Call(callee, _line(node), node.start_point[1] + 1, tuple(args), tuple(kwargs), False, node.end_point[0] + 1)

    def value(self, node: Any, depth: int) -> Any:
        kind = node.type
        if depth > MAX_DEPTH:
            return _unresolved(node)
        if kind in ("string", "concatenated_string"):
            text = _py_string(node)
            return text if text is not None else _unresolved(node)
        if kind in ("integer", "float"):
            return _number(_text(node))
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "none":
            return None
        if kind in ("list", "tuple"):
            return [self.value(c, depth + 1) for c in node.named_children if c.type != "comment"]
        if kind == "dictionary":
            result: dict[str, Any] = {}
            for pair in node.named_children:
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if pair.type == "pair" and key is not None and value is not None and key.type == "string":
                    name = _py_string(key)
                    if name is not None:
                        result[name] = self.value(value, depth + 1)
            return result
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self.value(node.named_children[0], depth + 1)
        if kind == "call":
            return self.call(node, depth + 1) or _unresolved(node)
        return _unresolved(node)


# --- Go ---------------------------------------------------------------------------------------


def _go_string(node: Any) -> str | None:
    if node.type == "raw_string_literal":
        return "".join(_text(c) for c in node.named_children if c.type == "raw_string_literal_content")
    if node.type == "interpreted_string_literal":
        parts = []
        for child in node.named_children:
            if child.type == "interpreted_string_literal_content":
                parts.append(_text(child))
            elif child.type == "escape_sequence":
                parts.append(_unescape(_text(child)))
        return "".join(parts)
    return None


class _GoWalker(_Walker):
    CALLS = frozenset({"call_expression"})
    MEMBER = ("selector_expression", "operand", "field")
    NAMES = frozenset({"identifier", "package_identifier"})

    def visit(self, node: Any) -> None:
        if node.type != "import_spec":
            return
        path, name = node.child_by_field_name("path"), node.child_by_field_name("name")
        module = _go_string(path) if path is not None else None
        if not module:
            return
        if name is not None and name.type == "package_identifier":
            alias = _text(name)
        elif name is not None:  # `_` and `.` imports bind no name a call could use
            return
        else:
            alias = module.rsplit("/", 1)[-1]
        self.imports.append(Import(module, "*", alias, _line(node)))


    def call(self, node: Any, depth: int) -> Call | None:
        callee = self.dotted(node.child_by_field_name("function"))
        arguments = node.child_by_field_name("arguments")
        if not callee or arguments is None:
            return None
        args = tuple(self.value(a, depth + 1) for a in arguments.named_children if a.type != "comment")
        return Call(callee, _line(node), node.start_point[1] + 1, args, (), False, node.end_point[0] + 1)

    def value(self, node: Any, depth: int) -> Any:
        kind = node.type
        if depth > MAX_DEPTH:
            return _unresolved(node)
        if kind in ("interpreted_string_literal", "raw_string_literal"):
            return _go_string(node)
        if kind in ("int_literal", "float_literal"):
            return _number(_text(node))
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "nil":
            return None
        if kind == "unary_expression" and _text(node).startswith("&"):
            operand = node.child_by_field_name("operand")
            return self.value(operand, depth + 1) if operand is not None else _unresolved(node)
        if kind == "composite_literal":
            body = node.child_by_field_name("body")
            return self.literal(body, depth + 1) if body is not None else _unresolved(node)
        if kind == "literal_value":
            return self.literal(node, depth + 1)
        if kind == "literal_element" and node.named_child_count == 1:
            return self.value(node.named_children[0], depth + 1)
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self.value(node.named_children[0], depth + 1)
        if kind == "call_expression":
            return self.call(node, depth + 1) or _unresolved(node)
        return _unresolved(node)

    def literal(self, body: Any, depth: int) -> Any:
        """`{Name: x, ...}` as a dict; `{a, b}` as a list."""
        elements = [c for c in body.named_children if c.type != "comment"]
        if elements and all(e.type == "keyed_element" for e in elements):
            result: dict[str, Any] = {}
            for element in elements:
                key, value = element.child_by_field_name("key"), element.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = _go_string(key.named_children[0]) if key.named_child_count == 1 and "string" in key.named_children[0].type else _text(key)
                if name is not None:
                    result[name] = self.value(value, depth + 1)
            return result
        return [self.value(e, depth + 1) for e in elements]


_WALKERS = {"typescript": _JsWalker, "tsx": _JsWalker, "javascript": _JsWalker, "python": _PyWalker, "go": _GoWalker}
