"""Charts on disk: metadata, archives, and where each declared dependency comes from.

A chart is a directory with a Chart.yaml (API v2, or v1 with requirements.yaml) or a packaged
`.tgz`. Packaged charts are unpacked into a scratch directory, safely: regular files only,
no path leaving the archive's top directory, bounded sizes. Nothing here touches a network.

A dependency resolves, in this order, to
1. the chart vendored under `charts/` (a directory or an archive) with its name;
2. the chart a `file://` repository names, when it lies inside the scanned root;
3. a chart archive or directory of that name and a satisfying version in a `--helm-charts-dir`;
4. a chart of that name and a satisfying version elsewhere in the scanned tree (Bitnami keeps
   `common` next to the charts that use it).
Otherwise it is missing, and the caller says so.
"""

from __future__ import annotations

import fnmatch
import os
import tarfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from portacheck.errors import InputError
from portacheck.parse.helm.semver import parse_version, satisfies

CHART_FILE = "Chart.yaml"
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
MAX_ARCHIVE_BYTES = 100 * 1024 * 1024  # unpacked size of one chart archive
MAX_ARCHIVE_MEMBERS = 20_000
MAX_ARCHIVE_RATIO = 100  # unpacked bytes per compressed byte, once past RATIO_FREE_BYTES
RATIO_FREE_BYTES = 1024 * 1024
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "venv", "__pycache__"})


@dataclass(frozen=True)
class Dependency:
    """One entry of Chart.yaml `dependencies:` (requirements.yaml for API v1 charts)."""

    name: str
    version: str = ""  # a constraint, e.g. "2.x.x"
    repository: str = ""
    condition: str = ""
    tags: tuple[str, ...] = ()
    alias: str = ""
    line: int = 0  # in the file that declares it

    @property
    def key(self) -> str:
        """The name the subchart renders under, and the key of its values in the parent."""
        return self.alias or self.name

    def describe(self) -> str:
        parts = [f"version {self.version}" if self.version else "", self.repository]
        return f"{self.name!r} ({', '.join(p for p in parts if p)})" if any(parts) else repr(self.name)


@dataclass(frozen=True)
class Chart:
    """A chart's metadata and where its files are."""

    name: str
    version: str
    api_version: str
    type: str  # "application" or "library"
    directory: str  # absolute directory holding its files (a scratch directory for archives)
    display: str  # path shown to people: the chart directory, or the archive, relative to the root
    archive: str = ""  # relpath of the archive the files came from; "" for a directory in the tree
    member: str = ""  # the chart's directory inside that archive, e.g. "redis" or "web/charts/redis"
    dependencies: tuple[Dependency, ...] = ()
    dependencies_file: str = ""  # Chart.yaml or requirements.yaml, relative to the chart
    locked: Mapping[str, str] = field(default_factory=dict)  # Chart.lock / requirements.lock: name -> version

    @property
    def library(self) -> bool:
        return self.type == "library"

    def shown(self, inside: str) -> tuple[str, str]:
        """(path shown, file inside the archive) of a file of this chart given relative to it."""
        inside = inside.strip("/")
        if self.archive:
            return self.archive, f"{self.member}/{inside}" if self.member else inside
        return (f"{self.display}/{inside}" if self.display not in ("", ".") else inside), ""


# --- reading ---------------------------------------------------------------------------------


def load_chart(directory: str, display: str, archive: str = "", member: str = "") -> Chart:
    """Read a chart directory's metadata; raise InputError naming the file (relative to the chart)."""
    from portacheck._yaml import DataError, load_data

    meta = _read_yaml_file(os.path.join(directory, CHART_FILE), CHART_FILE, load_data, DataError)
    if not isinstance(meta, dict):
        raise InputError(f"{CHART_FILE}: expected a mapping")
    name = str(meta.get("name") or "").strip()
    if not name:
        raise InputError(f"{CHART_FILE}: the chart has no name", getattr(meta, "line", 0))
    api = str(meta.get("apiVersion") or "v1").strip()
    raw_deps, deps_file = meta.get("dependencies"), CHART_FILE
    if not raw_deps and os.path.isfile(os.path.join(directory, "requirements.yaml")):
        requirements = _read_yaml_file(os.path.join(directory, "requirements.yaml"), "requirements.yaml", load_data, DataError)
        raw_deps, deps_file = (requirements or {}).get("dependencies") if isinstance(requirements, dict) else None, "requirements.yaml"
    if raw_deps and not isinstance(raw_deps, list):  # `dependencies: 10.0`: not iterable, or a string iterated
        raise InputError(f"{deps_file}: dependencies must be a list", getattr(raw_deps, "line", 0))
    dependencies = []
    for item in raw_deps or ():
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise InputError(f"{deps_file}: every dependency needs a name", getattr(item, "line", 0))
        tags = item.get("tags") or ()
        dependencies.append(
            Dependency(
                name=str(item["name"]).strip(),
                version=str(item.get("version") or "").strip(),
                repository=str(item.get("repository") or "").strip(),
                condition=str(item.get("condition") or "").strip(),
                tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
                alias=str(item.get("alias") or "").strip(),
                line=getattr(item, "line", 0),
            )
        )
    locked: dict[str, str] = {}
    for lock in ("Chart.lock", "requirements.lock"):
        path = os.path.join(directory, lock)
        if os.path.isfile(path):
            try:
                data = _read_yaml_file(path, lock, load_data, DataError)
            except InputError:
                continue  # a broken lock file only loses a preference
            pins = data.get("dependencies") if isinstance(data, dict) else None
            for item in pins if isinstance(pins, list) else ():
                if isinstance(item, dict) and item.get("name") and item.get("version"):
                    locked[str(item["name"])] = str(item["version"])
            break
    return Chart(
        name=name,
        version=str(meta.get("version") or "").strip(),
        api_version=api,
        type=str(meta.get("type") or "application").strip().lower(),
        directory=directory,
        display=display,
        archive=archive,
        member=member,
        dependencies=tuple(dependencies),
        dependencies_file=deps_file,
        locked=locked,
    )


