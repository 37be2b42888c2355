"""What portacheck trusts, enforced here and nowhere else (docs/security.md states the model).

The scanned repository is untrusted input, its own configuration included. The command line
and a file given with `--config` are trusted. Three rules follow:

- A configuration file found in the repository names paths inside the repository only,
  checked after symlinks are resolved, with no `~` expansion (`config_path`, active while
  `untrusted` is). A path outside is dropped with one error line; the scan goes on without it.
- Output files are written where the command line says, or inside the repository for a
  baseline named by repository configuration (`write_output`): never through a symlink, never
  over a file that is not a portacheck output, and never with directories created outside.
- The search for a configuration file stops at the repository root, or at the scanned
  directory when there is none (`repository_root`).

`--repo-policy` decides what the repository's configuration may do to the policy (fail-on,
min-coverage, disable, overrides, rules): apply it (the default), only tighten it (`tighten`),
or leave it to the command line (`ignore`); see `limit_policy`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from portacheck.errors import PortacheckError

if TYPE_CHECKING:
    from portacheck.config import Config

REPO_POLICIES = ("apply", "tighten", "ignore")
_OURS = b"portacheck"  # every report and baseline names the tool in its first bytes
_HEAD = 4096


def git_root(directory: str) -> str | None:
    """The directory holding `.git` at or above `directory`, or None."""
    probe = os.path.abspath(directory)
    while not os.path.exists(os.path.join(probe, ".git")):
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent
    return probe


def repository_root(start: str) -> str:
    """The directory holding `.git` at or above `start`, else `start` itself (its directory for a file)."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    return git_root(directory) or directory


def inside(path: str, root: str) -> bool:
    """Whether `path`, all symlinks resolved, is `root` or below it."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


# --- paths named by repository configuration ---------------------------------------------------


@dataclass
class Gate:
    """The paths of one untrusted configuration file: kept inside `root`, refusals recorded."""

    root: str
    refused: list[str] = field(default_factory=list)


_GATE: ContextVar[Gate | None] = ContextVar("portacheck_trust_gate", default=None)


@contextlib.contextmanager
def untrusted(root: str | None) -> Iterator[Gate | None]:
    """While active, `config_path` keeps paths inside `root` (None: trusted, no limit)."""
    gate = Gate(os.path.abspath(root)) if root is not None else None
    token = _GATE.set(gate)
    try:
        yield gate
    finally:
        _GATE.reset(token)


def config_path(base: str, item: str) -> str | None:
    """A path named by configuration, relative to `base`; None when untrusted configuration may not name it."""
    gate = _GATE.get()
    if gate is None:
        return os.path.normpath(os.path.join(base, os.path.expanduser(item)))
    if item.startswith("~"):
        gate.refused.append(f"{item}: `~` is not expanded in the repository's configuration; ignored")
        return None
    path = os.path.normpath(os.path.join(base, item))
    if not inside(path, gate.root):
        gate.refused.append(
            f"{item}: outside the repository ({gate.root}), symlinks resolved; ignored "
            "(give it on the command line, or trust the file with --trusted-config or --config)"
        )
        return None
    return path


# --- the policy a repository's configuration may set ------------------------------------------


def limit_policy(own: Config, merged: Config, mode: str, source: str) -> tuple[Config, list[str]]:
    """The policy when the repository's configuration may only tighten (`tighten`) or not touch
    (`ignore`) the one of the command line (`own`); `merged` is the configuration applied in full.
    Returns the Config and one message per setting left out."""
    if mode == "apply":
        return merged, []
    dropped: list[str] = []

    def drop(key: str, why: str) -> None:
        dropped.append(f"{source}: {key}: ignored ({why}, --repo-policy {mode})")

    loosens = "it would loosen the policy"
    fail_on, min_coverage = own.fail_on, own.min_coverage
    if merged.fail_on != own.fail_on:
        if mode == "tighten" and merged.fail_on is not None and (own.fail_on is None or merged.fail_on < own.fail_on):
            fail_on = merged.fail_on
        else:
            drop("fail-on", loosens if mode == "tighten" else "policy comes from the command line")
    if merged.min_coverage != own.min_coverage:
        if mode == "tighten" and merged.min_coverage is not None and (own.min_coverage is None or merged.min_coverage > own.min_coverage):
            min_coverage = merged.min_coverage
        else:
            drop("min-coverage", loosens if mode == "tighten" else "policy comes from the command line")
    if set(merged.disable) - set(own.disable):
        drop("disable", "disabling rules loosens the policy" if mode == "tighten" else "policy comes from the command line")
    if set(merged.rules_dirs) - set(own.rules_dirs):
        drop("rules", "rules could replace bundled ones; pass --rules" if mode == "tighten" else "policy comes from the command line")
    overrides = dict(own.overrides)
    raise_only: frozenset[str] = frozenset()
    if mode == "tighten":
        raise_only = frozenset(set(merged.overrides) - set(own.overrides))
        overrides = {**merged.overrides, **own.overrides}
    elif set(merged.overrides) - set(own.overrides):
        drop("overrides", "policy comes from the command line")
    limited = replace(
        merged,
        fail_on=fail_on,
        min_coverage=min_coverage,
        disable=own.disable,
        rules_dirs=own.rules_dirs,
        overrides=overrides,
        raise_only=raise_only,
    )
    return limited, dropped


# --- reading a file named by configuration -----------------------------------------------------


# --- writing output files ----------------------------------------------------------------------


def write_output(path: str, text: str, what: str, root: str | None = None) -> None:
    """Write `text` to `path` whole (a temporary file renamed into place) or not at all.

    `what` names the output in messages ("report", "baseline"). `root`: the path comes from the
    repository's configuration and must stay inside that directory. Refused (PortacheckError):
    a symlink, anything but a regular file, an existing file that is not a portacheck output,
    and, with `root`, a place outside it."""
    from portacheck.config import display_path

    absolute = os.path.abspath(path)
    parent = os.path.dirname(absolute)
    path = display_path(path)
    if root is not None and not inside(absolute, root):
        raise PortacheckError(f"{path}: not writing the {what} outside the repository ({root})")
    try:
        info = os.lstat(absolute)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise PortacheckError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise PortacheckError(f"{path}: is a symbolic link; not writing the {what} through it")
        if not stat.S_ISREG(info.st_mode):
            raise PortacheckError(f"{path}: not a regular file; not writing the {what} to it")
        if info.st_size and not _ours(absolute):
            raise PortacheckError(f"{path}: exists and is not a portacheck report or baseline; not overwritten (remove it first)")
    try:
        _make_parent(parent, root)
        handle, temporary = tempfile.mkstemp(prefix=".portacheck-", dir=parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            os.chmod(temporary, info.st_mode & 0o777 if info is not None else 0o666 & ~_umask())
            os.replace(temporary, absolute)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise PortacheckError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None


def _ours(path: str) -> bool:
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        head = handle.read(_HEAD)
        # a GitLab Code Quality report is a list of issues that does not name the tool
        return _OURS in head or (head.lstrip().startswith(b"[") and (b'"check_name"' in head or head.strip() == b"[]"))
    return False


def _make_parent(parent: str, root: str | None) -> None:
    if os.path.isdir(parent):
        return
    if root is not None:
        existing = parent
        while not os.path.exists(existing):
            existing = os.path.dirname(existing)
        if not inside(existing, root):
            raise PortacheckError(f"{parent}: not creating directories outside the repository ({root})")
    os.makedirs(parent, exist_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
