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

import bisect
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
    links: tuple[CodeLink, ...] = ()  # the code its image is built from, and how each link was made

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
        code_ties, links = code.ties(resource)
        ties.extend(code_ties)
        above = [t for t in ties if t.finding.level is not Level.P0]
        above = _unique(sorted(above, key=lambda t: (-t.finding.level.rank, t.finding.rule.id, t.via, t.finding.location.line)))
        level = max((t.finding.level for t in above), default=Level.P0)
        verdicts.append(WorkloadVerdict(resource, level, tuple(above), links))
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
_CHART_DIRS = frozenset({"chart", "charts", "helm"})  # svc/chart/, svc/charts/x/, svc/helm/ beside svc/Dockerfile


@dataclass(frozen=True)
class CodeLink:
    """Why a workload counts the code under one directory: how the link was made, and from what."""

    context: str  # the directory the image is built from, "." for the scan root
    via: str  # "skaffold artifact", "jib project", "compose build", "Dockerfile beside manifest", ...
    source: str  # the file (and line) that made it: "skaffold.yaml:7", "svc/Dockerfile"
    build: str  # that build's address, shown on the ties it brings: "skaffold:cart", "dockerfile:Dockerfile"

    def __str__(self) -> str:
        return f"{self.context} ({self.via}, {self.source})"


