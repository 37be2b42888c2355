"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; the driver lists the rules that have results, each with its help (level, why,
alternatives). Results are the active findings from P1 up (P0 carries over and is not a
problem); suppressed and baselined findings are left out, so code scanning shows what is new.
Findings on one rule, file and line (a block reached through several module calls or roots, a chart
rendered for several releases) are one result that lists the others ("also via module.a (from
envs/prod)"); its level is the worst of its members' and its fingerprint the smallest of theirs.
Result levels follow the policy: a finding at or above --fail-on is an `error`, other P2-P4 and
unknown findings are `warning`s, P1 findings and those of resources not deployed with these inputs
(count/for_each = 0) `note`s. Rules carry `problem.severity` (which
GitHub shows for non-security tools) and no `security-severity`: portability is not a
vulnerability and must not land in security dashboards. `partialFingerprints` hold the stable
fingerprint (no line numbers), so alerts survive edits and moved blocks. Each rule's `helpUri` is
its entry in the catalogue reference, docs/catalogue/ (`portacheck rules show ID` in its help says the same). Scan errors and notes
are tool execution notifications; nothing time-dependent is written.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, TextIO

from portacheck import __version__
from portacheck.assess import Assessment, deployed
from portacheck.model import Finding, Level, Rule, Severity, fingerprint
from portacheck.report.common import alternatives, describe_finding, judgement_text, target_line
from portacheck.report.escape import uri
from portacheck.rules import reference
from portacheck.targets import judge

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/portacheck/portacheck"
SOURCE_URI = INFORMATION_URI + "/blob/main/"
RULES_DOC_URI = SOURCE_URI + "docs/rules.md"
CATALOGUE_URI = SOURCE_URI + "docs/catalogue/"
FINGERPRINT_KEY = "portacheck/v1"

# A rule's own level in SARIF terms, before the policy is applied to a result.
_RULE_LEVEL = {Level.P1: "note", Level.P2: "warning", Level.P3: "error", Level.P4: "error", Level.U: "warning", Level.P0: "none"}
_PROBLEM_SEVERITY = {Level.P1: "recommendation", Level.P2: "warning", Level.P3: "error", Level.P4: "error", Level.U: "warning", Level.P0: "recommendation"}


