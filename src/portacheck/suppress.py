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
those in the named files or covering their findings. Files are only read when they hold the
marker text, which a byte search finds cheaply.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Collection, Iterable, Sequence

from portacheck.model import Finding, Resource

MARKER = "portacheck:ignore"
ANNOTATION = "portacheck.io/ignore"
_COMMENT = re.compile(r"portacheck:ignore\b(?P<rest>.*)$")
_IDS = re.compile(r"^\[(?P<ids>[^\]]*)\](?P<tail>.*)$")
_UNTIL = re.compile(r"(?:^|[,;\s])(?:until|expires?)\s*[:=]\s*(?P<date>\S+?)\s*[,;.]?\s*$", re.IGNORECASE)
_REASON = re.compile(r"^\s*[:,;-]?\s*(?:reason\s*[:=]\s*)?(?P<reason>.*?)\s*[,;]?\s*$", re.IGNORECASE | re.DOTALL)
_RULE_PATTERN = re.compile(r"^[A-Z0-9*?][A-Z0-9_.*?-]*$")
_ANNOTATION_LINE = re.compile(
    r"""^(?P<indent>\s*)(?P<q>["']?)portacheck\.io/ignore(?P<suffix>[A-Za-z0-9_.-]*)(?P=q)\s*:\s*(?P<value>.*)$"""
)
_HCL_SUFFIXES = (".tf", ".tofu", ".hcl", ".tfvars")
_YAML_SUFFIXES = (".yaml", ".yml")


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


# --- reading ---------------------------------------------------------------------------------


def collect(root: str, relpaths: Iterable[str], resources: Sequence[Resource] = ()) -> list[Suppression]:
    """Read the suppressions of the files (relative to root) that contain the marker."""
    result: list[Suppression] = []
    for rel in sorted(set(relpaths)):
        path = os.path.join(root, rel)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if MARKER.encode() not in data and ANNOTATION.encode() not in data:
            continue
        text = data.decode("utf-8", errors="replace")
        result.extend(parse_file(rel, text, resources))
    return result


def chart_files(root: str, charts: Iterable[str]) -> set[str]:
    """The YAML files (values, templates, vendored subcharts) of the charts whose Chart.yaml paths are given.

    Discovery hands a chart to its analyser as its Chart.yaml alone; suppressions live in its
    other files, and must be read there to be applied or reported as stale."""
    found: set[str] = set()
    for chart in charts:
        if os.path.basename(chart) != "Chart.yaml":
            continue  # a packaged chart: its files are not on disk to carry comments
        directory = os.path.join(root, os.path.dirname(chart))
        for current, dirs, names in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                if name.lower().endswith(_YAML_SUFFIXES):
                    found.add(os.path.relpath(os.path.join(current, name), root).replace(os.sep, "/"))
    return found


def parse_file(rel: str, text: str, resources: Sequence[Resource] = ()) -> list[Suppression]:
    lines = text.splitlines()
    name = rel.lower()
    if name.endswith(_YAML_SUFFIXES):
        return _yaml_suppressions(rel, lines)
    if name.endswith(_HCL_SUFFIXES):
        return _hcl_suppressions(rel, lines, resources)
    return []


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
    reason = _REASON.match(tail).group("reason").strip().rstrip(",;").strip()
    if not reason and not problem:
        problem = "has no reason: write `reason: …` after the rule ids"
    return ids, reason, until, problem


def _comment_start(line: str, hcl: bool) -> int:
    """Index where a comment starts on the line (outside strings), or -1."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == '"' or (ch == "'" and not hcl):
            quote = ch
        elif ch == "#" and (hcl or i == 0 or line[i - 1] in " \t"):
            return i
        elif hcl and line.startswith("//", i):
            return i
        elif hcl and line.startswith("/*", i):
            return i
        i += 1
    return -1


def _comments(lines: Sequence[str], hcl: bool) -> Iterable[tuple[int, str, bool]]:
    """(line number, text after the marker, comment on its own line) for each marked comment."""
    for number, line in enumerate(lines, start=1):
        if MARKER not in line:
            continue
        start = _comment_start(line, hcl)
        if start < 0:
            continue
        found = _COMMENT.search(line, start)
        if not found:
            continue
        rest = found.group("rest")
        if hcl and "*/" in rest:
            rest = rest[: rest.index("*/")]
        yield number, rest, not line[:start].strip()


def _next_code_line(lines: Sequence[str], after: int, hcl: bool) -> int:
    """The first line after `after` (1-based) that holds code, or 0."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if not stripped:
            continue
        if hcl and stripped.startswith(("#", "//", "/*", "*")):
            continue
        if not hcl and stripped.startswith("#"):
            continue
        return number
    return 0


