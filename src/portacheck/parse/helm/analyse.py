"""Helm charts, rendered offline and analysed like any other manifests.

For each chart discovery found (a directory with Chart.yaml, or a chart archive):
1. its dependencies are resolved without a network (charts.py) and switched on or off by
   their conditions and tags, in a scratch copy (stage.py);
2. the copy is rendered with the chart's values and the user's (`--helm-values`, `--helm-set`,
   the configuration file's `helm: charts:`), in a child process with a time limit (render.py);
3. the rendered objects go through the Kubernetes analyser unchanged, and every resource and
   signal is pointed back at its template line, and at the values line its value came from
   (locate.py).
A chart that cannot be rendered is analysed statically (static.py); its findings say so, and
an error makes the scan "partly analysed" (exit code 3): it never looks clean. Library charts
are not rendered on their own. The inline suppressions of every chart's files, and of the
user's values files, come back as Directives (directives.py).
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from portacheck.errors import InputError
from portacheck.model import (
    NO_ORIGIN,
    Directive,
    Location,
    Origin,
    ParseResult,
    Resource,
    ScanError,
    Severity,
    Signal,
    SourceFile,
)
from portacheck.parse import ParseContext, relpath

SOURCE = "helm"
_SENTINEL = "\x00rendered"


@dataclass
class _Job:
    chart: Any  # charts.Chart
    user_files: list  # Values of the user's values files, in order
    user_set: Any  # Values of --set pairs (display "")
    user: dict  # the merged user values given to the renderer
    plan: Any = None  # stage.Plan
    outcome: Any = None  # render.Rendered | render.Failure
    errors: list[ScanError] = field(default_factory=list)
    fallback: str = ""  # why the chart is analysed statically
    optional: Any = None  # optional.Switched: the second render, with the chart's optional features on
    renders: tuple[str | None, ...] = ()  # cache keys of its renders (default, then optional), None: not cached


def parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    """`options`: the Helm frontend's Options (values, set pairs, charts dirs, renderer, timeout, per-chart values)."""
    from portacheck.parse.helm.charts import ChartIndex

    errors: list[ScanError] = []
    resources: list[Resource] = []
    directives = _directives(files, context)
    with tempfile.TemporaryDirectory(prefix="portacheck-helm-") as scratch:
        charts = _load(files, context, scratch, errors)
        index = ChartIndex(
            context.root, charts, options.charts_dirs, scratch,
            context.excluded, lambda path: relpath(path, context.root),
        )
        jobs = _once([job for job in (_prepare(chart, context, options, index, scratch) for chart in charts if not chart.library) if job])
        _render_all(jobs, context, options, index, scratch)
        for job in jobs:
            found, warnings, problems = _analysed(job, context, options)
            errors.extend(warnings)
            resources.extend(found)
            errors.extend(job.errors)
            errors.extend(problems)
            directives.extend(d for values in job.user_files for d in values.directives)
    return ParseResult(tuple(resources), tuple(errors), tuple(dict.fromkeys(directives)))


def _directives(files: Sequence[SourceFile], context: ParseContext) -> list[Directive]:
    """The suppressions in the files of every chart directory (a packaged chart's files are not on disk to edit)."""
    from portacheck.parse.helm.charts import CHART_FILE
    from portacheck.parse.helm.directives import chart_directives

    found: list[Directive] = []
    for source in files:
        if os.path.basename(source.path) == CHART_FILE:
            directory = os.path.dirname(source.path)
            found.extend(chart_directives(directory, relpath(directory, context.root), context.max_file_bytes))
    return found


# --- charts ----------------------------------------------------------------------------------


