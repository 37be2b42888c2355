"""The one way portacheck reads a file of the scanned repository: bounded, and never surprised.

- regular files only: a FIFO, device or socket is refused by `os.stat` before it is opened,
  and the file is opened non-blocking, so that a FIFO swapped in between cannot hang the scan;
- symlinks resolved, and refused when they leave the scan root (when a root is given);
- the size limit applied before reading (from `stat`) and again while reading (a file that grows);
- text decoded from UTF-8, or UTF-16/UTF-32 with a byte-order mark; anything else is an InputError
  that says which ("not valid UTF-8", "binary file", "UTF-16 without a byte-order mark").

Every frontend reads through `read_text`/`read_bytes` (portacheck.parse re-exports them as
`read_source`), and so do configuration, baseline and suppression reading.
"""

from __future__ import annotations

import codecs
import os
import stat

from portacheck.errors import InputError

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def size_message(max_bytes: int) -> str:
    return f"file is larger than {max_bytes // (1024 * 1024)} MiB; not analysed"


def inside(path: str, root: str) -> bool:
    """Whether `path`, symlinks resolved, is `root` or below it (symlinks of the root resolved too)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return os.path.commonpath([real_root, real]) == real_root


def check_file(path: str, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES, root: str | None = None) -> os.stat_result:
    """The stat of a file that may be read, or InputError saying why not (without opening it)."""
    if root is not None and not inside(path, root):
        raise InputError("symlink points outside the scanned root; not read")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("broken symlink or missing file; not read" if os.path.islink(path) else "no such file") from None
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    _check_mode(info.st_mode)
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(size_message(max_bytes))
    return info


def _check_mode(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise InputError(f"not a regular file ({kind}); not read")


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, root: str | None = None, head: int | None = None) -> bytes:
    """The bytes of a regular file within the limits, or InputError; `head`: only that many."""
    check_file(path, max_bytes if head is None else None, root)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    try:
        _check_mode(os.fstat(descriptor).st_mode)  # the file opened is the file checked
        wanted = head if head is not None else max_bytes + 1
        chunks = []
        while wanted > 0:
            chunk = os.read(descriptor, min(wanted, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if head is None and len(data) > max_bytes:
        raise InputError(size_message(max_bytes))
    return data


def read_head(path: str, size: int, root: str | None = None) -> bytes:
    """The first `size` bytes of a regular file, b"" when it cannot be read (discovery's sniffing)."""
    try:
        return read_bytes(path, root=root, head=size)
    except InputError:
        return b""


def read_text(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, root: str | None = None) -> str:
    """The text of a file an analyser will parse, or InputError saying plainly why not."""
    return decode_text(read_bytes(path, max_bytes, root))


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(encoding, length of the mark) of data that starts with a byte-order mark."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def sniff_head(data: bytes) -> bytes:
    """A file's first bytes as UTF-8, for the frontends that decide by content: UTF-16 and UTF-32
    text with a byte-order mark is claimed like UTF-8 text (and then decoded by `decode_text`)."""
    found = bom_encoding(data)
    if found is None or found[0] == "utf-8":
        return data
    encoding, mark = found
    return data[mark:].decode(encoding, "ignore").encode("utf-8")


def decode_text(data: bytes) -> str:
    """The text of a file's bytes, or InputError saying plainly why not."""
    found = bom_encoding(data)
    if found is not None:
        encoding, mark = found
        try:
            return data[mark:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid {encoding.upper().replace('-LE', '').replace('-BE', '')} text (at byte {exc.start + mark})") from None
    if b"\x00" in data[:8192]:
        if _looks_utf16(data[:8192]):
            raise InputError("not UTF-8 text (UTF-16 without a byte-order mark?); not analysed")
        raise InputError("binary file (contains NUL bytes); not analysed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None


def _looks_utf16(head: bytes) -> bool:
    """ASCII text in UTF-16: every other byte is NUL."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)
