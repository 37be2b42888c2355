"""Judge the findings: a level per resource, the coverage views and the effort of PORTABILITY.md.

The assessment is the one object reporters read. Every figure in it says what it counted:
deployed resources (resources, unresolved module calls, Kubernetes objects) are the resource
view; data sources couple code to a provider without deploying anything and are counted
apart; references (locals, outputs, provider blocks) only carry findings. Delivery pipelines
(kind `pipeline`) deploy nothing either: they are judged per file and counted apart, but their
effort (rewriting the pipeline's cloud steps) is in the estimate.

Effort is counted per definition: a place in the code that must change (file, line, rule).
Deployments of one definition multiply it by 1 + 0.3·(N−1): `count`/`for_each` instances, and
the variants of one Kubernetes object (raw manifests, a Kustomize base, a chart, a release
file), and one Terraform block reached from several root modules or module calls. Application
code is a definition of its own, costed once however many workloads use it. Terraform resources
whose count/for_each is 0 with these inputs are `undeployed`: reported, never in the resource
view, the effort or the policy. `roots` gives each Terraform root module's view as if scanned alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from portacheck.inventory import Inventory
from portacheck.model import (
    COUPLING_BAND,
    DEPLOYED_KINDS,
    EFFORT_BANDS,
    LEVEL_BAND,
    Finding,
    FormatRead,
    Level,
    Location,
    Resource,
    Rule,
    ScanError,
    Severity,
    Target,
    resource_key,
    terraform_root,
)
from portacheck.rules.loader import Catalogue, Profile, Provider
from portacheck.targets import CONDITIONAL, NOT_READY, READY, VERDICTS, Judgement, judge, worst
from portacheck.workloads import WorkloadView, variant_key
from portacheck.workloads import build as build_workloads

if TYPE_CHECKING:  # the lens is imported only when a scan asks for it
    from portacheck.sovereignty.profiles import SovereigntyView

PLATFORM_COST = (20.0, 60.0)  # one-off per target: landing zone, identity, network, CI/CD, observability, backup
REPEAT_FACTOR = 0.3  # N identical copies cost 1 + 0.3 * (N - 1) of one


@dataclass(frozen=True)
class ResourceVerdict:
    """One resource's level: the highest of its findings, with its effort range and why."""

    resource: Resource
    level: Level
    deciding: Finding
    findings: tuple[Finding, ...]
    effort_low: float
    effort_high: float
    multipliers: tuple[str, ...] = ()
    priced: Finding | None = None  # the finding whose band prices the effort, when not `deciding`
    deployments: int = 1  # instances, 0 when not deployed

    @property
    def rule(self) -> Rule:
        return self.deciding.rule

    @property
    def price(self) -> Finding:
        """The finding the effort comes from: a workload's level counts its code, its effort does not."""
        return self.priced or self.deciding


@dataclass(frozen=True)
class Effort:
    low: float
    high: float
    by_level: Mapping[Level, tuple[float, float]]
    by_category: Mapping[str, tuple[float, float]]
    platform: tuple[float, float]  # one-off per target, not included in low/high
    assumptions: tuple[str, ...]
    definitions: int = 0  # places that must change (file, line, rule)
    deployments: int = 0  # what those places deploy: instances and variants

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2

    @property
    def portable_share(self) -> float:
        """1 - (effort of P2-P4 and U / total effort), on midpoints: PORTABILITY.md's effort-weighted portability."""
        total = sum(low + high for low, high in self.by_level.values())
        if not total:
            return 1.0
        portable = sum(low + high for level, (low, high) in self.by_level.items() if level in (Level.P0, Level.P1))
        return portable / total


@dataclass(frozen=True)
class RootView:
    """One Terraform root module as if scanned alone: its resource view and effort."""

    root: str  # the root module directory, posix, relative to the scan root ("." for the root itself)
    level_counts: Mapping[Level, int]
    effort: Effort
    undeployed: int = 0  # resources not deployed with these inputs (count/for_each = 0)

    @property
    def resources(self) -> int:
        return sum(self.level_counts.values())


@dataclass(frozen=True)
class Blocker:
    """A service that keeps resources from moving to a target, and where it is used."""

    rule: Rule
    condition: str
    locations: tuple[Location, ...]


