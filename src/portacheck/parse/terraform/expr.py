"""Evaluate Terraform expressions from tree-sitter's typed syntax nodes, as far as a verdict needs.

Literals, templates and heredocs, references (through a resolver the caller gives), operators,
conditionals, `for` expressions, splats and a handful of pure functions are evaluated. Anything
else, and anything that depends on something unknown, is Unresolved with the expression's text,
so a rule that depends on it says "unknown" and which expression it could not resolve.
Values of the JSON syntax are decoded JSON; their strings are templates and go through the same
template evaluation (tree-sitter parses them as a heredoc body).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from portacheck.model import Unresolved

Resolver = Callable[[str, list], Any]  # (root name, accessor path) -> value


class _Fail(Exception):
    """Raised inside an expression that cannot be evaluated; the outermost evaluation catches it."""


def is_node(value: Any) -> bool:
    return hasattr(value, "named_children")


def evaluate(value: Any, resolve: Resolver) -> Any:
    """The value of an attribute: collections element by element, each unresolvable part Unresolved."""
    if is_node(value):
        return _value(value, resolve)
    if isinstance(value, str):
        return _json_string(value, resolve)
    if isinstance(value, list):
        return [evaluate(v, resolve) for v in value]
    if isinstance(value, dict):
        return {str(k): evaluate(v, resolve) for k, v in value.items()}
    return value


def contains_unresolved(value: Any) -> Unresolved | None:
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, list):
        for item in value:
            found = contains_unresolved(item)
            if found:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = contains_unresolved(item)
            if found:
                return found
    return None


def literal_string(value: Any) -> str | None:
    """The text of a string literal (quoted or heredoc) without interpolations; else None."""
    if is_node(value):
        node = _single(value)
        if node.type == "literal_value" or node.type == "template_expr":
            node = node.named_children[0]
        if node.type not in ("string_lit", "quoted_template", "heredoc_template"):
            return None
        if any(c.type in ("template_interpolation", "template_directive") for c in node.named_children):
            return None
        try:
            return _Eval(_no_references).template(node)
        except (_Fail, RecursionError):
            return None
    if isinstance(value, str) and "${" not in value and "%{" not in value:
        return value
    return None


def reference_text(value: Any) -> str:
    """An expression's source text, as a provider reference (`aws.west`) is written."""
    text = value.text.decode("utf-8") if is_node(value) else str(value)
    return text.strip().strip("${}\"").strip()


def object_entries(value: Any) -> dict[str, Any] | None:
    """The entries of an object constructor (`{ aws = aws.west }`), keys as written; else None."""
    if isinstance(value, dict):
        return dict(value)
    if not is_node(value):
        return None
    node = _single(value)
    if node.type == "collection_value":
        node = node.named_children[0]
    if node.type != "object":
        return None
    entries = {}
    for elem in node.named_children:
        if elem.type == "object_elem" and len(elem.named_children) == 2:
            key, val = elem.named_children
            entries[reference_text(key)] = val
    return entries


def string_leaves(value: Any) -> Iterator[tuple[str, int, Any]]:
    """(raw text, line, template) of every string in a value, for the endpoint matcher.

    The raw text is the source between the quotes (a heredoc: its body); template is what to
    evaluate when the text interpolates, None for heredocs. Line 0: unknown (JSON syntax).
    Object keys are not leaves; strings inside an interpolation belong to their template."""
    if is_node(value):
        yield from _node_leaves(value)
    elif isinstance(value, str):
        yield value, 0, value if "${" in value else None
    elif isinstance(value, list):
        for item in value:
            yield from string_leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from string_leaves(item)


def _node_leaves(node: Any) -> Iterator[tuple[str, int, Any]]:
    found = _leaf_cursor().captures(node)
    keys = [(k.start_byte, k.end_byte) for k in found.get("key", ()) if k.parent.named_child_count == 2]
    covered = -1  # end of the last string read: strings inside it belong to its template
    for leaf in sorted(found.get("string", ()), key=lambda n: n.start_byte):
        start = leaf.start_byte
        if (start < covered and not _branch(leaf)) or any(k_start <= start < k_end for k_start, k_end in keys):
            continue
        covered = leaf.end_byte
        if leaf.type == "heredoc_template":
            body, _holes = _heredoc_body(leaf, keep_holes=True)
            yield _heredoc_finish(body), leaf.start_point[0] + 2, None
        else:
            text = leaf.text.decode("utf-8")
            yield text[1:-1] if text.endswith('"') and len(text) > 1 else text[1:], leaf.start_point[0] + 1, leaf


def _branch(leaf: Any) -> bool:
    """A string that is a result of a conditional (`${var.a ? "x.blob.core.windows.net" : "y"}`):
    read on its own too, since the template's value holds only the branch taken."""
    node, parent = leaf, leaf.parent
    while parent is not None and parent.type in ("literal_value", "template_expr", "expression"):
        node, parent = parent, parent.parent
    return parent is not None and parent.type == "conditional" and parent.named_children[0] != node


@functools.cache
def _leaf_cursor() -> Any:
    """Strings and object keys under a node, found by tree-sitter rather than a walk in Python."""
    import tree_sitter

    from portacheck.parse.terraform.hcl import parser

    query = tree_sitter.Query(
        parser().language, "[(string_lit) (quoted_template) (heredoc_template)] @string (object_elem key: (expression) @key)"
    )
    return tree_sitter.QueryCursor(query)


def evaluate_template(template: Any, resolve: Resolver) -> Any:
    """A string leaf's template (see string_leaves), evaluated: a str or Unresolved."""
    if isinstance(template, str):
        return _json_string(template, resolve)
    return _value(template, resolve)


def template_text(template: Any, resolve: Resolver) -> Any:
    """A string leaf's template with every interpolation that resolves evaluated and the others
    kept as written, for the endpoint matcher: `sb-${local.name}.servicebus.windows.net` when
    local.name is unknown. Unresolved only when the template itself cannot be read."""
    evaluator = _PartialEval(resolve)
    try:
        if isinstance(template, str):
            node = _json_template(template) if "${" in template or "%{" in template else None
            return template if node is None else evaluator.template(node)
        inner = _single(template)
        if _is_template(inner):
            return evaluator.template(_template_node(inner))
    except (_Fail, RecursionError):
        pass
    return evaluate_template(template, resolve)


# --- entry points ----------------------------------------------------------------------------


def _value(node: Any, resolve: Resolver) -> Any:
    inner = _single(node)
    kind = inner.type
    if kind == "collection_value":
        collection = inner.named_children[0]
        if collection.type == "tuple":
            return [_value(item, resolve) for item in collection.named_children if item.type == "expression"]
        if collection.type == "object":
            result = {}
            for elem in collection.named_children:
                if elem.type == "object_elem" and len(elem.named_children) == 2:
                    key, val = elem.named_children
                    result[_key(key, resolve)] = _value(val, resolve)
            return result
    evaluator = _Eval(resolve)
    try:
        if kind in ("literal_value", "template_expr", "string_lit", "quoted_template", "heredoc_template") and _is_template(inner):
            try:
                return evaluator.template(_template_node(inner))
            except _Fail:
                return Unresolved(_text(inner))
        return evaluator.expr(node)
    except (_Fail, RecursionError):
        return Unresolved("${" + _text(node) + "}")


def _key(node: Any, resolve: Resolver) -> str:
    """An object key: a bare name or a string as written; a computed key when it resolves."""
    inner = _single(node)
    if inner.type == "variable_expr" and len(node.named_children) == 1:
        return inner.text.decode("utf-8")
    try:
        value = _Eval(resolve).expr(node)
    except (_Fail, RecursionError):
        return _text(node)
    return value if isinstance(value, str) else _to_text(value)


def _json_string(text: str, resolve: Resolver) -> Any:
    if "${" not in text and "%{" not in text:
        return text
    template = _json_template(text)
    if template is None:
        return Unresolved(text)
    try:
        return _Eval(resolve).template(template)
    except (_Fail, RecursionError):
        return Unresolved(text if text.startswith("${") and text.endswith("}") else '"' + text + '"')


@functools.lru_cache(maxsize=4096)
def _json_template(text: str) -> Any:
    """A JSON syntax string parsed as an HCL template: the body of a heredoc, which has no escapes."""
    from portacheck.parse.terraform.hcl import parser

    marker = "EOT"
    while marker in text:
        marker += "X"
    source = f"a = <<{marker}\n{text}\n{marker}\n".encode()
    root = parser().parse(source).root_node
    if root.has_error:
        return None
    node = root
    for kind in ("body", "attribute", "expression", "template_expr", "heredoc_template"):
        node = next((c for c in node.named_children if c.type == kind), None)
        if node is None:
            return None
    return node


