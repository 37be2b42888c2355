"""Inline suppressions: comments in HCL and YAML, and an annotation on Kubernetes objects.

    # portacheck:ignore[AWS-DYNAMODB] reason: legacy table, replaced by Scylla in Q3, until: 2027-06-30
    // portacheck:ignore[AWS-SQS, AWS-SNS] reason: ...            (HCL also takes // comments)
    metadata:
      annotations:
        portacheck.io/ignore: "AWS-EBS-CSI: reason: volumes are migrated with Velero, until: 2027-01-31"
        portacheck.io/ignore-2: "K8S-*: reason: ..."              (one entry per annotation)

What a suppression covers (its scope):
- a comment inside a top-level HCL block, or on its own line(s) right above one, covers that
  block: every finding of the resource it declares; on a `module` block, also every finding of
  the resources that module call creates (the module's own files need no comments);
- in YAML, a comment above the first key of a document covers the document; above any other
  key, or at the end of its line, it covers that key and everything indented below it;
- elsewhere a comment covers its own line (at the end of a line) or the next line of code;
- an annotation covers the object (the YAML document) that carries it;
- in a Helm values file, the covered lines also cover the rendered findings whose value came
  from them (Signal.values_location).

Rule ids are exact or globs (`AWS-*`). A reason is mandatory; `until: YYYY-MM-DD` is optional
and inclusive. Suppressions without a reason, malformed, expired or matching nothing are
reported as notes; the findings of suppressions that are not applied stay active. In a scan of
named files (pre-commit), every analysed file's suppressions apply, but notes are given only for
those in the named files or covering their findings.

The frontends find the comments and annotations while they read their files, and give each its
extent from their syntax tree (model.Directive); this module only turns them into suppressions
and applies them, so no file is read twice.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from portacheck.model import Directive, Finding, Resource

MARKER = "portacheck:ignore"
ANNOTATION = "portacheck.io/ignore"
_IDS = re.compile(r"^\[(?P<ids>[^\]]*)\](?P<tail>.*)$")
_UNTIL = re.compile(r"(?:^|[,;\s])(?:until|expires?)\s*[:=]\s*(?P<date>\S+?)\s*[,;.]?\s*$", re.IGNORECASE)
_REASON = re.compile(r"^\s*[:,;-]?\s*(?:reason\s*[:=]\s*)?(?P<reason>.*?)\s*[,;]?\s*$", re.IGNORECASE | re.DOTALL)
_RULE_PATTERN = re.compile(r"^[A-Z0-9*?][A-Z0-9_.*?-]*$")


@dataclass(frozen=True)
class Suppression:
    path: str  # posix, relative to the scan root
    line: int  # where the comment or annotation is
    rules: tuple[str, ...]  # rule ids or globs, upper case
    reason: str
    until: _dt.date | None
    start: int  # first line covered
    end: int  # last line covered
    block: bool = False  # covers the resources declared in [start, end], not only findings on those lines
    module: tuple[str, tuple[str, ...]] | None = None  # (root, call chain) whose findings are covered too
    problem: str = ""  # why it cannot be applied (malformed, no reason, bad date)
    kind: str = "comment"  # or "annotation"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def matches_rule(self, rule_id: str) -> bool:
        return any(fnmatch.fnmatchcase(rule_id, pattern) for pattern in self.rules)

    def covers(self, finding: Finding) -> bool:
        if not self.matches_rule(finding.rule.id):
            return False
        loc = finding.location
        if loc.path == self.path and self.start <= loc.line <= self.end:
            return True
        values = getattr(finding.signal, "values_location", None)  # a rendered Helm value: the values line it came from
        if values is not None and values.path == self.path and self.start <= values.line <= self.end:
            return True
        res = finding.resource.location
        if self.block and res.path == self.path and self.start <= res.line <= self.end:
            return True
        if self.module is not None:
            root, chain = loc.origin.root or ".", loc.origin.modules
            want_root, want_chain = self.module
            if chain and root == want_root and chain[: len(want_chain)] == want_chain:
                return True
        return False

    def describe(self) -> str:
        until = f", until {self.until.isoformat()}" if self.until else ""
        return f"suppressed at {self.where}: {self.reason}{until}"


@dataclass(frozen=True)
class Outcome:
    active: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, str], ...]
    notes: tuple[str, ...]


# --- from the readers' directives -----------------------------------------------------------


def from_directives(directives: Iterable[Directive], resources: Sequence[Resource] = ()) -> list[Suppression]:
    """The suppressions the frontends read (comments and annotations, with their extents)."""
    result = []
    for d in directives:
        if d.kind == "annotation":
            ids, reason, until, problem = _annotation_entry(d.text)
        else:
            ids, reason, until, problem = parse_entry(d.text)
        module = _module_scope(d.path, d.module, resources) if d.module else None
        result.append(Suppression(d.path, d.line, ids, reason, until, d.start, d.end, d.block, module, problem, d.kind))
    return result


def parse_entry(text: str) -> tuple[tuple[str, ...], str, _dt.date | None, str]:
    """`[IDS] reason: ..., until: DATE` -> (ids, reason, until, problem)."""
    match = _IDS.match(text.strip())
    if not match:
        return (), "", None, f"malformed: expected {MARKER}[RULE-ID] reason: …"
    return _entry(match.group("ids"), match.group("tail"))


def _entry(ids_text: str, tail: str) -> tuple[tuple[str, ...], str, _dt.date | None, str]:
    ids = tuple(part.strip().upper() for part in re.split(r"[,\s]+", ids_text) if part.strip())
    if not ids:
        return (), "", None, "names no rule id: write the rule ids between the brackets, e.g. [AWS-DYNAMODB]"
    bad = [i for i in ids if not _RULE_PATTERN.match(i)]
    if bad:
        return ids, "", None, f"{bad[0]!r} is not a rule id"
    until = None
    problem = ""
    found = _UNTIL.search(tail)
    if found:
        tail = tail[: found.start()]
        try:
            until = _dt.date.fromisoformat(found.group("date"))
        except ValueError:
            problem = f"until: {found.group('date')!r} is not a date (YYYY-MM-DD)"
    matched = _REASON.match(tail)  # every part is optional: it always matches
    reason = matched.group("reason").strip().rstrip(",;").strip() if matched else ""
    if not reason and not problem:
        problem = "has no reason: write `reason: …` after the rule ids"
    return ids, reason, until, problem


def _module_scope(rel: str, name: str, resources: Sequence[Resource]) -> tuple[str, tuple[str, ...]]:
    """The (root, call chain) of the instances that a `module "name"` block in file `rel` creates."""
    directory = os.path.dirname(rel) or "."
    for resource in resources:
        if (os.path.dirname(resource.location.path) or ".") == directory:
            origin = resource.location.origin
            return origin.root or ".", origin.modules + (name,)
    return directory, (name,)


def _annotation_entry(entry: str) -> tuple[tuple[str, ...], str, _dt.date | None, str]:
    """`AWS-EBS, AWS-EFS: reason: …, until: DATE` (the `reason:` word is optional here)."""
    ids_text, sep, tail = entry.partition(":")
    if entry.strip().startswith("["):
        return parse_entry(entry)
    if not sep:
        return (), "", None, f"malformed: expected {ANNOTATION}: \"RULE-ID: reason …\""
    return _entry(ids_text, tail)


# --- applying --------------------------------------------------------------------------------


def apply(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    today: _dt.date,
    known_rules: Iterable[str] = (),
    report_on: Collection[str] | None = None,
) -> Outcome:
    """Split findings into active and suppressed; notes say which suppressions did not apply and why.

    `report_on` (the files named on the command line, as pre-commit passes them) limits the notes
    to suppressions in those files or that would cover one of the findings; None reports on all."""
    known = set(known_rules)
    notes: list[str] = []
    usable: list[Suppression] = []

    def note(s: Suppression, text: str) -> None:
        if report_on is None or s.path in report_on or any(s.covers(f) for f in findings):
            notes.append(text)

    for s in sorted(suppressions, key=lambda s: (s.path, s.line, s.rules)):
        what = f"suppression of {', '.join(s.rules)}" if s.rules else "suppression"
        if s.problem:
            note(s, f"{s.where}: {what} not applied: {s.problem}")
        elif s.until is not None and s.until < today:
            note(s, f"{s.where}: {what} expired on {s.until.isoformat()}; its findings are reported again")
        else:
            unknown = [r for r in s.rules if known and not any(ch in r for ch in "*?") and r not in known]
            if unknown:
                note(s, f"{s.where}: {what}: no rule {', '.join(unknown)} (see `portacheck rules list`)")
                if len(unknown) == len(s.rules):
                    continue
            usable.append(s)
    used: set[Suppression] = set()
    active: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    candidates = _Candidates(usable)
    for finding in findings:
        cover = next((s for s in candidates.of(finding) if s.covers(finding)), None)
        if cover is None:
            active.append(finding)
        else:
            used.add(cover)
            suppressed.append((finding, cover.describe()))
    for s in usable:
        if s not in used:
            note(s, f"{s.where}: suppression of {', '.join(s.rules)} matches no finding; remove it")
    return Outcome(tuple(active), tuple(suppressed), tuple(notes))


_NARROW_LINES = 1000  # suppressions covering fewer lines are indexed by line, the others by file


class _Candidates:
    """The suppressions that may cover a finding, in their order: those on its lines (of the finding,
    its resource, the values line it came from), those of wide extent in its files, and module-wide
    ones; so that matching stays linear in the size of the files, not findings x suppressions."""

    def __init__(self, usable: Sequence[Suppression]):
        self.by_line: dict[tuple[str, int], list[int]] = {}
        self.by_path: dict[str, list[int]] = {}
        self.everywhere: list[int] = []
        self.usable = usable
        for index, s in enumerate(usable):
            if s.module is not None:
                self.everywhere.append(index)
            elif s.end - s.start < _NARROW_LINES:
                for line in range(s.start, s.end + 1):
                    self.by_line.setdefault((s.path, line), []).append(index)
            else:
                self.by_path.setdefault(s.path, []).append(index)

    def of(self, finding: Finding) -> list[Suppression]:
        places = [finding.location, finding.resource.location]
        values = getattr(finding.signal, "values_location", None)
        if values is not None:
            places.append(values)
        found: set[int] = set(self.everywhere)
        for place in places:
            found.update(self.by_line.get((place.path, place.line), ()))
            found.update(self.by_path.get(place.path, ()))
        return [self.usable[index] for index in sorted(found)]