def _read_yaml_file(path: str, shown: str, load_data, DataError):
    from portacheck.parse import read_source

    try:
        if os.path.islink(path):  # chart files are staged without their symlinks: Helm would not see it
            raise InputError("a symlink; chart files are read without following symlinks")
        text = read_source(path)
    except InputError as exc:
        raise InputError(f"{shown}: {exc.message}", exc.line, exc.column) from None
    try:
        return load_data(text)
    except DataError as exc:
        raise InputError(f"{shown}: {exc.message}", exc.line, exc.column) from None


# --- archives --------------------------------------------------------------------------------


def is_archive(name: str) -> bool:
    return name.endswith(ARCHIVE_SUFFIXES)


def check_archive(path: str) -> None:
    """Refuse a gzip archive that unpacks past MAX_ARCHIVE_BYTES or MAX_ARCHIVE_RATIO:1 (a decompression bomb).

    Decompresses in chunks and keeps nothing, so the check itself is bounded; every later pass over
    the archive then reads at most MAX_ARCHIVE_BYTES.
    """
    import zlib

    try:
        with open(path, "rb") as handle:
            packed = os.fstat(handle.fileno()).st_size
            limit = min(MAX_ARCHIVE_BYTES, max(RATIO_FREE_BYTES, MAX_ARCHIVE_RATIO * packed))
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            total = 0
            while chunk := handle.read(1 << 16):
                data = chunk
                while data and not inflate.eof:
                    total += len(inflate.decompress(data, 1 << 20))
                    if total > limit:
                        raise InputError(_bomb(total, packed))
                    data = inflate.unconsumed_tail
                if inflate.eof:
                    break  # trailing bytes (a second gzip member) are never read by tarfile's "r:gz" either
    except (OSError, zlib.error):
        return  # not gzip or unreadable: the tar reader reports it


def _bomb(total: int, packed: int) -> str:
    if total > MAX_ARCHIVE_BYTES:
        return f"archive unpacks to more than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB; not analysed"
    return f"archive unpacks to more than {MAX_ARCHIVE_RATIO} times its size (a decompression bomb?); not analysed"


def archive_chart_member(path: str) -> str | None:
    """The top directory of a chart archive (the one holding Chart.yaml), or None if it is no chart archive."""
    try:
        check_archive(path)
        with tarfile.open(path, "r:gz") as tar:
            for count, member in enumerate(tar):
                parts = member.name.strip("/").split("/")
                if len(parts) == 2 and parts[1] == CHART_FILE and member.isfile():
                    return parts[0]
                if count > MAX_ARCHIVE_MEMBERS:
                    return None
    except (OSError, tarfile.TarError, EOFError, ValueError, InputError):
        return None
    return None


def unpack(path: str, scratch: str) -> str:
    """Unpack a chart archive into a fresh directory under `scratch`; return the chart's directory."""
    import tempfile

    check_archive(path)
    top = archive_chart_member(path)
    if top is None:
        raise InputError("not a Helm chart archive (no <name>/Chart.yaml inside)")
    target = tempfile.mkdtemp(prefix="chart-", dir=scratch)
    total = 0
    try:
        with tarfile.open(path, "r:gz") as tar:
            for count, member in enumerate(tar):
                if count > MAX_ARCHIVE_MEMBERS:
                    raise InputError(f"archive has more than {MAX_ARCHIVE_MEMBERS} entries; not analysed")
                name = member.name.strip("/")
                parts = name.split("/")
                if not member.isfile() or parts[0] != top or any(p in ("", ".", "..") for p in parts):
                    continue  # links, devices and stray paths are never unpacked
                total += member.size
                if total > MAX_ARCHIVE_BYTES:
                    raise InputError(f"archive unpacks to more than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB; not analysed")
                source = tar.extractfile(member)
                if source is None:
                    continue
                destination = os.path.join(target, *parts)
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                with source, open(destination, "wb") as out:
                    out.write(source.read())
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise InputError(f"cannot unpack chart archive: {exc}") from None
    return os.path.join(target, top)