def _no_references(name: str, path: list) -> Any:
    return Unresolved(name)


# --- syntax helpers --------------------------------------------------------------------------


def _single(node: Any) -> Any:
    """The node an `expression` wraps when it wraps exactly one (no accessors after it)."""
    while node.type == "expression":
        children = node.named_children
        if len(children) != 1:
            return node
        node = children[0]
    return node


def _is_template(node: Any) -> bool:
    if node.type == "literal_value":
        return node.named_children[0].type == "string_lit"
    return True


def _template_node(node: Any) -> Any:
    if node.type in ("literal_value", "template_expr"):
        return node.named_children[0]
    return node


def _text(node: Any) -> str:
    text = node.text.decode("utf-8")
    return " ".join(text.split()) if "\n" in text else text


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    """A quoted template's literal text with HCL's escapes resolved."""
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = raw[i + 2 : i + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        if raw.startswith("$${", i) or raw.startswith("%%{", i):
            out.append(raw[i + 1 : i + 3])
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _heredoc_body(node: Any, keep_holes: bool = False) -> tuple[str, list[Any]]:
    """A heredoc's body text with each interpolation or directive replaced by NUL (or kept as
    written), and those nodes; `<<-` bodies dedented."""
    text = node.text
    base = node.start_byte
    idents = [c for c in node.named_children if c.type == "heredoc_identifier"]
    if not idents:
        return "", []
    start = text.find(b"\n", idents[0].end_byte - base) + 1 or len(text)
    end = len(text)
    if len(idents) > 1:
        end = text.rfind(b"\n", 0, idents[-1].start_byte - base) + 1
    end = max(end, start)
    holes = [c for c in node.named_children if c.type in ("template_interpolation", "template_directive")]
    pieces = []
    cursor = start
    for hole in holes:
        pieces.append(text[cursor : hole.start_byte - base])
        pieces.append(text[hole.start_byte - base : hole.end_byte - base] if keep_holes else b"\x00")
        cursor = hole.end_byte - base
    pieces.append(text[cursor:end])
    body = b"".join(pieces).decode("utf-8")
    if node.named_children[0].text == b"<<-":
        body = _dedent(body)
    return body, holes


def _heredoc_finish(body: str) -> str:
    return body.rstrip(" \t").removesuffix("\n").removesuffix("\r")


def _dedent(body: str) -> str:
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines)


# --- the evaluator ---------------------------------------------------------------------------

_FAILED = object()  # an argument of try() or coalesce() that could not be evaluated


