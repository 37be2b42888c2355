"""The one place that chooses YAML loaders.

Two loaders, for two kinds of input:
- data files (the rule catalogue, configuration, a chart's Chart.yaml) need plain values and
  line numbers for error messages: `load_data`, bounded too, since configuration and charts come
  from the scanned repository.
- scanned manifests need the line of every key and value and must survive hostile input:
  `load_documents`, which bounds the work an alias bomb or a deep document can cause.

Both compose nodes with PyYAML's C-accelerated (libyaml) parser, which keeps the line and
column of every node. ruamel.yaml's round-trip loader keeps them too, but measured on 2,000
Deployments (1.4 MB, 2 cores): ruamel round-trip 8.1 s, ruamel safe compose 4.5 s, PyYAML
C compose 1.1 s, PyYAML C load without positions 0.41 s. Comments, which only suppressions
need, are found in the text by portacheck.parse.yaml_directives, which takes their extents from
the composed nodes each Document keeps. So manifests are composed with libyaml.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from portacheck._ydata import DataError, LineDict, YList, YMap  # re-exported: what callers that load YAML also need

# the C loader is 10x faster; fall back to pure Python where libyaml is missing (depends on the platform's wheel)
_Loader: type[yaml.CSafeLoader | yaml.SafeLoader] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


MAX_NODES = 200_000  # per document, aliases counted each time they are used
MAX_DEPTH = 64
MAX_INT_DIGITS = 64


def load_data(text: str) -> Any:
    """Parse YAML into plain values, mappings as LineDict; raise DataError with a line.

    Used for portacheck's own data and for the small YAML files of a repository that are data
    rather than manifests (Chart.yaml, requirements.yaml, .portacheck.yaml): bounded like
    `load_documents` (nodes, aliases counted each time they are used, depth, integer size), and
    every failure, an unknown tag included, is one DataError of one line.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            return None
        return _DataBuilder().construct(node, 0)
    except DataError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        raise DataError(f"invalid YAML: {_one_line(exc.problem or exc.context or 'cannot parse')}", line, column) from None
    except yaml.YAMLError as exc:
        raise DataError(f"invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise DataError("invalid YAML: nested deeper than the parser allows") from None


def _one_line(message: str) -> str:
    return " ".join(message.split())


_SCALAR_LOADER = yaml.SafeLoader("")
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp"))


class _DataBuilder:
    def __init__(self) -> None:
        self.nodes = 0

    def construct(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        line = node.start_mark.line + 1
        if self.nodes > MAX_NODES:
            raise DataError(f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?); not read", line)
        if depth > MAX_DEPTH:
            raise DataError(f"nested deeper than {MAX_DEPTH} levels; not read", line)
        if isinstance(node, yaml.MappingNode):
            result = LineDict(line)
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise DataError("merge keys (<<) are not supported here", key_node.start_mark.line + 1)
                key = self.construct(key_node, depth + 1)
                if not isinstance(key, (str, int, float, bool)):
                    raise DataError("mapping keys must be scalars", key_node.start_mark.line + 1)
                key = str(key)
                if key in result:
                    raise DataError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
                result[key] = self.construct(value_node, depth + 1)
                result.key_lines[key] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.construct(child, depth + 1) for child in node.value]
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return _SCALAR_LOADER.construct_scalar(node)
        if node.tag not in _SCALAR_TAGS:
            raise DataError(f"unknown YAML tag {node.tag!r}", line, node.start_mark.column + 1)
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_DIGITS:
            raise DataError(f"integer of more than {MAX_INT_DIGITS} digits; not read", line, node.start_mark.column + 1)
        try:
            return _SCALAR_LOADER.construct_object(node)
        except ValueError as exc:
            raise DataError(f"invalid value: {_one_line(str(exc))}", line, node.start_mark.column + 1) from None


# --- scanned manifests --------------------------------------------------------------------



class Document:
    """One YAML document of a scanned file: its root value, where it starts, and its composed node."""

    __slots__ = ("line", "node", "root", "warnings")

    def __init__(self, root: Any, line: int, warnings: list[tuple[int, str]], node: yaml.Node | None = None):
        self.root = root
        self.line = line
        self.warnings = warnings  # (line, message): duplicate keys and the like
        self.node = node  # with libyaml's start and end marks, for the extents of suppressions


if TYPE_CHECKING or yaml.__with_libyaml__:
    _BaseLoader = yaml.CBaseLoader  # libyaml's parser and composer, the base constructor and resolver
else:  # pragma: no cover - PyYAML without libyaml: pure Python, slower
    _BaseLoader = yaml.BaseLoader


class _ManifestLoader(_BaseLoader):
    """libyaml's parser and composer with a resolver that does no regex work: manifests are
    read as text, so every plain scalar is a string (nulls are told apart by Builder)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        if kind is yaml.SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def load_documents(text: str, builder: Callable[[], Builder] | None = None) -> list[Document]:
    """Every document of a manifest file as YMap/YList/str trees; DataError with a line if broken.

    Scalars stay text (a manifest's `true` and `"true"` mean the same to the checks made
    here); block scalars (`|`, `>`) count their lines from the first line of content. Tags are
    dropped unless a `builder` (a subclass of Builder) keeps them: CloudFormation's `!Ref`.
    """
    documents = []
    try:
        for node in yaml.compose_all(text, Loader=_ManifestLoader):
            if node is None:
                continue
            built = (builder or Builder)()
            root = built.build(node, 0)
            documents.append(Document(root, node.start_mark.line + 1, built.warnings, node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        problem = exc.problem or exc.context or "cannot parse"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character where YAML expects spaces"
        raise DataError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise DataError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise DataError("invalid YAML: nested deeper than the parser allows") from None
    return documents


class Builder:
    """Scanned nodes to YMap/YList/str, bounded in nodes and depth; warnings for duplicate keys."""

    def __init__(self) -> None:
        self.nodes = 0
        self.warnings: list[tuple[int, str]] = []

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DataError(
                f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?); not analysed",
                node.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise DataError(f"nested deeper than {MAX_DEPTH} levels; not analysed", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            mapping = YMap(node.start_mark.line + 1)
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                else:
                    key = "<complex key>"
                line = key_node.start_mark.line + 1
                if key == "<<" and isinstance(key_node, yaml.ScalarNode) and key_node.style is None:
                    merged = self.build(value_node, depth + 1)
                    for part in merged if isinstance(merged, list) else [merged]:
                        if isinstance(part, YMap):
                            for k, v in part.items():
                                if k not in mapping:
                                    mapping[k] = v
                                    mapping.key_lines[k] = part.key_lines.get(k, line)
                                    mapping.value_lines[k] = part.value_lines.get(k, line)
                    continue
                if key in mapping:
                    self.warnings.append((line, f"duplicate key {key!r}; the last one is used"))
                mapping[key] = self.build(value_node, depth + 1)
                mapping.key_lines[key] = line
                mapping.value_lines[key] = _value_line(value_node)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence = YList(node.start_mark.line + 1)
            for child in node.value:
                sequence.append(self.build(child, depth + 1))
                sequence.item_lines.append(_value_line(child))
            return sequence
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.value in _NULLS and not node.tag.startswith("!"):
            return None
        return node.value


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


def _value_line(node: yaml.Node) -> int:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1  # the content starts below the indicator
    return line
