"""Evaluate the small part of HCL expressions that decides a verdict, and nothing more.

Values arrive in python-hcl2's serialised form: '"literal"', '"text-${var.x}"', '${expr}',
numbers, booleans, None, lists and dicts. We evaluate literals, string templates, references
(var., local., resource and data attributes) with index and attribute access, list literals,
and a handful of pure functions. Anything else (operators, conditionals, for-expressions)
stays Unresolved with the expression text, so a rule that depends on it says "unknown".
"""

from __future__ import annotations

import re
from typing import Any, Callable

from portacheck.model import Unresolved

Resolver = Callable[[str, list], Any]  # (root name, accessor path) -> value

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_DIGITS = re.compile(r"\d+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r'^"<<-?([A-Za-z_][A-Za-z0-9_.-]*)\r?\n(.*)\1"$', re.S)


def is_literal_string(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"'


def evaluate(value: Any, resolve: Resolver, depth: int = 0) -> Any:
    """Resolve a serialised value; unresolvable parts become Unresolved(expression)."""
    if depth > 40:
        return Unresolved(str(value)[:200])
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and _single_interpolation(value):
            return _Expr(value[2:-1], resolve, depth).parse()
        if is_literal_string(value):
            return _template(value, resolve, depth)
        return value
    if isinstance(value, list):
        items = [evaluate(v, resolve, depth + 1) for v in value]
        return items
    if isinstance(value, dict):
        return {str(k).strip('"'): evaluate(v, resolve, depth + 1) for k, v in value.items()}
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


def _single_interpolation(text: str) -> bool:
    """True when '${...}' spans the whole string (not '${a}-${b}')."""
    depth = 0
    i = 0
    in_string = False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
        i += 1
    return True


def unquote(literal: str) -> str:
    """The text of a quoted literal or heredoc, with HCL's escapes resolved."""
    heredoc = _HEREDOC.match(literal)
    if heredoc:
        body = heredoc.group(2)
        if literal.startswith('"<<-'):
            body = _dedent(body)
        return body.rstrip(" \t").removesuffix("\n")
    inner = literal[1:-1]
    if "\\" not in inner and "$${" not in inner:
        return inner
    out = []
    i = 0
    while i < len(inner):
        c = inner[i]
        if c == "\\" and i + 1 < len(inner):
            nxt = inner[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        if inner.startswith("$${", i):
            out.append("${")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _dedent(body: str) -> str:
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines)


def _template(literal: str, resolve: Resolver, depth: int) -> Any:
    if _HEREDOC.match(literal):
        if "${" not in literal.replace("$${", ""):
            return unquote(literal)
        return Unresolved(literal)
    inner = literal[1:-1]
    if "${" not in inner.replace("$${", "") and "%{" not in inner:
        return unquote(literal)
    if "%{" in inner.replace("%%{", ""):
        return Unresolved(literal)
    parts: list[str] = []
    i = 0
    text_start = 0
    while i < len(inner):
        if inner.startswith("$${", i):
            i += 3
            continue
        if inner.startswith("${", i):
            end = _matching_brace(inner, i + 1)
            if end < 0:
                return Unresolved(literal)
            parts.append(unquote('"' + inner[text_start:i] + '"'))
            value = _Expr(inner[i + 2 : end], resolve, depth).parse()
            if isinstance(value, Unresolved) or isinstance(value, (list, dict)) or value is None:
                return Unresolved(literal)
            parts.append(_to_text(value))
            i = end + 1
            text_start = i
            continue
        if inner[i] == "\\":
            i += 2
            continue
        i += 1
    parts.append(unquote('"' + inner[text_start:] + '"'))
    return "".join(parts)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matching_brace(text: str, open_index: int) -> int:
    depth = 0
    i = open_index
    in_string = False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class _Fail(Exception):
    pass


class _Expr:
    """A recursive-descent reader for the supported subset; raises _Fail on anything else."""

    def __init__(self, text: str, resolve: Resolver, depth: int):
        self.text = text.strip()
        self.pos = 0
        self.resolve = resolve
        self.depth = depth
        self.skipping = 0  # > 0 while reading the branch of a conditional that is not taken

    # -- operators: conditional, ||, &&, ==/!=, comparisons, unary ! and - --

    def conditional(self) -> Any:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.pos += 1
        if not self.skipping and not isinstance(condition, bool):
            raise _Fail
        chosen = None
        for branch in (True, False):
            take = self.skipping == 0 and condition is branch
            if not take:
                self.skipping += 1
            try:
                value = self.conditional()
            finally:
                if not take:
                    self.skipping -= 1
            if take:
                chosen = value
            if branch:
                self.expect(":")
        return chosen if not self.skipping else _ANY

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            self.skip()
            op = next((o for o in self._LEVELS[level] if self.text.startswith(o, self.pos)), None)
            if op is None or (op in ("<", ">") and self.text.startswith(op + op, self.pos)):
                return left
            self.pos += len(op)
            right = self.binary(level + 1)
            left = _ANY if self.skipping else _apply(op, left, right)

    def unary(self) -> Any:
        c = self.peek()
        if c == "!" and not self.text.startswith("!=", self.pos):
            self.pos += 1
            value = self.unary()
            if self.skipping:
                return _ANY
            if not isinstance(value, bool):
                raise _Fail
            return not value
        return self.value()

    def parse(self) -> Any:
        try:
            value = self.conditional()
            self.skip()
            if self.pos != len(self.text):
                raise _Fail
            return value
        except _Fail:
            return Unresolved("${" + self.text + "}")
        except RecursionError:
            return Unresolved("${" + self.text[:200] + "}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _Fail
        self.pos += 1

    def value(self) -> Any:
        c = self.peek()
        if c == '"':
            return self.string()
        if c == "[":
            return self.list_literal()
        if c == "(":
            self.pos += 1
            inner = self.value()
            self.expect(")")
            return inner
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            number = match.group(0)
            return float(number) if any(ch in number for ch in ".eE") else int(number)
        ident = _IDENT.match(self.text, self.pos)
        if not ident:
            raise _Fail
        name = ident.group(0)
        self.pos = ident.end()
        if name in ("true", "false"):
            return name == "true"
        if name == "null":
            return None
        if self.peek() == "(":
            return self.call(name)
        path = self.accessors()
        if self.skipping:
            return _ANY
        value = self.resolve(name, path)
        if isinstance(value, Unresolved):
            raise _Fail
        return value

    def accessors(self) -> list:
        path: list = []
        while True:
            c = self.peek()
            if c == ".":
                self.pos += 1
                ident = _IDENT.match(self.text, self.pos)
                if ident:
                    path.append(ident.group(0))
                    self.pos = ident.end()
                elif self.text.startswith("*", self.pos):
                    raise _Fail
                else:
                    number = _DIGITS.match(self.text, self.pos)
                    if not number:
                        raise _Fail
                    path.append(int(number.group(0)))
                    self.pos = number.end()
            elif c == "[":
                self.pos += 1
                key = self.conditional()
                self.expect("]")
                if not self.skipping and (not isinstance(key, (str, int)) or isinstance(key, bool)):
                    raise _Fail
                path.append(key)
            else:
                return path

    def string(self) -> Any:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c == "\\":
                self.pos += 2
                continue
            if c == "$" and self.text.startswith("${", self.pos):
                end = _matching_brace(self.text, self.pos + 1)
                if end < 0:
                    raise _Fail
                self.pos = end + 1
                continue
            if c == '"':
                self.pos += 1
                if self.skipping:
                    return _ANY
                value = _template(self.text[start : self.pos], self.resolve, self.depth + 1)
                if isinstance(value, Unresolved):
                    raise _Fail
                return value
            self.pos += 1
        raise _Fail

    def list_literal(self) -> list:
        self.expect("[")
        items = []
        while self.peek() != "]":
            items.append(self.conditional())
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _Fail
        self.pos += 1
        return items

    def call(self, name: str) -> Any:
        self.expect("(")
        args = []
        while self.peek() != ")":
            start = self.pos
            try:
                args.append(self.conditional())
            except _Fail:
                if name not in ("try", "coalesce"):
                    raise
                self.pos = start
                self.skip_argument()
                args.append(_FAILED)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != ")":
                raise _Fail
        self.pos += 1
        function = _FUNCTIONS.get(name)
        if function is None:
            raise _Fail
        if self.skipping:
            return _ANY
        return function(args)

    def skip_argument(self) -> None:
        depth = 0
        in_string = False
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if in_string:
                if c == "\\":
                    self.pos += 2
                    continue
                if c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return
                depth -= 1
            elif c == "," and depth == 0:
                return
            self.pos += 1


_FAILED = object()
_ANY = object()  # the value of an expression in a branch that is not taken


def _apply(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        if isinstance(left, (list, dict)) or isinstance(right, (list, dict)):
            raise _Fail
        equal = left == right and type(left) is type(right) or (left is None and right is None)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(left, bool) and not isinstance(right, bool):
            equal = left == right
        return equal if op == "==" else not equal
    if op in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise _Fail
        return (left and right) if op == "&&" else (left or right)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
        raise _Fail
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


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
    if len(args) not in (2, 3) or _FAILED in args or not isinstance(args[0], dict):
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


_FUNCTIONS: dict[str, Callable[[list], Any]] = {
    "lower": lambda a: str(_scalar(a)[0]).lower(),
    "upper": lambda a: str(_scalar(a)[0]).upper(),
    "trimspace": lambda a: str(_scalar(a)[0]).strip(),
    "tostring": lambda a: _to_text(_scalar(a)[0]),
    "tonumber": lambda a: float(_scalar(a)[0]) if "." in str(a[0]) else int(_scalar(a)[0]),
    "try": _try,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "toset": _collection,
    "tolist": _collection,
    "distinct": _collection,
    "length": lambda a: len(_sized(a)),
    "contains": lambda a: _contains(a),
}


def _sized(args: list) -> Any:
    if len(args) != 1 or not isinstance(args[0], (list, dict, str)):
        raise _Fail
    return args[0]


def _contains(args: list) -> bool:
    if len(args) != 2 or not isinstance(args[0], list) or isinstance(args[1], (list, dict)):
        raise _Fail
    return args[1] in args[0]
