"""A content-addressed cache of parse results and of the rule catalogue, kept as plain data.

An entry is named after a hash of what decides its value: the bytes read, the frontend, the
options that change parsing, portacheck's version and the Python version (the format is
`marshal`, which differs between Python versions). Entries hold plain values only (tuples,
lists, dicts, strings, numbers); the reader rebuilds its objects from them, so nothing in a
cache directory is ever imported or called, unlike pickle. Each entry carries a SHA-256 of its
payload: a torn or corrupt entry is ignored and written again.

Writes go to a temporary file renamed into place, so concurrent scans never read half an entry.
A hit touches the entry's modification time; once a scan has written entries, the oldest are
removed until the directory is below its cap (least recently used first).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable
from typing import Any

from portacheck import __version__

FORMAT = b"portacheck-cache 1\n"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_DIGEST = 32
# What every key depends on: the code that produced the entry and the format that holds it.
_SALT = f"{__version__}\0{sys.version}\0{FORMAT.decode()}".encode()


class Cache:
    """Entries under `directory`, grouped by kind ("terraform", "catalogue", ...)."""

    def __init__(self, directory: str, max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = directory
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.written = 0

    def key(self, kind: str, parts: Iterable[bytes | str]) -> str:
        digest = hashlib.sha256(_SALT)
        digest.update(kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(b"\0%d\0" % len(data))
            digest.update(data)
        return digest.hexdigest()[:40]

    def _path(self, kind: str, key: str) -> str:
        return os.path.join(self.directory, kind, key)

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored under key, or None when there is none or it cannot be trusted."""
        path = self._path(kind, key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            self.misses += 1
            return None
        value = decode(data)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store value (plain data); a cache that cannot be written is not an error."""
        path = self._path(kind, key)
        try:
            data = encode(value)
        except ValueError:  # not plain data: a bug in the caller's encoding, never worth a failed scan
            return
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
            self.written += 1
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def trim(self) -> None:
        """Remove the least recently used entries until the directory is below its cap."""
        if not self.written:
            return
        trim(self.directory, self.max_bytes)


def encode(value: Any) -> bytes:
    payload = marshal.dumps(value)
    return FORMAT + hashlib.sha256(payload).digest() + payload


def decode(data: bytes) -> Any | None:
    """The value of an entry, or None when it is not one of ours or does not match its digest."""
    start = len(FORMAT) + _DIGEST
    if not data.startswith(FORMAT) or len(data) < start:
        return None
    payload = data[start:]
    if hashlib.sha256(payload).digest() != data[len(FORMAT) : start]:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def trim(directory: str, max_bytes: int) -> None:
    entries = []
    total = 0
    for folder, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            entries.append((info.st_mtime_ns, info.st_size, path))
            total += info.st_size
    if total <= max_bytes:
        return
    entries.sort()
    goal = max_bytes * 8 // 10  # some room, so that the next scans do not trim again at once
    for _mtime, size, path in entries:
        if total <= goal:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size


def open_cache(directory: str | None) -> Cache | None:
    """The cache in `directory`, or None when caching is off."""
    return Cache(directory) if directory else None


# Frozen dataclasses and enums as plain data, for values that are objects (the rule catalogue).
# Every container is tagged, so a decoded value has exactly the types it was encoded from; only
# the classes the reader names can come back.


def to_plain(value: Any) -> Any:
    """Dataclasses, enums, tuples, lists and dicts of plain values, as tagged plain data.

    Types are matched exactly: a subclass (a YAML mapping that knows its lines) raises ValueError
    rather than come back as something else, and the caller then does not cache that value."""
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int or kind is float:
        return value
    if kind is tuple:
        return ("t", tuple(to_plain(v) for v in value))
    if kind is list:
        return ("l", tuple(to_plain(v) for v in value))
    if kind is dict:
        return ("m", tuple((to_plain(k), to_plain(v)) for k, v in value.items()))
    if isinstance(value, enum.Enum):
        return ("e", type(value).__name__, value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ("d", type(value).__name__, tuple(to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise ValueError(f"cannot cache a {type(value).__name__}")


def from_plain(data: Any, classes: dict[str, type]) -> Any:
    """The value `to_plain` encoded; ValueError when it names a class not in `classes`."""
    if type(data) is not tuple:
        return data
    tag = data[0]
    # Plain members (most of them: strings) are taken as they are, without a call each.
    if tag == "t":
        return tuple([from_plain(v, classes) if type(v) is tuple else v for v in data[1]])
    if tag == "l":
        return [from_plain(v, classes) if type(v) is tuple else v for v in data[1]]
    if tag == "m":
        return {
            (from_plain(k, classes) if type(k) is tuple else k): (from_plain(v, classes) if type(v) is tuple else v) for k, v in data[1]
        }
    cls = classes.get(data[1]) if tag in ("d", "e") else None
    if cls is None:
        raise ValueError(f"unexpected cached value {tag!r} {data[1:2]!r}")
    if tag == "e":
        return cls(data[2])
    return cls(*[from_plain(v, classes) if type(v) is tuple else v for v in data[2]])
