"""The workload view: of the containerised workloads found, which run elsewhere as they are.

A workload (Deployment, StatefulSet, Job, ... from manifests or rendered charts) is judged by
its own findings and by those of what it relies on, following the links its analyser resolved:
ServiceAccount (identity annotations), claims and storage classes, Services and the Ingresses
and routes in front of them, ConfigMaps and Secrets (endpoints, stores), Kustomize patches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from portacheck.model import Finding, Level, Resource, resource_key

MAX_HOPS = 3  # workload -> Service -> Ingress -> IngressClass, workload -> PVC -> StorageClass


@dataclass(frozen=True)
class Tie:
    """One reason a workload is tied to a provider: a finding, and the object it came through."""

    finding: Finding
    via: str  # "" for the workload's own finding, else the address of the linked object


@dataclass(frozen=True)
class WorkloadVerdict:
    resource: Resource
    level: Level  # the highest level among its own and its linked findings (P0 when none)
    ties: tuple[Tie, ...]  # findings above P0, highest first

    @property
    def portable(self) -> bool:
        return self.level is Level.P0


@dataclass(frozen=True)
class WorkloadView:
    workloads: tuple[WorkloadVerdict, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return len(self.workloads)

    def count(self, *levels: Level) -> int:
        return sum(1 for w in self.workloads if w.level in levels)

    @property
    def as_they_are(self) -> int:
        return self.count(Level.P0)

    @property
    def repointed(self) -> int:
        return self.count(Level.P1)

    @property
    def tied(self) -> int:
        return self.total - self.as_they_are - self.repointed


def build(resources: Sequence[Resource], findings: Iterable[Finding], focus: frozenset[str] | None = None) -> WorkloadView:
    by_key: dict[str, Resource] = {resource_key(r): r for r in resources}
    findings_of: dict[str, list[Finding]] = {}
    for finding in findings:
        findings_of.setdefault(resource_key(finding.resource), []).append(finding)
    verdicts = []
    for resource in resources:
        if resource.kind != "workload" or (focus is not None and resource.location.path not in focus):
            continue
        ties = [Tie(f, "") for f in findings_of.get(resource_key(resource), ())]
        for key in _reachable(resource, by_key):
            linked = by_key[key]
            ties.extend(Tie(f, linked.address) for f in findings_of.get(key, ()))
        above = [t for t in ties if t.finding.level is not Level.P0]
        above = _unique(sorted(above, key=lambda t: (-t.finding.level.rank, t.finding.rule.id, t.via, t.finding.location.line)))
        level = max((t.finding.level for t in above), default=Level.P0)
        verdicts.append(WorkloadVerdict(resource, level, tuple(above)))
    verdicts.sort(key=lambda v: (v.resource.location.path, v.resource.location.line, v.resource.address))
    return WorkloadView(tuple(verdicts))


def _reachable(resource: Resource, by_key: Mapping[str, Resource]) -> list[str]:
    seen = {resource_key(resource)}
    order: list[str] = []
    frontier = list(resource.links)
    for _hop in range(MAX_HOPS):
        following: list[str] = []
        for key in frontier:
            if key in seen or key not in by_key:
                continue
            seen.add(key)
            order.append(key)
            following.extend(by_key[key].links)
        frontier = following
    return order


def _unique(ties: list[Tie]) -> list[Tie]:
    seen = set()
    result = []
    for tie in ties:
        key = (tie.finding.rule.id, tie.via, tie.finding.location.path, tie.finding.location.line, tie.finding.signal.value)
        if key not in seen:
            seen.add(key)
            result.append(tie)
    return result