def _load(files: Sequence[SourceFile], context: ParseContext, scratch: str, errors: list[ScanError]) -> list:
    from portacheck.parse.helm.charts import CHART_FILE, archive_chart_member, check_archive, load_chart, unpack

    charts = []
    for source in files:
        if os.path.basename(source.path) == CHART_FILE:
            directory = os.path.dirname(source.path)
            display = relpath(directory, context.root)
            try:
                charts.append(load_chart(directory, "" if display == "." else display))
            except InputError as exc:
                errors.append(_chart_error(source.relpath, exc))
            continue
        try:
            check_archive(source.path)
        except InputError as exc:
            errors.append(ScanError(source.relpath, f"chart archive: {exc.message}"))
            continue
        if archive_chart_member(source.path) is None:
            continue  # an archive that is no chart: not ours, silently
        try:
            directory = unpack(source.path, scratch)
            charts.append(load_chart(directory, source.relpath, archive=source.relpath, member=os.path.basename(directory)))
        except InputError as exc:
            errors.append(ScanError(source.relpath, f"chart archive: {exc.message}"))
    return charts


def _chart_error(chart_file: str, exc: InputError) -> ScanError:
    """A Chart.yaml problem names the file inside the chart it is about."""
    message = exc.message
    base = chart_file.rsplit("/", 1)[0] if "/" in chart_file else ""
    name, sep, rest = message.partition(": ")
    if sep and name in ("Chart.yaml", "requirements.yaml"):
        return ScanError(f"{base}/{name}" if base else name, f"{rest}; chart not analysed", exc.line, exc.column)
    return ScanError(chart_file, f"{message}; chart not analysed", exc.line, exc.column)


def _user_values(chart, context: ParseContext, options: Any) -> tuple[list, Any, dict, list[ScanError]]:
    """The user's values for a chart: configuration file first, then --helm-values, then --set."""
    from portacheck.parse import read_source
    from portacheck.parse.helm.values import Values, load_values, merge, parse_set

    errors: list[ScanError] = []
    settings = options.charts.get(os.path.normpath(chart.directory)) if not chart.archive else None
    paths = list(getattr(settings, "values", ()) or ()) + list(options.values)
    pairs = [f"{k}={v}" for k, v in (getattr(settings, "set", {}) or {}).items()] + list(options.set)
    released = [
        Values(v.display, v.data, v.lines, "", f"{v.display} (values passed by {v.referrer})")
        for v in context.chart_values if not chart.archive and v.chart == (chart.display or ".")
    ]
    files = []
    for index, path in enumerate(paths):
        if index == len(paths) - len(options.values):
            files += released  # a release's values (a Flux HelmRelease): after the configuration's, before --helm-values
        shown = relpath(path, context.root)
        try:
            files.append(load_values(read_source(path, context.max_file_bytes), shown))
        except InputError as exc:
            errors.append(ScanError(shown, f"values file for chart {chart.name}: {exc.message}", exc.line, exc.column))
    if not options.values:
        files += released
    try:
        set_values = Values("", parse_set(pairs), {}, "", "--helm-set") if pairs else None
    except ValueError as exc:
        errors.append(ScanError(chart.display or ".", f"--helm-set: {exc}"))
        set_values = None
    merged: dict = {}
    for values in files + ([set_values] if set_values else []):
        merged = merge(merged, values.data)
    return files, set_values, merged, errors


