"""The baseline: findings a team has accepted, so that only new ones are reported.

The file is sorted, versioned JSON with no timestamps, so it diffs well in review:

    {
      "version": 1,
      "tool": "portacheck",
      "findings": [
        {"fingerprint": "…", "rule_id": "AWS-DYNAMODB", "file": "infra/main.tf",
         "resource": "aws_dynamodb_table.orders", "origin": null,
         "evidence": {"kind": "terraform", "value": "aws_dynamodb_table"}, "level": "P3"}
      ]
    }

Fingerprints are model.fingerprint() of a finding whose paths are rebased onto the baseline
file's directory, so the file works whatever directory is scanned; they leave out lines, so
they survive unrelated edits and moved blocks. Each entry keeps the parts it was computed from:
an upgrade step for a later format or fingerprint scheme can recompute it without a rescan.

Versions: `load` reads version N and runs the steps of `_UPGRADES` from N up to VERSION; a
file newer than this portacheck is refused with a message asking to upgrade.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TextIO

from portacheck.errors import BaselineError, PortacheckError
from portacheck.model import Finding, Level, fingerprint

VERSION = 1

# version N -> a function turning a version-N document into a version N+1 one.
_UPGRADES: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    file: str  # posix, relative to the baseline file's directory
    resource: str
    origin: str = ""
    evidence_kind: str = ""
    evidence_value: str = ""
    level: str = ""

    def describe(self) -> str:
        return f"{self.rule_id} {self.resource} in {self.file}" + (f" (via {self.origin})" if self.origin else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "file": self.file,
            "resource": self.resource,
            "origin": self.origin or None,
            "evidence": {"kind": self.evidence_kind, "value": self.evidence_value},
            "level": self.level,
        }


@dataclass(frozen=True)
class Baseline:
    path: str  # as given, for messages
    directory: str  # absolute directory the entries' paths are relative to
    entries: tuple[Entry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


MAX_BASELINE_BYTES = 64 * 1024 * 1024


def rebase(finding: Finding, scan_root: str, directory: str) -> Finding:
    """The finding with its paths (file and the root in its origin) relative to `directory`."""
    if os.path.abspath(scan_root) == os.path.abspath(directory):
        return finding

    def moved(rel: str) -> str:
        return os.path.relpath(os.path.join(scan_root, rel), directory).replace(os.sep, "/")

    loc = finding.signal.location
    origin = loc.origin
    if origin.modules:
        origin = replace(origin, root=moved(origin.root or "."))
    signal = replace(finding.signal, location=replace(loc, path=moved(loc.path), origin=origin))
    return replace(finding, signal=signal)


def entry(finding: Finding, scan_root: str, directory: str) -> Entry:
    moved = rebase(finding, scan_root, directory)
    return Entry(
        fingerprint=fingerprint(moved),
        rule_id=finding.rule.id,
        file=moved.location.path,
        resource=finding.resource.address,
        origin=str(moved.location.origin),
        evidence_kind=finding.signal.kind,
        evidence_value=finding.signal.value,
        level=finding.level.value,
    )


def build(findings: Iterable[Finding], scan_root: str, path: str) -> Baseline:
    """A baseline of the findings worth tracking: everything but P0 (which never fails)."""
    directory = os.path.dirname(os.path.abspath(path))
    unique: dict[str, Entry] = {}
    for finding in findings:
        if finding.level is Level.P0:
            continue
        item = entry(finding, scan_root, directory)
        unique.setdefault(item.fingerprint, item)
    ordered = sorted(unique.values(), key=lambda e: (e.file, e.rule_id, e.resource, e.origin, e.evidence_kind, e.evidence_value, e.fingerprint))
    return Baseline(path, directory, tuple(ordered))


def dump(baseline: Baseline, stream: TextIO) -> None:
    document = {"version": VERSION, "tool": "portacheck", "findings": [e.as_json() for e in baseline.entries]}
    from portacheck.report.escape import json_text

    stream.write(json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")


def write(baseline: Baseline, root: str | None = None) -> None:
    """Write the file (trust.write_output: never through a symlink nor over a file not ours);
    `root`: the path comes from the repository's configuration and stays inside that directory."""
    import io

    from portacheck.trust import write_output

    text = io.StringIO()
    dump(baseline, text)
    try:
        write_output(baseline.path, text.getvalue(), "baseline", root)
    except PortacheckError as exc:
        raise BaselineError(str(exc)) from None


