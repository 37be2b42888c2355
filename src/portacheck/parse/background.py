"""The Terraform reader in a forked child process while this process reads the manifests and charts.

Terraform needs nothing the other frontends find (they pass chart values to Helm, never to it),
and nothing waits for its result before the inventory is merged. So on two cores, when a tree has
both, its modules are read and evaluated beside the Kubernetes and Helm readers instead of before
them, and the serial parts of each (evaluation; Helm staging and analysis) run at the same time.
The child is forked first, before those readers grow the heap. Its result comes back pickled
through a pipe: our own child's bytes, never a file another user could plant.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext, file_size

ASIDE = "terraform"
# Below this much Terraform, or this much of everything else, forking and sending the result
# back cost about what they save. Each Helm chart is rendered, which is work enough on its own.
MIN_BYTES = 64 * 1024


class Lost(Exception):
    """The child ended without a result (killed, out of memory, a result that cannot be pickled)."""


@dataclass
class Pending:
    frontend: Frontend
    files: Sequence[SourceFile]
    pid: int
    pipe: int

    def wait(self, context: ParseContext) -> ParseResult:
        with os.fdopen(self.pipe, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(self.pid, 0)
        try:
            result, written = pickle.loads(data)  # from the child forked above, through a pipe
        except Exception:  # noqa: BLE001 - nothing or half a result: the child died
            raise Lost(f"its worker process ended with {_status(status)}") from None
        if context.cache is not None:
            context.cache.written += written  # so that this process trims the cache it wrote to
        return result


def start(
    by_kind: dict[str, list[SourceFile]],
    context: ParseContext,
    frontends: Sequence[Frontend],
    parse: Callable[[Frontend, list[SourceFile]], ParseResult],
) -> dict[str, Pending]:
    """The frontends started in a child, by name: Terraform when there is enough of it and of
    the rest, more than one core and fork; else none, and the caller reads everything itself."""
    files = by_kind.get(ASIDE)
    if not files or context.jobs == 1 or (context.jobs or os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):
        return {}
    others = sum(file_size(f.path) for kind, sources in by_kind.items() if kind != ASIDE for f in sources)
    if sum(file_size(f.path) for f in files) < MIN_BYTES or (others < MIN_BYTES and not by_kind.get("helm")):
        return {}
    frontend = next(f for f in frontends if f.name == ASIDE)
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no processes here (limits): read it in this process
        os.close(read)
        os.close(write)
        return {}
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read)
        code = 1
        try:
            result = parse(frontend, files)
            data = pickle.dumps((result, context.cache.written if context.cache else 0), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as stream:
                stream.write(data)
            code = 0
        finally:
            os._exit(code)  # no atexit handlers, no flushing of buffers the parent owns
    os.close(write)
    return {ASIDE: Pending(frontend, files, pid, read)}


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
