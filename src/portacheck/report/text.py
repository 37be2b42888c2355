"""The report for a person at a terminal: the headline, findings by service, what was not read."""

from __future__ import annotations

from typing import TextIO

from portacheck import __version__
from portacheck.assess import Assessment
from portacheck.model import Level, Severity
from portacheck.report.common import (
    alternatives,
    by_service,
    counted,
    covers,
    days,
    definition_place,
    describe_finding,
    effort_by_rule,
    headline,
    headquarters,
    judgement_text,
    nearest_line,
    not_deployed,
    pct,
    read_line,
    regions,
    result_line,
    root_lines,
    sovereignty_lines,
    sovereignty_sections,
    target_line,
    workload_ties,
    workloads_counted,
)
from portacheck.report.escape import terminal as t
from portacheck.targets import judge_rule

_COLOURS = {
    Level.P0: "32",  # green
    Level.P1: "36",  # cyan
    Level.P2: "33",  # yellow
    Level.P3: "31",  # red
    Level.P4: "1;35",  # bold magenta
    Level.U: "1;34",  # bold blue
}
MAX_LOCATIONS = 20


def render(assessment: Assessment, stream: TextIO, *, color: bool = False, verbose: bool = False, **_options) -> None:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    def level(lv: Level) -> str:
        return paint(lv.value.ljust(2), _COLOURS[lv])

    out = stream.write
    a = assessment
    out(paint(f"portacheck {__version__}", "1") + f" · {read_line(a)}\n\n")
    for line in headline(a):
        out(t(line) + "\n")
    if a.resources_total:
        counts = "  ".join(f"{level(lv)} {a.level_counts.get(lv, 0)}" for lv in Level)
        out(f"Resources by level: {counts}\n")
    for line in sovereignty_lines(a):
        out(t(line) + "\n")
    if a.targets:
        out("\n" + paint("Targets", "1") + " (readiness of the deployed resources, the worst of their findings; effort with each target's one-off platform work)\n")
        for weighed in a.targets:
            out(f"    {t(target_line(weighed))}\n")
    elif nearest_line(a):
        out(t(nearest_line(a)) + "\n")

    groups = by_service(f for f in a.findings if f.level is not Level.P0 or verbose)
    efforts = effort_by_rule(a)
    if groups:
        out("\n" + paint("Findings by service", "1") + " (highest level first)\n")
    for group in groups:
        rule = group.rule
        effort = f", effort {days(*efforts[rule.id])}" if efforts.get(rule.id, (0, 0)) != (0, 0) else ""
        count = len(group.findings)
        out(
            f"\n{level(group.level)}  {paint(rule.service, '1')} [{rule.id}] · {rule.category} · "
            f"{count} finding{'s' if count != 1 else ''}{effort}\n"
        )
        out(f"    why: {rule.why}\n")
        for part in alternatives(rule):
            out(f"    {part}\n")
        for weighed in a.targets:
            out(f"    at {weighed.target.key}: {t(judgement_text(judge_rule(rule, rule.level, weighed.target)))}\n")
        shown = group.findings[:MAX_LOCATIONS] if not verbose else group.findings
        for finding in shown:
            where = t(finding.location)
            origin = f"  (via {t(finding.location.origin)})" if finding.location.origin else ""
            origin += not_deployed(finding)
            if finding.signal.values_location is not None:  # a rendered Helm value: where to change it
                origin += f"  (value from {t(finding.signal.values_location)})"
            note = ""
            if finding.level is not rule.level or finding.why != rule.why:
                note = f"\n        {finding.level.value}: {t(finding.why)}"
            if finding.override:
                note += f"\n        level set by configuration: {t(finding.override)}"
            out(f"    {where}  {t(describe_finding(finding))}{origin}{note}\n")
        if len(group.findings) > len(shown):
            out(f"    … and {len(group.findings) - len(shown)} more (use --verbose or --format json)\n")

    neutral = [f for f in a.findings if f.level is Level.P0]
    if neutral and not verbose:
        services = sorted({f.rule.service for f in neutral})
        out(f"\n{level(Level.P0)}  {len(neutral)} finding{'s' if len(neutral) != 1 else ''} carry over as they are: {', '.join(services[:8])}"
            + (" …" if len(services) > 8 else "") + " (--verbose lists them)\n")

    if a.workloads.total:
        view = a.workloads
        out("\n" + paint("Workloads", "1") + f": {view.as_they_are} of {workloads_counted(a)} run elsewhere as they are\n")
        for workload in view.distinct:
            verdict = workload.primary
            resource = verdict.resource
            origin = f" (via {t(resource.location.origin)})" if resource.location.origin else ""
            if verdict.portable:
                if verbose:
                    built = f", built from {'; '.join(t(link) for link in verdict.links)}" if verdict.links else ""
                    out(f"    {level(Level.P0)}  {t(resource.address)}  {t(resource.location)}{origin}: nothing provider-specific found{built}\n")
                continue
            out(f"    {level(verdict.level)}  {t(resource.address)}  {t(resource.location)}{origin}\n")
            for line in workload_ties(verdict):
                out(f"          {t(line)}\n")
            if verdict.links:
                out(f"          built from: {'; '.join(t(link) for link in verdict.links)}\n")
            if len(workload.definitions) > 1:
                out(f"          also defined at: {', '.join(t(definition_place(d)) for d in workload.definitions[1:])}\n")
        if view.as_they_are and not verbose:
            out(f"    ({view.as_they_are} portable workload{'s' if view.as_they_are != 1 else ''} not listed; --verbose lists them)\n")
        for note in view.notes:
            out(f"    note: {t(note)}\n")

    if a.resources_total:
        out("\n" + paint("Effort", "1") + f": {days(a.effort.low, a.effort.high)} in all, {covers(a)}")
        if a.effort.platform != (0, 0):
            out(f", plus {days(*a.effort.platform)} one-off per target")
        out("\n")
        for lv, (low, high) in a.effort.by_level.items():
            out(f"    {level(lv)}  {days(low, high)}  ({counted(a.level_counts.get(lv, 0), 'resource')})\n")
        out(f"    effort-weighted portability: {pct(a.effort.portable_share)} of the estimated effort is in P0–P1 resources (midpoints)\n")
        for category, (low, high) in list(a.effort.by_category.items())[:5]:
            out(f"    {category}: {days(low, high)}\n")
        out("    assumptions: see --format json (summary.effort.assumptions)\n")
    roots = root_lines(a)
    if roots:
        out("\n" + paint("Terraform roots", "1") + f": {len(roots)}, each as if scanned alone; the totals count a definition reached from several roots once\n")
        listed = roots if verbose else roots[:MAX_LOCATIONS]
        for root_line in listed:
            out(f"    {root_line}\n")
        if len(roots) > len(listed):
            out(f"    … and {len(roots) - len(listed)} more (use --verbose or --format json)\n")

    if a.sovereignty is not None:
        _sovereignty(a, out, paint, verbose)

    if a.providers:
        out("\n" + paint("Providers", "1") + "\n")
        for provider in a.providers:
            hq = headquarters(provider)
            named = f"; regions: {t(', '.join(regions(provider)))}" if provider.regions else ""
            out(f"    {provider.key}: {provider.name} ({provider.kind}, {hq}) · {counted(provider.resources, 'resource')}, {counted(provider.data_sources, 'data source')}{named}\n")

    if a.suppressed:
        out(f"\n{len(a.suppressed)} finding{'s' if len(a.suppressed) != 1 else ''} not shown: suppressed or in the baseline (--format json lists them)\n")
    for note in a.notes:
        out(f"note: {t(note)}\n")

    problems = [e for e in a.errors]
    if problems:
        out("\n" + paint("Could not analyse", "1;31") + "\n" if any(e.severity is Severity.ERROR for e in problems) else "\n" + paint("Warnings", "1") + "\n")
        for error in problems:
            out(f"    {t(error)}\n")

    out("\n" + paint(result_line(a), "1") + "\n")