def _make(rel: str, number: int, rest: str, start: int, end: int, block: bool, module=None, kind="comment") -> Suppression:
    match = _IDS.match(rest.strip())
    if match:
        ids, reason, until, problem = _entry(match.group("ids"), match.group("tail"))
    else:
        ids, reason, until, problem = (), "", None, f"malformed: expected {MARKER}[RULE-ID] reason: …"
    return Suppression(rel, number, ids, reason, until, start, end, block, module, problem, kind)


# -- HCL --


@dataclass(frozen=True)
class _Block:
    type: str
    labels: tuple[str, ...]
    start: int
    end: int


def hcl_blocks(lines: Sequence[str]) -> list[_Block]:
    """Top-level blocks with their first and last line, by counting braces outside strings,
    comments and heredocs. Cheap, and enough to tell which block a comment sits in."""
    blocks: list[_Block] = []
    depth = 0
    current: tuple[str, tuple[str, ...], int] | None = None
    heredoc: str | None = None
    in_comment = False
    for number, line in enumerate(lines, start=1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        i = 0
        quote = False
        if depth == 0 and current is None and not in_comment:
            header = re.match(r'^\s*([A-Za-z_][\w-]*)((?:\s+(?:"[^"]*"|[A-Za-z_][\w-]*))*)\s*\{', line)
            if header:
                labels = tuple(label.strip('"') for label in re.findall(r'"[^"]*"|[A-Za-z_][\w-]*', header.group(2)))
                current = (header.group(1), labels, number)
        while i < len(line):
            ch = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    i += 2
                    continue
                i += 1
                continue
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    quote = False
                i += 1
                continue
            if ch == '"':
                quote = True
            elif ch == "#" or line.startswith("//", i):
                break
            elif line.startswith("/*", i):
                in_comment = True
                i += 2
                continue
            elif line.startswith("<<", i):
                found = re.match(r"<<-?\s*([A-Za-z_]\w*)\s*$", line[i:])
                if found:
                    heredoc = found.group(1)
                    break
            elif ch in "{[(":
                depth += 1
            elif ch in "}])":
                depth -= 1
                if depth == 0 and current is not None:
                    blocks.append(_Block(current[0], current[1], current[2], number))
                    current = None
                depth = max(depth, 0)
            i += 1
    return blocks


def _hcl_suppressions(rel: str, lines: Sequence[str], resources: Sequence[Resource]) -> list[Suppression]:
    marked = list(_comments(lines, hcl=True))
    if not marked:
        return []
    blocks = hcl_blocks(lines)
    result = []
    for number, rest, own_line in marked:
        block = next((b for b in blocks if b.start <= number <= b.end), None)
        if block is None and own_line:
            target = _next_code_line(lines, number, hcl=True)
            block = next((b for b in blocks if b.start == target), None)
            if block is None:
                result.append(_make(rel, number, rest, target, target, False))
                continue
        if block is None:
            result.append(_make(rel, number, rest, number, number, False))
            continue
        module = None
        if block.type == "module" and block.labels:
            module = _module_scope(rel, block.labels[0], resources)
        result.append(_make(rel, number, rest, block.start, block.end, True, module))
    return result


def _module_scope(rel: str, name: str, resources: Sequence[Resource]) -> tuple[str, tuple[str, ...]]:
    """The (root, call chain) of the instances that a `module "name"` block in file `rel` creates."""
    directory = os.path.dirname(rel) or "."
    for resource in resources:
        if (os.path.dirname(resource.location.path) or ".") == directory:
            origin = resource.location.origin
            return origin.root or ".", origin.modules + (name,)
    return directory, (name,)


# -- YAML --


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _documents(lines: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if line.startswith("---") or line.startswith("..."):
            if number > start:
                spans.append((start, number - 1))
            start = number + 1
    if start <= len(lines):
        spans.append((start, len(lines)))
    return spans


def _node_end(lines: Sequence[str], number: int) -> int:
    """Last line of the YAML node that starts on line `number`: the lines indented below it."""
    head = lines[number - 1]
    indent = _indent(head)
    code = head[: _comment_start(head, hcl=False)] if _comment_start(head, hcl=False) >= 0 else head
    opens_sequence = code.rstrip().endswith(":")  # `key:` may be followed by `- item` at the same indent
    end = number
    for other in range(number + 1, len(lines) + 1):
        text = lines[other - 1]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if text.startswith("---") or text.startswith("..."):
            break
        other_indent = _indent(text)
        if other_indent > indent or (opens_sequence and other_indent == indent and stripped.startswith("- ")):
            end = other
            continue
        break
    return end


def _yaml_suppressions(rel: str, lines: Sequence[str]) -> list[Suppression]:
    result = []
    documents = _documents(lines)

    def document_of(number: int) -> tuple[int, int]:
        return next((d for d in documents if d[0] <= number <= d[1]), (number, number))

    for number, rest, own_line in _comments(lines, hcl=False):
        if own_line:
            target = _next_code_line(lines, number, hcl=False)
            if not target or lines[target - 1].startswith(("---", "...")):
                result.append(_make(rel, number, rest, number, number, False))
                continue
            doc = document_of(target)
            first_code = _next_code_line(lines, doc[0] - 1, hcl=False)
            if target == first_code:
                result.append(_make(rel, number, rest, doc[0], doc[1], True))
            else:
                result.append(_make(rel, number, rest, target, _node_end(lines, target), False))
        else:
            result.append(_make(rel, number, rest, number, _node_end(lines, number), False))
    for number, line in enumerate(lines, start=1):
        if ANNOTATION not in line:
            continue
        found = _ANNOTATION_LINE.match(line)
        if not found:
            continue
        doc = document_of(number)
        for entry in _annotation_values(lines, number, found.group("value")):
            result.append(_annotation(rel, number, entry, doc))
    return result


def _annotation_values(lines: Sequence[str], number: int, value: str) -> list[str]:
    value = value.strip()
    if value.startswith(("|", ">")):  # block scalar: one entry per line
        indent = _indent(lines[number - 1])
        entries = []
        for other in range(number + 1, len(lines) + 1):
            text = lines[other - 1]
            if text.strip() and _indent(text) <= indent:
                break
            if text.strip():
                entries.append(text.strip())
        return entries
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return [value] if value else [""]


def _annotation(rel: str, number: int, entry: str, doc: tuple[int, int]) -> Suppression:
    """`AWS-EBS, AWS-EFS: reason: …, until: DATE` (the `reason:` word is optional here)."""
    ids_text, sep, tail = entry.partition(":")
    if entry.strip().startswith("["):
        ids, reason, until, problem = parse_entry(entry)
    elif not sep:
        ids, reason, until, problem = (), "", None, f"malformed: expected {ANNOTATION}: \"RULE-ID: reason …\""
    else:
        ids, reason, until, problem = _entry(ids_text, tail)
    return Suppression(rel, number, ids, reason, until, doc[0], doc[1], True, None, problem, "annotation")


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
    for finding in findings:
        cover = next((s for s in usable if s.covers(finding)), None)
        if cover is None:
            active.append(finding)
        else:
            used.add(cover)
            suppressed.append((finding, cover.describe()))
    for s in usable:
        if s not in used:
            note(s, f"{s.where}: suppression of {', '.join(s.rules)} matches no finding; remove it")
    return Outcome(tuple(active), tuple(suppressed), tuple(notes))
