"""The workload view: of the containerised workloads found, which run elsewhere as they are.

A workload (Deployment, StatefulSet, Job, ... from manifests or rendered charts) is judged by
its own findings and by those of what it relies on, following the links its analyser resolved:
ServiceAccount (identity annotations), claims and storage classes, Services and the Ingresses
and routes in front of them, ConfigMaps and Secrets (endpoints, stores), Kustomize patches.

One workload is often defined several times: raw manifests, a Kustomize base, a Helm chart, a
rendered release file. Those definitions are grouped into one *distinct workload* (kind, name
and image names), so the view counts services, not copies.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
class DistinctWorkload:
    """One workload however many variants define it; its level is the highest of its definitions'."""

    key: tuple[str, str, tuple[str, ...]]  # kind, name, image names (see variant_key)
    definitions: tuple[WorkloadVerdict, ...]  # highest level first, then by file and line

    @property
    def level(self) -> Level:
        return self.definitions[0].level

    @property
    def primary(self) -> WorkloadVerdict:
        return self.definitions[0]


@dataclass(frozen=True)
class WorkloadView:
    workloads: tuple[WorkloadVerdict, ...]  # every definition
    notes: tuple[str, ...] = ()

    @property
    def distinct(self) -> tuple[DistinctWorkload, ...]:
        groups: dict[tuple[str, str, tuple[str, ...]], list[WorkloadVerdict]] = {}
        for verdict in self.workloads:
            groups.setdefault(variant_key(verdict.resource), []).append(verdict)
        found = [DistinctWorkload(key, tuple(sorted(items, key=_definition_order))) for key, items in groups.items()]
        return tuple(sorted(found, key=lambda d: _definition_order(d.primary)[1:]))

    @property
    def total(self) -> int:
        """Distinct workloads: what the headline counts."""
        return len(self.distinct)

    @property
    def definitions(self) -> int:
        return len(self.workloads)

    @property
    def variants(self) -> tuple[str, ...]:
        """Where definitions live: a chart, or the directory of a manifest file."""
        return tuple(sorted({variant_of(w.resource) for w in self.workloads}))

    def count(self, *levels: Level) -> int:
        return sum(1 for w in self.distinct if w.level in levels)

    @property
    def as_they_are(self) -> int:
        return self.count(Level.P0)

    @property
    def repointed(self) -> int:
        return self.count(Level.P1)

    @property
    def tied(self) -> int:
        return self.total - self.as_they_are - self.repointed


def variant_key(resource: Resource) -> tuple[str, str, tuple[str, ...]]:
    """What makes definitions in different variants one workload (or one object): kind, name, and
    for workloads the image names. Images are compared by the last segment of their repository,
    without registry, path, tag and digest, because variants name the same image differently
    (`adservice` in raw manifests that skaffold rewrites, `…-docker.pkg.dev/p/repo/adservice:v1`
    in a release file). The namespace is left out: Helm renders into `default`, manifests often
    name none.
    """
    kind = resource.type.rsplit("/", 1)[-1]
    name = resource.address.rsplit("/", 1)[-1]
    images = tuple(sorted({_repository(str(i)).rsplit("/", 1)[-1] for i in resource.attributes.get("images") or ()}))
    return kind, name, images


def variant_of(resource: Resource) -> str:
    """The variant a definition belongs to: its chart when rendered from one, else its directory."""
    if resource.source == "helm" and resource.location.origin:
        origin = resource.location.origin
        while not isinstance(origin.via, str):  # some chart paths wrap an origin in another
            origin = origin.via
        return origin.via or str(origin)
    return posixpath.dirname(resource.location.path) or "."


def _definition_order(verdict: WorkloadVerdict) -> tuple:
    loc = verdict.resource.location
    return (-verdict.level.rank, loc.path, loc.line, repr(loc.origin), verdict.resource.address)


def build(resources: Sequence[Resource], findings: Iterable[Finding], focus: frozenset[str] | None = None) -> WorkloadView:
    by_key: dict[str, Resource] = {resource_key(r): r for r in resources}
    findings_of: dict[str, list[Finding]] = {}
    for finding in findings:
        findings_of.setdefault(resource_key(finding.resource), []).append(finding)
    verdicts = []
    code = _CodeLinks(resources, findings_of)
    for resource in resources:
        if resource.kind != "workload" or (focus is not None and resource.location.path not in focus):
            continue
        ties = [Tie(f, "") for f in findings_of.get(resource_key(resource), ())]
        for key in _reachable(resource, by_key):
            linked = by_key[key]
            ties.extend(Tie(f, linked.address) for f in findings_of.get(key, ()))
        ties.extend(code.ties(resource))
        above = [t for t in ties if t.finding.level is not Level.P0]
        above = _unique(sorted(above, key=lambda t: (-t.finding.level.rank, t.finding.rule.id, t.via, t.finding.location.line)))
        level = max((t.finding.level for t in above), default=Level.P0)
        verdicts.append(WorkloadVerdict(resource, level, tuple(above)))
    verdicts.sort(key=lambda v: (v.resource.location.path, v.resource.location.line, v.resource.address))
    return WorkloadView(tuple(verdicts), code.notes())


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


# --- the code a workload's image is built from -----------------------------------------------

_MANIFEST_DIRS = frozenset({"k8s", "kubernetes", "kube", "deploy", "deployment", "manifests"})


class _CodeLinks:
    """Ties a workload to the application findings (SDK packages, client calls, app config) under
    the directory its image is built from: a skaffold or Compose build naming its image (compared
    without registry and tag, then by the last path segment when that is unambiguous), or a
    Dockerfile next to its manifest (same directory, or the parent of a k8s/, deploy/... one).
    """

    def __init__(self, resources: Sequence[Resource], findings_of: Mapping[str, list[Finding]]):
        self.builds = [r for r in resources if r.source == "application" and r.kind == "build"]
        self.code = [
            f for r in resources if r.source == "application" and r.kind != "build" for f in findings_of.get(resource_key(r), ())
        ]
        self.unlinked: list[str] = []

    def ties(self, workload: Resource) -> list[Tie]:
        if not self.builds and not self.code:
            return []  # no application code in the scan: nothing to link, nothing to say
        found: dict[str, str] = {}  # build context -> how the link was made
        for image in workload.attributes.get("images") or ():
            for build in self.by_image(str(image)):
                found.setdefault(build.attributes["context"], build.address)
        manifest_dir = posixpath.dirname(workload.location.path) or "."
        near = {manifest_dir}
        if posixpath.basename(manifest_dir) in _MANIFEST_DIRS:
            near.add(posixpath.dirname(manifest_dir) or ".")
        for build in self.builds:
            if build.type == "Dockerfile" and build.attributes.get("context") in near:
                found.setdefault(build.attributes["context"], build.address)
        if not found:
            self.unlinked.append(f"{workload.address} ({workload.location.path})")
            return []
        result: list[Tie] = []
        for context, via in sorted(found.items()):
            prefix = "" if context == "." else context + "/"
            result.extend(Tie(f, f"{via}, built from {context}") for f in self.code if f.location.path.startswith(prefix))
        return result

    def by_image(self, image: str) -> list[Resource]:
        wanted = _repository(image)
        named = [b for b in self.builds if b.attributes.get("image")]
        exact = [b for b in named if _repository(b.attributes["image"]) == wanted]
        if exact:
            return exact
        last = wanted.rsplit("/", 1)[-1]
        same_name = [b for b in named if _repository(b.attributes["image"]).rsplit("/", 1)[-1] == last]
        return same_name if len({b.attributes["context"] for b in same_name}) == 1 else []

    def notes(self) -> tuple[str, ...]:
        if not self.unlinked:
            return ()
        return (
            f"{len(self.unlinked)} workload{'s' if len(self.unlinked) != 1 else ''} could not be tied to the code "
            "its image is built from (no skaffold or Compose build names the image, no Dockerfile next to the manifest), "
            "so SDKs in that code are not counted for it: " + ", ".join(self.unlinked),
        )


def _repository(image: str) -> str:
    """An image reference without registry, tag and digest: `gcr.io/p/web:1.2` -> `p/web`."""
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts).lower()
