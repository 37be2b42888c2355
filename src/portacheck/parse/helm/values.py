"""Chart values: read with the line of every key, merged as Helm merges them, `--set` pairs.

Values files are scanned input, so they are read defensively: aliases are shared rather than
copied (with a budget against alias bombs), merge keys (`<<`) work, a duplicate key keeps the
last value, and timestamps stay strings, as Helm sees them after its YAML-to-JSON step.
Every value keeps the line of its key (`Values.lines`, key path -> line) so that a finding can
point at the values line a value came from.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Directive
from portacheck.parse import yaml_directives

Path = tuple  # of str (mapping keys) and int (list indexes)
_ALIAS_BUDGET = 200_000  # nodes constructed per file; a billion-laughs file exceeds it quickly


@dataclass(frozen=True)
class Values:
    """One values source: where it is shown (path relative to the scan root), its data and key lines."""

    display: str  # relpath of the file (an archive path for charts read from archives), "" for --set
    data: Mapping[str, Any]
    lines: Mapping[Path, int] = field(default_factory=dict)
    member: str = ""  # file inside an archive, when display is the archive
    label: str = ""  # what to call it in messages: the file, or "--set"
    directives: tuple[Directive, ...] = ()  # its inline suppressions (files on disk only)

    def line(self, path: Path) -> int:
        return self.lines.get(tuple(path), 0)


def load_values(text: str, display: str, member: str = "") -> Values:
    """Parse a values file; raise InputError (with a line) when it is not a YAML mapping.

    Its suppressions are read from the same composed node (a file in an archive has none to apply)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the same choice as portacheck._yaml
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(f"invalid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else 0, mark.column + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}") from None
    lines: dict[Path, int] = {}
    directives = yaml_directives.read(display, text, [node]) if display and not member else ()
    if node is None:
        return Values(display, {}, lines, member, member or display, directives)
    builder = _Builder(lines)
    data = builder.build(node, ())
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("a values file must be a mapping of keys to values", node.start_mark.line + 1)
    return Values(display, data, lines, member, member or display, directives)


class _Builder:
    def __init__(self, lines: dict[Path, int]):
        self.lines = lines
        self.budget = _ALIAS_BUDGET

    def build(self, node, path: Path) -> Any:
        import yaml

        self.budget -= 1
        if self.budget < 0:
            raise InputError("values file expands to too many values (alias bomb?); not analysed")
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, path)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, dict):
                            for key, value in item.items():
                                result.setdefault(key, value)
                    continue
                key = self.build(key_node, ())
                key = _key(key)
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.lines[path + (i,)] = child.start_mark.line + 1
                items.append(self.build(child, path + (i,)))
            return items
        return _scalar(node)


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    return str(value)


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")


def _scalar(node) -> Any:
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in ("true", "yes", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text  # strings, timestamps, binary: as written


# --- merging --------------------------------------------------------------------------------


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """User values over defaults, as `helm -f a -f b` does: maps merge, anything else replaces; null deletes."""
    result = copy.deepcopy(dict(base))
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def lookup(data: Any, path: Path) -> tuple[bool, Any]:
    """(found, value) at a key path."""
    node = data
    for part in path:
        in_map = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_map or in_list):
            return False, None
        node = node[part]
    return True, node


def leaves(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below `data`, mappings and lists included as their own entries."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield path + (key,), value
            yield from leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield path + (i,), value
            yield from leaves(value, path + (i,))


# --- --set ---------------------------------------------------------------------------------


def parse_set(pairs: Any) -> dict[str, Any]:
    """`helm --set` pairs (`a.b=c`, `list[0]=x`, `tags={a,b}`, several per item with commas) as values.

    Raises ValueError naming the bad pair. Types as Helm infers them: true/false, null, integers.
    """
    result: dict[str, Any] = {}
    for item in pairs:
        for pair in _split(str(item), ","):
            if not pair.strip():
                continue
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{pair!r} is not key=value")
            path = _set_path(key.strip(), pair)
            _assign(result, path, _set_value(value))
    return result


def _split(text: str, separator: str) -> list[str]:
    """Split on the separator outside braces, honouring backslash escapes."""
    parts, current, depth, escaped = [], [], 0, False
    for char in text:
        if escaped:
            current.append("\\" + char)  # kept: keys unescape `\.`, values every escape
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
            current.append(char)
        elif char == "}":
            depth = max(0, depth - 1)
            current.append(char)
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_SEGMENT = re.compile(r"([^\[\]]+?)((?:\[\d+\])*)")


def set_path(key: str) -> Path:
    """A `--set` key as a values path: `a.b\\.c[0]` -> ("a", "b.c", 0). Raises ValueError."""
    return _set_path(key, key)


def _set_path(key: str, pair: str) -> Path:
    path: list[str | int] = []
    for raw in re.split(r"(?<!\\)\.", key):
        raw = raw.replace("\\.", ".")
        match = _SEGMENT.fullmatch(raw)
        if not match:
            raise ValueError(f"{pair!r}: cannot read the key {key!r}")
        path.append(match.group(1))
        path.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return tuple(path)


def _set_value(text: str) -> Any:
    if text.startswith("{") and text.endswith("}"):
        return [_typed(_unescape(v)) for v in _split(text[1:-1], ",") if v != ""]
    return _typed(_unescape(text))


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _typed(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"-?(0|[1-9]\d*)", text) and abs(int(text)) < 1 << 63:
        return int(text)
    return text


def _assign(target: dict[str, Any], path: Path, value: Any) -> None:
    node: Any = target
    for i, part in enumerate(path):
        last = i == len(path) - 1
        following = None if last else path[i + 1]
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(None)
            if last:
                node[part] = value
            else:
                if not isinstance(node[part], (dict, list)):
                    node[part] = fresh
                node = node[part]
        else:
            if last:
                node[part] = value
            else:
                if not isinstance(node.get(part), (dict, list)):
                    node[part] = fresh
                node = node[part]


# --- dependency conditions and tags ---------------------------------------------------------


def enabled(condition: str, tags: tuple[str, ...], scope: Mapping[str, Any], top: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether Helm renders a dependency, and why: the first condition path that holds a boolean
    wins; otherwise tags (under the top-level `tags:`) disable it when one is false and none true.
    """
    for path in (p.strip() for p in (condition or "").split(",")):
        if not path:
            continue
        found, value = lookup(scope, tuple(path.split(".")))
        if found and isinstance(value, bool):
            return value, f"condition {path}={str(value).lower()}"
    tagged = top.get("tags")
    values = tagged if isinstance(tagged, dict) else {}
    states = [values.get(tag) for tag in tags if isinstance(values.get(tag), bool)]
    if states and not any(states):
        return False, "tags " + ", ".join(t for t in tags if values.get(t) is False) + " false"
    return True, ""