@dataclass(frozen=True)
class TargetView:
    """The assessment against one destination: readiness, levels there, effort and what blocks."""

    target: Target
    level_counts: Mapping[Level, int]  # deployed resources by their level at this target
    verdict_counts: Mapping[str, int]  # deployed resources by verdict (the worst of their findings')
    workloads_ready: int  # distinct workloads ready or ready with conditions
    workloads_total: int
    effort: Effort  # with this target's platform cost
    blockers: tuple[Blocker, ...]  # not ready, by service, the most used first

    @property
    def resources(self) -> int:
        return sum(self.verdict_counts.values())

    @property
    def ready_share(self) -> float:
        """Share of deployed resources ready or ready with conditions (0 when none were found)."""
        if not self.resources:
            return 0.0
        return (self.verdict_counts.get(READY, 0) + self.verdict_counts.get(CONDITIONAL, 0)) / self.resources

    @property
    def total_effort(self) -> tuple[float, float]:
        """Resources plus the one-off platform cost: what comparing targets compares."""
        return (round(self.effort.low + self.effort.platform[0], 2), round(self.effort.high + self.effort.platform[1], 2))


@dataclass(frozen=True)
class ProviderUse:
    key: str
    name: str
    kind: str
    eu_headquartered: bool | None  # None when the catalogue does not know the provider
    resources: int
    data_sources: int
    regions: tuple[str, ...]
    region_classes: Mapping[str, str] = field(default_factory=dict)  # region -> eu, eea, outside-eu, unknown

    def regions_outside_eu(self) -> tuple[str, ...]:
        return tuple(r for r in self.regions if self.region_classes.get(r) == "outside-eu")


@dataclass(frozen=True)
class Assessment:
    root: str
    findings: tuple[Finding, ...]  # active findings, sorted by file and line
    verdicts: tuple[ResourceVerdict, ...]  # deployed resources
    data_sources: tuple[ResourceVerdict, ...]
    errors: tuple[ScanError, ...]
    files_analysed: int
    level_counts: Mapping[Level, int]
    by_provider: Mapping[str, Mapping[Level, int]]
    by_category: Mapping[str, Mapping[Level, int]]
    effort: Effort
    providers: tuple[ProviderUse, ...]
    fail_on: Level | None
    suppressed: tuple[tuple[Finding, str], ...] = ()  # (finding, why it is not active)
    notes: tuple[str, ...] = ()  # assessment-level warnings (stale suppressions, ...)
    workloads: WorkloadView = field(default_factory=lambda: WorkloadView(()))
    min_coverage: float | None = None  # share (0-1) at P0-P1 below which the policy fails
    read: tuple[FormatRead, ...] = ()  # per input format: what was read, and what was recognised but not analysed
    pipelines: tuple[ResourceVerdict, ...] = ()  # delivery pipeline files: not in the resource view, in the effort
    code: tuple[ResourceVerdict, ...] = ()  # application code a workload is built from: once per place, in the effort
    # count/for_each = 0 with these inputs: reported, out of the resource view, the effort and the policy
    undeployed: tuple[ResourceVerdict, ...] = ()
    roots: tuple[RootView, ...] = ()  # Terraform root modules, each as if scanned alone
    targets: tuple[TargetView, ...] = ()  # --target: the assessment against each destination weighed
    sovereignty: SovereigntyView | None = None  # --sovereignty: each deployed resource under the profile
    # without --target: how to find the catalogue's European target needing the least effort (`nearest`),
    # judged only when a report asks, so a pre-commit run in compact format does not pay for it
    candidates: tuple[Target, ...] = field(default=(), repr=False, compare=False)
    judged: _Judged | None = field(default=None, repr=False, compare=False)

    @cached_property
    def nearest(self) -> TargetView | None:
        if self.targets or self.judged is None:
            return None
        return self.judged.nearest(self.candidates, self.workloads)

    @property
    def resources_total(self) -> int:
        return len(self.verdicts)

    def share(self, *levels: Level) -> float:
        total = self.resources_total
        if not total:
            return 0.0
        return sum(self.level_counts.get(level, 0) for level in levels) / total

    @property
    def coverage(self) -> float:
        """Share of deployed resources that carry over with at most re-pointing (P0-P1)."""
        return self.share(Level.P0, Level.P1)

    @property
    def has_errors(self) -> bool:
        return any(e.severity is Severity.ERROR for e in self.errors)

    @property
    def worst(self) -> Level | None:
        levels = [f.level for f in self.findings if f.level is not Level.P0]
        return max(levels) if levels else None

    def policy_failed(self) -> bool:
        return bool(self.failing_findings()) or self.below_coverage

    def failing_findings(self) -> list[Finding]:
        return [f for f in self.findings if self.fails(f)]

    def fails(self, finding: Finding) -> bool:
        """Whether an active finding is at or above --fail-on and may fail the policy."""
        return self.fail_on is not None and finding.level is not Level.P0 and finding.level >= self.fail_on and _may_fail(finding)

    @property
    def below_coverage(self) -> bool:
        """`--min-coverage` failed: fewer deployed resources at P0-P1 than required (none found passes)."""
        return self.min_coverage is not None and self.resources_total > 0 and self.coverage < self.min_coverage


def _may_fail(finding: Finding) -> bool:
    """A chart's optional feature (Helm kind `optional`) fails the policy only under `--helm-optional fail`;
    a resource not deployed with these inputs (count/for_each = 0) never does (`--include-undeployed` audits it)."""
    if not deployed(finding.resource):
        return False
    return finding.resource.kind != "optional" or bool(finding.resource.attributes.get("optional_fails"))


def deployed(resource: Resource) -> bool:
    """False for a resource whose count/for_each is 0 with the defaults and var files given."""
    return resource.instances != 0


def assess(
    inventory: Inventory,
    findings: Sequence[Finding],
    catalogue: Catalogue,
    fail_on: Level | None,
    bands: Mapping[str, tuple[float, float]] = EFFORT_BANDS,
    min_coverage: float | None = None,
    suppressed: Sequence[tuple[Finding, str]] = (),
    notes: Sequence[str] = (),
    targets: Sequence[Target] = (),
    profile: Profile | None = None,
) -> Assessment:
    focus = inventory.focus
    if focus is not None:
        findings = [f for f in findings if any(p in focus for p in f.paths)]
    by_resource: dict[int, list[Finding]] = {}
    # Suppressed and baselined findings leave the policy and the CI reports, not the inventory:
    # a suppressed DynamoDB table still has to be migrated, so levels, coverage and effort count it.
    for finding in list(findings) + [f for f, _why in suppressed]:
        by_resource.setdefault(id(finding.resource), []).append(finding)

    verdicts: list[ResourceVerdict] = []
    data_sources: list[ResourceVerdict] = []
    pipelines: list[ResourceVerdict] = []
    undeployed: list[ResourceVerdict] = []
    folded, patched = _folded(inventory.resources, by_resource)
    everything = [f for found in by_resource.values() for f in found]
    workloads = build_workloads(inventory.resources, everything)
    code_of: dict[int, list[Finding]] = {}  # application resource -> its findings some workload is built with
    for workload in workloads.workloads:  # the code an image is built from sets the workload's level
        code = [t.finding for t in workload.ties if t.finding.resource.source == "application"]
        if code:
            folded.setdefault(id(workload.resource), []).extend(code)
        if code and (focus is None or workload.resource.location.path in focus):
            for finding in code:
                found = code_of.setdefault(id(finding.resource), [])
                if finding not in found:
                    found.append(finding)
    for resource in inventory.resources:
        own = by_resource.get(id(resource), []) + folded.get(id(resource), [])
        if focus is not None and resource.location.path not in focus:
            continue
        if resource.kind in DEPLOYED_KINDS or resource.kind in ("data", "pipeline") or (resource.kind == "patch" and id(resource) not in patched):
            verdict = _verdict(resource, own or [], bands)
            if verdict is None:
                continue
            if resource.kind in DEPLOYED_KINDS and not deployed(resource):
                undeployed.append(verdict)
                continue
            {"data": data_sources, "pipeline": pipelines}.get(resource.kind, verdicts).append(verdict)
    code_verdicts = [v for r in inventory.resources if id(r) in code_of for v in [_verdict(r, code_of[id(r)], bands)] if v]
    roots = _roots(verdicts, undeployed, bands)
    judged = _Judged(verdicts, pipelines, code_verdicts, bands)
    verdicts = _variants(verdicts)
    workload_view = WorkloadView(tuple(w for w in workloads.workloads if focus is None or w.resource.location.path in focus), workloads.notes)
    views = tuple(judged.view(t, workload_view) for t in targets)
    sovereignty = None
    if profile is not None:
        from portacheck.sovereignty import profiles as sovereignty_profiles

        sovereignty = sovereignty_profiles.view([v.resource for v in verdicts], inventory.resources, everything, catalogue, profile)

    level_counts = {level: 0 for level in Level}
    by_provider: dict[str, dict[Level, int]] = {}
    by_category: dict[str, dict[Level, int]] = {}
    for verdict in verdicts:
        level_counts[verdict.level] += 1
        provider = verdict.rule.provider or verdict.resource.provider or "none"
        by_provider.setdefault(provider, {level: 0 for level in Level})[verdict.level] += 1
        by_category.setdefault(verdict.rule.category, {level: 0 for level in Level})[verdict.level] += 1

    return Assessment(
        root=inventory.root,
        findings=tuple(sorted(findings, key=_finding_order)),
        verdicts=tuple(verdicts),
        data_sources=tuple(data_sources),
        errors=inventory.errors,
        files_analysed=sum(c.count for c in inventory.read if c.analysed),
        level_counts=level_counts,
        by_provider=by_provider,
        by_category=by_category,
        effort=_effort([*verdicts, *pipelines, *code_verdicts], bands),
        providers=_providers(inventory, verdicts, data_sources, catalogue),
        read=inventory.read,
        pipelines=tuple(pipelines),
        code=tuple(code_verdicts),
        undeployed=tuple(undeployed),
        roots=roots,
        targets=views,
        sovereignty=sovereignty,
        candidates=tuple(catalogue.targets.values()),
        judged=judged,
        fail_on=fail_on,
        min_coverage=min_coverage,
        suppressed=tuple(suppressed),
        notes=tuple(notes),
        workloads=workload_view,
    )