def render(assessment: Assessment, stream: TextIO, *, base: str | None = None, **_options: Any) -> None:
    json.dump(document(assessment, base), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def reportable(a: Assessment) -> list[Finding]:
    """Findings that CI formats list: active ones, P0 left out."""
    return [f for f in a.findings if f.level is not Level.P0]


def group_key(f: Finding) -> tuple[str, str, int]:
    """What CI formats show once: a rule on one line of one file."""
    return (f.rule.id, f.location.path, f.location.line)


def grouped(findings: list[Finding]) -> list[list[Finding]]:
    """Findings collapsed per (rule, file, line), in the order of their first member.

    A block reached through several module calls or roots (or a chart rendered for several
    releases) gives one finding per instance; code scanning, JUnit and Code Quality show one
    entry for the line, listing the others."""
    groups: dict[tuple[str, str, int], list[Finding]] = {}
    for f in findings:
        groups.setdefault(group_key(f), []).append(f)
    # the member shown first is the weightiest: deployed before not deployed, then the highest level
    return [sorted(group, key=lambda f: (not deployed(f.resource), -f.level.rank)) for group in groups.values()]


def group_fingerprint(group: list[Finding]) -> str:
    """The smallest finding fingerprint of the group: line-free, deterministic, distinct between groups,
    and for a group of one the finding's own fingerprint, so alerts of earlier scans carry over."""
    return min(fingerprint(f) for f in group)


def member_label(f: Finding) -> str:
    """How one member of a group differs from the others: its module chain or chart, else its resource."""
    return str(f.location.origin) or f.resource.address


def also(group: list[Finding]) -> str:
    """"also via module.b (from envs/prod), module.c (from envs/dev)": the members after the first, sorted."""
    if len(group) < 2:
        return ""
    labels = [member_label(f) for f in group]
    if len(set(labels)) < len(labels):  # same origin and resource: the evidence tells them apart
        labels = [f"{member_label(f)} ({f.signal.kind}: {f.signal.value})" for f in group]
    shown = sorted(set(labels[1:]) - {labels[0]})
    if all(f.location.origin for f in group):
        return "also via " + ", ".join(shown)
    return "also " + ", ".join(shown)


def ci_path(a: Assessment, path: str, base: str | None) -> str:
    """A path relative to `base` (the repository root in CI) when the file lies inside it."""
    if not base:
        return path
    absolute = os.path.normpath(os.path.join(a.root, path))
    base = os.path.abspath(base)
    if os.path.commonpath([base, absolute]) != base:
        return path
    return os.path.relpath(absolute, base).replace(os.sep, "/")


def fails(a: Assessment, finding: Finding) -> bool:
    return a.fails(finding)


_LEVEL_ORDER = ("none", "note", "warning", "error")


def group_level(a: Assessment, group: list[Finding]) -> str:
    """The worst result level of the members: a group fails the policy when any member does."""
    return max((result_level(a, f) for f in group), key=_LEVEL_ORDER.index)


def result_level(a: Assessment, finding: Finding) -> str:
    if fails(a, finding):
        return "error"
    if not deployed(finding.resource):  # count/for_each = 0 with these inputs: for information
        return "note"
    level = _RULE_LEVEL[finding.level]
    return "warning" if level == "error" else level


def document(a: Assessment, base: str | None = None) -> dict[str, Any]:
    findings = reportable(a)
    rules = sorted({f.rule.id: f.rule for f in findings}.values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "portacheck",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [invocation(a, base)],
        "columnKind": "utf16CodeUnits",
        "results": [result(a, group, index[group[0].rule.id], base) for group in grouped(findings)],
        "properties": {
            "coverage": round(a.coverage, 4),
            "resources": a.resources_total,
            "suppressed": len(a.suppressed),
            "failOn": a.fail_on.value if a.fail_on else "never",
            "read": {c.name: {"count": c.count, "unit": c.unit, "analysed": c.analysed} for c in a.read},
        },
    }
    if a.sovereignty is not None:
        from portacheck.report.json import sovereignty_summary

        run["properties"]["sovereignty"] = sovereignty_summary(a)
    if a.targets:  # the comparison matrix, one entry per target weighed
        run["properties"]["targets"] = {
            v.target.key: {
                "readyShare": round(v.ready_share, 4),
                "verdicts": dict(v.verdict_counts),
                "effort": {"low": v.total_effort[0], "high": v.total_effort[1], "platformLow": v.effort.platform[0], "platformHigh": v.effort.platform[1]},
                "blockers": [b.rule.id for b in v.blockers],
                "summary": target_line(v),
            }
            for v in a.targets
        }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _name(rule: Rule) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", rule.service)) or rule.id


def rule_help(rule: Rule) -> tuple[str, str]:
    """(plain text, Markdown) help for a rule."""
    level = f"{rule.level.value} ({rule.level.title})"
    alts = alternatives(rule)
    text = [f"{rule.service}: level {level}, effort band {rule.effort}.", "", f"Why: {rule.why}"]
    markdown = [f"**{rule.service}** — level **{level}**, effort band {rule.effort}.", "", f"**Why:** {rule.why}"]
    if alts:
        text += ["", "Alternatives:"] + [f"- {part}" for part in alts]
        markdown += ["", "**Alternatives:**", ""] + [f"- {part}" for part in alts]
    if rule.conditions:
        text += ["", "The level depends on:"]
        markdown += ["", "**The level depends on:**", ""]
        for c in rule.conditions:
            line = f"- {c.attribute} {c.test()}: {c.level.value} ({c.why})"
            text.append(line)
            markdown.append(line)
    footer = f"Suppress with `# portacheck:ignore[{rule.id}] reason: …`; details: `portacheck rules show {rule.id}`."
    text += ["", footer]
    markdown += ["", footer]
    return "\n".join(text), "\n".join(markdown)


def help_uri(rule: Rule) -> str:
    """The rule's entry in the generated catalogue reference (docs/catalogue/, `portacheck rules docs`);
    docs/rules.md for rules that are not in the bundled catalogue (unknowns, --rules directories)."""
    if reference.documented(rule):
        return CATALOGUE_URI + reference.entry_path(rule)
    return RULES_DOC_URI


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    text, markdown = rule_help(rule)
    return {
        "id": rule.id,
        "name": _name(rule),
        "shortDescription": {"text": f"{rule.service} ({rule.level.value} {rule.level.title})"},
        "fullDescription": {"text": rule.why},
        "help": {"text": text, "markdown": markdown},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _RULE_LEVEL[rule.level]},
        "properties": {
            "tags": sorted({"portability", rule.category, rule.provider}),
            "precision": {"high": "high", "medium": "medium", "low": "low"}.get(rule.confidence, "medium"),
            "problem.severity": _PROBLEM_SEVERITY[rule.level],
            "portability-level": rule.level.value,
            "effort-band": rule.effort,
            "category": rule.category,
            "provider": rule.provider,
        },
    }


