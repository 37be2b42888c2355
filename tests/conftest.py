"""Shared test helpers: build throwaway trees, scan them, run the CLI in-process."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from portacheck.cli import main
from portacheck.config import Config
from portacheck.rules.loader import load_catalogue
from portacheck.scan import run

# ROOT, FIXTURES and findings_table are re-exported: several test modules import them from here.
from helpers import FIXTURES, ROOT, SMALL_RULES, findings_table, write_tree  # noqa: F401


@pytest.fixture(autouse=True)
def _cache_outside_home(tmp_path_factory, monkeypatch):
    """The CLI caches the rule catalogue; tests keep that cache out of the home directory."""
    monkeypatch.setenv("PORTACHECK_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "portacheck-cache"))


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture
def tree(tmp_path):
    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_tree(tmp_path, files)

    return make


@pytest.fixture
def scan(catalogue):
    def do(path, config: Config | None = None, paths=None):
        return run([str(p) for p in (paths or [path])], config or Config(), catalogue=catalogue)

    return do


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code = code
        self.out = out
        self.err = err

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"CliResult(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


@pytest.fixture
def cli(monkeypatch):
    def invoke(*args: str, cwd: str | os.PathLike | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke



@pytest.fixture
def small_cli(cli, monkeypatch):
    """`cli` with the small catalogue (tests/data/rules-small) in place of the bundled one (extra --rules still add to it)."""
    import portacheck.rules.loader as loader
    import portacheck.scan as scan_module

    load = loader.load_catalogue

    def small(extra_dirs=(), include_bundled=True, cache_dir=None):
        return load([SMALL_RULES, *extra_dirs], include_bundled=False)

    monkeypatch.setattr(loader, "load_catalogue", small)
    monkeypatch.setattr(scan_module, "load_catalogue", small)
    return cli


_LOADED: dict = {}  # rules directories -> (catalogue, matcher), shared by `fast_cli` within the session


@pytest.fixture
def fast_cli(cli, monkeypatch):
    """`cli`, with the bundled catalogue and its matcher built once per session instead of per scan.

    Loading and compiling the catalogue is most of a small scan's time; tests that run dozens of
    scans over the same rules use this. Everything else (options, discovery, analysers,
    suppressions, baselines, reports, exit codes) runs as in `cli`.
    """
    import portacheck.scan as scan_module

    load, matcher = scan_module.load_catalogue, scan_module.Matcher

    def cached_load(rules_dirs=(), cache_dir=None):
        key = tuple(rules_dirs)
        if key not in _LOADED:
            catalogue = load(rules_dirs)
            _LOADED[key] = (catalogue, matcher(catalogue))
        return _LOADED[key][0]

    def cached_matcher(catalogue):
        for known, built in _LOADED.values():
            if known is catalogue:
                return built
        return matcher(catalogue)

    monkeypatch.setattr(scan_module, "load_catalogue", cached_load)
    monkeypatch.setattr(scan_module, "Matcher", cached_matcher)
    return cli