def _prepare(chart, context: ParseContext, options: Any, index, scratch: str) -> _Job | None:
    from portacheck.parse.helm import render, stage

    files, set_values, merged, errors = _user_values(chart, context, options)
    job = _Job(chart, files, set_values, merged, errors=errors)
    chart_file, _ = chart.shown("Chart.yaml")
    if errors:
        job.fallback = "its values could not be read"
        return job
    renders = options.renderer != "static" and not isinstance(render.choose(options.renderer), render.Failure)
    try:
        # nothing renders with the static renderer, or with none installed: the tree is resolved, not staged
        job.plan = stage.plan(chart, merged, index, scratch, lambda c: _defaults(c, context.max_file_bytes), stage=renders)
    except InputError as exc:
        job.errors.append(ScanError(chart_file, f"chart {chart.name}: {exc.message}", exc.line, exc.column))
        job.fallback = "it could not be prepared for rendering"
        return job
    for problem in job.plan.problems:  # a subchart that could not be read is not analysed: an error, never a silent pass
        job.errors.append(ScanError(chart_file, f"chart {chart.name}: {problem}"))
    for parent, dep in job.plan.missing:
        where, _ = parent.shown(parent.dependencies_file)
        near = index.near_misses(dep)
        job.errors.append(ScanError(
            where,
            f"chart {parent.name}: dependency {dep.describe()} is not vendored under charts/ and no chart of that name "
            f"and version was found in the scanned tree{', the file:// path' if dep.repository.startswith('file://') else ''} "
            f"or --helm-charts-dir{' (found only ' + ', '.join(near) + ')' if near else ''}; nothing is downloaded: "
            "run `helm dependency build`, or pass --helm-charts-dir",
            dep.line,
            severity=Severity.WARNING,
        ))
    renderer = options.renderer
    if renderer == "static":
        job.fallback = "--helm-renderer static"
    return job


def _once(jobs: list[_Job]) -> list[_Job]:
    """Each chart analysed once: a chart in the tree that an umbrella chart of the scan renders as
    its dependency (by `file://` or found in the tree) is analysed through that umbrella only.

    Charts vendored under `charts/` are never scanned on their own (discovery stops at a chart).
    A chart that is the only one scanned has no umbrella, so it is analysed on its own.
    """
    covers: dict[str, set[str]] = {}  # chart directory -> the directories of the charts it renders
    for job in jobs:
        if job.plan is not None and not job.chart.archive:
            covers[_real(job.chart.directory)] = {_real(n.chart.directory) for n in list(job.plan.root.walk())[1:] if not n.chart.archive}
    covered = set().union(*covers.values()) if covers else set()
    tops = {umbrella for umbrella in covers if umbrella not in covered}  # a cycle has no top: both stay
    dropped = {sub for umbrella in tops for sub in covers[umbrella]} - tops
    return [job for job in jobs if job.chart.archive or _real(job.chart.directory) not in dropped]


def _real(directory: str) -> str:
    return os.path.realpath(directory)


def _defaults(chart, max_bytes: int):
    from portacheck.parse.helm.static import read_values

    for name in ("values.yaml", "values.yml"):
        if os.path.isfile(os.path.join(chart.directory, name)):
            return read_values(chart, name, max_bytes)
    return None


def _render_all(jobs: list[_Job], context: ParseContext, options: Any, index, scratch: str) -> None:
    """Render every chart, and once more with its optional features on (one more render each, same limit)."""
    from portacheck.parse.helm import render

    todo = [job for job in jobs if not job.fallback and job.plan is not None]
    if options.optional != "off":
        for job in todo:
            job.optional = _switch(job, context, index, scratch)
    renderer = options.renderer
    timeout = float(options.timeout or render.DEFAULT_TIMEOUT)
    tasks = [(job.plan.staged, job.user, job.chart.name) for job in todo]
    tasks += [(job.optional.plan.staged, job.optional.user, job.chart.name) for job in todo if job.optional is not None]
    outcomes, keys = _recalled(tasks, renderer, timeout, context)
    outcomes = _scan_budget(outcomes)
    for job, outcome, entry in zip(todo, outcomes, keys, strict=False):
        job.outcome = outcome
        job.renders = (entry,)
    switched = [job for job in todo if job.optional is not None]
    for job, outcome, entry in zip(switched, outcomes[len(todo):], keys[len(todo):], strict=True):
        job.optional.outcome = outcome
        job.renders += (entry,)


def _recalled(tasks: list[tuple[str, dict, str]], renderer: str, timeout: float, context: ParseContext) -> tuple[list, list[str | None]]:
    """The outcome of every render task, from the cache when it holds it, else rendered (and stored); and its cache key."""
    from portacheck.parse.helm import recall, render

    chosen = render.choose(renderer)
    cache = context.cache
    if cache is None or isinstance(chosen, render.Failure):
        return _render_tasks(tasks, renderer, timeout, context), [None] * len(tasks)
    keys = [recall.key(cache, *task, chosen) for task in tasks]
    outcomes = [recall.load(cache, entry) if entry else None for entry in keys]
    todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
    for i, outcome in zip(todo, _render_tasks([tasks[i] for i in todo], renderer, timeout, context), strict=True):
        outcomes[i] = outcome
        entry = keys[i]
        if entry:
            recall.store(cache, entry, outcome)
    return outcomes, keys


def _render_tasks(tasks: list[tuple[str, dict, str]], renderer: str, timeout: float, context: ParseContext) -> list:
    """Render in threads, each with a Helm SDK worker kept alive between its charts."""
    from portacheck.parse.helm import render

    if not tasks:
        return []
    with render.Pool() as pool:

        def one(task):
            staged, values, release = task
            return render.render(staged, values, release, renderer, timeout, pool)

        workers = max(1, min(len(tasks), context.jobs or os.cpu_count() or 1))
        if workers == 1:
            return [one(task) for task in tasks]
        with ThreadPoolExecutor(max_workers=workers) as threads:
            return list(threads.map(one, tasks))


def _scan_budget(outcomes: list) -> list:
    """Renders past the scan's object budget (render.MAX_SCAN_OBJECTS, in chart order) become failures."""
    from portacheck.parse.helm import render

    total = 0
    bounded = []
    for outcome in outcomes:
        count = render.count_objects(outcome.manifests) if isinstance(outcome, render.Rendered) else 0
        if count and total + count > render.MAX_SCAN_OBJECTS:
            outcome = render.too_large(f"{render.MAX_SCAN_OBJECTS:,} objects in this scan", outcome.renderer)
        else:
            total += count
        bounded.append(outcome)
    return bounded


def _switch(job: _Job, context: ParseContext, index, scratch: str):
    from portacheck.parse.helm import optional, stage

    def make_plan(values: dict):
        return stage.plan(job.chart, values, index, scratch, lambda c: _defaults(c, context.max_file_bytes), stage=bool(job.plan.staged))

    try:
        return optional.switch(job.chart, job.user, job.plan, make_plan)
    except InputError:
        return None  # the default render goes on; a chart whose switches cannot be staged has no optional part


def _optional(job: _Job, default: list[Resource], context: ParseContext, options: Any) -> tuple[list[Resource], list[ScanError]]:
    """What only the render with the optional features on has, marked optional; a failed render is a warning."""
    from portacheck.parse.helm import optional, render

    switched = job.optional
    if switched is None or not isinstance(job.outcome, render.Rendered):
        return [], []
    if not isinstance(switched.outcome, render.Rendered):
        message = switched.outcome.message.splitlines()[0] if switched.outcome.message else switched.outcome.kind
        return [], [ScanError(
            job.chart.shown("Chart.yaml")[0],
            f"chart {job.chart.name}: rendering it with its optional features on ({len(switched.keys)} switches) failed "
            f"({message}); what they add is not reported",
            severity=Severity.WARNING,
        )]
    found, _problems = _rendered(_switched_job(job, switched), switched.outcome, context)
    return optional.only_optional(default, found, switched, options.optional == "fail"), []


def _switched_job(job: _Job, switched) -> _Job:
    return _Job(job.chart, job.user_files, job.user_set, switched.user, plan=switched.plan, outcome=switched.outcome)


# --- analysis --------------------------------------------------------------------------------


