"""The HTML report: one self-contained page for the people who decide, which works offline.

The page holds one style sheet and one script, both inline and allowed by their sha256 hashes
in its Content-Security-Policy (`default-src 'none'`): it loads nothing and runs nothing else,
so opening a report of someone else's repository is as safe as reading it. Charts are SVG
drawn here (report/svg.py); the findings table is filtered by a few lines of plain JavaScript
(html.js) and is complete without it. Every string from the scanned repository goes through
escape.html as it is written. Counts carry data attributes (`data-count`, `data-level`,
`data-target`) so tests compare them with the JSON report's.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any, TextIO

from portacheck import __version__
from portacheck.assess import Assessment
from portacheck.model import Finding, Level, Severity
from portacheck.report import snippets, svg
from portacheck.report.common import (
    alternatives,
    by_service,
    counted,
    covers,
    days,
    definition_place,
    describe_finding,
    effort_by_rule,
    headline,
    headquarters,
    judgement_text,
    level_word,
    nearest_line,
    not_deployed,
    pct,
    read_line,
    regions,
    result_line,
    root_lines,
    sovereignty_lines,
    sovereignty_sections,
    verdict_short,
    workload_ties,
    workloads_counted,
)
from portacheck.report.escape import html as e
from portacheck.report.escape import html_block
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, judge, judge_rule

VERDICT_KEYS = ((READY, "ready"), (CONDITIONAL, "ready_with_conditions"), (NOT_READY, "not_ready"), (UNKNOWN, "unknown"))  # as in the JSON report
Cell = str | tuple[str, str]  # a table cell's HTML, or (HTML, class)


@cache
def asset(name: str) -> str:
    """The style sheet or the script, as shipped beside this module."""
    return files("portacheck.report").joinpath(name).read_text(encoding="utf-8")


def digest(text: str) -> str:
    """The CSP hash source of an inline element's text: `'sha256-…'`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy() -> str:
    """No fetch of any kind, no script or style but the page's own; images only as data: URLs."""
    return (
        f"default-src 'none'; script-src {digest(asset('html.js'))}; style-src {digest(asset('html.css'))}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write(page(assessment))


def page(a: Assessment) -> str:
    name = posixpath.basename(a.root.replace("\\", "/").rstrip("/")) or a.root
    sections = [
        ("summary", "Summary", summary(a)),
        ("targets", "Targets", targets(a)),
        ("views", "Deployed resources by level, category and provider", views(a)),
        ("services", "Services", services(a)),
        ("workloads", "Workloads", workloads(a)),
        ("waves", "Migration waves", waves(a)),
        ("findings", "Findings", findings(a)),
        ("jurisdiction", "Jurisdiction and sovereignty", jurisdiction(a)),
        ("effort", "Effort", effort(a)),
        ("not-analysed", "What was not analysed", not_analysed(a)),
    ]
    shown = [(ident, title, body) for ident, title, body in sections if body]
    return "".join(
        [
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            f'<meta http-equiv="Content-Security-Policy" content="{policy()}">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="referrer" content="no-referrer">\n',
            f"<title>Cloud portability of {e(name)} · portacheck</title>\n",
            f"<style>{asset('html.css')}</style>\n</head>\n<body>\n",
            f"<header>\n<h1>Cloud portability of {e(name)}</h1>\n<p class=\"meta\">portacheck {e(__version__)} · {e(read_line(a))}</p>\n",
            '<nav aria-label="Sections"><ul>' + "".join(f'<li><a href="#{i}">{e(t)}</a></li>' for i, t, _ in shown) + "</ul></nav>\n</header>\n<main>\n",
            *(f'<section id="{i}" aria-labelledby="{i}-h">\n<h2 id="{i}-h">{e(t)}</h2>\n{body}</section>\n' for i, t, body in shown),
            "</main>\n",
            f"<footer>Written by portacheck {e(__version__)}, offline; this page makes no network request. "
            "The JSON report (<code>--format json</code>) holds every figure for machines.</footer>\n",
            f"<script>{asset('html.js')}</script>\n</body>\n</html>\n",
        ]
    )


def summary(a: Assessment) -> str:
    failed = a.policy_failed()
    out = ['<div class="headline">', *(f"<p>{e(line)}</p>" for line in headline(a)), "</div>"]
    out.append(f'<p class="result {"failed" if failed else "passed"}">{e(result_line(a))}</p>')
    figures = [
        ("Deployed resources", "resources", str(a.resources_total)),
        ("Findings", "findings", str(len(a.findings))),
        ("Distinct workloads", "workloads", str(a.workloads.total)),
        ("Input errors", "errors", str(sum(1 for x in a.errors if x.severity is Severity.ERROR))),
    ]
    out.append('<dl class="figures">')
    out += [f'<div><dt>{title}</dt><dd data-count="{key}">{value}</dd></div>' for title, key, value in figures]
    out.append(
        f'<div><dt>Estimated effort</dt><dd data-effort-low="{a.effort.low:g}" data-effort-high="{a.effort.high:g}">'
        f"{e(days(a.effort.low, a.effort.high))}</dd></div>"
    )
    out.append("</dl>")
    if a.resources_total:
        out.append(
            table(
                ["Level", "Meaning", ("Deployed resources", "num"), ("Share", "num")],
                [
                    [_badge(level), e(level.title), (f'<span data-level="{level.value}">{a.level_counts.get(level, 0)}</span>', "num"), (pct(a.share(level)), "num")]
                    for level in Level
                ],
                "Deployed resources by portability level",
                kind="narrow",
            )
        )
    out += [f"<p>{e(line)}</p>" for line in sovereignty_lines(a)]
    if not a.targets and nearest_line(a):
        out.append(f"<p>{e(nearest_line(a))}</p>")
    return "\n".join(out) + "\n"


def targets(a: Assessment) -> str:
    if not a.targets:
        return ""
    rows: list[list[Cell]] = []
    for view in a.targets:
        counts = view.verdict_counts
        blockers = ", ".join(f"{b.rule.service} ({len(b.locations)})" for b in view.blockers) or "–"
        rows.append(
            [
                f'<span data-target="{e(view.target.key)}">{e(view.target.name)}</span> <code>{e(view.target.key)}</code>',
                *((f'<span data-target="{e(view.target.key)}" data-count="{key}">{counts.get(verdict, 0)}</span>', "num") for verdict, key in VERDICT_KEYS),
                (f"{view.workloads_ready} of {view.workloads_total}" if view.workloads_total else "–", "num"),
                (e(days(*view.total_effort)), "nowrap"),
                e(blockers),
            ]
        )
    head: list[Cell] = ["Target", *((title, "num") for title in ("Ready", "With conditions", "Not ready", "Unknown", "Workloads ready")), "Effort with platform", "Blocked by"]
    return (
        "<p>Readiness of the deployed resources at each destination weighed (the worst of their findings), "
        "and the effort with each target's one-off platform work.</p>\n" + table(head, rows, "Targets compared") + "\n"
    )


def views(a: Assessment) -> str:
    if not a.resources_total:
        return ""
    legend = '<ul class="legend" aria-label="Levels">' + "".join(f"<li>{_badge(level)} {e(level.title)}</li>" for level in Level) + "</ul>"
    levels = [(level_word(level), {level: a.level_counts.get(level, 0)}) for level in Level]
    categories = sorted(a.by_category.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    providers = sorted(a.by_provider.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return "\n".join(
        [
            legend,
            "<h3>By level</h3>",
            svg.bars("Deployed resources by level", "level-row", levels),
            "<h3>By category</h3>",
            svg.bars("Deployed resources by category, stacked by level", "category", categories),
            "<h3>By provider</h3>",
            svg.bars("Deployed resources by provider, stacked by level", "provider", providers),
        ]
    ) + "\n"


def services(a: Assessment) -> str:
    groups = by_service(f for f in a.findings if f.level is not Level.P0)
    if not groups:
        return ""
    efforts = effort_by_rule(a)
    rows: list[list[Cell]] = []
    for group in groups:
        rule = group.rule
        effort = efforts.get(rule.id)
        judged = [(v.target.name, judge_rule(rule, rule.level, v.target)) for v in a.targets]
        more = [f'<p class="why">{e(rule.why)}</p>', *(f"<p>{e(part)}</p>" for part in alternatives(rule))]
        more += [f"<p>At {e(name)}: {e(judgement_text(judgement))}</p>" for name, judgement in judged]
        rows.append(
            [
                _badge(group.level),
                f'<strong>{e(rule.service)}</strong> <code>{e(rule.id)}</code> <span class="meta">{e(rule.category)}</span>'
                f"<details><summary>Why, alternatives{', verdicts' if judged else ''}</summary>{''.join(more)}</details>",
                (str(len(group.findings)), "num"),
                (e(days(*effort)) if effort and effort != (0, 0) else "–", "nowrap"),
                *(e(verdict_short(judgement)) for _name, judgement in judged),
            ]
        )
    head: list[Cell] = [("Level", "col-level"), ("Service", "col-service"), ("Findings", "num col-count"), ("Effort", "col-effort"), *(f"At {v.target.name}" for v in a.targets)]
    return (
        "<p>Every service above P0, highest level first; open a service for why it has its level, what to use instead and the verdict at each target.</p>\n"
        + table(head, rows, "Services found, highest level first", "fixed")
        + "\n"
    )


def workloads(a: Assessment) -> str:
    view = a.workloads
    if not view.total:
        return ""
    rows: list[list[Cell]] = []
    for workload in view.distinct:
        verdict = workload.primary
        resource = verdict.resource
        ties = [e(line) for line in workload_ties(verdict)] or ["nothing provider-specific found"]
        if verdict.links:
            ties.append("built from " + e("; ".join(str(link) for link in verdict.links)))
        where = f"<code>{e(resource.location)}</code>" + (f" via {e(resource.location.origin)}" if resource.location.origin else "")
        if len(workload.definitions) > 1:
            others = workload.definitions[1:]
            where += f"<details><summary>also defined at {e(counted(len(others), 'more place'))}</summary>" + "<br>".join(e(definition_place(d)) for d in others) + "</details>"
        rows.append([_badge(workload.level), e(resource.address), where, "<br>".join(ties)])
    out = [
        f"<p>{e(workloads_counted(a))}: <span data-count=\"as_they_are\">{view.as_they_are}</span> run elsewhere as they are (P0), "
        f"<span data-count=\"repointed\">{view.repointed}</span> with re-pointing only (P1), "
        f"<span data-count=\"tied\">{view.tied}</span> tied to the provider by what they use.</p>",
        table([("Level", "col-level"), ("Workload", "col-workload"), ("Where", "col-place"), "What ties it"], rows, "Distinct workloads and what ties each", "fixed"),
    ]
    out += [f"<p class=\"meta\">Note: {e(note)}</p>" for note in view.notes]
    return "\n".join(out) + "\n"


def waves(a: Assessment) -> str:
    if not a.targets:
        return ""
    from portacheck.waves import plan

    result = plan(a)
    target = a.targets[0].target
    out = [
        f"<p>For the first target weighed, {e(target.name)} (<code>{e(target.key)}</code>): each resource in the wave its findings there "
        f"call for, moving with the workloads and stores it is tied to. One team works the waves in sequence; "
        f"{result.teams} teams in parallel take the longest single item or the sum divided by {result.teams}, whichever is larger.</p>",
        table(
            ["Wave", ("Resources", "num"), "One team", f"{result.teams} teams in parallel"],
            [
                [f"{w.number}. {e(w.title)}", (f'<span data-wave="{w.number}">{len(w.items)}</span>', "num"), (e(days(w.low, w.high)), "nowrap"), (e(days(w.parallel_low, w.parallel_high)), "nowrap")]
                for w in result.waves
            ],
            "Migration waves",
            "narrow",
        ),
    ]
    for wave in result.waves:
        if not wave.items:
            continue
        out.append(f"<h3>Wave {wave.number}: {e(wave.title)}</h3>")
        out.append(f"<details><summary>{e(counted(len(wave.items), 'resource'))}, {e(days(wave.low, wave.high))} for one team</summary>")
        rows: list[list[Cell]] = [
            [
                f"<code>{e(item.resource.address)}</code>",
                f"<code>{e(item.verdict.deciding.rule.id)}</code>",
                f"<code>{e(item.resource.location)}</code>",
                _badge(item.level),
                e(item.verdict_text),
                (e(days(item.verdict.effort_low, item.verdict.effort_high)), "nowrap"),
                "<br>".join(f"<code>{e(m)}</code>" for m in item.moves_with) or "–",
                "<br>".join(e(b) for b in item.bridges) or "–",
            ]
            for item in wave.items
        ]
        out.append(table(["Resource", "Rule", "File:line", "Level", "Verdict", "Effort", "Moves with", "Bridges"], rows, f"Wave {wave.number}: {wave.title}"))
        out.append("</details>")
    return "\n".join(out) + "\n"


def findings(a: Assessment) -> str:
    if not a.findings:
        return "<p>No findings.</p>\n"
    ordered = sorted(a.findings, key=lambda f: (-f.level.rank, f.location.path, f.location.line))
    listed = [f for f in ordered if f.level is not Level.P0]
    code = dict(zip(map(id, listed), snippets.snippets(a.root, [f.location for f in listed]), strict=True))
    total = len(ordered)
    levels = [lv for lv in Level if any(f.level is lv for f in ordered)]
    above = [lv.value for lv in levels if lv is not Level.P0]
    filters = [
        ("level", "Level", ([(" ".join(above), "P1 and above")] if above and Level.P0 in levels else []) + [(lv.value, level_word(lv)) for lv in levels]),
        ("provider", "Provider", _choices(_provider(f) for f in ordered)),
        ("category", "Category", _choices(f.rule.category for f in ordered)),
        ("file", "File", _choices(f.location.path for f in ordered)),
    ]
    form = ['<form id="filters" class="filters" role="search" aria-label="Filter the findings">']
    form.append('<label for="filter-search">Search<input id="filter-search" type="search" name="search" autocomplete="off" placeholder="service, resource, file, rule…"></label>')
    for key, title, choices in filters:
        first = key == "level" and len(choices) > len(levels)  # P1 and above: what the other reports list
        options = f'<option value="">All ({len(choices) - first})</option>' + "".join(
            f'<option value="{e(value)}"{" selected" if first and i == 0 else ""}>{e(text)}</option>' for i, (value, text) in enumerate(choices)
        )
        form.append(f'<label for="filter-{key}">{title}<select id="filter-{key}" name="{key}">{options}</select></label>')
    form.append('<button type="reset">Clear</button></form>')
    count = (
        f'<p class="count" aria-live="polite"><span id="findings-shown" data-count="shown">{total}</span> of '
        f'<span data-count="findings-listed">{total}</span> findings shown</p>'
    )
    heads = [("Level", "col-level"), ("Finding", "col-finding"), ("Where and code", "col-where"), *((f"At {v.target.name}", "col-target") for v in a.targets)]
    rows = []
    for finding in ordered:
        rows.append(_finding_row(a, finding, code.get(id(finding), "")))
    head = "<tr>" + "".join(f'<th scope="col" class="{klass}">{e(h)}</th>' for h, klass in heads) + "</tr>"
    return (
        "<p>Every active finding, highest level first; suppressed and baselined findings are listed under "
        '<a href="#not-analysed">What was not analysed</a>.</p>\n'
        + "\n".join(form)
        + "\n"
        + count
        + f'\n<div class="scroll"><table id="findings-table" class="fixed"><caption class="meta">Findings with their evidence</caption>'
        f"<thead>{head}</thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table></div>\n"
    )


def _finding_row(a: Assessment, f: Finding, snippet: snippets.Snippet | str) -> str:
    rule = f.rule
    what = [
        f"<strong>{e(rule.service)}</strong> <code>{e(rule.id)}</code>",
        e(describe_finding(f) + not_deployed(f)),
        f'<span class="meta">{e(_provider(f))} · {e(rule.category)}</span>',
    ]
    if f.why != rule.why or f.level is not rule.level:  # the rule's own reason is in the services table
        what.append(f'<p class="why">{e(f.why)}</p>')
    if f.override:
        what.append(f'<p class="why">Level set by configuration: {e(f.override)}</p>')
    where = [f"<code>{e(f.location)}</code>"]
    if f.location.origin:
        where.append(f"via {e(f.location.origin)}")
    if f.signal.values_location is not None:
        where.append(f"value from <code>{e(f.signal.values_location)}</code>")
    if f.level is not Level.P0:  # what carries over as it is needs no reading
        where.append(_code(snippet))
    level = _badge(f.level) + (' <span class="fails" title="fails the policy">fails</span>' if a.fails(f) else "")
    cells = [level, "<br>".join(what[:3]) + "".join(what[3:]), "<br>".join(where)]
    cells += [e(verdict_short(judge(f, v.target))) for v in a.targets]
    attributes = f'data-level="{f.level.value}" data-provider="{e(_provider(f))}" data-category="{e(rule.category)}" data-file="{e(f.location.path)}"'
    return f"<tr {attributes}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _code(snippet: snippets.Snippet | str) -> str:
    if isinstance(snippet, str):
        return f'<span class="nocode">{e(snippet)}</span>' if snippet else ""
    lines = "".join(
        f'<span class="line{" hit" if number == snippet.line else ""}"><span class="ln">{number}</span>{html_block(text)}</span>'
        for number, text in enumerate(snippet.lines, start=snippet.first)
    )
    return f'<pre class="code"><code>{lines}</code></pre>'


def jurisdiction(a: Assessment) -> str:
    out = []
    if a.providers:
        rows: list[list[Cell]] = []
        for p in a.providers:
            rows.append(
                [
                    f"{e(p.name)} <code>{e(p.key)}</code>",
                    (e(p.kind), "nowrap"),
                    e(headquarters(p)),
                    (f'<span data-provider="{e(p.key)}" data-count="resources">{p.resources}</span>', "num"),
                    (str(p.data_sources), "num"),
                    e(", ".join(regions(p)) or "–"),
                ]
            )
        out.append(table(["Provider", "Kind", "Headquarters", ("Resources", "num"), ("Data sources", "num"), "Regions"], rows, "Providers in use"))
    view = a.sovereignty
    if view is not None:
        from portacheck.sovereignty.profiles import FAILS, UNKNOWN

        out += [f"<p>{e(line)}</p>" for line in sovereignty_lines(a)]
        judged = [j for j in view.resources if j.verdict in (FAILS, UNKNOWN)]
        if judged:
            out.append(f"<h3>Resources that do not meet profile {e(view.profile.key)}, or are unknown</h3>")
            out.append(
                table(
                    ["Verdict", "Resource", "Location", "Provider, region", "Why"],
                    [
                        [e(j.verdict), f"<code>{e(j.resource.address)}</code>", f"<code>{e(j.resource.location)}</code>", e(f"{j.placement.provider} {j.placement.region or '?'}"), e(j.reason)]
                        for j in sorted(judged, key=lambda j: (j.verdict != FAILS, j.resource.location.path, j.resource.location.line))
                    ],
                    "Sovereignty verdicts",
                )
            )
        for head, *items in sovereignty_sections(a):
            title, _, rest = head.partition(": ")
            out.append(f"<h3>{e(title)}</h3>\n<p>{e(rest or head)}</p>")
            if items:
                out.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>")
    return "\n".join(out) + "\n" if out else ""


def effort(a: Assessment) -> str:
    if not a.resources_total and not a.pipelines:
        return ""
    estimate = a.effort
    out = [f"<p>{e(days(estimate.low, estimate.high))} in all, {e(covers(a))}"
           + (f", plus {e(days(*estimate.platform))} of one-off platform work per target" if estimate.platform != (0, 0) else "")
           + f". Effort-weighted portability: {pct(estimate.portable_share)} of the estimated effort is in P0–P1 resources (midpoints).</p>"]
    out.append(
        table(
            ["Level", "Effort", ("Deployed resources", "num")],
            [[_badge(level), e(days(low, high)), (str(a.level_counts.get(level, 0)), "num")] for level, (low, high) in estimate.by_level.items()],
            "Effort by level",
            kind="narrow",
        )
    )
    if estimate.by_category:
        out.append(table(["Category", "Effort"], [[e(c), e(days(low, high))] for c, (low, high) in estimate.by_category.items()], "Effort by category", kind="narrow"))
    if estimate.assumptions:
        out.append(
            f"<h3>Assumptions</h3>\n<details><summary>{e(counted(len(estimate.assumptions), 'assumption'))} behind these figures</summary><ul>"
            + "".join(f"<li>{e(text)}</li>" for text in estimate.assumptions)
            + "</ul></details>"
        )
    roots = root_lines(a)
    if roots:
        out.append("<h3>Terraform roots, each as if scanned alone</h3>\n<p>The totals above count a definition reached from several roots once.</p>")
        out.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in roots) + "</ul>")
    return "\n".join(out) + "\n"


def not_analysed(a: Assessment) -> str:
    """Input problems, formats recognised but not read, unknowns, what was left out of the counts."""
    out = []
    unread = [str(c) for c in a.read if not c.analysed]
    if unread:
        out.append(f"<p>Recognised but not analysed (no reader yet): {e(', '.join(unread))}.</p>")
    errors = [x for x in a.errors if x.severity is Severity.ERROR]
    warnings = [x for x in a.errors if x.severity is not Severity.ERROR]
    for title, key, items in (("Could not analyse", "errors", errors), ("Warnings", "warnings", warnings)):
        if items:
            out.append(f'<h3>{title} (<span data-count="{key}">{len(items)}</span>)</h3>')
            out.append('<ul class="problems">' + "".join(f"<li><code>{e(_where(x.path, x.line))}</code>: {e(x.message)}</li>" for x in items) + "</ul>")
    unknown = [f for f in a.findings if f.level is Level.U]
    if unknown:
        out.append(f'<h3>Unknown to the catalogue (<span data-count="unknown">{len(unknown)}</span>)</h3>')
        out.append("<p>Classify these first: they are not judged, and each is priced at the unknown band.</p>")
        out.append("<ul>" + "".join(f"<li><code>{e(f.location)}</code>: {e(describe_finding(f))} ({e(f.why)})</li>" for f in unknown) + "</ul>")
    if a.undeployed:
        out.append(f'<h3>Not deployed with these inputs (<span data-count="undeployed">{len(a.undeployed)}</span>)</h3>')
        out.append("<p>count/for_each = 0 with the defaults and var files given: not counted, priced or failed; <code>--include-undeployed</code> audits them.</p>")
        out.append("<ul>" + "".join(f"<li><code>{e(v.resource.location)}</code>: {e(v.resource.address)} ({v.level.value})</li>" for v in a.undeployed) + "</ul>")
    if a.suppressed:
        out.append(f'<h3>Suppressed or in the baseline (<span data-count="suppressed">{len(a.suppressed)}</span>)</h3>')
        out.append(
            "<ul>" + "".join(f"<li>{f.level.value} <code>{e(f.location)}</code>: {e(describe_finding(f))} <code>{e(f.rule.id)}</code>: {e(why)}</li>" for f, why in a.suppressed) + "</ul>"
        )
    notes = list(a.notes)
    if notes:
        out.append("<h3>Notes</h3>\n<ul>" + "".join(f"<li>{e(note)}</li>" for note in notes) + "</ul>")
    if not out:
        return '<p>Everything recognised was analysed: <span data-count="errors">0</span> input problems, no unknown services.</p>\n'
    return "\n".join(out) + "\n"


def table(head: Sequence[Cell], rows: Iterable[Sequence[Cell]], caption: str, kind: str = "wide") -> str:
    """A table of HTML cells (already escaped); a cell given as (html, class) gets that class.
    `kind`: wide (the page's width), narrow (what its cells need) or fixed (the widths of its header's classes)."""

    def cell(tag: str, value: Cell, scope: str = "") -> str:
        text, klass = value if isinstance(value, tuple) else (value, "")
        attribute = f' class="{klass}"' if klass else ""
        return f"<{tag}{scope}{attribute}>{text}</{tag}>"

    header = "<tr>" + "".join(cell("th", h, ' scope="col"') for h in head) + "</tr>"
    body = "\n".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table class="{kind}"><caption class="meta">{e(caption)}</caption><thead>{header}</thead>\n<tbody>\n{body}\n</tbody></table></div>'


def _badge(level: Level) -> str:
    return f'<span class="lv lv-{level.value}" title="{e(level_word(level))}">{level.value}</span>'


def _provider(f: Finding) -> str:
    return f.rule.provider or f.resource.provider or "none"


def _choices(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in sorted(set(values))]


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path