def _location(a: Assessment, path: str, line: int, base: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(ci_path(a, path, base)), "uriBaseId": "%SRCROOT%"}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def result(a: Assessment, group: list[Finding], rule_index: int, base: str | None) -> dict[str, Any]:
    f = group[0]
    rule = f.rule
    message = f"{describe_finding(f)}: {rule.service}, level {f.level.value} ({f.level.title}). {f.why}"
    others = also(group)
    if others:
        message += f" {others[:1].upper()}{others[1:]}."
    alts = alternatives(rule)
    if alts:
        message += " Alternatives: " + "; ".join(alts) + "."
    if f.override:
        message += f" Level set by configuration: {f.override}."
    location = _location(a, f.location.path, f.location.line, base)
    if f.location.origin:
        location["message"] = {"text": f"via {f.location.origin}"}
    properties: dict[str, Any] = {
        "portability-level": f.level.value,
        "rule-level": rule.level.value,
        "resource": f.resource.address,
        "resource-type": f.resource.type,
        "evidence": f"{f.signal.kind}: {f.signal.value}",
    }
    if f.override:
        properties["override"] = f.override
    if a.targets:
        judged = [judge(f, v.target) for v in a.targets]
        properties["targets"] = {j.target: {"level": j.level.value, "verdict": j.verdict, "condition": j.condition} for j in judged}
        message += " At " + "; ".join(f"{j.target}: {judgement_text(j)}" for j in judged) + "."
    if f.location.origin:
        properties["origin"] = str(f.location.origin)
    if len(group) > 1:
        properties["instances"] = [
            {"resource": m.resource.address, "origin": str(m.location.origin), "portability-level": m.level.value, "level": result_level(a, m), "evidence": f"{m.signal.kind}: {m.signal.value}"}
            for m in group
        ]
    return {
        "ruleId": rule.id,
        "ruleIndex": rule_index,
        "level": group_level(a, group),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: group_fingerprint(group)},
        "properties": properties,
    }


def invocation(a: Assessment, base: str | None) -> dict[str, Any]:
    notifications = []
    for error in a.errors:
        item: dict[str, Any] = {
            "level": "error" if error.severity is Severity.ERROR else "warning",
            "message": {"text": f"{error.path}: {error.message}"},
            "descriptor": {"id": "scan-error" if error.severity is Severity.ERROR else "scan-warning"},
        }
        if error.path and not error.path.startswith("<"):
            item["locations"] = [_location(a, error.path, error.line, base)]
        notifications.append(item)
    for note in a.notes:
        notifications.append({"level": "warning", "message": {"text": note}, "descriptor": {"id": "note"}})
    return {"executionSuccessful": not a.has_errors, "toolExecutionNotifications": notifications}