def _sovereignty(a: Assessment, out, paint, verbose: bool) -> None:
    """The resources that do not meet the profile or are unknown, grouped by reason."""
    from portacheck.sovereignty.profiles import FAILS, MEETS, UNKNOWN

    view = a.sovereignty
    assert view is not None
    out("\n" + paint(f"Sovereignty: profile {view.profile.key}", "1") + f" ({view.profile.description})\n")
    shown = (FAILS, UNKNOWN, MEETS) if verbose else (FAILS, UNKNOWN)
    for verdict in shown:
        groups: dict[str, list[str]] = {}
        for judged in view.resources:
            if judged.verdict == verdict:
                groups.setdefault(judged.reason, []).append(f"{judged.resource.address} ({judged.resource.location})")
        for reason, where in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
            listed = where if verbose else where[:5]
            more = f" and {len(where) - len(listed)} more" if len(where) > len(listed) else ""
            out(f"    {verdict}: {t(reason)} ({len(where)})\n        {t(', '.join(listed))}{more}\n")
    if not verbose and view.count(MEETS):
        out(f"    ({view.count(MEETS)} meeting the profile not listed; --verbose lists them)\n")
    for head, *items in sovereignty_sections(a):
        listed = items if verbose else items[:MAX_LOCATIONS]
        out(f"    {t(head)}\n" + "".join(f"        {t(line)}\n" for line in listed))
        if len(items) > len(listed):
            out(f"        … and {len(items) - len(listed)} more (use --verbose or --format json)\n")
