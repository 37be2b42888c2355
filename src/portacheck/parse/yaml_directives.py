"""Inline suppressions in YAML, found by the reader that parses the file (see portacheck.suppress).

    # portacheck:ignore[AWS-EBS-CSI] reason: volumes move with Velero, until: 2027-01-31
    metadata:
      annotations:
        portacheck.io/ignore: "AWS-EBS-CSI: reason: ..."      (one entry per annotation,
        portacheck.io/ignore-2: "K8S-*: reason: ..."            or per line of a block scalar)

Extents come from the composed nodes (libyaml's start and end marks), not from indentation:
- a comment on its own line covers the node that starts on the next code line: the whole
  document when that is the document's first key, otherwise that key and its value (or the
  sequence item that starts there);
- a comment at the end of a line covers the key (or item) on that line and its value;
- an annotation covers the object that carries it (a List's item, else the document).
Comments are not in libyaml's events, so marked lines are found in the text, after a substring
test that makes files without the marker cost nothing. Go templates (Helm's templates/) are not
YAML: `template_directives` keeps the indentation reading for them and for text that does not
parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import yaml

from portacheck.model import Directive

MARKER = "portacheck:ignore"
ANNOTATION = "portacheck.io/ignore"
_COMMENT = re.compile(r"portacheck:ignore\b(?P<rest>.*)$")
_ANNOTATION_KEY = re.compile(r"^portacheck\.io/ignore[A-Za-z0-9_.-]*$")
_ANNOTATION_LINE = re.compile(
    r"""^(?P<indent>\s*)(?P<q>["']?)portacheck\.io/ignore(?P<suffix>[A-Za-z0-9_.-]*)(?P=q)\s*:\s*(?P<value>.*)$"""
)


def has_directives(text: str) -> bool:
    """Whether the text holds a suppression at all: the cheap test before any work."""
    return MARKER in text or ANNOTATION in text


def read(rel: str, text: str, roots: Iterable[yaml.Node | None]) -> tuple[Directive, ...]:
    """The directives of a parsed YAML file, from the root nodes of its composed documents."""
    if not has_directives(text):
        return ()
    lines = text.splitlines()
    tree = _Tree(lines, [root for root in roots if root is not None])
    result: list[Directive] = []
    for number, rest, own_line in _comments(lines):
        target = _target(lines, number, own_line)
        if not target:
            result.append(Directive(rel, number, rest, number, number))
            continue
        root = tree.document_at(target)
        if own_line and root is not None and target == _first_line(root):
            result.append(Directive(rel, number, rest, target, tree.last_line(root), block=True))
            continue
        span = tree.span(target)
        if span is None:  # inside a block scalar or a multi-line flow value: what the indentation says
            span = (target, _node_end(lines, target))
        result.append(Directive(rel, number, rest, span[0], span[1]))
    if ANNOTATION in text:
        for line, value, owner in tree.annotations():
            start, end = _first_line(owner), tree.last_line(owner)
            for entry in _entries(value, lines, tree):
                result.append(Directive(rel, line, entry, start, end, block=True, kind="annotation"))
    return tuple(sorted(result, key=lambda d: (d.line, d.kind)))


def compose(text: str) -> list[yaml.Node | None]:
    """The root nodes of a YAML text that nobody else composed (Chart.yaml, crds/); raises yaml.YAMLError."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return list(yaml.compose_all(text, Loader=loader))


def from_text(rel: str, text: str) -> tuple[Directive, ...]:
    """A YAML file's directives, composing it only when it holds the marker; indentation when it does not parse."""
    if not has_directives(text):
        return ()
    try:
        roots = compose(text)
    except (yaml.YAMLError, RecursionError):
        return template_directives(rel, text)
    return read(rel, text, roots)


# --- the tree ---------------------------------------------------------------------------------


def _first_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Tree:
    """Where each key and sequence item of the documents starts, found in one walk when first asked."""

    def __init__(self, lines: Sequence[str], roots: Sequence[yaml.Node]):
        self.lines = lines
        self.roots = roots
        self._starts: dict[int, tuple[int, yaml.Node | None, yaml.Node]] | None = None
        self._annotations: list[tuple[int, yaml.Node, yaml.Node]] = []

    def document_at(self, line: int) -> yaml.Node | None:
        return next((r for r in self.roots if _first_line(r) <= line <= self.last_line(r)), None)

    def span(self, line: int) -> tuple[int, int] | None:
        """(first, last line) of the outermost key-and-value or sequence item that starts on the line."""
        found = self.starts().get(line)
        if found is None:
            return None
        start, key, node = found
        end = self.last_line(node)
        if key is not None:
            end = max(end, key.end_mark.line + 1)
        return start, max(end, start)

    def annotations(self) -> list[tuple[int, yaml.Node, yaml.Node]]:
        """(key line, value node, object node) of every `portacheck.io/ignore*` key."""
        self.starts()
        return self._annotations

    def starts(self) -> dict[int, tuple[int, yaml.Node | None, yaml.Node]]:
        if self._starts is not None:
            return self._starts
        starts: dict[int, tuple[int, yaml.Node | None, yaml.Node]] = {}
        seen: set[int] = set()  # an alias is the node it names: walked once, at its anchor
        for root in self.roots:
            stack: list[tuple[yaml.Node, tuple[yaml.Node, ...]]] = [(root, (root,))]
            while stack:
                node, objects = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                children: list[tuple[yaml.Node, tuple[yaml.Node, ...]]] = []
                if isinstance(node, yaml.MappingNode):
                    if _is_object(node) and node is not root:
                        objects = objects + (node,)
                    for key, value in node.value:
                        line = _first_line(key)
                        starts.setdefault(line, (line, key, value))
                        if isinstance(key, yaml.ScalarNode) and _ANNOTATION_KEY.match(key.value):
                            self._annotations.append((line, value, objects[-1]))
                        children.append((value, objects))
                elif isinstance(node, yaml.SequenceNode):
                    for item in node.value:
                        line = _first_line(item)
                        starts.setdefault(line, (line, None, item))
                        children.append((item, objects))
                stack.extend(reversed(children))
        self._starts = starts
        return starts

    def last_line(self, node: yaml.Node) -> int:
        """The last line holding content of a node: a block collection's end mark points past it."""
        while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            if isinstance(node, yaml.MappingNode):
                key, value = last
                return max(key.end_mark.line + 1, self.last_line(value))  # an alias's marks are its anchor's
            node = last
        start, end = node.start_mark, node.end_mark
        if end.index == start.index:  # an empty value: the key's line decides
            return 0
        line = end.line + 1 if end.column > 0 else end.line
        while line > start.line + 1 and not self.lines[line - 1].strip():
            line -= 1  # a block scalar's end mark follows its trailing blank lines
        return line


def _is_object(node: yaml.MappingNode) -> bool:
    keys = {k.value for k, _v in node.value if isinstance(k, yaml.ScalarNode)}
    return "apiVersion" in keys and "kind" in keys


def _entries(value: yaml.Node, lines: Sequence[str], tree: _Tree) -> list[str]:
    """One entry per annotation, or per non-empty line of a block scalar."""
    if not isinstance(value, yaml.ScalarNode):
        return [""]
    if value.style == "|":
        return [row.strip() for row in value.value.splitlines() if row.strip()] or [""]
    if value.style == ">":  # folding joined the lines: take them as written
        rows = lines[value.start_mark.line + 1 : tree.last_line(value)]
        return [row.strip() for row in rows if row.strip()] or [""]
    return [value.value]


# --- comments ---------------------------------------------------------------------------------


def _comment_start(line: str) -> int:
    """Index where a comment starts on the line (outside quotes), or -1."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return -1


def _comments(lines: Sequence[str]) -> Iterator[tuple[int, str, bool]]:
    """(line number, text after the marker, comment on its own line) for each marked comment."""
    for number, line in enumerate(lines, start=1):
        if MARKER not in line:
            continue
        start = _comment_start(line)
        if start < 0:
            continue
        found = _COMMENT.search(line, start)
        if found:
            yield number, found.group("rest"), not line[:start].strip()


def _target(lines: Sequence[str], number: int, own_line: bool) -> int:
    """The line a comment speaks of: its own at the end of a line, else the next line of code; 0 when its document has none."""
    if not own_line:
        return number
    target = _next_code_line(lines, number)
    return 0 if not target or lines[target - 1].startswith(("---", "...")) else target


def _next_code_line(lines: Sequence[str], after: int) -> int:
    """The first line after `after` (1-based) that holds code, or 0."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 0


# --- the fallback for templates ---------------------------------------------------------------


def template_directives(rel: str, text: str) -> tuple[Directive, ...]:
    """Directives of text that is not YAML (a Helm template) or does not parse: extents from indentation.

    A comment covers the lines indented below the line it stands on or above; above a
    document's first line of code, the document (`---` to `---`); an annotation, its document.
    """
    if not has_directives(text):
        return ()
    lines = text.splitlines()
    documents = _documents(lines)

    def document_of(number: int) -> tuple[int, int]:
        return next((d for d in documents if d[0] <= number <= d[1]), (number, number))

    result: list[Directive] = []
    for number, rest, own_line in _comments(lines):
        target = _target(lines, number, own_line)
        if not target:
            result.append(Directive(rel, number, rest, number, number))
        elif own_line:
            doc = document_of(target)
            if target == _next_code_line(lines, doc[0] - 1):
                result.append(Directive(rel, number, rest, doc[0], doc[1], block=True))
            else:
                result.append(Directive(rel, number, rest, target, _node_end(lines, target)))
        else:
            result.append(Directive(rel, number, rest, number, _node_end(lines, number)))
    for number, line in enumerate(lines, start=1):
        found = _ANNOTATION_LINE.match(line) if ANNOTATION in line else None
        if found:
            doc = document_of(number)
            for entry in _annotation_values(lines, number, found.group("value")):
                result.append(Directive(rel, number, entry, doc[0], doc[1], block=True, kind="annotation"))
    return tuple(result)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _documents(lines: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if line.startswith(("---", "...")):
            if number > start:
                spans.append((start, number - 1))
            start = number + 1
    if start <= len(lines):
        spans.append((start, len(lines)))
    return spans


def _node_end(lines: Sequence[str], number: int) -> int:
    """Last line of the YAML node that starts on line `number`: the lines indented below it."""
    head = lines[number - 1]
    indent = _indent(head)
    comment = _comment_start(head)
    code = head[:comment] if comment >= 0 else head
    opens_sequence = code.rstrip().endswith(":")  # `key:` may be followed by `- item` at the same indent
    end = number
    for other in range(number + 1, len(lines) + 1):
        text = lines[other - 1]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if text.startswith(("---", "...")):
            break
        other_indent = _indent(text)
        if other_indent > indent or (opens_sequence and other_indent == indent and stripped.startswith("- ")):
            end = other
            continue
        break
    return end


def _annotation_values(lines: Sequence[str], number: int, value: str) -> list[str]:
    value = value.strip()
    if value.startswith(("|", ">")):  # block scalar: one entry per line
        indent = _indent(lines[number - 1])
        entries = []
        for other in range(number + 1, len(lines) + 1):
            text = lines[other - 1]
            if text.strip() and _indent(text) <= indent:
                break
            if text.strip():
                entries.append(text.strip())
        return entries
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return [value] if value else [""]