def _analysed(job: _Job, context: ParseContext, options: Any) -> tuple[list[Resource], list[ScanError], list[ScanError]]:
    """(resources, warnings, problems) of one chart: from the cache when its renders came from it
    (or were stored in it) and nothing else the analysis reads has changed, else analysed."""
    from portacheck.parse.helm import recall

    entry = _analysis_key(job, context, options)
    cached = recall.load_analysis(context.cache, entry) if context.cache is not None and entry else None
    if cached is not None:
        return cached
    found, problems = _analyse(job, context)
    extra, warnings = _optional(job, found, context, options)
    result = (found + extra, warnings, problems)
    if context.cache is not None and entry:
        recall.store_analysis(context.cache, entry, result)
    return result


def _analysis_key(job: _Job, context: ParseContext, options: Any) -> str | None:
    """The key of a rendered chart whose renders all have a key; None for the rest. A chart that
    failed to render is analysed statically from files no key covers; an optional render may fail
    as the same input always does (a template error), but not past the scan's object budget, which
    other charts decide, nor by a timeout, which may not happen again."""
    from portacheck.parse.helm import recall, render

    switched = job.optional
    renders = tuple(entry for entry in job.renders if entry)
    if context.cache is None or not isinstance(job.outcome, render.Rendered) or len(renders) != 1 + (switched is not None):
        return None
    if switched is not None and not isinstance(switched.outcome, render.Rendered) and switched.outcome.kind not in ("load", "values", "render"):
        return None
    plans = [job.plan] + ([switched.plan] if switched is not None else [])
    values = [*job.user_files, job.user_set]
    switches = (switched.keys, switched.gates, switched.enabled_by) if switched is not None else None
    crds = [found for plan in plans for found in _crds(plan.root, context)]
    settings = (options.optional, context.max_file_bytes)
    return recall.analysis_key(context.cache, renders, plans, values, switches, crds, settings)


def _analyse(job: _Job, context: ParseContext) -> tuple[list[Resource], list[ScanError]]:
    from portacheck.parse.helm import render

    chart = job.chart
    chart_file, _ = chart.shown("Chart.yaml")
    outcome = job.outcome
    if isinstance(outcome, render.Rendered):
        resources, errors = _rendered(job, outcome, context)
        if job.plan.missing:
            names = _names(job.plan.missing)
            origin = Origin(via=f"chart {chart.name} (dependency not rendered)")
            resources += _missing_sections(job, origin)
            errors.append(ScanError(
                chart_file,
                f"chart {chart.name} was only partly analysed: dependency {names} could not be found, so its objects are "
                f"missing; its values in this chart were scanned statically (findings marked '{origin}')",
            ))
        return resources, errors
    why = job.fallback
    path, line = chart_file, 0
    if isinstance(outcome, render.Failure):
        why = {
            "timeout": outcome.message,
            "unavailable": outcome.message,
            "too-large": outcome.message,
        }.get(outcome.kind, f"{'template' if outcome.kind == 'render' else outcome.kind} error: {outcome.message}")
        if outcome.template:
            node = _node_for(job.plan.root, outcome.template)
            if node is not None:
                shown, member = node.chart.shown(outcome.template[len(node.prefix):])
                path, line = shown, (0 if member else outcome.line)
        if job.plan.missing and outcome.kind == "render":
            names = _names(job.plan.missing)
            why = f"dependency {names} is missing and {why}"
    origin = Origin(via=f"chart {chart.name} (not rendered)")
    resources, errors = _static(job, context, origin)
    errors.append(ScanError(path, f"chart {chart.name} was not rendered ({why}); only partly analysed: its values and raw templates were scanned statically, findings marked '{origin}'", line))
    return resources, errors


def _static(job: _Job, context: ParseContext, origin: Origin) -> tuple[list[Resource], list[ScanError]]:
    from portacheck.parse.helm import static

    resources, errors = static.analyse(job.chart, job.user_files, context, origin, context.max_file_bytes)
    if job.plan is not None:
        for node in list(job.plan.root.walk())[1:]:
            if not node.chart.archive or node.chart.archive != job.chart.archive:
                found, problems = static.analyse(node.chart, [], context, origin, context.max_file_bytes)
                resources += found
                errors += problems
    if job.user_set is not None:
        signals = static.value_signals(job.user_set, origin)
        if signals:
            resources.append(static.values_resource(job.chart, job.user_set, signals, origin))
    return resources, errors


