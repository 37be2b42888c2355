"""Tree walking: helpers over the YMap/YList trees of composed manifests."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from portacheck._yaml import YList, YMap


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, YMap):
            return None
        node = node.get(key)
    return node


def _pod_specs(node: Any, path: str, depth: int = 0) -> Iterator[tuple[str, YMap]]:
    """Every mapping that holds a list of containers: pod specs of any workload, CRDs included."""
    if depth > 12:
        return
    if isinstance(node, YMap):
        if isinstance(node.get("containers"), YList) and path.rsplit(".", 1)[-1] != "metadata":
            yield path, node
            return
        for key, value in node.items():
            if key in ("metadata", "status", "data", "stringData"):
                continue
            if isinstance(value, (YMap, YList)):
                yield from _pod_specs(value, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(node, YList):
        for i, item in enumerate(node):
            yield from _pod_specs(item, f"{path}[{i}]", depth + 1)


def _string_leaves(node: Any, path: str) -> Iterator[tuple[str, int, str]]:
    """(dotted path, line, value) of every string scalar below node."""
    stack: list[tuple[Any, str, int]] = [(node, path, getattr(node, "line", 0))]
    while stack:
        value, where, line = stack.pop()
        if isinstance(value, YMap):
            for key in reversed(list(value)):
                stack.append((value[key], f"{where}.{key}" if where else key, value.value_lines.get(key, value.line)))
        elif isinstance(value, YList):
            for i in range(len(value) - 1, -1, -1):
                stack.append((value[i], f"{where}[{i}]", value.item_lines[i] if i < len(value.item_lines) else value.line))
        elif isinstance(value, str) and value:
            yield where, line, value


def _keyed_mappings(node: Any, path: str, keys: Any, depth: int = 0) -> Iterator[tuple[str, YMap, str]]:
    """(path, mapping, key) for every mapping below node holding one of keys, in one walk."""
    if depth > 24:
        return
    if isinstance(node, YMap):
        for key, value in node.items():
            if key in keys:
                yield path, node, key
            if isinstance(value, (YMap, YList)):
                yield from _keyed_mappings(value, f"{path}.{key}" if path else key, keys, depth + 1)
    elif isinstance(node, YList):
        for i, item in enumerate(node):
            yield from _keyed_mappings(item, f"{path}[{i}]", keys, depth + 1)


def _decoded(value: str) -> str:
    """A Secret's base64 data as text when it decodes to UTF-8; the raw value otherwise."""
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return value