# --- .helmignore -----------------------------------------------------------------------------


def helmignore(directory: str) -> Callable[[str, bool], bool]:
    """A predicate (path relative to the chart, is_dir) -> ignored, from the chart's .helmignore."""
    rules: list[tuple[bool, bool, str]] = []  # (negated, directory only, pattern)
    try:
        with open(os.path.join(directory, ".helmignore"), encoding="utf-8", errors="replace") as handle:
            for raw in handle:
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negated = line.startswith("!")
                line = line[1:] if negated else line
                dir_only = line.endswith("/")
                rules.append((negated, dir_only, line.strip("/")))
    except OSError:
        pass

    def ignored(rel: str, is_dir: bool) -> bool:
        result = False
        name = rel.rsplit("/", 1)[-1]
        for negated, dir_only, pattern in rules:
            if dir_only and not is_dir:
                continue
            target = rel if "/" in pattern else name
            if fnmatch.fnmatchcase(target, pattern):
                result = not negated
        return result

    return ignored


# --- where dependencies come from ------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A dependency and the chart that satisfies it (None when missing), and how it was found."""

    dependency: Dependency | None  # None for a vendored chart that Chart.yaml does not declare
    chart: Chart | None
    how: str  # "vendored", "file://", "charts dir", "scanned tree"; "" when missing


class ChartIndex:
    """Charts available to satisfy dependencies: in the scanned tree and in --helm-charts-dir.

    Built lazily: the charts discovery found first, then (only when a dependency is still
    missing) a walk of the whole scanned root, which also finds charts vendored inside others.
    """

    def __init__(self, root: str, known: Iterable[Chart], charts_dirs: Iterable[str], scratch: str,
                 excluded: Callable[[str], bool], rel: Callable[[str], str]):
        self.root = root
        self.scratch = scratch
        self.excluded = excluded
        self.rel = rel
        self.tree: dict[str, list[Chart]] = {}
        for chart in known:
            self.tree.setdefault(chart.name, []).append(chart)
        self.seen = {chart.directory for chart in known}
        self.charts_dirs = tuple(charts_dirs)
        self._cache: dict[str, list[tuple[str, str, str]]] | None = None  # name -> [(version, path, kind)]
        self._walked = False
        self._loaded: dict[str, Chart] = {}

    # charts dir: archives are opened only when their name matches
    def _cache_entries(self) -> dict[str, list[tuple[str, str, str]]]:
        if self._cache is None:
            self._cache = {}
            for directory in self.charts_dirs:
                try:
                    entries = sorted(os.scandir(directory), key=lambda e: e.name)
                except OSError:
                    continue
                for entry in entries:
                    if entry.is_file() and is_archive(entry.name):
                        meta = _archive_meta(entry.path)
                        if meta:
                            self._cache.setdefault(meta[0], []).append((meta[1], entry.path, "archive"))
                    elif entry.is_dir() and os.path.isfile(os.path.join(entry.path, CHART_FILE)):
                        try:
                            chart = load_chart(entry.path, entry.path)
                        except InputError:
                            continue
                        self._cache.setdefault(chart.name, []).append((chart.version, entry.path, "dir"))
        return self._cache

    def _walk(self) -> None:
        if self._walked:
            return
        self._walked = True
        budget = 200_000
        seen = {os.path.realpath(s) for s in self.seen}
        for directory, dirs, files in os.walk(self.root):
            budget -= 1
            if budget < 0:
                break
            rel = self.rel(directory)
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not self.excluded(self.rel(os.path.join(directory, d))))
            if rel not in (".", "") and self.excluded(rel):
                dirs[:] = []
                continue
            if CHART_FILE in files and os.path.realpath(directory) not in seen:
                seen.add(os.path.realpath(directory))
                self.seen.add(directory)
                try:
                    chart = load_chart(directory, rel)
                except InputError:
                    continue
                self.tree.setdefault(chart.name, []).append(chart)

    def find(self, dependency: Dependency, parent: Chart) -> Resolved:
        wanted = parent.locked.get(dependency.name)
        if dependency.repository.startswith("file://") and not parent.archive:
            chart = self._file_reference(dependency, parent)
            if chart is not None:
                return Resolved(dependency, chart, "file://")
        entries = self._cache_entries().get(dependency.name, [])
        best = _best([(v, (p, k)) for v, p, k in entries], dependency.version, wanted)
        if best is not None:
            path, kind = best
            chart = self._load(path, kind)
            if chart is not None:
                return Resolved(dependency, chart, "charts dir")
        for attempt in range(2):
            candidates = [c for c in self.tree.get(dependency.name, []) if c.directory != parent.directory]
            best = _best([(c.version, c) for c in candidates], dependency.version, wanted)
            if best is not None:
                return Resolved(dependency, best, "scanned tree")
            if attempt == 0:
                self._walk()
        return Resolved(dependency, None, "")

    def near_misses(self, dependency: Dependency) -> list[str]:
        """Charts of the dependency's name that were found but whose version does not satisfy it."""
        found = [f"{c.version} at {c.display or '.'}" for c in self.tree.get(dependency.name, []) if not satisfies(c.version, dependency.version)]
        found += [f"{v} in {p}" for v, p, _k in self._cache_entries().get(dependency.name, []) if not satisfies(v, dependency.version)]
        return sorted(found)

    def _file_reference(self, dependency: Dependency, parent: Chart) -> Chart | None:
        target = os.path.normpath(os.path.join(parent.directory, dependency.repository[len("file://"):]))
        real_root = os.path.realpath(self.root)
        if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
            return None  # never read outside the scanned root
        if os.path.isdir(target) and os.path.isfile(os.path.join(target, CHART_FILE)):
            try:
                return load_chart(target, self.rel(target))
            except InputError:
                return None
        if os.path.isfile(target) and is_archive(target):
            return self._load(target, "archive")
        return None

    def _load(self, path: str, kind: str) -> Chart | None:
        if path in self._loaded:
            return self._loaded[path]
        try:
            if kind == "archive":
                directory = unpack(path, self.scratch)
                shown = self.rel(path) if _inside(self.root, path) else path
                chart = load_chart(directory, shown, archive=shown, member=os.path.basename(directory))
            else:
                chart = load_chart(path, self.rel(path) if _inside(self.root, path) else path)
        except InputError:
            return None
        self._loaded[path] = chart
        return chart


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath([os.path.abspath(root), os.path.abspath(path)]) == os.path.abspath(root)