def _missing_sections(job: _Job, origin: Origin) -> list[Resource]:
    """Values meant for a dependency that could not be found, scanned as the static fallback does."""
    from portacheck.parse.helm import static
    from portacheck.parse.helm.values import lookup

    resources = []
    for parent, dep in job.plan.missing:
        node = next((n for n in job.plan.root.walk() if n.chart is parent), None)
        if node is None:
            continue
        for source in _chain(job, node):
            prefix = source.prefix + (dep.key,)
            found, section = lookup(source.values.data, prefix)
            if found and isinstance(section, dict):
                signals = static.value_signals(source.values, origin, prefix, section)
                if signals:
                    resources.append(static.values_resource(parent, source.values, signals, origin))
    return resources


def _names(missing) -> str:
    return ", ".join(sorted({repr(dep.key) if not dep.alias else f"{dep.alias!r} ({dep.name})" for _parent, dep in missing}))


def _node_for(root, key: str):
    best = None
    for node in root.walk():
        if key.startswith(node.prefix) and (best is None or len(node.prefix) > len(best.prefix)):
            best = node
    return best


def _chain(job: _Job, node):
    """The values sources a chart's templates see, strongest first (see locate.find_value)."""
    from portacheck.parse.helm.locate import Chain, Source

    chain = []
    if job.user_set is not None:
        chain.append(Source(job.user_set, node.scope))
    for values in reversed(job.user_files):
        chain.append(Source(values, node.scope))
    ancestors = []
    current = job.plan.root
    for name in node.scope:
        ancestors.append(current)
        current = next((c for c in current.children if c.name == name), current)
    for ancestor in ancestors:
        if ancestor.defaults is not None:
            chain.append(Source(ancestor.defaults, node.scope[len(ancestor.scope):]))
    if node.defaults is not None:
        chain.append(Source(node.defaults, ()))
    return Chain(chain)


def _global_chain(job: _Job, node):
    from portacheck.parse.helm.locate import Chain, Source

    return Chain([Source(s.values, ()) for s in _chain(job, node)])


