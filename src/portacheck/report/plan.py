"""The `plan` format: the migration waves for the first --target (or the generic levels), in Markdown.

The ordering rule is in portacheck/waves.py and docs/waves.md. The summary table and the bridges
are also the waves section of the Markdown report (report/markdown.py).
"""

from __future__ import annotations

from typing import Any, TextIO

from portacheck.assess import Assessment
from portacheck.report.escape import markdown_cell
from portacheck.waves import Plan, Wave, plan

WHAT_SHOWN = 5  # services named per wave in the summary; the rest are counted


def _days(low: float, high: float) -> str:
    if (low, high) == (0, 0):
        return "0 person-days"
    return f"{low:g}–{high:g} person-days"


def teams_line(result: Plan) -> str:
    return (
        f"One team works the waves in sequence; a programme of {result.teams} teams in parallel takes the longest "
        f"single item or the sum divided by {result.teams}, whichever is larger."
    )


def what(wave: Wave) -> str:
    """`Amazon SQS ×2, Amazon RDS (DB instances)`: the services the wave moves, the first few named."""
    services = wave.services
    named = [f"{service} ×{count}" if count > 1 else service for service, count in services[:WHAT_SHOWN]]
    if len(services) > WHAT_SHOWN:
        named.append(f"{len(services) - WHAT_SHOWN} more services")
    return ", ".join(named) or "–"


def summary(result: Plan) -> list[str]:
    """One row per wave (what it moves, how many resources, its effort for one team and in parallel), and the total."""
    lines = [
        f"| Wave | What | Resources | One team | {result.teams} teams in parallel |",
        "|---|---|---:|---|---|",
    ]
    for wave in result.waves:
        lines.append(
            f"| {wave.number}. {wave.title} | {markdown_cell(what(wave))} | {len(wave.items)} | {_days(wave.low, wave.high)} | "
            f"{_days(wave.parallel_low, wave.parallel_high)} |"
        )
    lines.append(f"| Total | | {sum(len(w.items) for w in result.waves)} | {_days(*result.total)} | |")
    return lines


def bridges(result: Plan) -> list[str]:
    """`- Deployment/ledger (wave 1): VPN or private link to the old … until wave 4`, one per bridge."""
    return [f"- {markdown_cell(item.resource.address)} (wave {item.wave}): {markdown_cell(bridge)}" for item, bridge in result.bridges]


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write(markdown(plan(assessment)))


def markdown(result: Plan) -> str:
    target = result.target
    where = f"{target.name} (`{target.key}`)" if target is not None else "the generic levels (no `--target`)"
    lines = ["# Migration waves", "", f"Target: {where}. {teams_line(result)}", "", *summary(result), ""]
    for wave in result.waves:
        lines += [f"## Wave {wave.number}: {wave.title}", ""]
        if not wave.items:
            lines += ["Nothing in this wave.", ""]
            continue
        lines += [
            f"Effort: {_days(wave.low, wave.high)} for one team; {_days(wave.parallel_low, wave.parallel_high)} for {result.teams} teams in parallel.",
            "",
            "| Resource | Rule | File:line | Level | Verdict | Effort | Moves with | Bridges |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for item in wave.items:
            loc = item.resource.location
            lines.append(
                "| "
                + " | ".join(
                    markdown_cell(text)
                    for text in (
                        f"`{item.resource.address}`",
                        item.verdict.deciding.rule.id,
                        f"{loc.path}:{loc.line}",
                        item.level.name,
                        item.verdict_text,
                        _days(item.verdict.effort_low, item.verdict.effort_high),
                        ", ".join(f"`{a}`" for a in item.moves_with) or "–",
                        "; ".join(item.bridges) or "–",
                    )
                )
                + " |"
            )
        lines.append("")
    return "\n".join(lines)
