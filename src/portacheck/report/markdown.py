"""Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.

The headline and the result first, the targets and the migration waves at the first target when
targets are given, then a table by service (level, findings, effort,
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
    custody_lines,
    days,
    describe_finding,
    effort_by_rule,
    headline,
    judgement_text,
    nearest_line,
    not_deployed,
    read_line,
    result_line,
    root_lines,
    sovereignty_lines,
    verdict_short,
    workload_ties,
    workloads_counted,
)
from portacheck.report.escape import markdown_cell as cell
from portacheck.report.sarif import ci_path
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, judge, judge_rule

MAX_ROWS = 200
_ICON = {Level.P0: "🟢", Level.P1: "🔵", Level.P2: "🟡", Level.P3: "🟠", Level.P4: "🔴", Level.U: "⚪"}


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

    sovereign = sovereignty_lines(a)
    if sovereign:
        out += [""] + [cell(line) for line in sovereign]
    if a.targets:
        out += [
            "",
            "### Targets",
            "",
            "| Target | Ready | With conditions | Not ready | Unknown | Workloads ready | Effort with platform | Blocked by |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for view in a.targets:
            counts = view.verdict_counts
            blockers = ", ".join(f"{b.rule.service} ({len(b.locations)})" for b in view.blockers) or "–"
            workloads = f"{view.workloads_ready} of {view.workloads_total}" if view.workloads_total else "–"
            out.append(
                f"| {cell(view.target.name)} (`{view.target.key}`) | {counts.get(READY, 0)} | {counts.get(CONDITIONAL, 0)} | {counts.get(NOT_READY, 0)} | "
                f"{counts.get(UNKNOWN, 0)} | {workloads} | {cell(days(*view.total_effort))} | {cell(blockers)} |"
            )
        out += _waves(a)
    elif nearest_line(a):
        out += ["", cell(nearest_line(a))]

    groups = by_service(f for f in a.findings if f.level is not Level.P0)
    efforts = effort_by_rule(a)
    if groups:
        at = "".join(f" At {cell(v.target.key)} |" for v in a.targets)
        out += [
            "",
            "### By service",
            "",
            f"| Level | Service | Rule | Findings | Effort | Alternatives |{at}",
            "|---|---|---|---:|---|---|" + "---|" * len(a.targets),
        ]
        for group in groups[:MAX_ROWS]:
            rule = group.rule
            effort = efforts.get(rule.id)
            effort_text = days(*effort) if effort and effort != (0, 0) else "–"
            alts = "; ".join(alternatives(rule)) or "–"
            judged = "".join(f" {cell(judgement_text(judge_rule(rule, rule.level, v.target)))} |" for v in a.targets)
            out.append(
                f"| {_ICON[group.level]} {group.level.value} | {cell(rule.service)} | `{rule.id}` | {len(group.findings)} | {cell(effort_text)} | {cell(alts)} |{judged}"
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
            ["| Level | Location | Resource | Rule | Why |" + "".join(f" At {cell(v.target.key)} |" for v in a.targets), "|---|---|---|---|---|" + "---|" * len(a.targets)]
            + [
                f"| {f.level.value}{' ❌' if a.fails(f) else ''} | `{cell(_where(a, f.location.path, f.location.line, base))}` | "
                f"{cell(describe_finding(f))}{cell(f' (via {f.location.origin})') if f.location.origin else ''}{cell(not_deployed(f))} | `{f.rule.id}` | "
                f"{cell(f.why)}{cell(' — override: ' + f.override) if f.override else ''} |"
                + "".join(f" {cell(verdict_short(judge(f, v.target)))} |" for v in a.targets)
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
    if a.sovereignty is not None:
        placed = [j for j in a.sovereignty.resources if j.verdict != "not applicable"]
        out += _details(
            f"Sovereignty under profile {a.sovereignty.profile.key} ({len(placed)} deployed resources)",
            ["| Verdict | Resource | Location | Provider, region | Why |", "|---|---|---|---|---|"]
            + [
                f"| {cell(j.verdict)} | {cell(j.resource.address)} | `{cell(_where(a, j.resource.location.path, j.resource.location.line, base))}` | "
                f"{cell(j.placement.provider)} {cell(j.placement.region or '?')} | {cell(j.reason)} |"
                for j in sorted(placed, key=lambda j: ("does not meet", "unknown", "meets").index(j.verdict))[:MAX_ROWS]
            ]
            + (["", f"… and {len(placed) - MAX_ROWS} more."] if len(placed) > MAX_ROWS else []),
        )
    if a.sovereignty is not None and a.sovereignty.control is not None:
        from portacheck.sovereignty import control, identity

        body = [f"- {cell(line)}" for line in control.lines(a.sovereignty.control)]
        if a.sovereignty.identity is not None:
            body += [f"- {cell(line.strip())}" for line in identity.lines(a.sovereignty.identity)]
        body += [f"- {cell(line)}" for line in custody_lines(a)]
        out += _details("Control plane, workload identity, logs and key custody", body)
    roots = root_lines(a)
    if roots:
        out += _details(
            f"Terraform roots ({len(roots)}), each as if scanned alone; the totals count a definition reached from several roots once",
            [f"- {cell(line)}" for line in roots[:MAX_ROWS]] + ([f"- … and {len(roots) - MAX_ROWS} more (see the JSON report)."] if len(roots) > MAX_ROWS else []),
        )
    out += ["", f"<sub>portacheck {__version__} · {cell(read_line(a))}</sub>"]
    return out


def _waves(a: Assessment) -> list[str]:
    """The migration waves at the first target (as `--format plan`): a row per wave, then the bridges."""
    from portacheck.report import plan as plan_format
    from portacheck.waves import plan

    result = plan(a)
    if result.target is None or not any(wave.items for wave in result.waves):
        return []
    target = result.target
    out = ["", f"### Migration waves to {cell(target.name)} (`{cell(target.key)}`)", "", f"{plan_format.teams_line(result)} `--format plan` lists every resource.", ""]
    out += plan_format.summary(result)
    bridges = plan_format.bridges(result)
    if bridges:
        out += ["", "Bridges, until the store moves:", ""] + bridges[:MAX_ROWS]
        if len(bridges) > MAX_ROWS:
            out.append(f"- … and {len(bridges) - MAX_ROWS} more (see `--format plan`).")
    return out


def _where(a: Assessment, path: str, line: int, base: str | None) -> str:
    shown = ci_path(a, path, base)
    return f"{shown}:{line}" if line else shown


def _details(summary: str, body: list[str], open_: bool = False) -> list[str]:
    return ["", f"<details{' open' if open_ else ''}><summary>{cell(summary)}</summary>", ""] + body + ["", "</details>"]


def _built_from(verdict) -> list[str]:
    """`built from cart (skaffold artifact, skaffold.yaml:7)`: the code a workload counts, and how it was linked."""
    return [f"built from {'; '.join(str(link) for link in verdict.links)}"] if verdict.links else []
