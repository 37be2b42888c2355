"""The chart as it will be rendered: dependencies resolved and switched on or off, in a scratch copy.

Helm's own dependency step (conditions, tags, aliases) runs only inside `helm install` and
`helm template`; the SDK's render does not run it, and neither may fetch anything. So the
chart is copied into a scratch directory with every enabled dependency placed under its
`charts/` (renamed to its alias), disabled ones left out, and `dependencies:` dropped from the
copied Chart.yaml: any renderer then renders exactly that tree, offline. The Node tree remembers
where each rendered chart's files really are, for locations, and which values it sees.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError
from portacheck.parse import read_source
from portacheck.parse.helm.charts import CHART_FILE, Chart, ChartIndex, Dependency, helmignore, vendored
from portacheck.parse.helm.values import Values, enabled, merge

MAX_DEPTH = 8  # subcharts of subcharts; deeper is a cycle or a mistake
MAX_CHART_BYTES = 100 * 1024 * 1024
_DROPPED = ("requirements.yaml", "requirements.lock", "Chart.lock")


@dataclass
class Node:
    """One chart of the rendered tree: the chart itself, the name it renders under, its values."""

    chart: Chart
    name: str  # the alias, or the chart's name
    scope: tuple[str, ...]  # where its values sit in the top chart's values: () for the top chart
    defaults: Values | None  # its own values.yaml
    values: dict[str, Any]  # its coalesced values (defaults, parent's section, user values)
    how: str = ""  # how the dependency was found: "vendored", "file://", "charts dir", "scanned tree"
    children: list[Node] = field(default_factory=list)
    prefix: str = ""  # render keys of its templates start with this: "web/", "web/charts/redis/"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Plan:
    root: Node
    staged: str  # the scratch copy of the top chart, what the renderer loads
    missing: list[tuple[Chart, Dependency]] = field(default_factory=list)  # enabled but not found
    disabled: list[tuple[Chart, Dependency, str]] = field(default_factory=list)  # (parent, dependency, why)
    problems: list[str] = field(default_factory=list)  # dependencies that could not be read


def plan(chart: Chart, user: dict[str, Any], index: ChartIndex, scratch: str, load_defaults, stage: bool = True) -> Plan:
    """Resolve the dependency tree of `chart` with the user's values and stage it for rendering.

    `load_defaults(chart)` returns a chart's values.yaml as Values (or None), raising InputError.
    `stage=False` (nothing will render it: the static renderer) resolves the tree only; `staged` is "".
    """
    defaults = load_defaults(chart)
    values = merge(defaults.data if defaults else {}, user)
    root = Node(chart, chart.name, (), defaults, values, prefix=f"{chart.name}/")
    result = Plan(root, "")
    _children(root, values, index, scratch, load_defaults, result, [chart.directory])
    if not stage:
        return result
    staged_parent = _fresh(scratch, "render-")
    result.staged = _stage(root, staged_parent)
    return result


def _children(node: Node, top: Mapping[str, Any], index: ChartIndex, scratch: str, load_defaults, result: Plan, stack: list[str]) -> None:
    chart = node.chart
    present: dict[str, Chart] = {}
    for item in vendored(chart, scratch):
        if isinstance(item, InputError):
            result.problems.append(f"{chart.display}: {item.message}")
        else:
            present.setdefault(item.name, item)
    declared = {dep.name for dep in chart.dependencies}
    wanted: list[tuple[Dependency | None, Chart, str]] = []
    for dep in chart.dependencies:
        on, why = enabled(dep.condition, dep.tags, node.values, top)
        if not on:
            result.disabled.append((chart, dep, why))
            continue
        if dep.name in present:
            wanted.append((dep, present[dep.name], "vendored"))
            continue
        found = index.find(dep, chart)
        if found.chart is None:
            result.missing.append((chart, dep))
        else:
            wanted.append((dep, found.chart, found.how))
    for name, sub in sorted(present.items()):
        if name not in declared:
            wanted.append((None, sub, "vendored"))  # Helm renders every chart under charts/
    for requirement, sub, how in wanted:
        if len(stack) >= MAX_DEPTH or sub.directory in stack:
            result.problems.append(f"{chart.display}: dependency {sub.name!r} nests too deep or in a cycle; not rendered")
            continue
        name = requirement.key if requirement else sub.name
        try:
            sub_defaults = load_defaults(sub)
        except InputError as exc:
            result.problems.append(f"{sub.display}: {exc.message}")
            continue
        given = node.values.get(name)
        section = given if isinstance(given, dict) else {}
        sub_values = merge(sub_defaults.data if sub_defaults else {}, section)
        globals_ = merge(sub_values.get("global") or {} if isinstance(sub_values.get("global"), dict) else {}, node.values.get("global") or {} if isinstance(node.values.get("global"), dict) else {})
        if globals_:
            sub_values["global"] = globals_
        child = Node(sub, name, node.scope + (name,), sub_defaults, sub_values, how, prefix=f"{node.prefix}charts/{name}/")
        node.children.append(child)
        _children(child, top, index, scratch, load_defaults, result, stack + [sub.directory])


def _fresh(scratch: str, prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=prefix, dir=scratch)


def _stage(node: Node, parent: str) -> str:
    """Copy the node's chart to parent/<name>, its children under charts/; return the copy."""
    target = os.path.join(parent, node.name)
    _copy_chart(node.chart.directory, target)
    _rewrite_chart_file(os.path.join(target, CHART_FILE), node.name)
    if node.children:
        charts = os.path.join(target, "charts")
        os.makedirs(charts, exist_ok=True)
        for child in node.children:
            _stage(child, charts)
    return target


def _copy_chart(source: str, target: str) -> None:
    """Copy a chart's own files (not charts/): regular files only, .helmignore honoured, bounded.

    A file is hard-linked where it can be (same file system, and the user may link it): nothing
    writes to a staged file but Chart.yaml, which is always a copy of its own (_rewrite_chart_file)."""
    ignored = helmignore(source)
    real_source = os.path.realpath(source)
    total = 0

    def unlisted(exc: OSError) -> None:  # os.walk would skip the directory silently
        rel = os.path.relpath(exc.filename or source, source).replace(os.sep, "/")
        raise InputError(f"{rel}: cannot list directory: {exc.strerror or exc}")

    for directory, dirs, files in os.walk(source, onerror=unlisted):
        rel_dir = os.path.relpath(directory, source).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        keep = []
        for name in sorted(dirs):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            path = os.path.join(directory, name)
            if (rel == "charts" or name.startswith(".git") or os.path.islink(path) or ignored(rel, True)):
                continue
            keep.append(name)
        dirs[:] = keep
        os.makedirs(os.path.join(target, rel_dir), exist_ok=True)
        for name in sorted(files):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            path = os.path.join(directory, name)
            if rel in _DROPPED or ignored(rel, False):
                continue
            if os.path.islink(path):
                real = os.path.realpath(path)
                if os.path.commonpath([real_source, real]) != real_source:
                    raise InputError(f"{rel}: symlink leaves the chart; not followed")  # never a silent pass
                if not os.path.isfile(real):
                    continue
            elif not os.path.isfile(path):
                continue
            total += os.path.getsize(path)
            if total > MAX_CHART_BYTES:
                raise InputError(f"chart files exceed {MAX_CHART_BYTES // (1024 * 1024)} MiB; not rendered")
            try:
                _place(path, os.path.join(target, rel_dir, name), rel == CHART_FILE)
            except PermissionError:
                raise InputError(f"{rel}: cannot read: permission denied") from None
            except OSError as exc:
                raise InputError(f"{rel}: cannot read: {exc.strerror or exc}") from None


def _place(path: str, target: str, copy: bool) -> None:
    """A hard link where the chart needs no change to the file, else a copy. Opened first either
    way: a link needs no read permission, and an unreadable template must fail here, located."""
    os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    if not copy:
        try:
            os.link(path, target)  # follows a symlink (checked above to stay inside the chart)
            return
        except OSError:  # another file system, or linking not allowed here: a copy
            pass
    shutil.copyfile(path, target)


def _rewrite_chart_file(path: str, name: str) -> None:
    """Drop `dependencies:` (they are resolved in the copy) and give an aliased chart its alias."""
    rewritten = _rewritten(read_source(path), name)
    if rewritten is None:
        return
    os.unlink(path)  # a file of its own, whatever the staged copy was: never written through a link
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(rewritten)


@functools.lru_cache(maxsize=256)
def _rewritten(text: str, name: str) -> str | None:
    """The staged Chart.yaml's text, or None to keep it; a chart staged for two renders, or a subchart
    many charts vendor, is read and written once."""
    import yaml

    from portacheck._yaml import DataError, load_data

    try:
        load_data(text)  # bounded first: nodes, depth, tags (as the chart's own files were read)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # libyaml, as load_data
    except DataError as exc:
        raise InputError(f"Chart.yaml: {exc.message}", exc.line, exc.column) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputError(f"Chart.yaml: invalid YAML: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        return None
    data.pop("dependencies", None)
    data["name"] = name
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
