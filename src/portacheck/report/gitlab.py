"""GitLab Code Quality (the Code Climate subset GitLab reads), shown in merge requests.

One issue per rule, file and line from P1 up: findings of a block reached through several module
calls or roots are one issue listing the others ("also via module.b (from envs/prod)"). The
fingerprint is the stable one (no lines; the smallest of the group's), so GitLab can tell new
issues from resolved ones between pipelines. Severities follow the level: P1 info, P2 minor,
U minor, P3 major, P4 critical, and the policy: a finding at or above --fail-on is at least major
(a failing U or P2 must not look minor); a resource not deployed with these inputs
(count/for_each = 0) is info whatever its level. A group takes its most severe member's. A file that could not be analysed is a
`blocker` issue: an incomplete scan must not look clean in the merge request.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from portacheck.assess import Assessment, deployed
from portacheck.model import Finding, Level, Severity
from portacheck.report.common import alternatives, at_targets, describe_finding
from portacheck.report.sarif import also, ci_path, group_fingerprint, grouped, reportable

SEVERITY = {Level.P0: "info", Level.P1: "info", Level.P2: "minor", Level.U: "minor", Level.P3: "major", Level.P4: "critical"}
ORDER = ("info", "minor", "major", "critical", "blocker")


def severity(a: Assessment, f: Finding) -> str:
    """By level, raised to at least `major` when the finding fails the policy; info when not deployed."""
    if a.fails(f):
        return max(SEVERITY[f.level], "major", key=ORDER.index)
    if not deployed(f.resource):
        return "info"
    return SEVERITY[f.level]


def render(assessment: Assessment, stream: TextIO, *, base: str | None = None, **_options: Any) -> None:
    json.dump(issues(assessment, base), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def issues(a: Assessment, base: str | None = None) -> list[dict[str, Any]]:
    result = [issue(a, group, base) for group in grouped(reportable(a))]
    for error in a.errors:
        if error.severity is not Severity.ERROR:
            continue
        path = ci_path(a, error.path, base)
        result.append(
            {
                "type": "issue",
                "check_name": "portacheck/scan-error",
                "description": f"portacheck could not analyse this file: {error.message}",
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": hashlib.sha256(f"scan-error\x1f{error.path}\x1f{error.message}".encode("utf-8", "surrogateescape")).hexdigest()[:32],
                "location": {"path": path, "lines": {"begin": max(error.line, 1)}},
            }
        )
    return result


def issue(a: Assessment, group: list[Finding], base: str | None) -> dict[str, Any]:
    f = group[0]
    rule = f.rule
    body = [f"**{rule.service}** ({rule.id}): level {f.level.value} ({f.level.title}).", "", f.why]
    alts = alternatives(rule)
    if alts:
        body += ["", "Alternatives:"] + [f"- {part}" for part in alts]
    if f.override:
        body += ["", f"Level set by configuration: {f.override}."]
    if a.targets:
        body += ["", "At the targets weighed:"] + [f"- {line}" for line in at_targets(f, a)]
    if f.location.origin:
        body += ["", f"Via {f.location.origin}."]
    if not deployed(f.resource):
        body += ["", "Not deployed with these inputs (count/for_each = 0); --include-undeployed audits it."]
    others = also(group)
    if others:
        body += ["", f"{others[:1].upper()}{others[1:]}."]
    return {
        "type": "issue",
        "check_name": rule.id,
        "description": f"{f.level.value} {rule.service}: {describe_finding(f)} ({f.level.title})" + (f", {others}" if others else ""),
        "content": {"body": "\n".join(body)},
        "categories": ["Compatibility"],
        "severity": max((severity(a, m) for m in group), key=ORDER.index),
        "fingerprint": group_fingerprint(group),
        "location": {"path": ci_path(a, f.location.path, base), "lines": {"begin": max(f.location.line, 1)}},
    }