def _best(candidates, constraint: str, locked: str | None):
    """The highest version satisfying the constraint; the locked version first when present."""
    if locked:
        for version, item in candidates:
            if version == locked:
                return item
    fitting = [(parsed, item) for v, item in candidates if satisfies(v, constraint) and (parsed := parse_version(v)) is not None]
    if not fitting:
        return None
    fitting.sort(key=lambda pair: pair[0].key())
    return fitting[-1][1]


def _archive_meta(path: str) -> tuple[str, str] | None:
    """(name, version) from the Chart.yaml inside an archive, without unpacking it."""
    from portacheck._yaml import DataError, load_documents

    try:
        check_archive(path)
        with tarfile.open(path, "r:gz") as tar:
            for count, member in enumerate(tar):
                parts = member.name.strip("/").split("/")
                if len(parts) == 2 and parts[1] == CHART_FILE and member.isfile() and member.size < 1024 * 1024:
                    handle = tar.extractfile(member)
                    documents = load_documents(handle.read().decode("utf-8", "replace")) if handle else []
                    data = documents[0].root if documents else None
                    if isinstance(data, dict) and data.get("name"):
                        return str(data["name"]), str(data.get("version") or "")
                    return None
                if count > MAX_ARCHIVE_MEMBERS:
                    return None
    except (OSError, tarfile.TarError, EOFError, ValueError, DataError, InputError):
        return None
    return None


def vendored(chart: Chart, scratch: str) -> Iterator[Chart | InputError]:
    """The charts under `charts/`: directories with a Chart.yaml and chart archives, sorted by name."""
    directory = os.path.join(chart.directory, "charts")
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    ignored = helmignore(chart.directory)
    for entry in entries:
        inside = f"charts/{entry.name}"
        if ignored(inside, entry.is_dir()) or entry.name.startswith("."):
            continue
        shown, member = chart.shown(inside)
        try:
            if entry.is_dir() and os.path.isfile(os.path.join(entry.path, CHART_FILE)):
                if entry.is_symlink():
                    continue  # a vendored chart is a real directory; links may leave the root
                yield load_chart(entry.path, shown, archive=chart.archive, member=member)
            elif entry.is_file() and not entry.is_symlink() and is_archive(entry.name):
                unpacked = unpack(entry.path, scratch)
                if chart.archive:
                    yield load_chart(unpacked, shown, archive=chart.archive, member=f"{member}:{os.path.basename(unpacked)}")
                else:
                    yield load_chart(unpacked, shown, archive=shown, member=os.path.basename(unpacked))
        except InputError as exc:
            yield InputError(f"{inside}: {exc.message}", exc.line, exc.column)
