"""The one place that chooses YAML loaders.

Two loaders, for two kinds of input:
- portacheck's own data (the rule catalogue, a user's configuration) is trusted, read on every
  run, and only needs line numbers for error messages: PyYAML's C-accelerated safe loader,
  composing nodes so that every mapping keeps its line.
- scanned manifests need the line of every key and value and must survive hostile input:
  ruamel.yaml, in `load_documents` (added by the Kubernetes analyser).
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C loader is 10x faster; fall back to pure Python where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the platform's wheel
    _Loader = yaml.SafeLoader


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    __slots__ = ("line", "key_lines")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class DataError(Exception):
    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def load_data(text: str) -> Any:
    """Parse trusted YAML into plain values, mappings as LineDict; raise DataError with a line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        raise DataError(f"invalid YAML: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise DataError(f"invalid YAML: {exc}") from None
    if node is None:
        return None
    return _construct(node)


_SCALAR_LOADER = yaml.SafeLoader("")


def _construct(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LineDict(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DataError("merge keys (<<) are not supported here", key_node.start_mark.line + 1)
            key = _construct(key_node)
            if not isinstance(key, (str, int, float, bool)):
                raise DataError("mapping keys must be scalars", key_node.start_mark.line + 1)
            key = str(key)
            if key in result:
                raise DataError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
            result[key] = _construct(value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(child) for child in node.value]
    return _SCALAR_LOADER.construct_scalar(node) if node.tag == "tag:yaml.org,2002:str" else _SCALAR_LOADER.construct_object(node)