class _Judged:
    """The generic verdicts, re-judged against one target at a time with the same effort model."""

    def __init__(self, verdicts, pipelines, code, bands: Mapping[str, tuple[float, float]]):
        self.groups = (list(verdicts), list(pipelines), list(code))
        self.bands = bands
        self.keys = [_definition_key(v.resource) for v in verdicts]  # the same resources at every target
        # A verdict re-judged to the same levels at another target is the same verdict: targets
        # with the same offer share most of them, so the nearest-target view judges each once.
        self._retargeted: dict[tuple[int, tuple[Level, ...]], ResourceVerdict] = {}

    def view(self, target: Target, workloads: WorkloadView) -> TargetView:
        by_rule: dict[tuple[int, Level], Judgement] = {}  # a judgement depends on the rule and the generic level only

        def judged(finding: Finding) -> Judgement:
            key = (id(finding.rule), finding.level)
            found = by_rule.get(key)
            if found is None:
                found = by_rule[key] = judge(finding, target)
            return found

        def retarget(verdict: ResourceVerdict) -> ResourceVerdict:
            if all(judged(f).level is f.level for f in verdict.findings):
                return verdict
            levels = tuple(judged(f).level for f in verdict.findings)
            key = (id(verdict), levels)
            found = self._retargeted.get(key)
            if found is None:
                moved = [f if level is f.level else replace(f, level=level) for f, level in zip(verdict.findings, levels, strict=True)]
                found = self._retargeted[key] = _verdict(verdict.resource, moved, self.bands) or verdict
            return found

        deployed_, pipelines, code = ([retarget(v) for v in group] for group in self.groups)
        deployed_ = _variants(deployed_, self.keys)
        levels = {level: 0 for level in Level}
        verdicts = {verdict: 0 for verdict in VERDICTS}
        blocked: dict[str, tuple[Rule, str, list[Location]]] = {}
        for original, verdict in zip(self.groups[0], deployed_, strict=True):
            levels[verdict.level] += 1
            judgements = [judged(f) for f in original.findings]
            verdicts[worst(j.verdict for j in judgements)] += 1
            for finding, judgement in zip(original.findings, judgements, strict=True):
                if judgement.verdict == NOT_READY:
                    entry = blocked.setdefault(finding.rule.id, (finding.rule, judgement.condition, []))
                    if finding.location not in entry[2]:
                        entry[2].append(finding.location)
        ready = sum(
            1
            for distinct in workloads.distinct
            if worst(judged(t.finding).verdict for d in distinct.definitions for t in d.ties) in (READY, CONDITIONAL)
        )
        effort = _effort([*deployed_, *pipelines, *code], self.bands)
        platform = target.platform_cost if any(v.level is not Level.P0 for v in deployed_) else (0.0, 0.0)
        blockers = sorted(blocked.values(), key=lambda b: (-len(b[2]), b[0].id))
        return TargetView(
            target=target,
            level_counts=levels,
            verdict_counts=verdicts,
            workloads_ready=ready,
            workloads_total=workloads.total,
            effort=replace(effort, platform=platform),
            blockers=tuple(Blocker(rule, why, tuple(sorted(locations, key=lambda loc: (loc.path, loc.line)))) for rule, why, locations in blockers),
        )

    def nearest(self, targets, workloads: WorkloadView) -> TargetView | None:
        """The European provider target with the least effort (midpoints, platform included)."""
        candidates = [t for t in targets if t.kind == "provider" and t.headquarters and t.headquarters != "US"]
        if not candidates or not self.groups[0]:
            return None
        views = [self.view(t, workloads) for t in candidates]
        return min(views, key=lambda v: (sum(v.total_effort), -v.ready_share, v.target.key))


def _folded(resources: Sequence[Resource], by_resource: Mapping[int, list[Finding]]) -> tuple[dict[int, list[Finding]], set[int]]:
    """Findings of patches and build files, folded into the deployed objects that link to them.

    A Kustomize patch or an `images:` override changes the object it applies to: its findings
    count in that object's level and effort. Also returns the patches that found their target;
    a patch whose target is not among the scanned files is judged as a resource of its own.
    """
    by_key = {resource_key(r): r for r in resources}
    folded: dict[int, list[Finding]] = {}
    patched: set[int] = set()
    for resource in resources:
        if resource.kind not in DEPLOYED_KINDS:
            continue
        for key in resource.links:
            linked = by_key.get(key)
            if linked is None or linked.kind not in ("patch", "reference"):
                continue
            folded.setdefault(id(resource), []).extend(by_resource.get(id(linked), ()))
            if linked.kind == "patch":
                patched.add(id(linked))
    return folded, patched


def _finding_order(finding: Finding):
    loc = finding.location
    return (loc.path, loc.line, loc.origin, finding.resource.address, finding.rule.id)


def _verdict(resource: Resource, findings: list[Finding], bands: Mapping[str, tuple[float, float]]) -> ResourceVerdict | None:
    if not findings:
        return None
    deciding = _deciding(findings)
    level = deciding.level
    # Code a workload is built from raises its level but is priced once, as a definition of its own.
    own = [f for f in findings if f.resource.source != "application"] if resource.source != "application" else findings
    priced = _priced(own, bands) if own else None
    low, high = _band(priced, bands) if priced else (0.0, 0.0)
    multipliers = []
    deployments = 1 if resource.instances is None else resource.instances
    if resource.instances is None:
        multipliers.append("instance count unknown (count/for_each not resolvable): assumed 1")
    elif resource.instances == 0:
        low = high = 0.0
        multipliers.append("count/for_each = 0: not deployed with these inputs")
    elif resource.instances > 1:
        factor = 1 + REPEAT_FACTOR * (resource.instances - 1)
        low, high = low * factor, high * factor
        multipliers.append(f"{resource.instances} identical instances: x{factor:g}")
    if deciding.resource is not resource and deciding.resource.source == "application":
        multipliers.append("application code priced once, as its own definition")
    elif deciding.coupling and priced is deciding:
        multipliers.append(f"only mentions {deciding.rule.service}: priced as a coupling, band {deciding.band}")
    elif deciding.coupling and priced is not None:
        multipliers.append(f"mentions {deciding.rule.service}: priced by what it deploys ({priced.rule.id}, band {priced.band})")
    return ResourceVerdict(
        resource, level, deciding, tuple(findings), round(low, 2), round(high, 2), tuple(multipliers), None if priced is deciding else priced, deployments
    )


def _deciding(findings: Sequence[Finding]) -> Finding:
    return max(findings, key=lambda f: (f.level.rank, f.signal.kind != "text"))


def _priced(findings: Sequence[Finding], bands: Mapping[str, tuple[float, float]]) -> Finding | None:
    """What prices a resource: what it deploys; a mention only when the coupling band costs more.

    So adding a mention to a resource raises its effort by at most the coupling band.
    """
    deployed = [f for f in findings if not f.coupling]
    priced = _deciding(deployed) if deployed else None
    mentions = [f for f in findings if f.coupling and f.level is not Level.P0]
    if mentions and (priced is None or _band(priced, bands)[1] < _band(mentions[0], bands)[1]):
        return _deciding(mentions)
    return priced


def _band(finding: Finding, bands: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    return bands.get(finding.band, EFFORT_BANDS[finding.band])


def _variants(verdicts: list[ResourceVerdict], keys: Sequence[tuple | None] | None = None) -> list[ResourceVerdict]:
    """One definition deployed several times costs as deployments of one definition.

    The same workload in raw manifests, a Kustomize base, a chart and a release file is one
    thing to migrate; so is a Terraform block in a module that several roots, or several calls,
    deploy. The costliest definition counts in full, each other one as a further deployment
    (x0.3 of its own range), as N copies cost 1 + 0.3 x (N - 1) of one.
    """
    groups: dict[tuple, list[int]] = {}
    for i, verdict in enumerate(verdicts):
        key = keys[i] if keys is not None else _definition_key(verdict.resource)
        if key is not None:
            groups.setdefault(key, []).append(i)
    result = list(verdicts)
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda i: (-verdicts[i].effort_high, -verdicts[i].effort_low, _place(verdicts[i])))
        first = verdicts[ordered[0]].resource
        word = "another deployment of" if first.source == "terraform" else "variant of"
        for i in ordered[1:]:
            v = verdicts[i]
            note = f"{word} {first.address} ({first.location}{_via(first)}): x{REPEAT_FACTOR:g}"
            result[i] = replace(
                v, effort_low=round(v.effort_low * REPEAT_FACTOR, 2), effort_high=round(v.effort_high * REPEAT_FACTOR, 2), multipliers=(*v.multipliers, note)
            )
    return result


def _definition_key(resource: Resource) -> tuple | None:
    """What makes deployments one definition: a Kubernetes object's variant key; a Terraform
    block's file and line (reached through several roots or module calls)."""
    if resource.source in ("kubernetes", "helm") and resource.kind in ("workload", "object"):
        return ("variant", *variant_key(resource))
    if resource.source == "terraform" and resource.kind in DEPLOYED_KINDS:
        return ("terraform", resource.location.path, resource.location.line, resource.type)
    return None


def _roots(verdicts: Sequence[ResourceVerdict], undeployed: Sequence[ResourceVerdict], bands: Mapping[str, tuple[float, float]]) -> tuple[RootView, ...]:
    """Each Terraform root module's resource view and effort, as if it were scanned alone."""
    by_root: dict[str, list[ResourceVerdict]] = {}
    for verdict in verdicts:
        if verdict.resource.source == "terraform":
            by_root.setdefault(terraform_root(verdict.resource), []).append(verdict)
    idle: dict[str, int] = {}
    for verdict in undeployed:
        if verdict.resource.source == "terraform":
            idle[terraform_root(verdict.resource)] = idle.get(terraform_root(verdict.resource), 0) + 1
    views = []
    for root in sorted(set(by_root) | set(idle)):
        own = _variants(by_root.get(root, []))
        counts = {level: 0 for level in Level}
        for verdict in own:
            counts[verdict.level] += 1
        views.append(RootView(root, counts, _effort(own, bands), idle.get(root, 0)))
    return tuple(views)


def _place(verdict: ResourceVerdict) -> tuple:
    loc = verdict.resource.location
    return (loc.path, loc.line, repr(loc.origin), verdict.resource.address)


def _via(resource: Resource) -> str:
    return f" via {resource.location.origin}" if resource.location.origin else ""


def _effort(verdicts: Sequence[ResourceVerdict], bands: Mapping[str, tuple[float, float]]) -> Effort:
    by_level: dict[Level, list[float]] = {}
    by_category: dict[str, list[float]] = {}
    low = high = 0.0
    for verdict in verdicts:
        low += verdict.effort_low
        high += verdict.effort_high
        entry = by_level.setdefault(verdict.price.level, [0.0, 0.0])
        entry[0] += verdict.effort_low
        entry[1] += verdict.effort_high
        entry = by_category.setdefault(verdict.price.rule.category, [0.0, 0.0])
        entry[0] += verdict.effort_low
        entry[1] += verdict.effort_high
    assumptions = [
        "person-days per resource instance by level: "
        + ", ".join(f"{level.value} {bands[LEVEL_BAND[level]][0]:g}-{bands[LEVEL_BAND[level]][1]:g}" for level in Level),
        "effort is counted per definition: a place in the code that must change (file, line and the rule deciding it); "
        "a definition's deployments multiply it, N of them costing 1 + 0.3 x (N - 1) of one",
        f"deployments of a definition: its count/for_each instances, each costing {REPEAT_FACTOR:g} of the first; "
        f"a Terraform block reached from several roots or module calls is one definition, each further deployment at {REPEAT_FACTOR:g} of its own range",
        "resources whose count/for_each is 0 with the defaults and var files given are not deployed with these inputs: "
        "reported apart, out of the resource view, the effort and the policy (--include-undeployed audits them as deployed)",
        "variants of one Kubernetes object (the same kind, name and image names in raw manifests, a Kustomize base, "
        f"a Helm chart or a rendered release file): the costliest definition in full, each other one as a deployment at {REPEAT_FACTOR:g} of its own range, "
        "because the copies are edited the same way and migrated together; a Kustomize overlay is not a definition, "
        "its patches count in the base object it changes",
        "application code (SDKs, clients, config) in what a workload's image is built from: once per place (file, line, rule), "
        "however many workloads or variants are built from it; it sets those workloads' level, not their price",
        "unknown (U) resources carry the 2-5 person-days it takes to classify them, then need re-estimating",
        f"what a resource deploys (its type or kind) costs its rule's band; a service it only mentions (a service principal, "
        f"an ARN, an endpoint in a string) is a coupling: reported at that service's level but priced at band {COUPLING_BAND} "
        f"({bands[COUPLING_BAND][0]:g}-{bands[COUPLING_BAND][1]:g}), and only where that costs more than what the resource deploys, "
        f"so a mention adds at most band {COUPLING_BAND} to a resource",
        "rewriting the infrastructure code is inside each resource's range",
        "data volume and coupling multipliers are not applied (sizes and references are not read yet)",
    ]
    platform = PLATFORM_COST if any(v.level is not Level.P0 for v in verdicts) else (0.0, 0.0)
    return Effort(
        low=round(low, 2),
        high=round(high, 2),
        by_level={k: (round(v[0], 2), round(v[1], 2)) for k, v in sorted(by_level.items(), key=lambda kv: kv[0].rank)},
        by_category={k: (round(v[0], 2), round(v[1], 2)) for k, v in sorted(by_category.items(), key=lambda kv: -kv[1][1])},
        platform=platform,
        assumptions=tuple(assumptions),
        definitions=len({_place(v)[:2] + (v.price.rule.id,) for v in verdicts}),
        deployments=sum(v.deployments for v in verdicts),
    )


def _providers(inventory: Inventory, verdicts, data_sources, catalogue: Catalogue) -> tuple[ProviderUse, ...]:
    counts: dict[str, list[int]] = {}
    regions: dict[str, set[str]] = {}
    for verdict in verdicts:
        key = verdict.rule.provider or verdict.resource.provider
        if key:
            counts.setdefault(key, [0, 0])[0] += 1
    for verdict in data_sources:
        key = verdict.rule.provider or verdict.resource.provider
        if key:
            counts.setdefault(key, [0, 0])[1] += 1
    for resource in inventory.resources:
        if inventory.focus is not None and resource.location.path not in inventory.focus:
            continue
        if resource.kind == "provider" and resource.provider:
            counts.setdefault(resource.provider, [0, 0])
        for key in ("region", "location"):
            value = resource.attributes.get(key)
            if isinstance(value, str) and value and resource.provider:
                regions.setdefault(_provider_family(resource.provider, catalogue), set()).add(value.lower().replace(" ", ""))
    result = []
    for key, (resource_count, data_count) in sorted(counts.items()):
        provider: Provider | None = catalogue.providers.get(key)
        result.append(
            ProviderUse(
                key=key,
                name=provider.name if provider else key,
                kind=provider.kind if provider else "unknown",
                eu_headquartered=provider.eu_headquartered if provider else None,
                resources=resource_count,
                data_sources=data_count,
                regions=tuple(sorted(regions.get(key, ()))),
                region_classes={r: provider.region_class(r) for r in regions.get(key, ())} if provider else {},
            )
        )
    return tuple(result)


def _provider_family(key: str, catalogue: Catalogue) -> str:
    return "google" if key == "google-beta" and "google" in catalogue.providers else key
