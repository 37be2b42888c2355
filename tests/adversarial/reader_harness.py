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
LB = (  # a Service the AWS load balancer controller serves: a finding, so a rendered chart shows in the report
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations:\n"
    "    service.beta.kubernetes.io/aws-load-balancer-type: nlb\nspec:\n  type: LoadBalancer\n"
)


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


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/prctl.h>, <linux/capability.h>


def _obey_file_modes() -> None:  # pragma: no cover - runs in the child
    """As root, drop the capabilities that let root read any file, for the child and what it starts.

    Dropped from the bounding set, they are not given back at exec, so the scan meets mode 000 like
    any user would. (Not setuid: the interpreter may live where another user cannot reach it.)
    """
    if os.geteuid() != 0:
        return  # chmod 000 binds the owner already
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _limit_and_obey_file_modes() -> None:  # pragma: no cover - runs in the child
    _limit()
    _obey_file_modes()


def file_modes_bind(directory: Path) -> bool:
    """Whether a child started like bounded_scan(unreadable=True) is refused a file of mode 000."""
    probe = directory / "mode-probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe)!r})"], preexec_fn=_obey_file_modes, capture_output=True, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.unlink()
    return done.returncode != 0


def bounded_scan(root: Path, *paths: str, bin_dir: Path | None = None, unreadable: bool = False) -> Run:
    """Scan `root` (or `paths` in it); `bin_dir` goes first on PATH (a fake `helm`); `unreadable`: even
    as root, files of mode 000 cannot be read (see _obey_file_modes)."""
    source = str(Path(portacheck.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if bin_dir is not None:
        env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    report = root.parent / f"{root.name}-report.json"
    done = subprocess.run(
        [sys.executable, "-m", "portacheck", "scan", "--format", "json", "--output", str(report), *(paths or (".",))],
        cwd=root, env=env, capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limit_and_obey_file_modes if unreadable else _limit,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line.removeprefix("portacheck: ") for line in done.stderr.splitlines() if ": error: " in line]
    files = []
    if report.exists() and report.stat().st_size:
        files = sorted({finding["file"] for finding in json.loads(report.read_text())["findings"]})
    return Run(done.returncode, errors, files)


FAKE_HELM = '''import os, sys
release, chart = sys.argv[2], sys.argv[3]
if release != "big":  # render like Helm: each template after a `# Source:` line
    templates = os.path.join(chart, "templates")
    for name in sorted(n for n in os.listdir(templates) if os.path.isfile(os.path.join(templates, n))):
        with open(os.path.join(templates, name)) as template:
            sys.stdout.write(f"---\\n# Source: {release}/templates/{name}\\n" + template.read())
    sys.exit(0)
'''


def fake_helm(directory: Path, big: str = "sys.exit(1)\n") -> Path:
    """A directory holding a `helm` that renders every chart but `big`, for which it runs `big` (Python)."""
    (directory / "bin").mkdir(parents=True)
    script = directory / "fake_helm.py"
    script.write_text(FAKE_HELM + big)
    helm = directory / "bin" / "helm"
    helm.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    helm.chmod(0o755)
    return directory / "bin"


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