def _rendered(job: _Job, outcome, context: ParseContext) -> tuple[list[Resource], list[ScanError]]:
    """Analyse the rendered manifests of one chart as one text, then point everything at its source."""
    from portacheck.parse.helm.locate import Template, find_value
    from portacheck.parse.kubernetes.analyse import analyse_text

    plan = job.plan
    staged_parent = os.path.dirname(plan.staged)
    manifests = [(key, text, False) for key, text in outcome.manifests.items() if not key.endswith("NOTES.txt")]
    manifests += _crds(plan.root, context)
    entries = [(key, text, literal, _node_for(plan.root, key)) for key, text, literal in sorted(manifests, key=lambda e: e[0]) if text.strip()]
    entries = [entry for entry in entries if entry[3] is not None]
    broken: list[ScanError] = []
    while True:
        # All of a chart's objects are analysed as one text so that workloads link to the
        # ServiceAccounts, claims and Services of other templates. Invalid YAML in one rendered
        # template (Helm itself would refuse to install it) is reported there; the rest goes on.
        pieces, combined = _combine(entries)
        result = analyse_text(combined, _SENTINEL, context, origin="", source=SOURCE)
        fatal = [e for e in result.errors if e.severity is Severity.ERROR and e.line] if not result.resources else []
        piece = next((p for p in pieces if fatal and p[0] <= fatal[0].line <= p[1] + 1), None)  # `---` after it: its error
        if piece is None:
            break
        shown, member = piece[3].chart.shown(piece[2][len(piece[3].prefix):])
        broken.append(ScanError(shown, f"chart {job.chart.name} renders this template to invalid YAML ({fatal[0].message}); Helm would refuse to install it; its objects are not analysed"))
        entries = [e for e in entries if e[0] != piece[2]]
    hooks = _test_hooks(entries)
    templates: dict[str, Template] = {}
    outlines: dict[str, Template | None] = {}
    counters: dict[tuple[str, str], int] = {}
    chains: dict[int, tuple] = {}
    remapped: list[Resource] = []
    keys: dict[str, str] = {}
    errors: list[ScanError] = list(broken)
    for resource in sorted(result.resources, key=lambda r: r.location.line):
        piece = next((p for p in pieces if p[0] <= resource.location.line <= p[1]), None)
        if piece is None:
            continue
        first, _last, key, node, literal = piece
        inside = key[len(node.prefix):]
        shown, member = node.chart.shown(inside)
        origin = _origin(job.chart, node, member)
        kind = resource.type.rsplit("/", 1)[-1]
        if literal:
            offset = first - 1
            location = Location(shown, 0 if member else resource.location.line - offset, 0, origin)
            signals = tuple(replace(s, location=Location(shown, 0 if member else s.location.line - offset, 0, origin)) for s in resource.signals)
        else:
            ordinal = counters.get((key, kind), 0)
            counters[(key, kind)] = ordinal + 1
            template, doc = _placed(templates, outlines, os.path.join(staged_parent, key), key, resource, ordinal)
            location = Location(shown, 0 if member else template.object_line(doc), 0, origin)
            if id(node) not in chains:
                chains[id(node)] = (_chain(job, node), _global_chain(job, node))
            chain, global_chain = chains[id(node)]
            signals = tuple(_signal(s, template, doc, shown, member, origin, chain, global_chain, find_value) for s in resource.signals)
        new = replace(resource, location=location, signals=signals)
        if (key, kind, resource.attributes.get("name")) in hooks:
            new = replace(new, kind="reference", attributes={**new.attributes, "helm_hook": "test"})
        keys.setdefault(f"{_SENTINEL}#{resource.address}", f"{shown}#{resource.address}")
        remapped.append(new)
    final = [replace(r, links=tuple(dict.fromkeys(keys.get(link, link) for link in r.links))) for r in remapped]
    for error in result.errors:
        piece = next((p for p in pieces if p[0] <= error.line <= p[1]), None)
        if piece is None:
            errors.append(replace(error, path=job.chart.shown("Chart.yaml")[0], line=0))
            continue
        node = piece[3]
        shown, member = node.chart.shown(piece[2][len(node.prefix):])
        errors.append(replace(error, path=shown, line=0, message=f"rendered by chart {job.chart.name}: {error.message}"))
    return final, errors


def _placed(templates: dict, outlines: dict, path: str, key: str, resource: Resource, ordinal: int):
    """(template, document) that wrote the `ordinal`-th object of the resource's kind in one template file.

    A CustomResourceDefinition that yields only its kind is placed from the file's outline (its
    top-level keys): reading the key structure of a long schema costs far more than it tells."""
    kind = resource.type.rsplit("/", 1)[-1]
    if key not in templates and kind == "CustomResourceDefinition" and all(s.kind == "k8s_kind" for s in resource.signals):
        if key not in outlines:
            outlines[key] = _outline(_template_text(path))
        outline = outlines[key]
        if outline is not None:
            doc = outline.doc_for(kind, ordinal)
            if any(k.doc == doc.index and k.path == "kind" for k in outline.keys):
                return outline, doc
    template = templates.get(key)
    if template is None:
        template = templates[key] = _template(_template_text(path))
    return template, template.doc_for(kind, ordinal)


# A template's structure depends on its text alone: the render with optional features on, and every
# chart that vendors the same subchart, read it once.
@functools.lru_cache(maxsize=256)
def _template(text: str):
    from portacheck.parse.helm.locate import Template

    return Template.parse(text)


