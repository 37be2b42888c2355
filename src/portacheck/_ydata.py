"""The plain containers YAML is read into, and its error: no import of yaml, so code that only
handles such values (the rule catalogue from its cache, Terraform's Kubernetes objects) starts
without loading the YAML library (about 30 ms of a pre-commit run)."""

from __future__ import annotations


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    __slots__ = ("key_lines", "line")

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


class YMap(dict):
    """A mapping of a scanned document: its line, and the line of each key and value."""

    __slots__ = ("key_lines", "line", "value_lines")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}


class YList(list):
    """A sequence of a scanned document: its line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []
