"""Wording and grouping shared by the reporters, so every format tells the same story."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portacheck.assess import Assessment, ProviderUse, TargetView
from portacheck.model import Finding, Level, Rule
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, Judgement


def counted(count: int, noun: str, plural: str = "") -> str:
    """`1 resource`, `2 resources`, `3 data sources`: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def rounded(value: float) -> float:
    """Honest precision for an estimate: whole person-days from 10 up, halves below (half up)."""
    if value >= 10:
        return float(int(value + 0.5))
    return int(value * 2 + 0.5) / 2


def days(low: float, high: float) -> str:
    """A range as people should read it: `23.25, 96.1` -> "23–96 person-days", both ends shown."""
    if (low, high) == (0, 0):
        return "0 person-days"
    shown_low, shown_high = rounded(low), rounded(high)
    if shown_high == 0:
        return "under 0.5 person-days"
    return f"{shown_low:g}–{shown_high:g} person-days"


def read_line(a: Assessment) -> str:
    """"Read: 41 Terraform files, 120 Kubernetes objects in 60 files. Not analysed: 8 Bicep files." """
    read = [str(c) for c in a.read if c.analysed]
    unread = [str(c) for c in a.read if not c.analysed]
    text = f"Read: {', '.join(read)}." if read else "Read: no infrastructure code."
    if unread:
        text += f" Not analysed: {', '.join(unread)}."
    return text


def headline(a: Assessment) -> list[str]:
    """The answer to "what carries over?" in plain sentences, with what was counted."""
    total = a.resources_total
    lines: list[str] = []
    if total == 0:
        lines.append("No deployed cloud resources found.")
    else:
        unknown = a.level_counts.get(Level.U, 0)
        lines.append(
            f"{total} deployed resource{'s' if total != 1 else ''}: "
            f"{pct(a.share(Level.P0))} carry over as they are (P0), "
            f"{pct(a.coverage)} with at most re-pointing (P0–P1), "
            f"{pct(a.share(Level.P2, Level.P3, Level.P4))} must be adapted, replaced or re-architected (P2–P4)"
            + (f", {pct(a.share(Level.U))} unknown ({unknown})." if unknown else ".")
        )
    if a.pipelines:
        worst = max(v.level for v in a.pipelines)
        count = len(a.pipelines)
        lines.append(
            f"{count} CI/CD pipeline file{'s' if count != 1 else ''} (delivery, nothing deployed; counted apart, effort included), up to {worst.value}."
        )
    effort = a.effort
    if total or a.pipelines:
        text = f"Estimated effort: {days(effort.low, effort.high)} {covers(a)}"
        if effort.platform != (0, 0):
            text += f", plus {days(*effort.platform)} of one-off platform work per target"
        lines.append(text + ".")
    view = a.workloads
    if view.total:
        lines.append(
            f"{workloads_counted(a)}: {view.as_they_are} run elsewhere as they are (P0), "
            f"{view.repointed} with re-pointing only (P1), {view.tied} tied to the provider by what they use (P2 and above, or unknown)."
        )
    outside = sorted({r for p in a.providers for r in p.regions_outside_eu()})
    if outside:
        lines.append(
            f"Jurisdiction: {len(outside)} region{'s' if len(outside) != 1 else ''} in use outside the EU ({', '.join(outside)}); "
            "that changes legal risk, not the effort."
        )
    code = [f for f in a.findings if f.resource.source == "application" and f.level is not Level.P0]
    if code:
        worst = max(f.level for f in code)
        lines.append(
            f"{len(code)} provider dependenc{'ies' if len(code) != 1 else 'y'} in application code (SDKs, clients, config), "
            f"up to {worst.value}; those in the code a workload's image is built from set that workload's level and count once in the effort."
        )
    if a.undeployed:
        count = len(a.undeployed)
        lines.append(
            f"{count} resource{'s' if count != 1 else ''} not deployed with these inputs (count/for_each = 0 with the defaults and var files given): "
            "reported, but not counted, priced or failed; --include-undeployed audits them."
        )
    if a.data_sources:
        lines.append(f"{len(a.data_sources)} data source{'s' if len(a.data_sources) != 1 else ''} read provider data (coupling, nothing deployed).")
    errors = sum(1 for e in a.errors if e.severity.value == "error")
    if errors:
        lines.append(f"{errors} input problem{'s' if errors != 1 else ''}: part of the input was not analysed, so these figures are incomplete.")
    return lines


