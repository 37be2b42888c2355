"""Run portacheck on a generated tree in a child process bounded in memory and time.

The bounds are not timing assertions: they turn a hang or a runaway allocation into a failure
instead of a stuck or killed test run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import portacheck

from helpers import write_tree

MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the child: 1 GiB
TIME_LIMIT = 120  # seconds; a hang fails instead of blocking the suite
SQS = 'resource "aws_sqs_queue" "q" {}\n'
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"


@dataclass(frozen=True)
class Run:
    code: int
    errors: list[str]  # the stderr lines naming an error
    files: list[str]  # the files with findings

    def __repr__(self) -> str:
        return f"Run(code={self.code}, errors={self.errors!r}, files={self.files!r})"


write = write_tree  # the tree writer of tests/helpers.py, under the name these tests use


def _limit() -> None:  # pragma: no cover - runs in the child
    # The soft limit bounds portacheck; the hard one stays open so the Helm SDK worker can set its
    # own (3 GiB, render.py): the Go runtime does not always start within 1 GiB of address space.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, resource.getrlimit(resource.RLIMIT_AS)[1]))


def bounded_scan(root: Path, *paths: str) -> Run:
    source = str(Path(portacheck.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}
    report = root.parent / f"{root.name}-report.json"
    done = subprocess.run(
        [sys.executable, "-m", "portacheck", "scan", "--format", "json", "--output", str(report), *(paths or (".",))],
        cwd=root, env=env, capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limit, check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line.removeprefix("portacheck: ") for line in done.stderr.splitlines() if ": error: " in line]
    files = []
    if report.exists() and report.stat().st_size:
        files = sorted({finding["file"] for finding in json.loads(report.read_text())["findings"]})
    return Run(done.returncode, errors, files)


def zeros_chart_archive(size: int) -> bytes:
    """A chart archive `sub` holding a template of `size` zero bytes (compressed far past 100:1)."""
    import io
    import tarfile

    class Zeros(io.RawIOBase):
        def __init__(self) -> None:
            self.left = size

        def readinto(self, buffer) -> int:
            count = min(len(buffer), self.left)
            buffer[:count] = bytes(count)
            self.left -= count
            return count

    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz", compresslevel=1) as archive:
        meta = b"apiVersion: v2\nname: sub\nversion: 0.1.0\n"
        info = tarfile.TarInfo("sub/Chart.yaml")
        info.size = len(meta)
        archive.addfile(info, io.BytesIO(meta))
        info = tarfile.TarInfo("sub/templates/zeros.yaml")
        info.size = size
        archive.addfile(info, Zeros())
    return data.getvalue()
