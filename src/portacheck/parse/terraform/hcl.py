"""Read one HCL file (.tf, .tofu, .tfvars, later Terragrunt .hcl) with tree-sitter-hcl.

Blocks and attributes keep their first and last line; an attribute's value is its typed syntax
node, evaluated by `expr`. A syntax error costs one located ScanError, not the file: tree-sitter
recovers, and every block the tree still holds is read, wherever the recovery put it. Comments
holding the inline suppression marker are collected for `directives`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError

MARKER = b"portacheck:ignore"
# Deeper expressions are refused: evaluation recurses once or twice per syntax node.
MAX_NODE_DEPTH = 200
# Blocks that only appear at the top of a file: met deeper in a file with a syntax error, they
# are where error recovery put them (inside the block left unclosed), and are read as top-level.
TOP_LEVEL_TYPES = frozenset(
    {"resource", "data", "module", "provider", "variable", "output", "locals", "terraform", "moved", "import", "check", "removed"}
)


@dataclass(slots=True)
class Attr:
    name: str
    value: Any  # a tree-sitter `expression` node (native syntax) or a decoded JSON value
    line: int
    end_line: int
    leaves: tuple | None = None  # its string leaves that may hold an endpoint, once read (evaluate)
    # (references looked up, value) of its last evaluation, key -1, and of its string leaf i's template, key i (evaluate)
    last: dict[int, tuple] = field(default_factory=dict)


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    texts: tuple | None = None  # (skipped names, its attributes with string leaves by key path), once read (evaluate)


@dataclass(slots=True)
class Comment:
    line: int  # first line of the comment
    end_line: int
    column: int  # 0-based byte column where it starts
    text: str


@dataclass(slots=True)
class HclFile:
    relpath: str
    lines: list[str]
    blocks: list[Block]
    attrs: dict[str, Attr] = field(default_factory=dict)  # top-level attributes: only .tfvars have them
    error: InputError | None = None  # the first syntax error; what the tree still holds was read
    comments: list[Comment] = field(default_factory=list)  # all of them, when one holds the marker


@functools.cache
def parser():
    """One tree-sitter parser per process: building the language is the slow part."""
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


# Trees parsed at a first look (discovery's search for module calls), until the reader takes them.
_LOOKED_AT: dict[bytes, Any] = {}
_LOOKED_AT_MAX = 1024


def _tree(source: bytes, first_look: bool) -> Any:
    """A file's syntax tree, parsed once: a file discovery looked into is not parsed again when read."""
    tree = _LOOKED_AT.pop(source, None)
    if tree is None:
        tree = parser().parse(source)
    if first_look:
        if len(_LOOKED_AT) >= _LOOKED_AT_MAX:
            del _LOOKED_AT[next(iter(_LOOKED_AT))]
        _LOOKED_AT[source] = tree
    return tree


def parse_text(text: str, relpath: str, is_json: bool, is_tfvars: bool = False, first_look: bool = False) -> HclFile:
    """Parse the text of one file. JSON that does not decode raises InputError; HCL never does.
    first_look: the tree is kept for the reader, which will parse the same text again."""
    if is_json:
        from portacheck.parse.terraform.jsonsyntax import parse_json

        return parse_json(text, relpath, is_tfvars)
    source = text.encode("utf-8")
    tree = _tree(source, first_look)
    root = tree.root_node
    top = Block("", (), 1, max(root.end_point[0] + 1, 1))
    reader = _Reader(root.has_error)
    reader.fill(top, root, top_level=True)
    if reader.hoisted:
        top.blocks = sorted(top.blocks + reader.hoisted, key=lambda b: b.line)
    hcl = HclFile(relpath, text.splitlines(), top.blocks, top.attrs)
    hcl.error = syntax_error(root) if root.has_error else reader.too_deep
    if MARKER in source:
        hcl.comments = comments(root)
    return hcl


class _Reader:
    def __init__(self, broken: bool):
        self.broken = broken
        self.too_deep: InputError | None = None
        self.hoisted: list[Block] = []

    def fill(self, block: Block, body: Any, top_level: bool = False) -> None:
        """Blocks and attributes of a body; in a broken file also those inside ERROR nodes."""
        for child in body.named_children:
            kind = child.type
            if kind == "attribute":
                self.attribute(block, child)
            elif kind == "block":
                nested = self.block(child)
                if nested is None:
                    continue
                if self.broken and not top_level and nested.type in TOP_LEVEL_TYPES:
                    self.hoisted.append(nested)  # recovery nested it in the block left unclosed
                else:
                    block.blocks.append(nested)
            elif kind in ("ERROR", "body"):
                self.fill(block, child, top_level)

    def attribute(self, block: Block, node: Any) -> None:
        name = node.child(0)
        value = next((c for c in node.named_children if c.type == "expression"), None)
        if name is None or name.type != "identifier" or value is None:
            return
        if value.descendant_count > MAX_NODE_DEPTH and _depth(value) > MAX_NODE_DEPTH:
            if self.too_deep is None:
                self.too_deep = InputError(
                    f"cannot parse HCL: expression nested more than {MAX_NODE_DEPTH} levels deep; not analysed",
                    node.start_point[0] + 1,
                    node.start_point[1] + 1,
                )
            return
        text = name.text.decode("utf-8")
        block.attrs[text] = Attr(text, value, node.start_point[0] + 1, node.end_point[0] + 1)

    def block(self, node: Any) -> Block | None:
        children = node.named_children
        if not children or children[0].type != "identifier":
            return None
        labels = []
        body = None
        for child in children[1:]:
            if child.type == "string_lit":
                labels.append(_string_label(child))
            elif child.type == "identifier":
                labels.append(child.text.decode("utf-8"))
            elif child.type == "body":
                body = child
        result = Block(children[0].text.decode("utf-8"), tuple(labels), node.start_point[0] + 1, node.end_point[0] + 1)
        if body is not None:
            self.fill(result, body)
        return result


def _string_label(node: Any) -> str:
    literal = next((c for c in node.named_children if c.type == "template_literal"), None)
    return literal.text.decode("utf-8") if literal is not None else ""


def _depth(node: Any) -> int:
    """Depth of the syntax tree under node, iteratively (stops counting past the limit)."""
    deepest = 0
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_NODE_DEPTH:
                break
        stack.extend((c, depth + 1) for c in current.named_children if c.descendant_count > MAX_NODE_DEPTH - depth - 1)
    return deepest


def syntax_error(root: Any) -> InputError:
    """The first ERROR or MISSING node, as one located error."""
    node = _first_error(root)
    if node is None:  # pragma: no cover - has_error without an error node
        return InputError("cannot parse HCL")
    line, column = node.start_point[0] + 1, node.start_point[1] + 1
    if node.is_missing:
        token = _next_token(node)
        if token is None:
            return InputError("cannot parse HCL: unexpected end of file (unclosed block or string?)", line, column)
        return InputError(f"cannot parse HCL: unexpected {token!r}", line, column)
    token = _first_token(node)
    if token is None:
        return InputError("cannot parse HCL: unexpected end of file (unclosed block or string?)", line, column)
    return InputError(f"cannot parse HCL: unexpected {token!r}", line, column)


def _first_error(root: Any) -> Any:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing or node.type == "ERROR":
            return node
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return None


def _next_token(node: Any) -> str | None:
    """The text of the first token after a (zero-width) MISSING node, or None at the end of file."""
    while node is not None:
        follower = node.next_sibling
        while follower is not None and follower.start_byte == follower.end_byte:
            follower = follower.next_sibling
        if follower is not None:
            return _first_token(follower)
        node = node.parent
    return None


def _first_token(node: Any) -> str | None:
    while node.child_count:
        node = node.child(0)
    text = node.text.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:40] if text else None


def comments(root: Any) -> list[Comment]:
    """Every comment of the file, in file order: read only when the marker is in the file."""
    return [
        Comment(n.start_point[0] + 1, n.end_point[0] + 1, n.start_point[1], n.text.decode("utf-8", "replace"))
        for n in _comment_nodes(root)
    ]


def _comment_nodes(root: Any) -> Iterator[Any]:
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.type == "comment":
            yield node
        if node.type != "comment" and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