class _Eval:
    """Evaluates one expression strictly: raises _Fail on anything unknown or unsupported."""

    def __init__(self, resolve: Resolver, scope: dict[str, Any] | None = None):
        self.resolve = resolve
        self.scope = scope or {}

    def expr(self, node: Any) -> Any:
        kind = node.type
        if kind == "expression":
            return self.term(node.named_children)
        if kind == "operation":
            return self.operation(node.named_children[0])
        if kind == "conditional":
            condition, yes, no = node.named_children[:3]
            chosen = self.expr(condition)
            if not isinstance(chosen, bool):
                raise _Fail
            return self.expr(yes if chosen else no)
        return self.term([node])

    def term(self, nodes: list) -> Any:
        if not nodes:
            raise _Fail
        first, rest = nodes[0], nodes[1:]
        if first.type == "variable_expr":
            name = first.text.decode("utf-8")
            if name in self.scope:
                return self.postfix(self.scope[name], rest)
            path = []
            while rest and rest[0].type in ("get_attr", "index"):
                path.append(self.accessor(rest[0]))
                rest = rest[1:]
            value = self.resolve(name, path)
            if isinstance(value, Unresolved):
                raise _Fail
            return self.postfix(value, rest)
        return self.postfix(self.primary(first), rest)

    def primary(self, node: Any) -> Any:
        kind = node.type
        if kind == "literal_value":
            literal = node.named_children[0]
            if literal.type == "numeric_lit":
                return _number(literal.text.decode("utf-8"))
            if literal.type == "bool_lit":
                return literal.text == b"true"
            if literal.type == "null_lit":
                return None
            return self.template(literal)
        if kind == "template_expr":
            return self.template(node.named_children[0])
        if kind == "function_call":
            return self.call(node)
        if kind == "collection_value":
            return self.collection(node.named_children[0])
        if kind == "for_expr":
            return self.for_expr(node.named_children[0])
        if kind in ("expression", "operation", "conditional"):
            return self.expr(node)
        raise _Fail

    # -- accessors and splats --

    def accessor(self, node: Any) -> Any:
        if node.type == "get_attr":
            return node.named_children[0].text.decode("utf-8")
        inner = node.named_children[0]  # new_index or legacy_index
        if inner.type == "legacy_index":
            digits = inner.text.decode("utf-8").lstrip(".")
            if not digits.isdigit():
                raise _Fail
            return int(digits)
        key = self.expr(inner.named_children[0])
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise _Fail
        return key

    def postfix(self, value: Any, nodes: list) -> Any:
        for position, node in enumerate(nodes):
            if node.type == "splat":
                splat = node.named_children[0]
                items = [] if value is None else value if isinstance(value, list) else [value]
                inner = [c for c in splat.named_children if c.type in ("get_attr", "index")]
                value = [self.postfix(item, inner) for item in items]
                return self.postfix(value, nodes[position + 1 :])
            value = _get(value, self.accessor(node))
        return value

    # -- operators --

    def operation(self, node: Any) -> Any:
        operator = next((c for c in node.children if not c.is_named and c.type in _OPERATORS), None)
        if operator is None:
            raise _Fail
        op = operator.type
        if node.type == "unary_operation":
            value = self.term([c for c in node.children if c.is_named])
            if op == "!" and isinstance(value, bool):
                return not value
            if op == "-" and _is_number(value):
                return -value
            raise _Fail
        left = [c for c in node.children if c.is_named and c.end_byte <= operator.start_byte]
        right = [c for c in node.children if c.is_named and c.start_byte >= operator.end_byte]
        return _apply(op, self.term(left), self.term(right))

    # -- collections and for expressions --

    def collection(self, node: Any) -> Any:
        if node.type == "tuple":
            return [self.expr(item) for item in node.named_children if item.type == "expression"]
        if node.type == "object":
            result = {}
            for elem in node.named_children:
                if elem.type == "object_elem" and len(elem.named_children) == 2:
                    key, val = elem.named_children
                    inner = _single(key)
                    name = inner.text.decode("utf-8") if inner.type == "variable_expr" and len(key.named_children) == 1 else self.expr(key)
                    if not isinstance(name, (str, int, float)) or isinstance(name, bool):
                        raise _Fail
                    result[_to_text(name)] = self.expr(val)
            return result
        raise _Fail

    def for_expr(self, node: Any) -> Any:
        intro = next(c for c in node.named_children if c.type == "for_intro")
        names = [c.text.decode("utf-8") for c in intro.named_children if c.type == "identifier"]
        source = self.expr(next(c for c in intro.named_children if c.type == "expression"))
        body = [c for c in node.named_children if c.type == "expression"]
        condition = next((c for c in node.named_children if c.type == "for_cond"), None)
        grouping = any(c.type == "ellipsis" for c in node.named_children)
        if isinstance(source, dict):
            pairs = [(k, source[k]) for k in sorted(source)]
        elif isinstance(source, list):
            pairs = list(enumerate(source))
        else:
            raise _Fail
        tuple_result: list = []
        object_result: dict = {}
        for key, item in pairs:
            scope = dict(self.scope)
            if len(names) == 1:
                scope[names[0]] = item
            else:
                scope[names[0]], scope[names[1]] = key, item
            inner = _Eval(self.resolve, scope)
            if condition is not None:
                keep = inner.expr(condition.named_children[0])
                if not isinstance(keep, bool):
                    raise _Fail
                if not keep:
                    continue
            if node.type == "for_tuple_expr":
                tuple_result.append(inner.expr(body[0]))
                continue
            name = inner.expr(body[0])
            if not isinstance(name, (str, int, float)) or isinstance(name, bool):
                raise _Fail
            name = _to_text(name)
            value = inner.expr(body[1])
            if grouping:
                object_result.setdefault(name, []).append(value)
            elif name in object_result:
                raise _Fail  # duplicate key: an error in Terraform
            else:
                object_result[name] = value
        return tuple_result if node.type == "for_tuple_expr" else object_result

    # -- templates --

    def template(self, node: Any) -> str:
        if node.type == "heredoc_template":
            body, holes = _heredoc_body(node)
            parts = body.split("\x00")
            out = [_unescape_markers(parts[0])]
            for hole, text in zip(holes, parts[1:], strict=False):  # more parts than holes when the body holds a NUL itself
                out.append(self.interpolation(hole))
                out.append(_unescape_markers(text))
            return _heredoc_finish("".join(out))
        text = node.text
        base = node.start_byte
        children = node.children
        if len(children) < 2 or children[-1].type != "quoted_template_end":
            raise _Fail
        cursor = children[0].end_byte - base
        out = []
        for child in children[1:-1]:
            if child.type in ("template_interpolation", "template_directive"):
                out.append(_unescape(text[cursor : child.start_byte - base].decode("utf-8")))
                out.append(self.interpolation(child))
                cursor = child.end_byte - base
        out.append(_unescape(text[cursor : children[-1].start_byte - base].decode("utf-8")))
        return "".join(out)

    def interpolation(self, node: Any) -> str:
        if node.type != "template_interpolation":
            raise _Fail  # %{ if } and %{ for } directives are not evaluated
        inner = next((c for c in node.named_children if c.type == "expression"), None)
        if inner is None:
            raise _Fail
        value = self.expr(inner)
        if value is None or isinstance(value, (list, dict)):
            raise _Fail
        return _to_text(value)

    # -- functions --

    def call(self, node: Any) -> Any:
        name = node.named_children[0].text.decode("utf-8")
        # A resolver may carry functions of its own language (Terragrunt's find_in_parent_folders...)
        function = _FUNCTIONS.get(name) or getattr(self.resolve, "functions", {}).get(name)
        if function is None:
            raise _Fail
        arguments = next((c for c in node.named_children if c.type == "function_arguments"), None)
        nodes = [c for c in arguments.named_children if c.type == "expression"] if arguments is not None else []
        expand = arguments is not None and any(c.type == "ellipsis" for c in arguments.named_children)
        args = []
        for arg in nodes:
            if name in ("try", "coalesce"):
                try:
                    args.append(self.expr(arg))
                except _Fail:
                    args.append(_FAILED)
            else:
                args.append(self.expr(arg))
        if expand:
            if not args or not isinstance(args[-1], list):
                raise _Fail
            args = args[:-1] + list(args[-1])
        result = function(args)
        if isinstance(result, Unresolved):
            raise _Fail
        return result


