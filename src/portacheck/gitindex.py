"""The paths git tracks, read from `.git/index` without running git.

A .gitignore only hides files git does not track: a tracked file in an ignored directory is part
of the repository and must be scanned. Running `git ls-files` would read the scanned repository's
own git configuration (`core.fsmonitor` runs a command), so the index is read as data instead.
Index versions 2, 3 and 4 are understood; anything else gives None and the caller must not hide
any file.
"""

from __future__ import annotations

import os
import struct

_MAX_INDEX_BYTES = 256 * 1024 * 1024


def git_dir(top: str) -> str | None:
    """The git directory of the work tree at `top`: `.git`, or where a `.git` file points (a worktree)."""
    dot_git = os.path.join(top, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, "rb") as handle:
            first = handle.read(4096).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    return os.path.normpath(os.path.join(top, first[len("gitdir:"):].strip()))


def tracked_paths(top: str) -> frozenset[str] | None:
    """The '/'-separated paths of the index at `top` (none when it has no index yet), or None when it is not understood."""
    directory = git_dir(top)
    if directory is None:
        return None
    path = os.path.join(directory, "index")
    if not os.path.lexists(path):
        return frozenset()  # a repository with nothing added yet
    try:
        if os.path.getsize(path) > _MAX_INDEX_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    try:
        return _parse(data)
    except (struct.error, ValueError, IndexError):
        return None


def _parse(data: bytes) -> frozenset[str] | None:
    signature, version, count = struct.unpack_from(">4sLL", data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return None
    paths: list[str] = []
    offset, previous = 12, b""
    for _ in range(count):
        start = offset
        (flags,) = struct.unpack_from(">H", data, offset + 60)
        offset += 62
        if version >= 3 and flags & 0x4000:  # extended flags
            (extended,) = struct.unpack_from(">H", data, offset)
            offset += 2
            if extended & 0x4000:  # skip-worktree entries of a sparse index may be directories
                return None
        if version == 4:
            strip, offset = _varint(data, offset)
            end = data.index(b"\0", offset)
            name = previous[: len(previous) - strip] + data[offset:end]
            offset = end + 1
        else:
            end = data.index(b"\0", offset)
            name = data[offset:end]
            offset = start + ((end - start + 8) // 8) * 8  # NUL-padded to a multiple of 8
        previous = name
        paths.append(os.fsdecode(name))
    return frozenset(paths)


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """Git's offset varint (each continuation adds one before shifting)."""
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset
