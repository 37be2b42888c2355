"""Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.

The headline and the result first, then a table by service (level, findings, effort,
alternatives), then collapsed details: every finding with its location, suppressed and
baselined findings, notes, and what could not be analysed. Long lists are cut so the comment
stays under the size limits of code hosts; the JSON report has everything.
"""

from __future__ import annotations

from typing import Any, TextIO

from portacheck import __version__
from portacheck.assess import Assessment
from portacheck.model import Level, Severity
from portacheck.report.common import (
    alternatives,
    by_service,
    counted,
    covers,
    days,
    describe_finding,
    effort_by_rule,
    headline,
    not_deployed,
    read_line,
    result_line,
    root_lines,
    workload_ties,
    workloads_counted,
)
from portacheck.report.sarif import ci_path

MAX_ROWS = 200
_ICON = {Level.P0: "🟢", Level.P1: "🔵", Level.P2: "🟡", Level.P3: "🟠", Level.P4: "🔴", Level.U: "⚪"}


def cell(text: str) -> str:
    """Text safe inside a table cell: no pipes, newlines or raw HTML."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    )


def render(assessment: Assessment, stream: TextIO, *, base: str | None = None, min_coverage: float | None = None, **_options: Any) -> None:
    stream.write("\n".join(lines(assessment, base, min_coverage)) + "\n")


def lines(a: Assessment, base: str | None = None, min_coverage: float | None = None) -> list[str]:
    out = ["## portacheck: cloud portability", ""]
    out += [cell(line) for line in headline(a)]
    out.append("")
    result = result_line(a)
    out.append(f"**Result:** {cell(result)}")

    if a.resources_total:
        out += ["", "| Level | Resources |", "|---|---:|"]
        for level in Level:
            count = a.level_counts.get(level, 0)
            if count:
                out.append(f"| {_ICON[level]} {level.value} {level.title} | {count} |")

    groups = by_service(f for f in a.findings if f.level is not Level.P0)
    efforts = effort_by_rule(a)
    if groups:
        out += [
            "",
            "### By service",
            "",
            "| Level | Service | Rule | Findings | Effort | Alternatives |",
            "|---|---|---|---:|---|---|",
        ]
        for group in groups[:MAX_ROWS]:
            rule = group.rule
            effort = efforts.get(rule.id)
            effort_text = days(*effort) if effort and effort != (0, 0) else "–"
            alts = "; ".join(alternatives(rule)) or "–"
            out.append(
                f"| {_ICON[group.level]} {group.level.value} | {cell(rule.service)} | `{rule.id}` | {len(group.findings)} | {cell(effort_text)} | {cell(alts)} |"
            )
        if len(groups) > MAX_ROWS:
            out.append(f"\n… and {counted(len(groups) - MAX_ROWS, 'more service')} (see the JSON report).")

    tied = [d for d in a.workloads.distinct if d.level is not Level.P0]
    if tied:
        out += _details(
            f"Workloads tied to a provider ({len(tied)} of {workloads_counted(a)})",
            ["| Level | Workload | Location | What ties it |", "|---|---|---|---|"]
            + [
                f"| {_ICON[d.level]} {d.level.value} | {cell(d.primary.resource.address)} | "
                f"`{cell(_where(a, d.primary.resource.location.path, d.primary.resource.location.line, base))}`"
                f"{cell(' (+' + counted(len(d.definitions) - 1, 'more definition') + ')') if len(d.definitions) > 1 else ''} | "
                f"{'<br>'.join(cell(line) for line in [*workload_ties(d.primary), *_built_from(d.primary)])} |"
                for d in tied[:MAX_ROWS]
            ],
        )
    findings = [f for f in a.findings if f.level is not Level.P0]
    if findings:
        out += _details(
            f"Findings ({len(findings)})",
            ["| Level | Location | Resource | Rule | Why |", "|---|---|---|---|---|"]
            + [
                f"| {f.level.value}{' ❌' if a.fails(f) else ''} | `{cell(_where(a, f.location.path, f.location.line, base))}` | "
                f"{cell(describe_finding(f))}{cell(f' (via {f.location.origin})') if f.location.origin else ''}{cell(not_deployed(f))} | `{f.rule.id}` | "
                f"{cell(f.why)}{cell(' — override: ' + f.override) if f.override else ''} |"
                for f in findings[:MAX_ROWS]
            ]
            + (["", f"… and {len(findings) - MAX_ROWS} more."] if len(findings) > MAX_ROWS else []),
        )
    suppressed = [(f, why) for f, why in a.suppressed if f.level is not Level.P0]
    if suppressed:
        out += _details(
            f"Suppressed or in the baseline ({len(suppressed)})",
            ["| Level | Location | Resource | Rule | Why not reported |", "|---|---|---|---|---|"]
            + [
                f"| {f.level.value} | `{cell(_where(a, f.location.path, f.location.line, base))}` | {cell(describe_finding(f))} | `{f.rule.id}` | {cell(why)} |"
                for f, why in suppressed[:MAX_ROWS]
            ]
            + (["", f"… and {len(suppressed) - MAX_ROWS} more."] if len(suppressed) > MAX_ROWS else []),
        )
    if a.notes:
        out += _details(f"Notes ({len(a.notes)})", [f"- {cell(note)}" for note in a.notes[:MAX_ROWS]])
    errors = [e for e in a.errors if e.severity is Severity.ERROR]
    warnings = [e for e in a.errors if e.severity is not Severity.ERROR]
    if errors:
        out += _details(f"❗ Could not analyse ({len(errors)})", [f"- {cell(str(e))}" for e in errors[:MAX_ROWS]], open_=True)
    if warnings:
        out += _details(f"Warnings ({len(warnings)})", [f"- {cell(str(e))}" for e in warnings[:MAX_ROWS]])
    if a.resources_total:
        estimate = a.effort
        body = [f"- {level.value}: {days(low, high)}" for level, (low, high) in estimate.by_level.items()]
        if estimate.platform != (0, 0):
            body.append(f"- one-off platform work per target: {days(*estimate.platform)}")
        body += ["", "Assumptions:", ""] + [f"- {cell(text)}" for text in estimate.assumptions]
        out += _details(f"Effort: {days(estimate.low, estimate.high)} {covers(a)}", body)
    roots = root_lines(a)
    if roots:
        out += _details(
            f"Terraform roots ({len(roots)}), each as if scanned alone; the totals count a definition reached from several roots once",
            [f"- {cell(line)}" for line in roots[:MAX_ROWS]] + ([f"- … and {len(roots) - MAX_ROWS} more (see the JSON report)."] if len(roots) > MAX_ROWS else []),
        )
    out += ["", f"<sub>portacheck {__version__} · {cell(read_line(a))}</sub>"]
    return out


def _where(a: Assessment, path: str, line: int, base: str | None) -> str:
    shown = ci_path(a, path, base)
    return f"{shown}:{line}" if line else shown


def _details(summary: str, body: list[str], open_: bool = False) -> list[str]:
    return ["", f"<details{' open' if open_ else ''}><summary>{cell(summary)}</summary>", ""] + body + ["", "</details>"]


def _built_from(verdict) -> list[str]:
    """`built from cart (skaffold artifact, skaffold.yaml:7)`: the code a workload counts, and how it was linked."""
    return [f"built from {'; '.join(str(link) for link in verdict.links)}"] if verdict.links else []
