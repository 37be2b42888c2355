"""Glob patterns indexed for fast lookup, with the most specific pattern winning.

A pattern is literal text with `*` wildcards (any run of characters). Exact patterns beat any
glob; among globs a higher rule priority wins (for cross-cutting families such as
`google_*_iam_member`), then the one with the most literal characters. Two different rules tied
at the top are an overlap: the catalogue tests refuse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class _Glob(Generic[T]):
    pattern: str
    specificity: tuple[int, int]  # (priority, literal characters)
    target: T
    _regex: re.Pattern | None = None

    def matches(self, value: str) -> bool:
        """`prefix*`, `*suffix` and `prefix*suffix` without a regex; other shapes compile one, once."""
        pattern = self.pattern
        if pattern.count("*") == 1:
            prefix, suffix = pattern.split("*")
            return len(value) >= len(prefix) + len(suffix) and value.startswith(prefix) and value.endswith(suffix)
        if self._regex is None:
            self._regex = glob_regex(pattern)
        return self._regex.match(value) is not None


def glob_regex(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern)) + r"\Z", re.S)


class PatternIndex(Generic[T]):
    """Maps values to the targets of their most specific matching patterns."""

    def __init__(self, entries: Iterable[tuple[str, T]], priority=lambda target: 0):
        self.exact: dict[str, list[tuple[str, T]]] = {}
        self.by_prefix: dict[str, list[_Glob[T]]] = {}
        self.by_suffix: dict[str, list[_Glob[T]]] = {}
        self.floating: list[_Glob[T]] = []
        self._cache: dict[str, list[tuple[str, T]]] = {}
        self.prefix_lengths: set[int] = set()
        self.suffix_lengths: set[int] = set()
        for pattern, target in entries:
            pattern = pattern.lower()
            if "*" not in pattern:
                self.exact.setdefault(pattern, []).append((pattern, target))
                continue
            glob = _Glob(pattern, (priority(target), len(pattern.replace("*", ""))), target)
            prefix = pattern.split("*", 1)[0]
            suffix = pattern.rsplit("*", 1)[1]
            if prefix:
                self.by_prefix.setdefault(prefix, []).append(glob)
                self.prefix_lengths.add(len(prefix))
            elif suffix:
                self.by_suffix.setdefault(suffix, []).append(glob)
                self.suffix_lengths.add(len(suffix))
            else:
                self.floating.append(glob)

    _CACHE_LIMIT = 50_000  # values repeat (every Deployment is `apps/deployment`): remember answers

    def lookup(self, value: str) -> list[tuple[str, T]]:
        """(pattern, target) pairs of the best matches; several targets tied means an overlap."""
        cached = self._cache.get(value)
        if cached is None:
            cached = self._lookup(value.lower())
            if len(self._cache) < self._CACHE_LIMIT:
                self._cache[value] = cached
        return list(cached)

    def _lookup(self, value: str) -> list[tuple[str, T]]:
        if value in self.exact:
            return list(self.exact[value])
        candidates: list[_Glob[T]] = []
        for length in self.prefix_lengths:
            if length <= len(value):
                candidates.extend(self.by_prefix.get(value[:length], ()))
        for length in self.suffix_lengths:
            if length <= len(value):
                candidates.extend(self.by_suffix.get(value[-length:], ()))
        candidates.extend(self.floating)
        best: list[_Glob[T]] = []
        for glob in candidates:
            if glob.matches(value):
                if not best or glob.specificity > best[0].specificity:
                    best = [glob]
                elif glob.specificity == best[0].specificity:
                    best.append(glob)
        return [(g.pattern, g.target) for g in best]
