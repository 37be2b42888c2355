"""The delta between two reports (portacheck.delta) as text, JSON, or Markdown for a pull-request comment.

The Markdown is capped at MAX_MARKDOWN_CHARS characters (GitHub refuses longer comments): it is cut
between lines, never inside one, and a last line says how many lines and characters were left out.
Every value from the reports is escaped as the other reports escape it (report.escape).
"""

from __future__ import annotations

import json
from typing import Any

from portacheck.delta import Delta, document
from portacheck.report.escape import json_text, terminal, terminal_block
from portacheck.report.escape import markdown_cell as cell

MAX_MARKDOWN_CHARS = 65_536
DELTA_FORMATS = ("text", "json", "markdown")


def render(name: str, delta: Delta, *, max_chars: int = MAX_MARKDOWN_CHARS) -> str:
    if name == "json":
        return json_text(json.dumps(document(delta), indent=2, ensure_ascii=False) + "\n")
    if name == "markdown":
        return markdown(delta, max_chars)
    return text(delta)


def _where(f: dict[str, Any]) -> str:
    return f"{f.get('file')}:{f.get('line')}" if f.get("line") else str(f.get("file"))


def _days(value: float) -> str:
    return f"{value:g}"


def _signed(value: float) -> str:
    return f"{value:+g}" if value else "±0"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _headline(delta: Delta) -> str:
    parts = [_plural(len(delta.new), "new finding"), f"{len(delta.removed)} removed", f"{len(delta.changed)} changed"]
    return ", ".join(parts) + f"; effort {_signed(delta.effort_low_change)} to {_signed(delta.effort_high_change)} person-days"


def _result(delta: Delta) -> str:
    if delta.failures:
        return "FAILED: " + "; ".join(delta.failures)
    if delta.policy.fail_on_new is None and delta.policy.max_effort_increase is None:
        return "no delta policy given (--fail-on-new, --max-effort-increase)"
    return "passed"


def _level_changes(delta: Delta) -> list[tuple[str, int, int]]:
    return [(name, old, now) for name, (old, now) in delta.levels.items() if old != now]


def text(delta: Delta) -> str:
    t = terminal
    lines = [f"portacheck delta: {_headline(delta)}", ""]

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
            lines.append("")

    section(f"New findings ({len(delta.new)})", [f"{f['level']}  {t(f.get('rule_id'))}  {t(f.get('service'))}  {t(_where(f))}" for f in delta.new])
    section(
        f"Changed findings ({len(delta.changed)})",
        [f"{a['level']} -> {b['level']}  {t(b.get('rule_id'))}  {t(b.get('service'))}  {t(_where(b))}" for a, b in delta.changed],
    )
    section(f"Removed findings ({len(delta.removed)})", [f"{f['level']}  {t(f.get('rule_id'))}  {t(f.get('service'))}  {t(_where(f))}" for f in delta.removed])
    section("Deployed resources by level", [f"{name}: {old} -> {now} ({now - old:+d})" for name, old, now in _level_changes(delta)])
    lines.append(
        f"Effort: {_days(delta.effort_base[0])}-{_days(delta.effort_base[1])} -> {_days(delta.effort_head[0])}-{_days(delta.effort_head[1])} person-days "
        f"(low {_signed(delta.effort_low_change)}, high {_signed(delta.effort_high_change)})"
    )
    lines.append("")
    section("New providers", [f"{t(p.get('name'))} ({t(p.get('key'))}, {t(p.get('kind'))})" for p in delta.new_providers])
    section("New regions outside the EU", [f"{t(r['region'])} ({t(r.get('name') or r['provider'])})" for r in delta.new_regions_outside_eu])
    section("Newly not analysed", [f"{t(e.get('file'))}{':' + str(e['line']) if e.get('line') else ''}: {t(e.get('message'))}" for e in delta.new_not_analysed])
    lines.append(f"Result: {_result(delta)}")
    return terminal_block("\n".join(lines) + "\n")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)]


def markdown_lines(delta: Delta) -> list[str]:
    lines = ["### portacheck: what this change changes", "", f"**{cell(_headline(delta))}**", "", f"Result: {cell(_result(delta))}", ""]
    summary = [
        ["new findings", str(len(delta.new))],
        ["changed findings (level)", str(len(delta.changed))],
        ["removed findings", str(len(delta.removed))],
        [
            "effort (person-days)",
            f"{_days(delta.effort_base[0])}–{_days(delta.effort_base[1])} → {_days(delta.effort_head[0])}–{_days(delta.effort_head[1])} "
            f"(high {_signed(delta.effort_high_change)})",
        ],
        ["new providers", ", ".join(str(p.get("name") or p.get("key")) for p in delta.new_providers) or "none"],
        ["new regions outside the EU", ", ".join(f"{r['region']} ({r.get('name') or r['provider']})" for r in delta.new_regions_outside_eu) or "none"],
        ["newly not analysed files", str(len(delta.new_not_analysed))],
    ]
    lines += _table(["", "this change"], summary) + [""]
    changes = _level_changes(delta)
    if changes:
        lines += ["#### Deployed resources by level", ""]
        lines += _table(["level", "before", "after", "change"], [[name, str(old), str(now), f"{now - old:+d}"] for name, old, now in changes]) + [""]
    if delta.changed:
        lines += [f"#### Changed findings ({len(delta.changed)})", ""]
        rows = [[f"{a['level']} → {b['level']}", str(b.get("rule_id")), str(b.get("service")), _where(b)] for a, b in delta.changed]
        lines += _table(["level", "rule", "service", "where"], rows) + [""]
    if delta.new:
        lines += [f"#### New findings ({len(delta.new)})", ""]
        lines += _table(["level", "rule", "service", "where"], [[f["level"], str(f.get("rule_id")), str(f.get("service")), _where(f)] for f in delta.new]) + [""]
    if delta.new_not_analysed:
        lines += [f"#### Newly not analysed ({len(delta.new_not_analysed)})", ""]
        lines += _table(["where", "why"], [[_where(e), str(e.get("message"))] for e in delta.new_not_analysed]) + [""]
    if delta.removed:
        lines += [f"#### Removed findings ({len(delta.removed)})", ""]
        lines += _table(["level", "rule", "service", "where"], [[f["level"], str(f.get("rule_id")), str(f.get("service")), _where(f)] for f in delta.removed]) + [""]
    return lines


def markdown(delta: Delta, max_chars: int = MAX_MARKDOWN_CHARS) -> str:
    lines = terminal_block("\n".join(markdown_lines(delta))).split("\n")
    while lines and not lines[-1]:
        lines.pop()
    return cap(lines, max_chars)


def cap(lines: list[str], max_chars: int) -> str:
    """The lines joined with newlines, cut between lines to at most `max_chars` characters with a final note."""
    whole = "".join(line + "\n" for line in lines)
    if len(whole) <= max_chars:
        return whole
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        left_lines = len(lines) - index
        left_chars = len(whole) - used
        note = f"\n_Cut to stay under {max_chars:,} characters: {left_lines:,} more lines ({left_chars:,} characters) left out. `portacheck diff --format json` has the whole delta._\n"
        if used + len(line) + 1 + len(note) > max_chars:
            return "".join(kept) + note
        kept.append(line + "\n")
        used += len(line) + 1
    return whole  # pragma: no cover - the whole text was longer than max_chars
