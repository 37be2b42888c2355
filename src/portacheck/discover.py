"""Find the files to analyse under the scan root, and what kind each one is.

Walks directories itself (not os.walk) so that symlinks get a decision each: followed when
they stay inside the root, reported when they loop or leave it. Files named on the command
line (as pre-commit does) pull in the rest of their Terraform module, because a file cannot be
judged without its variables, and the modules that call it through a local source (transitively),
because its variables get their values there and its findings their module path; the report then
shows findings of the named files only.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portacheck import reader
from portacheck.errors import InputError
from portacheck.gitindex import tracked_paths
from portacheck.model import ScanError, Severity, SourceFile
from portacheck.parse import registry
from portacheck.parse.terraform.sources import TFVARS_SUFFIXES, is_local, is_terraform_file, may_call_modules
from portacheck.trust import git_root

if TYPE_CHECKING:
    from portacheck.cache import Cache

CHART_FILE = "Chart.yaml"
HEAD_BYTES = 8192  # what a frontend that decides by content sees of a file

# Directories never entered: VCS data, provider plugins and downloaded modules (modules are
# read on demand through modules.json), dependency and build trees.
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".terraform", ".terragrunt-cache", "node_modules", ".venv", "venv",
    "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
)


@dataclass(frozen=True)
class Discovery:
    root: str  # absolute
    files: tuple[SourceFile, ...]
    errors: tuple[ScanError, ...]
    focus: frozenset[str] | None  # relpaths named on the command line; None means everything
    # Only files named: the directories of the named Terraform files and of their callers (absolute).
    # A module call outside them cannot lead to a named file, so it need not be evaluated.
    terraform_reach: frozenset[str] | None = None


def scan_root(paths: Sequence[str]) -> str:
    """The directory paths in the report are relative to: the one directory given, or the common parent."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    if len(absolute) == 1 and os.path.isdir(absolute[0]):
        return absolute[0]
    cwd = os.getcwd()
    if all(os.path.commonpath([cwd, p]) == cwd for p in absolute):
        return cwd
    common = os.path.commonpath(absolute)
    return common if os.path.isdir(common) else os.path.dirname(common)


def classify(rel: str, path: str | None = None) -> str | None:
    """The frontend (its name) that claims a file, or None when none does.

    The frontends are asked in registry order; for file name endings some frontend decides by
    content, the first bytes of the file at `path` are read. Files inside a Helm chart never get
    here: the walker hands the whole chart to the Helm frontend.
    """
    head = b""
    if path is not None and rel.endswith(_SNIFFED):
        head = read_head(path)
    frontend = registry.classify(rel, head)
    return frontend.name if frontend else None


_SNIFFED = registry.sniff_suffixes()


def read_head(path: str) -> bytes:
    """The first bytes of a regular file (as UTF-8 when it is UTF-16 with a byte-order mark); b"" otherwise."""
    return reader.sniff_head(reader.read_head(path, HEAD_BYTES))


def chart_root(path: str, stop: str) -> str | None:
    """The nearest directory at or above `path` (not above `stop`) that holds a Chart.yaml."""
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    stop = os.path.abspath(stop)
    while True:
        if os.path.isfile(os.path.join(directory, CHART_FILE)):
            return directory
        parent = os.path.dirname(directory)
        if directory == stop or parent == directory or os.path.commonpath([stop, parent]) != stop:
            return None
        directory = parent


def make_excluder(patterns: Iterable[str]) -> Callable[[str], bool]:
    """Exclude patterns match a relative path, any of its parents, or a bare file or directory name."""
    compiled = [p.strip().rstrip("/") for p in patterns if p and p.strip()]

    def excluded(rel: str) -> bool:
        if not compiled:
            return False
        parts = rel.split("/")
        for i in range(len(parts)):
            prefix = "/".join(parts[: i + 1])
            name = parts[i]
            for pattern in compiled:
                if fnmatch.fnmatchcase(prefix, pattern) or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern)):
                    return True
        return False

    return excluded


