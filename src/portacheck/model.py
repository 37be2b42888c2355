"""The domain types every pipeline stage speaks: files in, resources, rules, findings out.

All of them are frozen, slotted dataclasses so a stage can hand them on without fearing that a
later stage changes them. Raw parser dicts never leave the parser that made them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Level(enum.Enum):
    """Portability levels of PORTABILITY.md; the order is the order of the work they mean."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    U = "U"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def title(self) -> str:
        return _LEVEL_TITLE[self]

    @property
    def story_points(self) -> int:
        return _STORY_POINTS[self]

    def __lt__(self, other: Level) -> bool:
        return self.rank < other.rank

    def __le__(self, other: Level) -> bool:
        return self.rank <= other.rank

    def __gt__(self, other: Level) -> bool:
        return self.rank > other.rank

    def __ge__(self, other: Level) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls(str(text).strip().upper())
        except ValueError:
            raise ValueError(f"{text!r} is not a level (expected one of {', '.join(LEVEL_NAMES)})") from None


LEVEL_NAMES = tuple(level.value for level in Level)
_LEVEL_RANK = {level: i for i, level in enumerate(Level)}
_LEVEL_TITLE = {
    Level.P0: "neutral",
    Level.P1: "re-point",
    Level.P2: "adapt",
    Level.P3: "replace",
    Level.P4: "re-architect",
    Level.U: "unknown",
}
_STORY_POINTS = {Level.P0: 0, Level.P1: 1, Level.P2: 3, Level.P3: 5, Level.P4: 7, Level.U: 13}


class Severity(enum.Enum):
    """How bad a scan problem is: an error means part of the input was not analysed."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file discovery found, with the analyser kind that will read it."""

    path: str  # absolute path on disk
    relpath: str  # posix path relative to the scan root it was found under
    kind: str  # key of portacheck.parse.PARSERS


@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """How a location was reached: a module chain from a root module, a chart, or an overlay.

    A value, not text, so that suppressions and baselines compare chains instead of re-parsing
    "module.a.module.b (from envs/prod)"; str() gives that text for reports and fingerprints.
    """

    root: str = ""  # Terraform: the root module directory (posix, relative to the scan root; "." for the root itself)
    modules: tuple[str, ...] = ()  # Terraform: module call names from the root, e.g. ("app", "db")
    via: str = ""  # anything else, as shown: "chart web (not rendered)", "kustomize patch (overlays/prod/kustomization.yaml)"

    def __bool__(self) -> bool:
        return bool(self.modules or self.via)

    def __str__(self) -> str:
        if self.modules:
            chain = ".".join(f"module.{name}" for name in self.modules)
            return chain if self.root in ("", ".") else f"{chain} (from {self.root})"
        return self.via

    @classmethod
    def parse(cls, text: str) -> Origin:
        """The inverse of str(), for origins stored as text (baselines)."""
        import re

        if not text:
            return cls()
        chain, _, root = text.partition(" (from ")
        names = re.findall(r"module\.([^.\s\[]+)", chain)
        if names and chain == ".".join(f"module.{n}" for n in names):
            return cls(root[:-1] if root.endswith(")") else ".", tuple(names))
        return cls(via=text)


