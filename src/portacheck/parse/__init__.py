"""Analysers: each turns the files of its kind into Resources and ScanErrors, and never raises.

The registry is a literal dict from the SourceFile kind that discovery assigns to the function
that reads all files of that kind. Analysers know nothing of rules or reports; what they need
from the outside comes in a ParseContext.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from portacheck.errors import InputError
from portacheck.model import ParseResult, SourceFile

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ParseContext:
    """What analysers may know about the scan: never the rules themselves, only facts derived from them."""

    root: str  # absolute path of the scan root
    provider_sources: Mapping[str, str] = field(default_factory=dict)  # "hashicorp/aws" -> "aws"
    type_prefixes: Mapping[str, str] = field(default_factory=dict)  # "hashicorp/google-beta" -> "google"
    attributes_of_interest: frozenset[str] = frozenset()  # top-level attribute names rules look at
    var_files: tuple[str, ...] = ()  # absolute paths of --var-file files, in order
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    excluded: Callable[[str], bool] = lambda relpath: False  # user excludes, by path relative to root
    jobs: int = 0  # worker processes for parsing; 0 = one per core
    # (pattern, provider) of every `sdk_package` pattern in the catalogue: which dependencies are
    # cloud SDKs. None (no catalogue at hand): the application analyser keeps every dependency.
    sdk_packages: tuple[tuple[str, str], ...] | None = None
    # Helm (see parse/helm): user values for every chart, per-chart values from the configuration
    # file (absolute chart directory -> config.HelmChart), dependency archives, renderer, time limit.
    helm_values: tuple[str, ...] = ()  # absolute paths of --helm-values files, in order
    helm_set: tuple[str, ...] = ()  # --helm-set key=value pairs, in order
    helm_chart_values: Mapping[str, Any] = field(default_factory=dict)
    helm_charts_dirs: tuple[str, ...] = ()  # absolute --helm-charts-dir directories
    helm_renderer: str = "auto"  # auto, sdk, binary or static
    helm_timeout: float = 30.0  # seconds per chart render


Parser = Callable[[Sequence[SourceFile], ParseContext], ParseResult]


def _registry() -> Mapping[str, Parser]:
    from portacheck.parse import application, helm, kubernetes, terraform

    return {
        "terraform": terraform.parse,
        "kubernetes": kubernetes.parse,
        "helm": helm.parse,
        "application": application.parse,
    }


def parsers() -> Mapping[str, Parser]:
    return _registry()


# Below these a pool of worker processes costs more than it saves.
PARALLEL_MIN_FILES = 24
PARALLEL_MIN_BYTES = 256 * 1024


def parallel_map(function: Callable, calls: Sequence[tuple], sizes: Sequence[int], jobs: int = 0) -> list | None:
    """`function(*call)` for every call, on every core when there is enough work, results in order.

    None means "not worth it or not possible here" (few or small files, one core, no fork):
    the caller then does the work in this process. Largest first, so that one big file does
    not finish last on an otherwise idle pool.
    """
    import multiprocessing
    import sys

    jobs = jobs or os.cpu_count() or 1
    can_fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    if jobs < 2 or len(calls) < PARALLEL_MIN_FILES or sum(sizes) < PARALLEL_MIN_BYTES or not can_fork:
        return None
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(range(len(calls)), key=lambda i: -sizes[i])
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_apply, [function] * len(order), [calls[i] for i in order], chunksize=4))
    except (OSError, RuntimeError):  # no processes here (sandbox, limits)
        return None
    ordered: list = [None] * len(calls)
    for index, result in zip(order, results):
        ordered[index] = result
    return ordered


def _apply(function: Callable, call: tuple):
    return function(*call)


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def relpath(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return rel.replace(os.sep, "/")


def read_source(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Read a text file an analyser will parse, or raise InputError saying plainly why not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise InputError("is a directory, not a file") from None
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"file is larger than {max_bytes // (1024 * 1024)} MiB; not analysed")
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes); not analysed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
