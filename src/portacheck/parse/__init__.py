"""Frontends: one per input format, each turning the files it claims into Resources, ScanErrors and
inline suppression Directives, and never raising.

The registry (parse/registry.py) lists them. Frontends know nothing of rules or reports; what they
need from the outside comes in a ParseContext and their own Options.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portacheck import reader
from portacheck.model import ChartValues, Directive, MatchKind, ParseResult, Resource, ScanError, SourceFile
from portacheck.parse.options import NoOptions
from portacheck.reader import DEFAULT_MAX_FILE_BYTES

if TYPE_CHECKING:
    from portacheck.cache import Cache


@dataclass(frozen=True)
class ParseContext:
    """What frontends may know about the scan: never the rules themselves, only facts derived from them."""

    root: str  # absolute path of the scan root
    provider_sources: Mapping[str, str] = field(default_factory=dict)  # "hashicorp/aws" -> "aws"
    type_prefixes: Mapping[str, str] = field(default_factory=dict)  # "hashicorp/google-beta" -> "google"
    attributes_of_interest: frozenset[str] = frozenset()  # top-level attribute names rules look at
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    excluded: Callable[[str], bool] = lambda relpath: False  # user excludes, by path relative to root
    jobs: int = 0  # worker processes for parsing; 0 = one per core
    # (pattern, provider) of every `sdk_package` pattern in the catalogue: which dependencies are
    # cloud SDKs. None (no catalogue at hand): the application analyser keeps every dependency.
    sdk_packages: tuple[tuple[str, str], ...] | None = None
    # Values that frontends before this one found passed to charts of the tree (Flux HelmReleases).
    chart_values: tuple[ChartValues, ...] = ()
    cache: Cache | None = None  # parse results by content (portacheck.cache); None: --no-cache
    # Only files named (pre-commit): Terraform module directories that lead to them (discover.py);
    # calls of other modules inside the root are not evaluated. None: evaluate every call.
    terraform_reach: frozenset[str] | None = None


Parser = Callable[[Sequence[SourceFile], ParseContext, Any], ParseResult]


@dataclass(frozen=True)
class Frontend:
    """One input format: which files are its, how they are read, what it emits, what it can be told.

    The registry (parse/registry.py) is a literal tuple of these; discovery, the rule loader, the
    matcher, the command line and the configuration file all derive what they need from it.
    """

    name: str  # the SourceFile kind of its files and the Resource source of what it finds
    title: str  # as reports name the format: "Terraform", "Bicep"
    claims: Callable[[str, bytes], bool]  # (posix relpath, the file's first bytes) -> is it this format's?
    parse: Parser  # (files, context, options) -> ParseResult; never raises
    options: type = NoOptions  # frozen dataclass of option() fields: flags and configuration keys
    match_kinds: Mapping[str, MatchKind] = field(default_factory=dict)  # signal kinds it emits
    examples: bool = False  # rule examples of this format can be run (tests/rules/test_rule_examples.py)
    suffixes: tuple[str, ...] = ()  # name endings of the files it may claim: the pre-commit hook must pass them
    sniff_suffixes: tuple[str, ...] = ()  # name endings whose first bytes `claims` needs to decide
    unit: str = "file"  # what the "Read:" line counts of it: "file", "chart"
    object_noun: str = ""  # what its files hold, when the "Read:" line counts those too: "object"
    analysed: bool = True  # False: recognised infrastructure code with no reader yet; never a silent pass


def read_each(
    files: Sequence[SourceFile],
    read_file: Callable[[SourceFile], tuple[Sequence[Resource], Sequence[ScanError], Sequence[Directive]]],
) -> ParseResult:
    """The result of a frontend that reads each of its files on its own: `read_file(source)` gives
    one file's resources, problems and suppressions."""
    resources: list[Resource] = []
    errors: list[ScanError] = []
    directives: list[Directive] = []
    for source in files:
        found, problems, marked = read_file(source)
        resources.extend(found)
        errors.extend(problems)
        directives.extend(marked)
    return ParseResult(tuple(resources), tuple(errors), tuple(directives))


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
    for index, result in zip(order, results, strict=False):
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


def read_source(path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES, root: str | None = None) -> str:
    """Read a text file an analyser will parse, or raise InputError saying plainly why not
    (portacheck.reader: regular files only, inside `root`, the size limit before reading)."""
    return reader.read_text(path, max_bytes, root)


def decode_source(data: bytes) -> str:
    """The text of a file's bytes read by a frontend itself, or InputError saying plainly why not."""
    return reader.decode_text(data)