MAX_BLOCKERS = 5


def sovereignty_lines(a: Assessment) -> list[str]:
    """The profile's headline: how much of the estate meets it, and the sovereign offers in use."""
    view = a.sovereignty
    if view is None:
        return []
    from portacheck.sovereignty.profiles import FAILS, MEETS, NOT_APPLICABLE, UNKNOWN

    profile = view.profile
    text = f"Sovereignty ({profile.key}: {profile.description.rstrip('.')}): "
    if not view.judged:
        text += "no deployed resource the profile applies to"
    else:
        text += (
            f"{view.count(MEETS)} of {counted(view.judged, 'deployed resource')} meet it ({pct(view.share)}), "
            f"{view.count(FAILS)} do not, {view.count(UNKNOWN)} unknown"
        )
    if view.count(NOT_APPLICABLE):
        text += f"; {view.count(NOT_APPLICABLE)} provider-neutral, judged where they run"
    lines = [text + "."]
    for partition, count in view.partitions():
        lines.append(
            f"Sovereign offer in use: {partition.name} ({counted(count, 'resource')}), run by {partition.operator}: "
            "the jurisdiction changes, the proprietary APIs and their portability levels do not."
        )
    return lines


def target_line(view: TargetView) -> str:
    """"Scaleway: 82% ready (…), 40–90 person-days with the platform, blocked by Spanner, Step Functions"."""
    counts = view.verdict_counts
    parts = [f"{counts.get(READY, 0)} ready", f"{counts.get(CONDITIONAL, 0)} with conditions", f"{counts.get(NOT_READY, 0)} not ready"]
    if counts.get(UNKNOWN, 0):
        parts.append(f"{counts[UNKNOWN]} unknown")
    text = f"{view.target.name}: {pct(view.ready_share)} of {counted(view.resources, 'resource')} ready or ready with conditions ({', '.join(parts)})"
    if view.workloads_total:
        text += f", {view.workloads_ready} of {counted(view.workloads_total, 'distinct workload')} ready"
    text += f"; {days(*view.total_effort)} including {days(*view.effort.platform)} of platform work"
    if view.blockers:
        names = [f"{b.rule.service} ({len(b.locations)})" for b in view.blockers[:MAX_BLOCKERS]]
        more = len(view.blockers) - MAX_BLOCKERS
        text += "; blocked by " + ", ".join(names) + (f" and {more} more" if more > 0 else "")
    else:
        text += "; nothing blocks"
    return text


CUSTODY_ORDER = ("provider-managed", "customer-managed", "external", "unknown")


def custody_lines(a: Assessment) -> list[str]:
    """Key custody per data store: a count line, then the stores, provider-managed first."""
    view = a.sovereignty
    if view is None or not view.custody:
        return []
    counts = ", ".join(f"{sum(1 for k in view.custody if k.custody == c)} {c}" for c in CUSTODY_ORDER if any(k.custody == c for k in view.custody))
    lines = [f"Key custody of {counted(len(view.custody), 'data store')}: {counts}"]
    for k in sorted(view.custody, key=lambda k: (CUSTODY_ORDER.index(k.custody), k.resource.location.path, k.resource.location.line)):
        lines.append(f"{k.custody}: {k.store} {k.resource.address} ({k.resource.location}): {k.evidence}")
    return lines


def sovereignty_sections(a: Assessment) -> list[list[str]]:
    """With --sovereignty: the control plane, workload identity, logs and key custody, each a
    headline followed by its evidence lines (sections with nothing to say are left out)."""
    view = a.sovereignty
    if view is None:
        return []
    from portacheck.sovereignty import control, identity

    sections = []
    if view.control is not None:
        sections.append(control.lines(view.control))
    if view.identity is not None:
        lines = identity.lines(view.identity)
        heads = [i for i, line in enumerate(lines) if not line.startswith("  ")] + [len(lines)]
        sections += [[lines[i]] + [line.strip() for line in lines[i + 1 : j]] for i, j in itertools.pairwise(heads)]
    sections.append(custody_lines(a))
    return [section for section in sections if section]


def nearest_line(a: Assessment) -> str:
    """Without --target: the European target needing the least effort, so the generic verdict points somewhere."""
    view = a.nearest
    if view is None:
        return ""
    return (
        f"Least effort among the catalogue's European targets: {view.target.name} (--target {view.target.key}), "
        f"{days(*view.total_effort)} with its platform, {pct(view.ready_share)} ready or ready with conditions; "
        "--target KEY judges against the destination you weigh."
    )


def judgement_text(judgement: Judgement) -> str:
    """"P1 ready: re-point to Queues (SQS API) (same-api; scaleway_mnq_sqs_queue, as of 2026-08-21)"."""
    text = f"{judgement.level.value} {judgement.verdict}"
    if judgement.condition:
        text += f": {judgement.condition}"
    offer = judgement.offer
    if offer is not None and judgement.path == "managed":
        text += f" ({offer.compatibility}; {offer.evidence}, as of {offer.as_of})"
    return text


def verdict_short(judgement: Judgement) -> str:
    """"P1 ready": a judgement for a table cell; judgement_text gives the condition and the offer."""
    return f"{judgement.level.value} {judgement.verdict}"


REGION_WORDS = {"eu": "EU", "eea": "EEA", "outside-eu": "outside the EU", "unknown": "jurisdiction unknown"}


def headquarters(provider: ProviderUse) -> str:
    """Where a provider's jurisdiction lies, in words: "not EU-headquartered", or none for neutral ones."""
    if provider.kind == "neutral":
        return "no provider jurisdiction: runs where you run it"
    return {True: "EU-headquartered", False: "not EU-headquartered", None: "jurisdiction unknown"}[provider.eu_headquartered]


def regions(provider: ProviderUse) -> list[str]:
    """The regions in use with their jurisdiction: "eu-west-1 (EU)", "us-east-1 (outside the EU)"."""
    return [f"{r} ({REGION_WORDS[provider.region_classes[r]]})" if r in provider.region_classes else r for r in provider.regions]


def at_targets(finding: Finding, a: Assessment) -> list[str]:
    """One line per target weighed: "scaleway: P1 ready: re-point to Queues (SQS API) (…)"."""
    from portacheck.targets import judge

    return [f"{view.target.key}: {judgement_text(judge(finding, view.target))}" for view in a.targets]


def covers(a: Assessment) -> str:
    """What an effort range counts: "for 41 definitions (57 deployments)"."""
    effort = a.effort
    text = f"for {effort.definitions} definition{'s' if effort.definitions != 1 else ''}"
    if effort.deployments != effort.definitions:
        text += f" ({effort.deployments} deployment{'s' if effort.deployments != 1 else ''})"
    return text


def root_lines(a: Assessment) -> list[str]:
    """One line per Terraform root module, as if scanned alone, when there are several; the
    totals above count a definition reached from several roots once, with its deployments."""
    if len(a.roots) < 2:
        return []
    lines = []
    for root in a.roots:
        levels = ", ".join(f"{level.value} {n}" for level, n in root.level_counts.items() if n)
        effort = root.effort
        text = f"{root.root}: {root.resources} deployed resource{'s' if root.resources != 1 else ''}"
        text += f" ({levels})" if levels else ""
        text += f", {days(effort.low, effort.high)} for {effort.definitions} definition{'s' if effort.definitions != 1 else ''}"
        if root.undeployed:
            text += f"; {root.undeployed} not deployed with these inputs"
        lines.append(text)
    return lines


def not_deployed(finding: Finding) -> str:
    """The mark of a finding on a resource not deployed with these inputs, "" otherwise."""
    return " (not deployed with these inputs)" if finding.resource.instances == 0 else ""


def workloads_counted(a: Assessment) -> str:
    """"12 distinct workloads (50 definitions in 4 variants)"."""
    view = a.workloads
    variants = len(view.variants)
    return (
        f"{view.total} distinct workload{'s' if view.total != 1 else ''} "
        f"({view.definitions} definition{'s' if view.definitions != 1 else ''} in {variants} variant{'s' if variants != 1 else ''})"
    )