class GitIgnores:
    """What .gitignore files say about paths under the scan root, as git reads them.

    Each directory's own .gitignore applies to what is below it, the deepest file that has a
    say deciding; above the scan root, those of its parents up to the repository's top, and
    the repository's .git/info/exclude. Outside a repository only the files under the scan root
    count. pathspec (about 15 ms to import) is imported when a first file is found.

    As in git, a file the index tracks is never ignored, nor a directory that holds one: a
    repository may commit manifests under a directory its .gitignore names. In a repository
    whose index cannot be read, nothing is ignored rather than something tracked.
    """

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.top = git_root(self.root)
        self.specs: dict[str, Any] = {}
        self._tracked: tuple[frozenset[str], frozenset[str]] | None = None

    def tracked(self, path: str, is_dir: bool) -> bool | None:
        """Whether git tracks `path` (for a directory: something under it); None without a readable index."""
        if self.top is None:
            return False
        if self._tracked is None:
            files = tracked_paths(self.top)
            if files is None:
                return None
            dirs = frozenset(f.rsplit("/", i)[0] for f in files for i in range(1, f.count("/") + 1))
            self._tracked = (files, dirs)
        files, dirs = self._tracked
        rel = os.path.relpath(path, self.top).replace(os.sep, "/")
        return rel in (dirs if is_dir else files)

    def ignored(self, path: str, is_dir: bool) -> bool:
        tracked = self.tracked(path, is_dir)
        if tracked is None or tracked:
            return False
        suffix = "/" if is_dir else ""
        stop = self.top or self.root
        directory = os.path.dirname(path)
        while True:
            spec = self._spec(directory, ".gitignore")
            if spec is not None:
                decided = spec.check_file(os.path.relpath(path, directory).replace(os.sep, "/") + suffix).include
                if decided is not None:
                    return decided
            parent = os.path.dirname(directory)
            if directory == stop or parent == directory:
                break
            directory = parent
        if self.top is None:
            return False
        spec = self._spec(os.path.join(self.top, ".git", "info"), "exclude")
        if spec is None:
            return False
        return bool(spec.check_file(os.path.relpath(path, self.top).replace(os.sep, "/") + suffix).include)

    def _spec(self, directory: str, name: str) -> Any:
        key = os.path.join(directory, name)
        if key not in self.specs:
            self.specs[key] = None
            try:
                with open(key, encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
            except OSError:  # none there (the usual case), or unreadable: git would not read it either
                return None
            from pathspec import GitIgnoreSpec

            self.specs[key] = GitIgnoreSpec.from_lines(lines)
        return self.specs[key]


def discover(
    paths: Sequence[str], exclude: Iterable[str] = (), root: str | None = None, gitignore: bool = True, cache: Cache | None = None
) -> Discovery:
    """The files to analyse. Files and directories skipped by `exclude`, the default excludes or
    (with `gitignore`) a .gitignore are not entered; files named in `paths` are read regardless
    of .gitignore."""
    paths = list(paths) or ["."]
    root = os.path.abspath(root) if root else scan_root(paths)
    walker = _Walker(root, make_excluder(exclude), make_excluder(DEFAULT_EXCLUDES), GitIgnores(root) if gitignore else None)
    focus: set[str] = set()
    explicit_files = False
    named_dir = False
    module_dirs: set[str] = set()  # directories of named Terraform files
    for path in paths:
        absolute = os.path.abspath(path)
        if os.path.commonpath([root, absolute]) != root:
            walker.errors.append(ScanError(path, "outside the scan root; not analysed"))
            continue
        if os.path.islink(absolute) and not os.path.exists(absolute):
            walker.errors.append(ScanError(walker.rel(absolute), "broken symlink; not analysed", severity=Severity.WARNING))
        elif os.path.isdir(absolute):
            named_dir = True
            walker.walk(absolute)
        elif os.path.isfile(absolute):
            explicit_files = True
            rel = walker.rel(absolute)
            focus.add(rel)
            chart = chart_root(absolute, root)
            kind = classify(rel, absolute)
            if chart is not None:
                walker.add(os.path.join(chart, CHART_FILE), "helm")  # a template is judged with its chart
            elif kind in ("terraform", "kubernetes"):
                walker.walk(os.path.dirname(absolute), recursive=False)  # the whole module, the sibling manifests
                walker.add(absolute, kind)  # named, so read even where a .gitignore says otherwise
                if kind == "terraform":
                    module_dirs.add(os.path.dirname(absolute))
            elif kind is not None:
                walker.add(absolute, kind)
        elif os.path.exists(absolute):
            walker.errors.append(ScanError(walker.rel(absolute), "not a regular file (a FIFO, device or socket); not analysed"))
        else:
            walker.errors.append(ScanError(path, "no such file or directory"))
    callers = walker.callers(module_dirs, cache)
    for caller in sorted(callers):
        walker.walk(caller, recursive=False, kinds=("terraform",))
    files = tuple(sorted(walker.files.values(), key=lambda f: f.relpath))
    reach = frozenset(os.path.normpath(d) for d in module_dirs | callers) if explicit_files and not named_dir else None
    return Discovery(root, files, tuple(walker.errors), frozenset(focus) if explicit_files else None, reach)


class _Walker:
    def __init__(
        self, root: str, user_excluded: Callable[[str], bool], default_excluded: Callable[[str], bool], gitignores: GitIgnores | None = None
    ):
        self.root = root
        self.gitignores = gitignores
        self.real_root = os.path.realpath(root)
        self.user_excluded = user_excluded
        self.default_excluded = default_excluded
        self.files: dict[str, SourceFile] = {}
        self.errors: list[ScanError] = []
        self.visited: set[str] = set()
        self.max_bytes = reader.DEFAULT_MAX_FILE_BYTES

    def rel(self, path: str) -> str:
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        return rel

    def add(self, path: str, kind: str) -> None:
        rel = self.rel(path)
        if not self.user_excluded(rel):
            self.files.setdefault(rel, SourceFile(path, rel, kind))

    def _inside_root(self, real: str) -> bool:
        return os.path.commonpath([self.real_root, real]) == self.real_root

    def callers(self, module_dirs: set[str], cache: Cache | None = None) -> set[str]:
        """Directories under the root whose Terraform files call one of `module_dirs` through a local
        source, directly or through other such calls. Only files holding the bytes `source` are
        parsed (tree-sitter, a millisecond each): cheap enough to run over the whole tree for every commit."""
        if not module_dirs:
            return set()
        from portacheck.parse.terraform import analyse
        called_by: dict[str, set[str]] = {}
        for directory, _dirs, names in self._tree():
            for name in names:
                if not is_terraform_file(name) or name.endswith(TFVARS_SUFFIXES):
                    continue
                try:
                    data = reader.read_bytes(os.path.join(directory, name), self.max_bytes, self.root)
                except InputError:
                    continue  # not a regular file inside the root: the scan says so when it reads the file
                if not may_call_modules(data):  # not worth parsing
                    continue
                for source in analyse.module_sources(data, is_json=name.endswith(".json"), cache=cache):
                    if is_local(source):
                        source = source.replace("\\", "/")
                        called_by.setdefault(os.path.normpath(os.path.join(directory, source)), set()).add(directory)
        found: set[str] = set()
        todo = [os.path.normpath(d) for d in module_dirs]
        while todo:
            for caller in called_by.get(todo.pop(), ()):
                if caller not in found and caller not in module_dirs:
                    found.add(caller)
                    todo.append(caller)
        return found

    def _tree(self):
        """os.walk of the root without excluded directories and without following symlinks."""
        for directory, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not self.skipped(d, os.path.join(directory, d), True))
            yield directory, dirs, [name for name in names if not self.skipped(name, os.path.join(directory, name), False)]

    def skipped(self, name: str, path: str, is_dir: bool) -> bool:
        """Excluded by default, by the user, or by a .gitignore."""
        if self.default_excluded(name) or self.user_excluded(self.rel(path)):
            return True
        return self.gitignores is not None and self.gitignores.ignored(path, is_dir)

    def walk(self, directory: str, recursive: bool = True, kinds: tuple[str, ...] | None = None) -> None:
        real = os.path.realpath(directory)
        if real in self.visited:
            return
        self.visited.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self.errors.append(ScanError(self.rel(directory), f"cannot list directory: {exc.strerror or exc}"))
            return
        if (kinds is None or "helm" in kinds) and any(entry.name == CHART_FILE and entry.is_file() for entry in entries):
            chart_file = os.path.join(directory, CHART_FILE)
            if not self.user_excluded(self.rel(chart_file)):
                self.files.setdefault(self.rel(chart_file), SourceFile(chart_file, self.rel(chart_file), "helm"))
            return  # templates, values and vendored charts belong to the chart
        for entry in entries:
            rel = self.rel(entry.path)
            if self.skipped(entry.name, entry.path, entry.is_dir(follow_symlinks=False)):
                continue
            try:
                if entry.is_symlink():
                    self._symlink(entry, rel, recursive)
                elif entry.is_dir(follow_symlinks=False):
                    if recursive:
                        self.walk(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    kind = classify(rel, entry.path)
                    if kind and (kinds is None or kind in kinds):
                        self.files.setdefault(rel, SourceFile(entry.path, rel, kind))
                elif classify(rel):  # a FIFO, socket or device with an analysed name: never opened
                    self.errors.append(ScanError(rel, "not a regular file (a FIFO, device or socket); not analysed"))
            except OSError as exc:  # pragma: no cover - races with the file system
                self.errors.append(ScanError(rel, f"cannot inspect: {exc.strerror or exc}"))

    def _symlink(self, entry: os.DirEntry, rel: str, recursive: bool) -> None:
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                self.errors.append(ScanError(rel, "symlink loop; not followed"))
            elif classify(rel):
                self.errors.append(ScanError(rel, "broken symlink; not analysed", severity=Severity.WARNING))
            return
        real = os.path.realpath(entry.path)
        if not self._inside_root(real):
            if stat.S_ISDIR(info.st_mode) or classify(rel):
                self.errors.append(ScanError(rel, "symlink points outside the scanned root; not followed", severity=Severity.WARNING))
            return
        if stat.S_ISDIR(info.st_mode):
            if not recursive:
                return
            if real in self.visited or self._is_ancestor(real, entry.path):
                self.errors.append(ScanError(rel, "symlink loop (points at a directory already scanned); not followed", severity=Severity.WARNING))
                return
            self.walk(entry.path)
        elif stat.S_ISREG(info.st_mode):
            kind = classify(rel, entry.path)
            if kind:
                self.files.setdefault(rel, SourceFile(entry.path, rel, kind))

    @staticmethod
    def _is_ancestor(real: str, link_path: str) -> bool:
        parent = os.path.realpath(os.path.dirname(link_path))
        return os.path.commonpath([real, parent]) == real
