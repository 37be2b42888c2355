"""One line per finding, `path:line:col: LEVEL RULE-ID message`, for hooks, logs and editors.

The lines are the findings a CI format lists (active ones, P0 left out), then the input
problems as `path:line:col: error: message` (or `warning:`), then the result line. Paths are
relative to the scanned root; a finding about a whole file points at its first line.
"""

from __future__ import annotations

from typing import Any, TextIO

from portacheck.assess import Assessment
from portacheck.report.common import describe_finding, result_line, target_line
from portacheck.report.sarif import reportable
from portacheck.targets import judge


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write("".join(line + "\n" for line in lines(assessment)))


def lines(a: Assessment) -> list[str]:
    out = []
    for f in reportable(a):
        where = _where(f.location.path, f.location.line, f.location.column)
        at = "; ".join(f"{v.target.key} {j.level.value} {j.verdict}" for v in a.targets for j in [judge(f, v.target)])
        out.append(f"{where}: {f.level.value} {f.rule.id} {f.rule.service}: {describe_finding(f)}" + (f" [{at}]" if at else ""))
    for error in a.errors:
        out.append(f"{_where(error.path, error.line, error.column)}: {error.severity.value}: {error.message}")
    out.extend(f"target {v.target.key}: {target_line(v)}" for v in a.targets)
    out.append(result_line(a))
    return out


def _where(path: str, line: int, column: int) -> str:
    return f"{path}:{max(line, 1)}:{max(column, 1)}"