_OPERATORS = frozenset({"||", "&&", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "!"})


def _unescape_markers(text: str) -> str:
    return text.replace("$${", "${").replace("%%{", "%{")


def _number(text: str) -> int | float:
    try:
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        raise _Fail from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _get(value: Any, key: Any) -> Any:
    if isinstance(value, dict) and isinstance(key, str) and key in value:
        return value[key]
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    raise _Fail


def _apply(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        if isinstance(left, (list, dict)) or isinstance(right, (list, dict)):
            raise _Fail
        equal = (left == right and type(left) is type(right)) or (left is None and right is None)
        if _is_number(left) and _is_number(right):
            equal = left == right
        return equal if op == "==" else not equal
    if op in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise _Fail
        return (left and right) if op == "&&" else (left or right)
    if not (_is_number(left) and _is_number(right)):
        raise _Fail
    if op in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
    if op in ("/", "%") and right == 0:
        raise _Fail
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        result = left / right
        return int(result) if result.is_integer() else result
    if op == "%":
        return left % right
    raise _Fail


# --- functions -------------------------------------------------------------------------------


def _scalar(args: list, count: int = 1) -> list:
    if len(args) != count or any(a is _FAILED or isinstance(a, (list, dict)) or a is None for a in args):
        raise _Fail
    return args


def _try(args: list) -> Any:
    for arg in args:
        if arg is not _FAILED:
            return arg
    raise _Fail


def _coalesce(args: list) -> Any:
    for arg in args:
        if arg is _FAILED:
            raise _Fail  # an earlier unknown argument might have been the non-empty one
        if arg not in (None, ""):
            return arg
    raise _Fail


def _lookup(args: list) -> Any:
    if len(args) not in (2, 3) or not isinstance(args[0], dict):
        raise _Fail
    if args[1] in args[0]:
        return args[0][args[1]]
    if len(args) == 3:
        return args[2]
    raise _Fail


def _collection(args: list) -> list:
    if len(args) != 1 or not isinstance(args[0], list):
        raise _Fail
    return args[0]


def _sized(args: list) -> Any:
    if len(args) != 1 or not isinstance(args[0], (list, dict, str)):
        raise _Fail
    return args[0]


def _contains(args: list) -> bool:
    if len(args) != 2 or not isinstance(args[0], list) or isinstance(args[1], (list, dict)):
        raise _Fail
    return args[1] in args[0]


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or any(v is None or isinstance(v, (list, dict)) for v in values):
        raise _Fail
    return [_to_text(v) for v in values]


def _join(args: list) -> str:
    if len(args) < 2 or not isinstance(args[0], str):
        raise _Fail
    return args[0].join(item for lst in args[1:] for item in _strings(lst))


def _concat(args: list) -> list:
    if not all(isinstance(a, list) for a in args):
        raise _Fail
    return [item for lst in args for item in lst]


def _merge(args: list) -> dict:
    if not all(isinstance(a, dict) or a is None for a in args):
        raise _Fail
    merged: dict = {}
    for item in args:
        merged.update(item or {})
    return merged


def _format(args: list) -> str:
    """format() with %s, %d and %%, the verbs module code uses for names and hosts."""
    if not args or not isinstance(args[0], str):
        raise _Fail
    spec, values = args[0], _scalar(args[1:], len(args) - 1) if len(args) > 1 else []
    out = []
    i = 0
    index = 0
    while i < len(spec):
        if spec[i] != "%":
            out.append(spec[i])
            i += 1
            continue
        verb = spec[i + 1 : i + 2]
        if verb == "%":
            out.append("%")
        elif verb in ("s", "d") and index < len(values):
            value = values[index]
            if verb == "d" and not _is_number(value):
                raise _Fail
            out.append(_to_text(value))
            index += 1
        else:
            raise _Fail
        i += 2
    return "".join(out)


def _replace(args: list) -> str:
    text, old, new = _scalar(args, 3)
    if not all(isinstance(v, str) for v in (text, old, new)) or (old.startswith("/") and old.endswith("/")):
        raise _Fail  # a /regex/ pattern is not evaluated
    return text.replace(old, new)


def _element(args: list) -> Any:
    if len(args) != 2 or not isinstance(args[0], list) or not args[0] or not isinstance(args[1], int) or isinstance(args[1], bool):
        raise _Fail
    return args[0][args[1] % len(args[0])]


def _split(args: list) -> list:
    separator, text = _scalar(args, 2)
    if not isinstance(separator, str) or not isinstance(text, str) or not separator:
        raise _Fail
    return text.split(separator)


def _keys(args: list) -> list:
    if len(args) != 1 or not isinstance(args[0], dict):
        raise _Fail
    return sorted(args[0])


def _values(args: list) -> list:
    if len(args) != 1 or not isinstance(args[0], dict):
        raise _Fail
    return [args[0][k] for k in sorted(args[0])]


_FUNCTIONS: dict[str, Callable[[list], Any]] = {
    "lower": lambda a: str(_scalar(a)[0]).lower(),
    "upper": lambda a: str(_scalar(a)[0]).upper(),
    "trimspace": lambda a: str(_scalar(a)[0]).strip(),
    "tostring": lambda a: _to_text(_scalar(a)[0]),
    "tonumber": lambda a: _number(str(_scalar(a)[0])),
    "try": _try,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "toset": _collection,
    "tolist": _collection,
    "distinct": _collection,
    "length": lambda a: len(_sized(a)),
    "contains": _contains,
    "join": _join,
    "concat": _concat,
    "merge": _merge,
    "format": _format,
    "replace": _replace,
    "element": _element,
    "split": _split,
    "keys": _keys,
    "values": _values,
}


class _PartialEval(_Eval):
    """Evaluates a template's interpolations one by one: one it cannot stays as written, and so does
    one that comes out empty (`try(data.aws_partition.current.partition, "")` says nothing)."""

    def interpolation(self, node: Any) -> str:
        try:
            value = super().interpolation(node)
        except (_Fail, RecursionError):
            value = ""
        return value or node.text.decode("utf-8")
