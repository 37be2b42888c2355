"""JUnit XML for Jenkins, Azure DevOps, GitLab and other test-report viewers.

One test suite per file: a test case per rule and line from P1 up (findings of a block reached
through several module calls or roots are one case that lists the others), failing when any of
them is at or above --fail-on and passing (with its level in system-out) below it; suppressed and
baselined findings are skipped test cases with the reason; a file that could not be analysed is an
error. Case names are unique within a suite: a repeated name gets its line, then a counter.
A last suite, `portacheck`, holds the summary and, with --min-coverage, a `coverage` test case.
No timestamps or durations are written, so the output is reproducible.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, TextIO

from portacheck.assess import Assessment
from portacheck.model import Finding, Level, Severity
from portacheck.report.common import (
    alternatives,
    at_targets,
    counted,
    describe_finding,
    headline,
    nearest_line,
    read_line,
    result_line,
    sovereignty_lines,
    target_line,
)
from portacheck.report.sarif import also, ci_path, fails, grouped


def render(assessment: Assessment, stream: TextIO, *, base: str | None = None, min_coverage: float | None = None, **_options: Any) -> None:
    root = document(assessment, base, min_coverage)
    ET.indent(root, space="  ")
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


def _case_name(f: Finding) -> str:
    return f"{f.rule.id} {describe_finding(f)}"


def _details(group: list[Finding], a: Assessment) -> str:
    f = group[0]
    lines = [f"{f.rule.service} ({f.rule.id}): level {f.level.value} ({f.level.title})", f"why: {f.why}"]
    lines += alternatives(f.rule)
    lines += [f"at {line}" for line in at_targets(f, a)]
    if f.override:
        lines.append(f"level set by configuration: {f.override}")
    if f.location.origin:
        lines.append(f"via {f.location.origin}")
    others = also(group)
    if others:
        lines.append(others)
    return "\n".join(lines)


def _unique(name: str, line: int, taken: set[str]) -> str:
    """`name`, else `name (line 12)`, else `name (line 12) #2`: unique within the suite."""
    if name not in taken:
        taken.add(name)
        return name
    candidate = f"{name} (line {line})" if line else name
    count = 1
    while candidate in taken:
        count += 1
        candidate = f"{name} (line {line}) #{count}" if line else f"{name} #{count}"
    taken.add(candidate)
    return candidate


def document(a: Assessment, base: str | None = None, min_coverage: float | None = None) -> ET.Element:
    by_file: dict[str, list[tuple[str, Any]]] = {}
    for group in grouped([f for f in a.findings if f.level is not Level.P0]):
        by_file.setdefault(group[0].location.path, []).append(("finding", group))
    skipped: dict[tuple[str, str, int, str], tuple[Finding, str]] = {}
    for f, why in a.suppressed:  # one skipped case per rule, line and reason
        if f.level is not Level.P0:
            skipped.setdefault((f.rule.id, f.location.path, f.location.line, why), (f, why))
    for f, why in skipped.values():
        by_file.setdefault(f.location.path, []).append(("skipped", (f, why)))
    for error in a.errors:
        if error.severity is Severity.ERROR:
            by_file.setdefault(error.path, []).append(("error", error))

    threshold = a.fail_on.value if a.fail_on is not None else "never"  # fails() is false under never
    root = ET.Element("testsuites", {"name": "portacheck"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for path in sorted(by_file):
        shown = ci_path(a, path, base)
        suite = ET.SubElement(root, "testsuite", {"name": shown})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        taken: set[str] = set()
        for kind, item in by_file[path]:
            counts["tests"] += 1
            if kind == "finding":
                group = item
                failing = [m for m in group if fails(a, m)]
                f = failing[0] if failing else group[0]
                case = ET.SubElement(suite, "testcase", _case_attrs(_unique(_case_name(group[0]), f.location.line, taken), shown, f.location.line))
                if failing:
                    counts["failures"] += 1
                    failure = ET.SubElement(
                        case, "failure", {"message": f"{f.level.value} {f.rule.service}: at or above --fail-on {threshold}", "type": f.level.value}
                    )
                    failure.text = _details(group, a)
                else:
                    ET.SubElement(case, "system-out").text = _details(group, a)
            elif kind == "skipped":
                f, why = item
                counts["skipped"] += 1
                case = ET.SubElement(suite, "testcase", _case_attrs(_unique(_case_name(f), f.location.line, taken), shown, f.location.line))
                ET.SubElement(case, "skipped", {"message": why})
            else:
                error = item
                counts["errors"] += 1
                case = ET.SubElement(suite, "testcase", _case_attrs(_unique(f"analyse {shown}", error.line, taken), shown, error.line))
                ET.SubElement(case, "error", {"message": error.message, "type": "scan-error"}).text = str(error)
        _set_counts(suite, counts)
        for key in totals:
            totals[key] += counts[key]

    suite = ET.SubElement(root, "testsuite", {"name": "portacheck"})
    counts = {"tests": 1, "failures": 0, "errors": 0, "skipped": 0}
    summary = ET.SubElement(suite, "testcase", {"name": "summary", "classname": "portacheck"})
    ET.SubElement(summary, "system-out").text = "\n".join(
        [read_line(a)] + headline(a) + sovereignty_lines(a) + [f"target {v.target.key}: {target_line(v)}" for v in a.targets] + ([nearest_line(a)] if nearest_line(a) else [])
        + [result_line(a)] + [f"note: {n}" for n in a.notes]
    )
    if min_coverage is not None:
        counts["tests"] += 1
        case = ET.SubElement(suite, "testcase", {"name": "coverage", "classname": "portacheck"})
        text = f"coverage {a.coverage * 100:.1f}% (P0-P1 share of {counted(a.resources_total, 'deployed resource')}), minimum {min_coverage * 100:g}%"
        if a.resources_total > 0 and a.coverage < min_coverage:
            counts["failures"] += 1
            ET.SubElement(case, "failure", {"message": "coverage below --min-coverage", "type": "coverage"}).text = text
        else:
            ET.SubElement(case, "system-out").text = text
    warnings = [str(e) for e in a.errors if e.severity is not Severity.ERROR]
    if warnings:
        ET.SubElement(suite, "system-err").text = "\n".join(warnings)
    _set_counts(suite, counts)
    for key in totals:
        totals[key] += counts[key]
    _set_counts(root, totals)
    return root


def _case_attrs(name: str, path: str, line: int) -> dict[str, str]:
    attrs = {"name": name, "classname": path, "file": path}
    if line:
        attrs["line"] = str(line)
    return attrs


def _set_counts(element: ET.Element, counts: dict[str, int]) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts[key]))