@functools.lru_cache(maxsize=256)
def _outline(text: str):
    from portacheck.parse.helm.locate import Template

    return Template.outline(text)


def _template_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _test_hooks(entries) -> set[tuple[str, str, Any]]:
    """(render key, kind, name) of the objects annotated `helm.sh/hook: test` (or test-success, test-failure).

    They run on `helm test`, not on install: not deployed, not workloads. Their signals are still
    findings, on a resource of kind `reference`, as couplings that deploy nothing."""
    from portacheck._yaml import DataError, load_documents

    found = set()
    for key, text, _literal, _node in entries:
        if "helm.sh/hook" not in text:
            continue
        try:  # bounded in nodes and depth, as every YAML a scan reads
            documents = [d.root for d in load_documents(text)]
        except DataError:
            continue
        for doc in documents:
            if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
                continue
            metadata = doc["metadata"]
            annotations = metadata.get("annotations")
            hook = annotations.get("helm.sh/hook") if isinstance(annotations, dict) else None
            if isinstance(hook, str) and any(h.strip().startswith("test") for h in hook.split(",")):
                found.add((key, str(doc.get("kind")), metadata.get("name")))
    return found


def _combine(entries) -> tuple[list[tuple[int, int, str, Any, bool]], str]:
    """One text of every rendered template, and (first line, last line, key, node, literal) of each."""
    pieces: list[tuple[int, int, str, Any, bool]] = []
    parts: list[str] = []
    line = 1
    for key, text, literal, node in entries:
        body = text if text.endswith("\n") else text + "\n"
        parts.append("---\n" + body)
        count = body.count("\n") + 1
        pieces.append((line + 1, line + count - 1, key, node, literal))
        line += count
    return pieces, "".join(parts)


def _signal(signal: Signal, template, doc, shown: str, member: str, origin: Origin, chain, global_chain, find_value) -> Signal:
    line, rest = template.line_for(signal.context, doc)
    location = Location(shown, 0 if member else line, 0, origin)
    values_location = None
    if signal.kind != "k8s_kind":
        refs = template.refs(line)
        global_refs = [r for r in refs if r and r[0] == "global"]
        hit = find_value(chain, [r for r in refs if not (r and r[0] == "global")], rest, signal.value)
        if hit is None and global_refs:
            hit = find_value(global_chain, global_refs, rest, signal.value)
        if hit is not None:
            values, path = hit
            line = values.line(path) if values.display else 0
            inside = f"{values.member}:{line}" if values.member and line else values.member
            values_location = Location(values.display or values.label, 0 if values.member else line, 0, Origin(via=inside) if inside else NO_ORIGIN)
    return _with_values(replace(signal, location=location), values_location)


def _with_values(signal: Signal, values_location: Location | None) -> Signal:
    if values_location is None or not hasattr(signal, "values_location"):
        return signal
    return replace(signal, values_location=values_location)


def _origin(top, node, member: str) -> Origin:
    names = [top.name] if node.scope == () else [top.name, *node.scope]
    origin = "chart " + "/".join(names)
    if member:
        origin += f" ({member.split(':')[-1]})"
    return Origin(via=origin)


def _crds(root, context: ParseContext) -> list[tuple[str, str, bool]]:
    """Plain CRD manifests under crds/ of every rendered chart (Helm installs them as they are)."""
    from portacheck.parse import read_source

    found = []
    for node in root.walk():
        base = os.path.join(node.chart.directory, "crds")
        if not os.path.isdir(base):
            continue
        for directory, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith((".yaml", ".yml", ".json")):
                    continue
                path = os.path.join(directory, name)
                inside = os.path.relpath(path, node.chart.directory).replace(os.sep, "/")
                try:
                    text = read_source(path, context.max_file_bytes)
                except InputError:
                    continue
                found.append((node.prefix + inside, text, True))
    return found