class _CodeLinks:
    """Ties a workload to the application findings (SDK packages, client calls, app config) under
    the directory its image is built from. The first way that finds a directory wins:

    1. a skaffold or Compose build naming its image (compared without registry and tag, then by
       the last path segment when that names one directory); a jib artifact with a `project` is
       built from that module, not from the whole context;
    2. a Dockerfile beside its manifest (same directory, or the parent of a k8s/, deploy/... one),
       or beside the chart it is rendered from (`svc/Dockerfile` for `svc/chart/`, `svc/charts/x/`,
       `svc/helm/`; when the chart runs several images, only the one named like `svc` or the chart);
    3. a directory named like the image's last path segment (`…/orders:1.2` -> `orders/`, `src/orders/`)
       holding a Dockerfile or a dependency manifest, when exactly one does.

    Where a way finds several directories, no link is made and a note names the candidates.
    """

    def __init__(self, resources: Sequence[Resource], findings_of: Mapping[str, list[Finding]]):
        self.builds = [r for r in resources if r.source == "application" and r.kind == "build"]
        self.code = [
            f for r in resources if r.source == "application" and r.kind != "build" for f in findings_of.get(resource_key(r), ())
        ]
        self.module_dirs: dict[str, Resource] = {}  # directory with a Dockerfile or manifest -> that build (Dockerfile first)
        for build in sorted(self.builds, key=lambda b: (b.type != "Dockerfile", b.location.path)):
            if build.type in ("Dockerfile", "dependency manifest"):
                self.module_dirs.setdefault(build.attributes["context"], build)
        self.chart_images: dict[str, set[str]] = {}  # chart directory -> image names its workloads run
        for r in resources:
            chart = _chart_dir(r) if r.kind == "workload" else None
            if chart is not None:
                self.chart_images.setdefault(chart, set()).update(_names(r))
        self.unlinked: list[str] = []
        self.ambiguous: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # (what, candidates) -> workloads
        # Indexes, so that many workloads against many builds stay linear (issue 16, item 7).
        self.by_repository: dict[str, list[Resource]] = {}  # image without registry and tag -> builds naming it
        self.by_last_segment: dict[str, list[Resource]] = {}  # its last path segment -> builds
        self.dockerfiles: dict[str, Resource] = {}  # context -> its first Dockerfile build
        for build in self.builds:
            if build.attributes.get("image"):
                repository = _repository(build.attributes["image"])
                self.by_repository.setdefault(repository, []).append(build)
                self.by_last_segment.setdefault(repository.rsplit("/", 1)[-1], []).append(build)
            if build.type == "Dockerfile" and build.attributes.get("context") is not None:
                self.dockerfiles.setdefault(build.attributes["context"], build)
        self.module_dirs_named: dict[str, list[str]] = {}  # directory basename -> module directories
        for directory in sorted(self.module_dirs):
            self.module_dirs_named.setdefault(posixpath.basename(directory), []).append(directory)
        self.code_paths = sorted((f.location.path, index) for index, f in enumerate(self.code))

    def ties(self, workload: Resource) -> tuple[list[Tie], tuple[CodeLink, ...]]:
        if not self.builds and not self.code:
            return [], ()  # no application code in the scan: nothing to link, nothing to say
        ambiguous = sum(len(w) for w in self.ambiguous.values())
        links = self.by_build(workload) or self.beside(workload) or self.by_directory(workload)
        if not links:
            if ambiguous == sum(len(w) for w in self.ambiguous.values()):  # an ambiguous one has its own note
                self.unlinked.append(_label(workload))
            return [], ()
        result: list[Tie] = []
        for link in links:
            prefix = "" if link.context == "." else link.context + "/"
            result.extend(Tie(self.code[i], f"{link.build}, built from {link.context}") for i in self.code_under(prefix))
        return result, links

    def code_under(self, prefix: str) -> list[int]:
        """Indexes of the code findings whose path starts with prefix, in their order."""
        start = bisect.bisect_left(self.code_paths, (prefix, -1))
        found = []
        for path, index in self.code_paths[start:]:
            if not path.startswith(prefix):
                break
            found.append(index)
        return sorted(found)

    def by_build(self, workload: Resource) -> tuple[CodeLink, ...]:
        found: dict[str, CodeLink] = {}
        for image in workload.attributes.get("images") or ():
            for build in self.by_image(str(image), workload):
                context = build.attributes["context"]
                found.setdefault(context, CodeLink(context, build.attributes.get("link") or build.type, str(build.location), build.address))
        return tuple(found[c] for c in sorted(found))

    def by_image(self, image: str, workload: Resource) -> list[Resource]:
        wanted = _repository(image)
        exact = self.by_repository.get(wanted, [])
        if exact:
            return exact
        last = wanted.rsplit("/", 1)[-1]
        same_name = self.by_last_segment.get(last, [])
        contexts = sorted({b.attributes["context"] for b in same_name})
        if len(contexts) > 1:
            self.ambiguous.setdefault((f"builds of images named {last}", tuple(contexts)), []).append(_label(workload))
        return same_name if len(contexts) == 1 else []

    def beside(self, workload: Resource) -> tuple[CodeLink, ...]:
        manifest_dir = posixpath.dirname(workload.location.path) or "."
        near = {manifest_dir: "Dockerfile beside manifest"}
        if posixpath.basename(manifest_dir) in _MANIFEST_DIRS:
            near[posixpath.dirname(manifest_dir) or "."] = "Dockerfile beside manifest"
        chart = _chart_dir(workload)
        home = _chart_home(chart) if chart is not None else None
        if chart is not None and home is not None:
            names = self.chart_images.get(chart, set())
            if len(names) <= 1 or _names(workload) & {posixpath.basename(home), posixpath.basename(chart)}:
                near.setdefault(home, "Dockerfile beside chart")
        found: dict[str, CodeLink] = {}
        for context, how in near.items():
            build = self.dockerfiles.get(context)
            if build is not None:
                found[context] = CodeLink(context, how, build.location.path, build.address)
        return tuple(found[c] for c in sorted(found))

    def by_directory(self, workload: Resource) -> tuple[CodeLink, ...]:
        found: dict[str, CodeLink] = {}
        for name in sorted(_names(workload)):
            candidates = self.module_dirs_named.get(name, [])
            if len(candidates) == 1:
                build = self.module_dirs[candidates[0]]
                found.setdefault(candidates[0], CodeLink(candidates[0], "image name = directory", build.location.path, build.address))
            elif candidates:
                self.ambiguous.setdefault((f"directories named {name}", tuple(candidates)), []).append(_label(workload))
        return tuple(found[c] for c in sorted(found))

    def notes(self) -> tuple[str, ...]:
        result = [
            f"ambiguous link not made: {what} are {', '.join(candidates)}; which one the image is built from is not "
            f"assumed, so {len(set(workloads))} workload{'s are' if len(set(workloads)) != 1 else ' is'} tied to none: "
            + ", ".join(sorted(set(workloads)))
            for (what, candidates), workloads in sorted(self.ambiguous.items())
        ]
        if self.unlinked:
            result.append(
                f"{len(self.unlinked)} workload{'s' if len(self.unlinked) != 1 else ''} could not be tied to the code "
                "its image is built from (no skaffold or Compose build names the image, no Dockerfile beside the manifest "
                "or chart, no one directory named like the image), so SDKs in that code are not counted for it: "
                + ", ".join(self.unlinked)
            )
        return tuple(result)


def _label(workload: Resource) -> str:
    return f"{workload.address} ({workload.location.path})"


def _names(workload: Resource) -> set[str]:
    """The workload's image names: the last path segment of each repository."""
    return {_repository(str(i)).rsplit("/", 1)[-1] for i in workload.attributes.get("images") or ()}


def _chart_dir(resource: Resource) -> str | None:
    """The chart a rendered workload's template sits in: `svc/chart` for `svc/chart/templates/deploy.yaml`."""
    if resource.source != "helm":
        return None
    path = resource.location.path
    if "/templates/" not in "/" + path:
        return None
    head = ("/" + path).rsplit("/templates/", 1)[0].lstrip("/")
    return head or "."


def _chart_home(chart: str) -> str | None:
    """The service directory a chart belongs to: `svc` for `svc/chart`, `svc/helm` and `svc/charts/x`."""
    parent = posixpath.dirname(chart)
    if posixpath.basename(chart) in _CHART_DIRS:
        return parent or "."
    if posixpath.basename(parent) == "charts":
        return posixpath.dirname(parent) or "."
    return None


def _repository(image: str) -> str:
    """An image reference without registry, tag and digest: `gcr.io/p/web:1.2` -> `p/web`."""
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts).lower()
