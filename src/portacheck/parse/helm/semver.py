"""Chart version constraints as Helm reads them (Masterminds semver v3), without a dependency.

Enough of the grammar for Chart.yaml `dependencies[].version`: `||` alternatives of
comma- or space-separated comparisons (`=`, `!=`, `>`, `>=`, `<`, `<=`), tilde (`~1.2`),
caret (`^1.2.3`), wildcards (`2.x.x`, `1.2.*`, `*`) and hyphen ranges (`1.2 - 1.4`).
A version that does not parse satisfies nothing; an empty constraint is satisfied by any.

>>> satisfies("2.31.4", "2.x.x"), satisfies("3.0.0", "^2.0.0"), satisfies("1.2.9", "~1.2.3")
(True, False, True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_PART = r"(?:\d+|[xX*])"
_TERM = re.compile(rf"^(?P<op>!=|>=|=>|<=|=<|>|<|=|~>|~|\^)?\s*v?(?P<ver>{_PART}(?:\.{_PART}){{0,2}}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    pre: tuple = ()

    def key(self) -> tuple:
        # a release sorts after its pre-releases; pre-release parts compare numerically when numeric
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)


def parse_version(text: str) -> Version | None:
    match = _VERSION.match(str(text).strip())
    if not match:
        return None
    pre = tuple(match.group("pre").split(".")) if match.group("pre") else ()
    return Version(int(match.group("major")), int(match.group("minor") or 0), int(match.group("patch") or 0), pre)


def satisfies(version: str, constraint: str) -> bool:
    parsed = parse_version(version)
    if parsed is None:
        return False
    constraint = (constraint or "").strip()
    if not constraint:
        return True
    for alternative in constraint.split("||"):
        terms = _terms(alternative)
        if terms is not None and all(_check(parsed, op, parts, pre) for op, parts, pre in terms):
            return True
    return False


def _terms(text: str) -> list[tuple[str, list[int | None], tuple]] | None:
    text = text.strip()
    hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", text)
    if hyphen:
        low, high = _term(">=" + hyphen.group(1)), _term("<=" + hyphen.group(2))
        return None if low is None or high is None else [low, high]
    raw = [t for t in re.split(r"[\s,]+", re.sub(r"(!=|>=|=>|<=|=<|~>|[<>=~^])\s+", r"\1", text)) if t]
    terms = [_term(t) for t in raw] or [_term("*")]
    read = [t for t in terms if t is not None]
    return read if len(read) == len(terms) else None


def _term(text: str) -> tuple[str, list[int | None], tuple] | None:
    match = _TERM.match(text)
    if not match:
        return None
    op = {"=>": ">=", "=<": "<=", "~>": "~"}.get(match.group("op") or "=", match.group("op") or "=")
    version = match.group("ver").split("+", 1)[0]
    core, _, pre = version.partition("-")
    parts: list[int | None] = [None if p in ("x", "X", "*") else int(p) for p in core.split(".")]
    # a wildcard makes every later part a wildcard
    for i, part in enumerate(parts):
        if part is None:
            parts[i:] = [None] * (len(parts) - i)
            break
    parts += [None] * (3 - len(parts))
    return op, parts, tuple(pre.split(".")) if pre else ()


def _floor(parts: list[int | None], pre: tuple) -> Version:
    major, minor, patch = (p or 0 for p in parts)
    return Version(major, minor, patch, pre)


def _check(v: Version, op: str, parts: list[int | None], pre: tuple) -> bool:
    key = v.key()
    known = [p for p in parts if p is not None]
    low = _floor(parts, pre)
    if op in ("=", "!="):
        if len(known) == 3:
            inside = key == low.key()
        else:
            inside = _in_range(v, low, _bump(known))
        return inside if op == "=" else not inside
    if op == ">":
        return key > low.key() if len(known) == 3 else (not known or key >= _bump(known).key()) and bool(known)
    if op == ">=":
        return key >= low.key()
    if op == "<":
        return key < low.key()
    if op == "<=":
        return key <= low.key() if len(known) == 3 else (not known or key < _bump(known).key())
    if op == "~":  # ~1.2.3 and ~1.2: same minor; ~1: same major
        return _in_range(v, low, _bump(known[:2] if len(known) >= 2 else known))
    if op == "^":  # same left-most non-zero part
        if not known:
            return True
        for i, part in enumerate(known):
            if part != 0 or i == len(known) - 1:
                return _in_range(v, low, _bump(known[: i + 1]))
    return False


def _bump(known: list[int]) -> Version:
    """The first version past the given prefix: [1] -> 2.0.0, [1, 2] -> 1.3.0, [] -> infinity."""
    if not known:
        return Version(1 << 62, 0, 0)
    bumped = list(known[:-1]) + [known[-1] + 1]
    bumped += [0] * (3 - len(bumped))
    return Version(bumped[0], bumped[1], bumped[2], ("0",))  # below every release and pre-release of the next step


def _in_range(v: Version, low: Version, high: Version) -> bool:
    return low.key() <= v.key() < high.key()
