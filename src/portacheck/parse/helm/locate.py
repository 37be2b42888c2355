"""Point rendered objects back at their source: the template line, and the values line.

A template is YAML with Go template actions in it. `Template` reads its key structure line by
line, the way YAML indentation nests keys (actions, block scalars and comments aside), so a
signal's key path inside a rendered object (`spec.template.spec.containers[0].image`) finds
the template line that writes that key; when the key itself comes out of an action (`toYaml
.Values.podAnnotations | nindent 8`), the nearest key above it and the action line below that
key stand in for it. The `.Values` references on that line (or of the `with` block around it)
then say which values key produced the value, and `find_value` looks it up through the values
files in Helm's order of precedence, to the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from portacheck.parse.helm.values import Values, leaves, lookup

_COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.S)
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_KEY = re.compile(r"""^(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)(?P<key>"[^"]*"|'[^']*'|[^\s#'"{\-][^#]*?|-[^\s#][^#]*?)[ ]*:(?:[ ]+(?P<value>.*))?$""")
_DASH = re.compile(r"^(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+|-$)+)(?P<rest>.*)$")
_BLOCK = re.compile(r"^[|>][-+]?\d*\s*(#.*)?$")
_VALUES_REF = re.compile(r"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_INDEX_REF = re.compile(r"index\s+\$?\.Values((?:\s+\"[^\"]+\")+)")
_OPEN = re.compile(r"^\{\{-?\s*(if|with|range|define|block)\b(.*?)-?\}\}$", re.S)
_ELSE = re.compile(r"^\{\{-?\s*else\b")
_END = re.compile(r"^\{\{-?\s*end\s*-?\}\}$")
_DOT = re.compile(r"(?<![\w$.)\]])\.(?:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))?(?![\w])")


class _Nested(Exception):
    """A template action below a top-level key: Template.outline cannot skip that line."""


@dataclass
class _Entry:
    line: int
    col: int
    segment: str
    open: bool = False  # a key whose value is on the following lines
    items: int = 0  # list items seen under this key


@dataclass(frozen=True)
class Key:
    line: int
    col: int
    path: str  # e.g. "spec.template.spec.containers[0].image"
    doc: int
    loose: str = ""  # the path with list indexes as `[]`, computed once (line_for compares it per signal)


@dataclass(frozen=True)
class Action:
    line: int
    col: int
    parent: str  # key path the action sits under
    doc: int
    text: str
    loose: str = ""  # the parent's loose path


@dataclass
class Doc:
    index: int
    start: int  # first line of the document
    kind: str = ""  # the literal `kind:` when the template writes one
    first: int = 0  # first key or action line


@dataclass
class Template:
    """The key structure of one template file, from its text."""

    lines: list[str]
    keys: list[Key] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    refs_by_line: dict[int, list[tuple[str, ...]]] = field(default_factory=dict)  # line -> .Values paths used there
    scope_by_line: dict[int, list[tuple[str, ...]]] = field(default_factory=dict)  # line -> `with`/`range` value in force
    _by_doc: dict[int, list[Key]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> Template:
        text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        template = cls(text.split("\n"))
        template._structure()
        template._references(text)
        return template

    @classmethod
    def outline(cls, text: str) -> Template | None:
        """The documents and their top-level keys only: enough to place an object by its kind.

        A CustomResourceDefinition yields only its kind, and its schema can run to thousands of
        lines; lines nested below a document's top-level keys are skipped. Those documents and
        keys are exactly the ones `parse` finds, or None (parse it then) when a skipped line opens a
        template action that goes on over the following lines, which then read differently."""
        text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        template = cls(text.split("\n"))
        try:
            template._structure(top_only=True)
        except _Nested:
            return None
        return template

    # -- keys ---------------------------------------------------------------------------

    def _structure(self, top_only: bool = False) -> None:
        stack: list[_Entry] = []
        doc = Doc(0, 1)
        self.docs.append(doc)
        block_col: int | None = None  # inside a block scalar deeper than this column
        in_action = False
        top_col: int | None = None  # top_only: the column of the document's top-level keys, once one is seen
        for number, raw in enumerate(self.lines, start=1):
            line = raw.rstrip()
            stripped = line.strip()
            indent = len(line) - len(line.lstrip(" "))
            if block_col is not None:
                if not stripped or indent > block_col:
                    continue
                block_col = None
            if in_action:
                in_action = "}}" not in line
                continue
            if not stripped or stripped.startswith("#"):
                continue
            if top_col is not None and indent > top_col:
                if line.count("{{") > line.count("}}"):
                    raise _Nested  # an action that goes on over the next lines: they read differently inside it
                continue  # below a top-level key: no top-level key, kind or document start
            if re.match(r"^---(\s|$)", line):
                doc = Doc(len(self.docs), number + 1)
                self.docs.append(doc)
                stack = []
                top_col = None
                continue
            without = _ACTION.sub("", stripped).strip()
            if stripped.startswith("{{") and not without:
                if stripped.count("{{") > stripped.count("}}"):
                    in_action = True
                self.actions.append(_action(number, indent, _path(_parents(stack, indent)), doc.index, stripped))
                doc.first = doc.first or number
                continue
            if stripped.startswith("{{"):
                if "{{" in line and line.count("{{") > line.count("}}"):
                    in_action = True
                self.actions.append(_action(number, indent, _path(_parents(stack, indent)), doc.index, stripped))
                continue  # a key written by an action
            match = _KEY.match(line)
            dash = _DASH.match(line)
            col = indent
            if match:
                dashes = match.group("dashes") or ""
            elif dash:
                dashes = dash.group("dashes")
            else:
                continue  # a continuation of a flow value or plain text
            _pop(stack, col, is_item=bool(dashes))
            for piece in re.findall(r"-[ ]*", dashes):
                parent = stack[-1] if stack else None
                index = parent.items if parent else 0
                if parent:
                    parent.items += 1
                stack.append(_Entry(number, col, f"[{index}]"))
                col += len(piece)
            if match:
                key = match.group("key").strip()
                if key[:1] in "\"'" and key[-1:] == key[:1]:
                    key = key[1:-1]
                value = (match.group("value") or "").strip()
                entry = _Entry(number, col, key, open=not value or value.startswith("#"))
                _pop(stack, col, is_item=False)
                stack.append(entry)
                path = _path(stack)
                self.keys.append(Key(number, col, path, doc.index, _loose(path)))
                doc.first = doc.first or number
                if top_only and len(stack) == 1:
                    top_col = col if top_col is None else min(top_col, col)
                if path == "kind" and value and "{{" not in value:
                    doc.kind = value.strip("\"'")
                if _BLOCK.match(value):
                    block_col = col
                if "{{" in value:
                    self.actions.append(_action(number, col, path, doc.index, value))
                    if value.count("{{") > value.count("}}"):
                        in_action = True
            else:
                rest = dash.group("rest").strip() if dash else ""
                path = _path(stack)
                self.keys.append(Key(number, col, path, doc.index, _loose(path)))
                doc.first = doc.first or number
                if "{{" in rest:
                    self.actions.append(_action(number, col, path, doc.index, rest))

    # -- references ---------------------------------------------------------------------

    def _references(self, text: str) -> None:
        """The .Values paths each line uses, and the value `.` stands for inside with/range blocks."""
        starts = [0]
        for line in text.split("\n"):
            starts.append(starts[-1] + len(line) + 1)
        stack: list[tuple[str, tuple[str, ...] | None]] = []  # (block kind, value `.` is bound to)

        def line_of(offset: int) -> int:
            low, high = 0, len(starts) - 1
            while low < high:
                mid = (low + high + 1) // 2
                if starts[mid] <= offset:
                    low = mid
                else:
                    high = mid - 1
            return low + 1

        for match in _ACTION.finditer(text):
            action = match.group(0)
            first, last = line_of(match.start()), line_of(match.end() - 1)
            scope = next((bound for _kind, bound in reversed(stack) if bound is not None), None)
            refs = [tuple(r.strip(".").split(".")) for r in _VALUES_REF.findall(action)]
            refs += [tuple(re.findall(r'"([^"]+)"', r)) for r in _INDEX_REF.findall(action)]
            if scope is not None:
                for dotted in _DOT.findall(re.sub(r"\$?\.Values[\w.]*|\"[^\"]*\"", "", action)):
                    refs.append(scope + (tuple(dotted.split(".")) if dotted else ()))
            for number in range(first, last + 1):
                if refs:
                    self.refs_by_line.setdefault(number, []).extend(refs)
                if scope is not None:
                    self.scope_by_line.setdefault(number, []).append(scope)
            opened = _OPEN.match(action)
            if opened:
                kind = opened.group(1)
                bound = None
                if kind in ("with", "range"):
                    found = _VALUES_REF.search(opened.group(2))
                    if found:
                        bound = tuple(found.group(1).strip(".").split("."))
                        if kind == "range":
                            bound = bound + ("[]",)
                stack.append((kind, bound))
            elif _END.match(action) and stack:
                stack.pop()
            elif _ELSE.match(action) and stack and stack[-1][0] == "with":
                stack[-1] = ("with", None)  # `else` of a with: `.` is the outer value again

    # -- lookups ------------------------------------------------------------------------

    def doc_for(self, kind: str, ordinal: int) -> Doc:
        """The template document that produced the `ordinal`-th rendered object of `kind` in this file."""
        same = [d for d in self.docs if d.kind == kind]
        if same:
            return same[min(ordinal, len(same) - 1)]
        useful = [d for d in self.docs if d.first] or self.docs
        if not any(d.kind for d in useful):
            return useful[min(ordinal, len(useful) - 1)] if len(useful) > 1 else useful[0]
        untyped = [d for d in useful if not d.kind] or useful
        return untyped[0]

    def object_line(self, doc: Doc) -> int:
        for key in self.keys:
            if key.doc == doc.index and key.path in ("apiVersion", "kind"):
                return key.line
        return doc.first or doc.start

    def line_for(self, context: str, doc: Doc) -> tuple[int, str]:
        """(template line, the rest of the context below what that line writes) for a signal's key path."""
        context = context.split(": ", 1)[0]  # embedded configs: "data.config: exporters.x"
        keys = self._doc_keys(doc.index)
        for key in keys:
            if key.path == context:
                return key.line, ""
        loose = _loose(context)
        for key in keys:
            if key.loose == loose:
                return key.line, ""
        best: Key | None = None
        for key in keys:
            lk = key.loose
            if loose.startswith(lk) and loose[len(lk):][:1] in (".", "[") and (best is None or len(lk) > len(best.loose)):
                best = key
        if best is None:
            action = next((a for a in self.actions if a.doc == doc.index and a.parent == "" and a.line >= doc.start), None)
            return (action.line if action else self.object_line(doc)), loose
        rest = loose[len(best.loose):].lstrip(".")
        after = [a for a in self.actions if a.doc == doc.index and a.line > best.line and a.loose == best.loose]
        after = [a for a in after if a.line <= self._block_end(best)]
        chosen = next((a for a in after if a.line in self.refs_by_line or "include" in a.text or "toYaml" in a.text or "tpl" in a.text), None)
        if chosen is None and best.line in self.refs_by_line:
            return best.line, rest
        return (chosen.line if chosen else best.line), rest

    def _doc_keys(self, index: int) -> list[Key]:
        """The keys of one document, grouped once: a chart's signals look them up many times."""
        if self._by_doc is None:
            grouped: dict[int, list[Key]] = {}
            for key in self.keys:
                grouped.setdefault(key.doc, []).append(key)
            self._by_doc = grouped
        return self._by_doc.get(index, [])

    def _block_end(self, key: Key) -> int:
        end = len(self.lines)
        for other in self.keys:
            if other.line > key.line and other.doc == key.doc and other.col <= key.col:
                return other.line - 1
        return end

    def refs(self, line: int) -> list[tuple[str, ...]]:
        return list(dict.fromkeys(self.refs_by_line.get(line, []) + self.scope_by_line.get(line, [])))


def _parents(stack: list[_Entry], col: int) -> list[_Entry]:
    return [e for e in stack if e.col < col]


def _pop(stack: list[_Entry], col: int, is_item: bool) -> None:
    while stack:
        top = stack[-1]
        if top.col > col:
            stack.pop()
        elif top.col == col:
            if is_item and top.open and not top.segment.startswith("["):
                return  # `key:` followed by `- item` at the same indentation
            stack.pop()
        else:
            return


def _path(stack: Iterable[_Entry]) -> str:
    out = ""
    for entry in stack:
        if entry.segment.startswith("["):
            out += entry.segment
        else:
            out += ("." if out else "") + entry.segment
    return out


_LIST_INDEX = re.compile(r"\[\d+\]")


def _loose(path: str) -> str:
    return _LIST_INDEX.sub("[]", path) if "[" in path else path


def _action(line: int, col: int, parent: str, doc: int, text: str) -> Action:
    return Action(line, col, parent, doc, text, _loose(parent))


def joined(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int) or part == "[]":
            out += f"[{part}]" if isinstance(part, int) else "[]"
        else:
            out += ("." if out else "") + str(part)
    return out


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A values source as one chart sees it: the Values and where this chart's section sits in it."""

    values: Values
    prefix: tuple  # key path of the chart's section inside the file


class Chain:
    """The values sources one chart sees, strongest first, with an index of their scalar values."""

    def __init__(self, sources: Sequence[Source]):
        self.sources = tuple(sources)
        self._by_value: dict[str, dict[str, tuple[Values, tuple]]] | None = None

    def __iter__(self):
        return iter(self.sources)

    def by_value(self, wanted: str) -> dict[str, tuple[Values, tuple]]:
        """Scalar values as rendered (the strongest source of each key path wins) -> {path: (file, key path)}."""
        if self._by_value is None:
            index: dict[str, dict[str, tuple[Values, tuple]]] = {}
            taken: set[str] = set()
            for source in self.sources:
                found, node = lookup(source.values.data, source.prefix)
                if not found:
                    continue
                for path, leaf in leaves(node):
                    key = joined(path)
                    if key in taken:
                        continue
                    taken.add(key)
                    if not isinstance(leaf, (dict, list)):
                        index.setdefault(_text(leaf), {})[key] = (source.values, source.prefix + path)
            self._by_value = index
        return self._by_value.get(wanted, {})


def find_value(chain: Sequence[Source], refs: Sequence[tuple[str, ...]], rest: str, value: str) -> tuple[Values, tuple] | None:
    """The values file and key path a rendered value came from, or None when it cannot be told.

    `chain` is in Helm's precedence, strongest first; `refs` are the `.Values` paths the
    template line uses; `rest` is the part of the signal's key path below the template line
    (the key inside a map the template inserted whole). The first source that defines a path
    decides for that path, as in Helm's merge.
    """
    wanted = str(value)
    for ref in refs:
        ref = tuple(p for p in ref if p != "[]") if "[]" in ref and ref[-1] == "[]" else ref
        if any(p == "[]" for p in ref):
            continue
        if rest:
            hit = _first_defining(chain, ref, rest)
            if hit:
                return hit
            continue
        source = _definer(chain, ref)
        if source is None:
            continue
        _found, node = lookup(source.values.data, source.prefix + ref)
        if not isinstance(node, (dict, list)):
            text = _text(node)
            if text == wanted or (len(text) >= 3 and text in wanted):
                return source.values, source.prefix + ref
            continue
        best = _search(chain, ref, node, wanted)
        if best:
            return best
    # no reference on the line told: a value that appears exactly once in the values is it
    if len(wanted) >= 3:
        hits = chain.by_value(wanted) if isinstance(chain, Chain) else Chain(chain).by_value(wanted)
        if len(hits) == 1:
            return next(iter(hits.values()))
    return None


def _definer(chain: Sequence[Source], path: tuple) -> Source | None:
    for source in chain:
        found, _ = lookup(source.values.data, source.prefix + tuple(path))
        if found:
            return source
    return None


def _first_defining(chain: Sequence[Source], ref: tuple, rest: str) -> tuple[Values, tuple] | None:
    target = _loose(rest)
    for source in chain:
        found, node = lookup(source.values.data, source.prefix + ref)
        if not found or not isinstance(node, (dict, list)):
            continue
        for path, _leaf in leaves(node):
            if _loose(joined(path)) == target:
                return source.values, source.prefix + ref + path
    return None


def _search(chain: Sequence[Source], ref: tuple, node: Any, wanted: str) -> tuple[Values, tuple] | None:
    """Inside a map or list the template used whole: equal value, equal key, then longest substring."""
    equal, keys, partial = None, None, None
    for path, leaf in leaves(node):
        full = ref + path
        source = _definer(chain, full)
        if source is None:
            continue
        if not isinstance(leaf, (dict, list)):
            text = _text(leaf)
            if text == wanted and equal is None:
                equal = (source.values, source.prefix + full)
            elif len(text) >= 3 and text in wanted and (partial is None or len(text) > partial[0]):
                partial = (len(text), (source.values, source.prefix + full))
        if isinstance(path[-1], str) and path[-1] == wanted and keys is None:
            keys = (source.values, source.prefix + full)
    return equal or keys or (partial[1] if partial else None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)
