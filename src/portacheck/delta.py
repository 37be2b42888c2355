"""The delta between two JSON reports (schema 2.x): what a change to the code changed.

Findings are matched by `fingerprint` (rule, file, origin, resource, evidence and its key path, never
the line): a fingerprint only in the head is new, only in the base removed, in both with another level
changed. Beside the findings: the deployed resources per level, the effort (`summary.effort` low/high),
providers and regions outside the EU that appear, and files that are newly not analysed (errors of
severity `error`). Two policies judge it: `--fail-on-new LEVEL` and `--max-effort-increase DAYS`.

A base report may come from a CI artefact: it is read through portacheck.reader (a regular file, at most
MAX_REPORT_BYTES, valid text) and checked to be a portacheck JSON report before anything is compared.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from portacheck.errors import InputError, PortacheckError
from portacheck.model import LEVEL_NAMES, Level
from portacheck.reader import read_text

MAX_REPORT_BYTES = 256 * 1024 * 1024
SUPPORTED_MAJOR = "2"
DELTA_SCHEMA_VERSION = "1.0"


class ReportError(PortacheckError):
    """A file given as a report cannot be read or is not a portacheck JSON report (exit 2)."""


def load_report(path: str, max_bytes: int = MAX_REPORT_BYTES) -> dict[str, Any]:
    """A portacheck JSON report (schema 2.x) from a file, or ReportError in one line naming it."""
    try:
        text = read_text(path, max_bytes)
    except InputError as exc:
        raise ReportError(f"{path}: {exc.message}") from None
    return parse_report(text, path)


def parse_report(text: str, name: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ReportError(f"{name}: not a portacheck JSON report (not JSON)") from None
    check_report(document, name)
    return document


def check_report(document: Any, name: str) -> None:
    """ReportError unless `document` has the shape of a portacheck JSON report of schema 2.x."""

    def refuse(why: str) -> ReportError:
        return ReportError(f"{name}: not a portacheck JSON report ({why})")

    if not isinstance(document, dict):
        raise refuse("not a JSON object")
    tool = document.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "portacheck":
        raise refuse('no "tool": {"name": "portacheck"}')
    version = document.get("schema_version")
    if not isinstance(version, str) or "." not in version:
        raise refuse("no schema_version")
    if version.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise ReportError(f"{name}: JSON report schema {version} is not supported; this portacheck reads schema {SUPPORTED_MAJOR}.x")
    summary = document.get("summary")
    if not isinstance(summary, dict):
        raise refuse("no summary")
    for key in ("findings", "providers", "errors"):
        items = document.get(key)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise refuse(f"{key} is not a list of objects")
    for item in document["findings"]:
        if not isinstance(item.get("fingerprint"), str) or item.get("level") not in LEVEL_NAMES:
            raise refuse("a finding without fingerprint or level")
    effort = summary.get("effort")
    if effort is not None and not (isinstance(effort, dict) and all(_number(effort.get(k)) for k in ("low", "high"))):
        raise refuse("summary.effort without low and high")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class Policy:
    fail_on_new: Level | None = None
    max_effort_increase: float | None = None


@dataclass
class Delta:
    base: dict[str, Any]
    head: dict[str, Any]
    new: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    levels: dict[str, tuple[int, int]] = field(default_factory=dict)
    effort_base: tuple[float, float] = (0.0, 0.0)
    effort_head: tuple[float, float] = (0.0, 0.0)
    new_providers: list[dict[str, Any]] = field(default_factory=list)
    new_regions_outside_eu: list[dict[str, Any]] = field(default_factory=list)
    new_not_analysed: list[dict[str, Any]] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)
    failures: list[str] = field(default_factory=list)

    @property
    def effort_low_change(self) -> float:
        return round(self.effort_head[0] - self.effort_base[0], 2)

    @property
    def effort_high_change(self) -> float:
        return round(self.effort_head[1] - self.effort_base[1], 2)

    @property
    def policy_failed(self) -> bool:
        return bool(self.failures)

    @property
    def head_incomplete(self) -> bool:
        """Some input of the head was not analysed (errors of severity error)."""
        return any(e.get("severity") == "error" for e in self.head.get("errors", ()))

    @property
    def empty(self) -> bool:
        return not (self.new or self.removed or self.changed or self.new_providers or self.new_regions_outside_eu or self.new_not_analysed) and (
            self.effort_base == self.effort_head
        )


def _order(finding: dict[str, Any]) -> tuple:
    return (-Level(finding["level"]).rank, str(finding.get("file") or ""), finding.get("line") or 0, str(finding.get("rule_id") or ""), finding["fingerprint"])


def _effort(report: dict[str, Any]) -> tuple[float, float]:
    effort = report.get("summary", {}).get("effort") or {}
    return (float(effort.get("low") or 0), float(effort.get("high") or 0))


def compare(base: dict[str, Any], head: dict[str, Any], policy: Policy | None = None) -> Delta:
    """The delta from `base` to `head` (two checked reports), judged by `policy`."""
    delta = Delta(base=base, head=head, policy=policy or Policy())
    before: dict[str, list[dict[str, Any]]] = defaultdict(list)
    after: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in base["findings"]:
        before[item["fingerprint"]].append(item)
    for item in head["findings"]:
        after[item["fingerprint"]].append(item)
    for fingerprint in sorted(set(before) | set(after)):
        # a fingerprint held by several findings (instances of one block) pairs them in a stable order
        old, now = sorted(before.get(fingerprint, []), key=_order), sorted(after.get(fingerprint, []), key=_order)
        for a, b in zip(old, now, strict=False):
            if a["level"] != b["level"]:
                delta.changed.append((a, b))
        delta.new += now[len(old) :]
        delta.removed += old[len(now) :]
    delta.new.sort(key=_order)
    delta.removed.sort(key=_order)
    delta.changed.sort(key=lambda pair: _order(pair[1]))

    levels_base = base["summary"].get("levels") or {}
    levels_head = head["summary"].get("levels") or {}
    for name in LEVEL_NAMES:
        delta.levels[name] = (int(levels_base.get(name) or 0), int(levels_head.get(name) or 0))
    delta.effort_base, delta.effort_head = _effort(base), _effort(head)

    base_providers = {p.get("key") for p in base["providers"]}
    delta.new_providers = [p for p in head["providers"] if p.get("key") not in base_providers]
    seen = {(p.get("key"), region) for p in base["providers"] for region in (p.get("region_jurisdiction") or {})}
    for provider in head["providers"]:
        for region, jurisdiction in sorted((provider.get("region_jurisdiction") or {}).items()):
            if jurisdiction == "outside-eu" and (provider.get("key"), region) not in seen:
                delta.new_regions_outside_eu.append({"provider": provider.get("key"), "name": provider.get("name"), "region": region, "jurisdiction": jurisdiction})

    not_analysed_before = {e.get("file") for e in base["errors"] if e.get("severity") == "error"}
    delta.new_not_analysed = [e for e in head["errors"] if e.get("severity") == "error" and e.get("file") not in not_analysed_before]
    delta.failures = judge(delta)
    return delta


def judge(delta: Delta) -> list[str]:
    """Why the delta fails its policy, one reason a line; empty when it passes.

    A new finding at or above --fail-on-new fails, and so does a changed one raised to it (a level
    lowered never fails). Findings not deployed with these inputs (`deployed: false`) never fail."""
    reasons: list[str] = []
    threshold = delta.policy.fail_on_new
    if threshold is not None:
        new = [f for f in delta.new if f.get("deployed", True) is not False and Level(f["level"]) >= threshold]
        raised = [
            b for a, b in delta.changed if b.get("deployed", True) is not False and Level(b["level"]) >= threshold and Level(b["level"]) > Level(a["level"])
        ]
        if new:
            reasons.append(f"{len(new)} new finding{'s' if len(new) != 1 else ''} at or above {threshold.value} (--fail-on-new {threshold.value})")
        if raised:
            reasons.append(f"{len(raised)} finding{'s' if len(raised) != 1 else ''} raised to {threshold.value} or above (--fail-on-new {threshold.value})")
    limit = delta.policy.max_effort_increase
    if limit is not None and delta.effort_high_change > limit:
        reasons.append(f"effort (high end) grew by {delta.effort_high_change:g} person-days, more than --max-effort-increase {limit:g}")
    return reasons


def parse_days(text: str) -> float:
    """A non-negative number of person-days, or ValueError."""
    try:
        value = float(str(text).strip())
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"expected a number of person-days, 0 or more, not {text!r}")
    return value


# --- plain data, shared by the reports --------------------------------------------------------------


def finding_summary(f: dict[str, Any]) -> dict[str, Any]:
    resource = f.get("resource") or {}
    return {
        "fingerprint": f["fingerprint"],
        "level": f["level"],
        "rule_id": f.get("rule_id"),
        "service": f.get("service"),
        "file": f.get("file"),
        "line": f.get("line"),
        "address": resource.get("address"),
        "deployed": f.get("deployed", True),
    }


def document(delta: Delta) -> dict[str, Any]:
    """The delta as the JSON delta report writes it."""
    return {
        "schema_version": DELTA_SCHEMA_VERSION,
        "kind": "portacheck-delta",
        "base": {"schema_version": delta.base.get("schema_version"), "tool_version": (delta.base.get("tool") or {}).get("version")},
        "head": {"schema_version": delta.head.get("schema_version"), "tool_version": (delta.head.get("tool") or {}).get("version")},
        "summary": {
            "new": len(delta.new),
            "removed": len(delta.removed),
            "changed": len(delta.changed),
            "new_providers": len(delta.new_providers),
            "new_regions_outside_eu": len(delta.new_regions_outside_eu),
            "new_not_analysed": len(delta.new_not_analysed),
        },
        "new": [finding_summary(f) for f in delta.new],
        "removed": [finding_summary(f) for f in delta.removed],
        "changed": [dict(finding_summary(b), base_level=a["level"], base_line=a.get("line")) for a, b in delta.changed],
        "levels": {name: {"base": old, "head": now, "change": now - old} for name, (old, now) in delta.levels.items()},
        "effort": {
            "unit": "person-days",
            "base": {"low": delta.effort_base[0], "high": delta.effort_base[1]},
            "head": {"low": delta.effort_head[0], "high": delta.effort_head[1]},
            "change": {"low": delta.effort_low_change, "high": delta.effort_high_change},
        },
        "new_providers": [{"key": p.get("key"), "name": p.get("name"), "kind": p.get("kind"), "eu_headquartered": p.get("eu_headquartered")} for p in delta.new_providers],
        "new_regions_outside_eu": list(delta.new_regions_outside_eu),
        "new_not_analysed": [{k: e.get(k) for k in ("file", "line", "column", "message")} for e in delta.new_not_analysed],
        "policy": {
            "fail_on_new": delta.policy.fail_on_new.value if delta.policy.fail_on_new else None,
            "max_effort_increase": delta.policy.max_effort_increase,
            "failed": delta.policy_failed,
            "reasons": list(delta.failures),
        },
    }
