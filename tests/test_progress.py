"""Progress on long scans: a line on standard error when it is a terminal, nothing on a pipe or in CI."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest

from portacheck import cli as cli_module
from portacheck.cli import _progress, main
from portacheck.progress import Progress

from conftest import FIXTURES

ERASE = "\r\x1b[K"


class Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("CI", "TERM", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- the decision ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env, tty, enabled, shown",
    [
        ({}, True, True, True),
        ({"TERM": "xterm-256color"}, True, True, True),
        ({}, False, True, False),  # a pipe or a file
        ({}, True, False, False),  # --no-progress or --quiet
        ({"CI": "true"}, True, True, False),  # GitHub Actions, GitLab CI and most others set CI
        ({"CI": "1"}, True, True, False),
        ({"CI": "false"}, True, True, True),
        ({"CI": ""}, True, True, True),
        ({"TERM": "dumb"}, True, True, False),
    ],
)
def test_progress_only_on_a_terminal_outside_ci(clean_env, env, tty, enabled, shown):
    for name, value in env.items():
        clean_env.setenv(name, value)
    clean_env.setattr(cli_module.sys, "stderr", Terminal() if tty else io.StringIO())
    progress = _progress(enabled)
    assert (progress is not None) == shown
    if progress is not None:
        progress.close()


def test_the_line_is_redrawn_in_place_and_erased_at_the_end():
    stream = Terminal()
    progress = Progress(stream, interval=3600)
    progress("loading rules")
    progress("analysing 3 files")
    progress.close()
    text = stream.getvalue()
    assert text.startswith(ERASE) and text.endswith(ERASE)
    assert "portacheck: loading rules…" in text and "portacheck: analysing 3 files…" in text
    assert "\n" not in text  # nothing stays in the scrollback


# --- through the command line ------------------------------------------------------------------


def run_with_terminal(args, monkeypatch):
    """Run the CLI in-process with standard error on a (fake) terminal; return (code, stdout, stderr).

    (Tests calling it ask for `fast_cli` only for its shared catalogue.)"""
    out, err = io.StringIO(), Terminal()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "args, shown",
    [
        (["scan", "aws-serverless", "--fail-on", "never"], True),
        (["scan", "aws-serverless", "--fail-on", "never", "--no-progress"], False),
        (["scan", "aws-serverless", "--fail-on", "never", "--quiet"], False),
        (["baseline", "create", "aws-serverless", "-o", "{tmp}/b.json"], True),
        (["baseline", "create", "aws-serverless", "-o", "{tmp}/b.json", "--no-progress"], False),
    ],
)
def test_scan_and_baseline_create_show_progress_unless_told_not_to(fast_cli, clean_env, tmp_path, args, shown):
    clean_env.chdir(FIXTURES)
    code, out, err = run_with_terminal([a.format(tmp=tmp_path) for a in args], clean_env)
    assert code == 0
    assert ("portacheck: loading rules…" in err) == shown
    assert (ERASE in err) == shown
    assert ERASE not in out and "\r" not in out  # the report itself never carries it


def test_no_progress_in_ci_even_on_a_terminal(fast_cli, clean_env):
    clean_env.setenv("CI", "true")
    clean_env.chdir(FIXTURES)
    code, _out, err = run_with_terminal(["scan", "aws-serverless", "--fail-on", "never"], clean_env)
    assert code == 0 and ERASE not in err


def _run_on_a_pty(env_changes: dict) -> tuple[int, bytes, bytes]:
    """A real `python -m portacheck scan` with standard error on a pseudo-terminal, standard output on a pipe."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env.update(env_changes, TERM="xterm")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portacheck", "scan", "aws-serverless", "--fail-on", "never"],
            cwd=FIXTURES, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env,
        )
        os.close(slave)
        slave = -1
        terminal = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not chunk:
                break
            terminal += chunk
        out = proc.stdout.read()
        proc.stdout.close()
        code = proc.wait(timeout=60)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    return code, out, terminal


def test_a_real_terminal_gets_the_line_and_the_report_does_not():
    code, out, terminal = _run_on_a_pty({})
    assert code == 0
    assert b"portacheck: loading rules" in terminal and terminal.endswith(ERASE.encode())
    assert b"\r" not in out and b"Findings by service" in out