def result_line(a: Assessment) -> str:
    failing = a.failing_findings()
    parts = []
    if a.fail_on is None:
        parts.append("policy: never fail")
    elif failing:
        parts.append(f"FAILED: {len(failing)} finding{'s' if len(failing) != 1 else ''} at or above {a.fail_on.value}")
    else:
        parts.append(f"passed: no finding at or above {a.fail_on.value}")
    if a.min_coverage is not None and a.resources_total:
        verdict = "FAILED" if a.below_coverage else "passed"
        parts.append(f"coverage {pct(a.coverage)} (minimum {a.min_coverage * 100:g}%): {verdict}")
    if a.has_errors:
        parts.append("INCOMPLETE: some input could not be analysed")
    return "; ".join(parts)


@dataclass(frozen=True)
class ServiceGroup:
    rule: Rule
    level: Level  # highest level among the group's findings
    findings: tuple[Finding, ...]

    @property
    def resources(self) -> int:
        return len({(f.resource.address, f.location.origin) for f in self.findings})


def by_service(findings: Iterable[Finding]) -> list[ServiceGroup]:
    """Findings grouped by rule, highest level first, then by service name."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    rules: dict[tuple[str, str], Rule] = {}
    for finding in findings:
        key = (finding.rule.id, finding.rule.provider)
        groups.setdefault(key, []).append(finding)
        rules[key] = finding.rule
    result = [
        ServiceGroup(rules[key], max(f.level for f in items), tuple(items)) for key, items in groups.items()
    ]
    result.sort(key=lambda g: (-g.level.rank, g.rule.service.lower(), g.rule.id))
    return result


def effort_by_rule(a: Assessment) -> dict[str, tuple[float, float]]:
    """Effort of the resources whose level a rule decides, keyed by rule id."""
    result: dict[str, tuple[float, float]] = {}
    for verdict in (*a.verdicts, *a.pipelines, *a.code):
        low, high = result.get(verdict.price.rule.id, (0.0, 0.0))
        result[verdict.price.rule.id] = (round(low + verdict.effort_low, 2), round(high + verdict.effort_high, 2))
    return result


def alternatives(rule: Rule) -> list[str]:
    parts = []
    if rule.standard:
        parts.append(f"standard: {rule.standard}")
    if rule.open_source:
        parts.append("open source: " + ", ".join(rule.open_source))
    if rule.managed:
        parts.append("managed: " + ", ".join(f"{m.target_name} {m.offer}" for m in rule.managed))
    return parts


def describe_finding(finding: Finding) -> str:
    """What was found, in the words a reviewer would use: what a resource is, or what it only mentions."""
    signal = finding.signal
    resource = finding.resource
    if finding.coupling:
        if not finding.rule.match:  # an endpoint of a provider that no rule maps to a service
            return f"{resource.address} mentions {signal.value}, an endpoint not in the catalogue"
        return f"{resource.address} mentions {finding.rule.service} ({signal.value})"
    if signal.kind == "text":
        return f"{signal.value} in {resource.address}"
    if signal.kind.startswith("ci_"):
        return f"{signal.value} in {resource.address}"
    if signal.kind == "terraform_module":
        return f"{resource.address} (source {signal.value}, not on disk)"
    return resource.address


def workload_ties(verdict) -> list[str]:
    """What ties one workload, one line per service: `P2 AWS-EKS-IRSA via ServiceAccount/web`."""
    lines: dict[str, str] = {}
    for tie in verdict.ties:
        rule = tie.finding.rule
        if rule.id in lines:
            continue
        via = f" via {tie.via}" if tie.via else ""
        lines[rule.id] = f"{tie.finding.level.value} {rule.service} [{rule.id}]{via} ({tie.finding.location})"
    return list(lines.values())


def definition_place(verdict) -> str:
    """One definition of a workload: `kustomize/base/web.yaml:15 (P2)`, with its chart when rendered."""
    loc = verdict.resource.location
    via = f" via {loc.origin}" if loc.origin else ""
    return f"{loc}{via} ({verdict.level.value})"


def level_word(level: Level) -> str:
    return f"{level.value} {level.title}"


def sorted_levels(levels: Sequence[Level]) -> list[Level]:
    return sorted(levels, key=lambda lv: lv.rank)