NO_ORIGIN = Origin()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a person would look: file and line, and the module, chart or overlay it came through."""

    path: str  # posix, relative to the scan root
    line: int  # 1-based; 0 means the file as a whole
    column: int = 0
    origin: Origin = NO_ORIGIN

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Unresolved:
    """An attribute value portacheck could not compute statically; says which expression."""

    expression: str

    def __str__(self) -> str:
        return self.expression


@dataclass(frozen=True, slots=True)
class Signal:
    """One observed fact that rules can match: a kind (a rule's match key), a literal value, a place."""

    kind: str
    value: str
    location: Location
    context: str = ""  # where inside the resource, e.g. "spec.storageClassName"
    values_location: Location | None = None  # a rendered Helm value: the values file line it came from


@dataclass(frozen=True, slots=True)
class MatchKind:
    """A kind of signal a frontend emits, which rules match under the key of the same name."""

    description: str  # what a rule's `match:` values of this kind are, for the rule documentation
    what: str  # noun for unknown findings: "Terraform resource type", "storage provisioner", ...
    unknown_when_unmatched: bool = False  # a value no rule claims is an unknown (U) finding
    unknown_id: str = "TYPE"  # suffix of the synthetic id of its unknowns: <PROVIDER>-UNKNOWN-<suffix>
    match_keys: tuple[str, ...] = ()  # rule match keys tried in order; empty: the kind's own name


@dataclass(frozen=True, slots=True)
class Resource:
    """One entry of the inventory, whatever analyser found it.

    `kind` tells deployed things (resource, module call, Kubernetes object) apart from
    things that only couple code to a provider (data sources, provider blocks, backends,
    references in locals or outputs), so the report can count them separately.
    """

    source: str  # "terraform", "kubernetes", "helm", "application"
    # "resource", "data", "module", "provider", "backend", "reference" (Terraform);
    # "workload", "object", "patch" (Kubernetes); "package", "build" (application code);
    # "pipeline" (a CI/CD pipeline file: not deployed, judged and costed apart)
    kind: str
    provider: str  # canonical provider name, "" when none
    type: str  # e.g. "aws_dynamodb_table", "apps/v1/Deployment"
    address: str  # e.g. "module.app.aws_dynamodb_table.orders"
    location: Location
    signals: tuple[Signal, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)  # resolved values; Unresolved where not
    instances: int | None = 1  # count/for_each when known, None when not
    # Keys (see resource_key) of other resources this one relies on, resolved by its analyser:
    # a workload's ServiceAccount, claims, storage classes, Services and Ingresses, ConfigMaps.
    links: tuple[str, ...] = ()


def resource_key(resource: Resource) -> str:
    """The identity links refer to: the file and the address inside it."""
    return f"{resource.location.path}#{resource.address}"


# Effort bands of PORTABILITY.md in person-days per resource instance; configuration can
# recalibrate them. A rule's band defaults to its level's and may sit one band either side.
EFFORT_BANDS: Mapping[str, tuple[float, float]] = {
    "none": (0.0, 0.1),
    "S": (0.25, 1.0),
    "M": (1.0, 5.0),
    "L": (5.0, 20.0),
    "XL": (20.0, 60.0),
    "?": (2.0, 5.0),
}
LEVEL_BAND = {Level.P0: "none", Level.P1: "S", Level.P2: "M", Level.P3: "L", Level.P4: "XL", Level.U: "?"}
# A mention of a service from another resource (a service principal, an ARN, an endpoint) is a
# coupling: re-wiring one reference costs this band, whatever the level of the service mentioned.
COUPLING_BAND = "S"

CATEGORIES = (
    "compute", "kubernetes", "serverless", "containers", "object-storage", "block-storage",
    "file-storage", "relational-db", "nosql-db", "cache", "messaging", "streaming", "workflow",
    "api-gateway", "identity", "secrets-kms", "dns", "cdn", "load-balancing", "networking",
    "observability", "analytics", "ai-ml", "email", "registry", "security", "management",
    "devtools", "iot", "backup", "other",
)

# Resource kinds that deploy something and count in the resource view.
DEPLOYED_KINDS = frozenset({"resource", "module", "object", "workload"})


# How closely a target's offer follows the service it replaces: the same API or protocol (S3, SQS,
# Kafka, the PostgreSQL wire protocol), a compatible API whose extensions in use must be replaced,
# or a service that does the same job through another interface. The order is the order of the work.
COMPATIBILITIES = ("same-api", "compatible", "functional")
COMPATIBILITY_LEVEL = {"same-api": Level.P1, "compatible": Level.P2, "functional": Level.P3}


@dataclass(frozen=True, slots=True)
class ManagedOffer:
    """A managed equivalent at a target, how close it is, and how and when we know it exists."""

    target: str  # key of a target in rules/targets.yaml
    offer: str
    evidence: str  # a Terraform resource type of the target's provider, or a documentation URL
    compatibility: str = "functional"  # one of COMPATIBILITIES
    as_of: str = ""  # ISO date the evidence was read
    target_name: str = ""  # the target's display name, filled in when the catalogue is loaded

    @property
    def level(self) -> Level:
        return COMPATIBILITY_LEVEL[self.compatibility]


@dataclass(frozen=True, slots=True)
class Certification:
    """A certification or qualification a target holds: shown, dated, never judged."""

    name: str
    as_of: str
    source: str = ""
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """A destination a team weighs: a European provider, a generic OpenStack cloud, a hosting
    partner's private platform, or its own data centre. Its offers live in the rules."""

    key: str
    name: str
    kind: str  # "provider": a public cloud with a service catalogue; "private", "onprem": self-run open source
    headquarters: str = ""  # ISO country code; empty for private and onprem
    eu_headquartered: bool | None = None
    parent: str = ""
    ownership: str = ""
    ownership_as_of: str = ""
    regions: Mapping[str, str] = field(default_factory=dict)  # region -> eu, eea, outside-eu
    certifications: tuple[Certification, ...] = ()
    platform_cost: tuple[float, float] = (20.0, 60.0)  # one-off person-days: landing zone, identity, network, CI/CD, observability, backup
    providers: tuple[str, ...] = ()  # provider keys of providers.yaml that are this target: their services stay
    terraform_prefixes: tuple[str, ...] = ()  # resource type prefixes valid as offer evidence
    # private/onprem: what the platform itself provides, by rule category (compute: VMs, kubernetes,
    # object-storage: S3-compatible storage): services of those categories keep their generic level there
    platform: Mapping[str, str] = field(default_factory=dict)
    notes: str = ""
    sources: tuple[str, ...] = ()

    @property
    def self_run(self) -> bool:
        """Everything managed takes the self-run open-source path here."""
        return self.kind != "provider"


@dataclass(frozen=True, slots=True)
class Condition:
    """An attribute test that moves a rule's level for one resource."""

    attribute: str  # dotted path into Resource.attributes; lists match when any element matches
    level: Level
    why: str
    values: tuple[str, ...] = ()  # glob patterns, case-insensitive; empty means "present"
    present: bool = True  # with no values: True fires when set, False fires when absent
    if_unresolved: str = "U"  # "U": an unresolvable value makes the level unknown; "skip": try the next condition; "fire": it fires

    def test(self, show: Callable[[str], str] = str) -> str:
        """The test in words, `matches a, b`, `is set` or `is not set`, each value written by `show`."""
        if self.values:
            return "matches " + ", ".join(show(v) for v in self.values)
        return "is set" if self.present else "is not set"


@dataclass(frozen=True, slots=True)
class RuleExample:
    """A documented example that the test suite runs: input text and the level it must get."""

    source: str  # "terraform" (more analysers add theirs)
    code: str
    level: Level


@dataclass(frozen=True, slots=True)
class Rule:
    """One service of the catalogue: how portable it is, why, and what to use instead."""

    id: str
    provider: str
    service: str
    category: str
    level: Level
    why: str
    effort: str  # effort band name, see portacheck.assess.EFFORT_BANDS
    match: Mapping[str, tuple[str, ...]]
    source_file: str
    standard: str = ""
    open_source: tuple[str, ...] = ()
    managed: tuple[ManagedOffer, ...] = ()
    conditions: tuple[Condition, ...] = ()
    confidence: str = "high"
    examples: tuple[RuleExample, ...] = ()
    notes: str = ""
    priority: int = 0  # breaks ties between globs of different rules; see rules/patterns.py
    extended_in: tuple[str, ...] = ()  # analyser mapping files that add patterns under `signals:`
    effort_why: str = ""  # why the effort band departs from the level's band
    # The level of the self-run open-source path where a target offers nothing managed; None: derived
    # (the rule's level up to P1, P3 above it: a functional replacement). See portacheck.targets.
    self_run: Level | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule matched a signal of a resource; the level is the rule's after its conditions.

    A finding is either what the resource deploys (its type or kind: the rule applies in full) or
    a mention of a service the resource does not deploy (`coupling`: reported at the rule's level,
    priced at COUPLING_BAND), so one service principal in a policy does not cost a migration.
    """

    rule: Rule
    resource: Resource
    signal: Signal
    level: Level
    why: str
    override: str = ""  # set when configuration changed the level, says by what
    coupling: bool = False  # a mention (endpoint, ARN, service principal), not what the resource deploys

    @property
    def band(self) -> str:
        """The effort band this finding costs: the coupling band for a mention, else the rule's at its own level."""
        if self.coupling:
            return COUPLING_BAND
        return self.rule.effort if self.level is self.rule.level else LEVEL_BAND[self.level]

    @property
    def location(self) -> Location:
        return self.signal.location

    @property
    def paths(self) -> tuple[str, ...]:
        """The files the finding is about: its location's, and the values file its value came from."""
        extra = self.signal.values_location
        return (self.signal.location.path,) + ((extra.path,) if extra is not None else ())


@dataclass(frozen=True, slots=True)
class ScanError:
    """A file, or part of one, that could not be analysed (error) or deserves a word (warning)."""

    path: str
    message: str
    line: int = 0
    column: int = 0
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"


@dataclass(frozen=True, slots=True)
class FormatRead:
    """How much of one input format a scan read, or recognised without a reader: the "Read:" line."""

    name: str  # the frontend's name
    title: str  # "Terraform"
    unit: str  # what `count` counts: "file", "chart"
    count: int
    objects: int = 0  # what the files hold, where the frontend counts them (Kubernetes objects)
    object_noun: str = ""  # "object"; empty: not counted
    analysed: bool = True  # False: recognised infrastructure code that no reader analyses yet

    def __str__(self) -> str:
        def plural(n: int, noun: str) -> str:
            return f"{n} {noun}" + ("" if n == 1 else "s")

        counted = plural(self.count, self.unit)
        if self.object_noun:
            return f"{plural(self.objects, f'{self.title} {self.object_noun}')} in {counted}"
        return f"{self.count} {self.title} {counted.split(' ', 1)[1]}"


@dataclass(frozen=True, slots=True)
class Directive:
    """An inline suppression as the reader of its file found it, with the extent its syntax gives.

    Readers find the marked comments (and annotations) while they parse, so no file is read a
    second time; suppress.py turns the text into rule ids, reason and expiry and applies them.
    """

    path: str  # posix, relative to the scan root
    line: int  # the line of the comment or annotation
    text: str  # what follows the marker: "[AWS-DYNAMODB] reason: ..., until: 2027-06-30"; annotations: "AWS-EBS: reason ..."
    start: int  # first line covered
    end: int  # last line covered
    block: bool = False  # covers the resources declared in [start, end], not only findings on those lines
    module: str = ""  # a Terraform `module "name"` block: the findings of what that call creates are covered too
    kind: str = "comment"  # or "annotation"


@dataclass(frozen=True, slots=True)
class ChartValues:
    """Values a release in the tree passes to a chart in the tree (a Flux HelmRelease naming a chart
    path): the Helm frontend renders that chart with them, after the chart's own values."""

    chart: str  # the chart directory, posix relpath from the scan root ("." for the root)
    display: str  # the file the values are written in, relpath
    data: Mapping[str, Any]
    lines: Mapping[tuple, int]  # key path -> line in `display`
    referrer: str  # what passes them: "HelmRelease/app in deploy/app.yaml"


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What an analyser returns: the resources it found, the problems it met, the suppressions it read."""

    resources: tuple[Resource, ...] = ()
    errors: tuple[ScanError, ...] = ()
    directives: tuple[Directive, ...] = ()
    # (Terraform root module directory as a posix relpath, resource kinds; empty: all) this result
    # deploys in their place (a Terragrunt unit's module with its inputs, a plan of them): the
    # Terraform frontend's own resources of those roots and kinds are dropped, never counted twice.
    supersedes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    chart_values: tuple[ChartValues, ...] = ()  # values passed to charts of the tree, for the frontends after this one


def terraform_root(resource: Resource) -> str:
    """The root module directory a Terraform resource was evaluated from (posix relpath, "." for the scan root)."""
    if resource.location.origin.modules:
        return resource.location.origin.root or "."
    directory = resource.location.path.rpartition("/")[0]
    return directory or "."


def fingerprint(finding: Finding) -> str:
    """A finding's identity across edits: rule, file, resource and evidence, never the line.

    The evidence includes where in the resource it sits (the key path), so the same annotation
    on two Services of one values file, or one ARN in two attributes, are two findings.
    """
    import hashlib

    parts = (
        finding.rule.id,
        finding.location.path,
        str(finding.location.origin),
        finding.resource.address,
        finding.signal.kind,
        finding.signal.value,
        finding.signal.context,
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]