def load(path: str) -> Baseline:
    """Read and upgrade a baseline file; messages name it as a person would type it."""
    from portacheck.config import display_path

    absolute, path = os.path.abspath(path), display_path(path)
    from portacheck import reader
    from portacheck.errors import InputError

    if not os.path.lexists(absolute):
        raise BaselineError(f"{path}: baseline file not found (create it with `portacheck baseline create`)")
    try:
        text = reader.read_text(absolute, MAX_BASELINE_BYTES)
    except InputError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.message}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:
        raise BaselineError(f"{path}: not valid JSON: {type(exc).__name__}") from None
    if not isinstance(document, dict) or document.get("tool") != "portacheck":
        raise BaselineError(f"{path}: not a portacheck baseline (expected an object with \"tool\": \"portacheck\")")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BaselineError(f"{path}: version: expected a positive integer, not {version!r}")
    if version > VERSION:
        raise BaselineError(f"{path}: baseline version {version} is newer than this portacheck understands ({VERSION}); upgrade portacheck")
    while version < VERSION:
        document = _UPGRADES[version](document)
        version = document["version"]
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{path}: findings: expected a list")
    entries = []
    for index, item in enumerate(items):
        where = f"{path}: findings[{index}]"
        if not isinstance(item, dict):
            raise BaselineError(f"{where}: expected an object, not {type(item).__name__}")
        for key in ("fingerprint", "rule_id", "file"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise BaselineError(f"{where}: {key}: expected a non-empty string")
        evidence = item.get("evidence") or {}
        if not isinstance(evidence, dict):
            raise BaselineError(f"{where}: evidence: expected an object")
        entries.append(
            Entry(
                fingerprint=item["fingerprint"],
                rule_id=item["rule_id"],
                file=item["file"],
                resource=str(item.get("resource") or ""),
                origin=str(item.get("origin") or ""),
                evidence_kind=str(evidence.get("kind") or ""),
                evidence_value=str(evidence.get("value") or ""),
                level=str(item.get("level") or ""),
            )
        )
    return Baseline(path, os.path.dirname(absolute), tuple(entries))


@dataclass(frozen=True)
class Outcome:
    active: tuple[Finding, ...]
    baselined: tuple[tuple[Finding, str], ...]
    stale: tuple[Entry, ...]
    notes: tuple[str, ...]


def apply(
    findings: Sequence[Finding],
    baseline: Baseline,
    scan_root: str,
    all_findings: Sequence[Finding] = (),
    analysed: Iterable[str] = (),
    focused: bool = False,
) -> Outcome:
    """Move findings recorded in the baseline out of the active ones; list entries that matched nothing.

    `all_findings` (active and inline-suppressed) decides staleness: an entry is stale when no
    finding has its fingerprint and its file was analysed in this scan, or when the file is gone
    from disk in a scan of everything (a scan of named files cannot tell).
    """
    known = baseline.fingerprints
    seen: set[str] = set()
    for finding in all_findings or findings:
        seen.add(fingerprint(rebase(finding, scan_root, baseline.directory)))
    active: list[Finding] = []
    baselined: list[tuple[Finding, str]] = []
    why = f"in the baseline {baseline.path}"
    for finding in findings:
        if fingerprint(rebase(finding, scan_root, baseline.directory)) in known:
            baselined.append((finding, why))
        else:
            active.append(finding)
    analysed_here = {
        os.path.relpath(os.path.join(scan_root, rel), baseline.directory).replace(os.sep, "/") for rel in analysed
    }
    root_rel = os.path.relpath(scan_root, baseline.directory).replace(os.sep, "/")
    stale = []
    for item in baseline.entries:
        if item.fingerprint in seen:
            continue
        inside_root = root_rel == "." or item.file.startswith(root_rel.rstrip("/") + "/")
        gone = not focused and inside_root and not os.path.exists(os.path.join(baseline.directory, item.file))
        if item.file in analysed_here or gone:
            stale.append(item)
    notes = tuple(
        f"{baseline.path}: stale baseline entry: {item.describe()} is no longer found; refresh with `portacheck baseline create`"
        for item in stale
    )
    return Outcome(tuple(active), tuple(baselined), tuple(stale), notes)
