"""The `plan` format: the migration waves for the first --target (or the generic levels), in Markdown.

The ordering rule is in portacheck/waves.py and docs/waves.md.
"""

from __future__ import annotations

from typing import Any, TextIO

from portacheck.assess import Assessment
from portacheck.waves import Plan, plan


def _days(low: float, high: float) -> str:
    return f"{low:g}–{high:g} person-days"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write(markdown(plan(assessment)))


def markdown(result: Plan) -> str:
    target = result.target
    where = f"{target.name} (`{target.key}`)" if target is not None else "the generic levels (no `--target`)"
    lines = [
        "# Migration waves",
        "",
        f"Target: {where}. One team works the waves in sequence; a programme of {result.teams} teams "
        f"in parallel takes the longest single item or the sum divided by {result.teams}, whichever is larger.",
        "",
    ]
    total_low = round(sum(w.low for w in result.waves), 2)
    total_high = round(sum(w.high for w in result.waves), 2)
    lines += [
        "| Wave | Resources | One team | " + f"{result.teams} teams in parallel |",
        "|---|---:|---|---|",
    ]
    for wave in result.waves:
        lines.append(
            f"| {wave.number}. {wave.title} | {len(wave.items)} | {_days(wave.low, wave.high)} | {_days(wave.parallel_low, wave.parallel_high)} |"
        )
    lines += [f"| Total | {sum(len(w.items) for w in result.waves)} | {_days(total_low, total_high)} | |", ""]
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
                    _cell(text)
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
