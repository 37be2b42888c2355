"""Identity and logs: do workloads authenticate and ship logs through open interfaces, or the provider's own?

Workload identity is the provider's own (IRSA, EKS Pod Identity, Entra workload identity, GKE
workload identity, managed identities, access keys; an OIDC provider *in* the provider's IAM is
still the provider's IAM: the trust ends there) or open federation run by you (SPIFFE/SPIRE,
Dex, Keycloak and other OIDC/SAML servers). Logs go to the provider's log service (CloudWatch
Logs, Azure Monitor / Log Analytics, Cloud Logging, their agents and exporters) or leave through
open interfaces (OTLP, syslog, Fluent Bit, Fluentd, Vector, Loki) to a backend you choose.

Findings are classified by rule id (and, where a rule covers more than this, by signal kind and
value); workloads by their images. The patterns are data, in rules/operational.yaml under
`identity_logs:`, checked when loaded. A sovereignty criterion, not an effort item.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portacheck.model import Finding, Location, Resource
from portacheck.sovereignty.control import Check, Node, read_data

PROVIDER = "provider"
OPEN = "open"
CLASSES = (PROVIDER, OPEN)
IDENTITY = "identity"
LOGS = "logs"
TOPICS = (IDENTITY, LOGS)
_TITLE = {(IDENTITY, PROVIDER): "provider identity", (IDENTITY, OPEN): "open federation", (LOGS, PROVIDER): "provider log service", (LOGS, OPEN): "open log shipping"}


@dataclass(frozen=True, slots=True)
class Pattern:
    """What one entry of the data matches: findings of a rule (its signal kind and values), or images."""

    topic: str  # identity, logs
    klass: str  # provider, open
    what: str
    provider: str = ""  # provider key for the provider class
    rule: str = ""
    signal: str = ""  # a signal kind; "" any
    values: tuple[str, ...] = ()  # globs on the signal value; empty: any
    images: tuple[str, ...] = ()  # globs on k8s_image values (repository without tag)

    def matches_finding(self, finding: Finding) -> bool:
        if not self.rule or finding.rule.id != self.rule:
            return False
        if self.signal and finding.signal.kind != self.signal:
            return False
        return not self.values or _any(finding.signal.value, self.values)

    def matches_image(self, image: str) -> bool:
        return bool(self.images) and _any(image, self.images)


def _any(value: str, patterns: Sequence[str]) -> bool:
    text = value.lower()
    return any(fnmatch.fnmatchcase(text, pattern.lower()) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One place that decides a class: where, what, and by which rule or image."""

    topic: str
    klass: str
    location: Location
    address: str  # the resource: "ServiceAccount/orders", "aws_iam_openid_connect_provider.ci"
    what: str  # from the data: "IAM roles for service accounts (IRSA)", "Fluent Bit"
    provider: str  # provider key for the provider class, "" for open
    rule: str = ""  # the rule id, when a finding decided
    image: str = ""  # the image, when an image decided
    value: str = ""  # the signal value of the finding


@dataclass(frozen=True)
class IdentityAndLogs:
    evidence: tuple[Evidence, ...]

    def of(self, topic: str, klass: str) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.topic == topic and e.klass == klass)

    def count(self, topic: str, klass: str) -> int:
        return len(self.of(topic, klass))

    @property
    def identity_provider(self) -> tuple[Evidence, ...]:
        return self.of(IDENTITY, PROVIDER)

    @property
    def identity_open(self) -> tuple[Evidence, ...]:
        return self.of(IDENTITY, OPEN)

    @property
    def logs_provider(self) -> tuple[Evidence, ...]:
        return self.of(LOGS, PROVIDER)

    @property
    def logs_open(self) -> tuple[Evidence, ...]:
        return self.of(LOGS, OPEN)


_LOADED: dict[str, tuple[Pattern, ...]] = {}


def load_patterns(path: Path | None = None) -> tuple[Pattern, ...]:
    data, display = read_data(path)
    key = str(path)
    if key not in _LOADED:
        _LOADED[key] = _patterns(Check(display).section(data, "identity_logs"))
    return _LOADED[key]


def _patterns(node: Node) -> tuple[Pattern, ...]:
    node.keys(TOPICS, TOPICS)
    result = []
    for topic in TOPICS:
        section = node.child(topic)
        section.keys(CLASSES, CLASSES)
        for klass in CLASSES:
            for item in section.items(klass):
                fields = ("what", "rule", "signal", "values", "images") + (("provider",) if klass == PROVIDER else ())
                item.keys(fields, ("what", "provider") if klass == PROVIDER else ("what",))
                rule = item.text("rule", "")
                images = item.strings("images")
                if bool(rule) == bool(images):
                    raise node.check.fail(item.data.line, item.field, "expected exactly one of `rule` and `images`")
                if images and ("signal" in item.data or "values" in item.data):
                    raise node.check.fail(item.data.line, item.field, "`signal` and `values` go with `rule`, not `images`")
                values = item.strings("values")
                signal = item.text("signal", "")
                if values and not signal:
                    raise node.check.fail(item.data.line, item.field, "`values` needs `signal`")
                result.append(Pattern(topic, klass, item.text("what"), item.text("provider", ""), rule, signal, values, images))
    return tuple(result)


def view(resources: Sequence[Resource], findings: Sequence[Finding], patterns: Sequence[Pattern] | None = None) -> IdentityAndLogs:
    """Findings first (the provider class before the open one), then workload images no finding claimed."""
    patterns = tuple(patterns) if patterns is not None else load_patterns()
    found: list[Evidence] = []
    seen: set[tuple] = set()
    claimed: set[tuple[int, str]] = set()  # (resource, image) a finding already decided
    for finding in sorted(findings, key=lambda f: (f.location.path, f.location.line, f.rule.id)):
        pattern = next((p for p in patterns if p.matches_finding(finding)), None)
        if pattern is None:
            continue
        if finding.signal.kind == "k8s_image":
            claimed.add((id(finding.resource), finding.signal.value.lower()))
        key = (pattern.topic, id(finding.resource), finding.rule.id, pattern.what)
        if key in seen:
            continue
        seen.add(key)
        found.append(Evidence(pattern.topic, pattern.klass, finding.location, finding.resource.address, pattern.what, pattern.provider, rule=finding.rule.id, value=finding.signal.value))
    image_patterns = [p for p in patterns if p.images]
    for resource in resources:
        for signal in resource.signals:
            if signal.kind != "k8s_image" or (id(resource), signal.value.lower()) in claimed:
                continue
            pattern = next((p for p in image_patterns if p.matches_image(signal.value)), None)
            if pattern is None:
                continue
            key = (pattern.topic, id(resource), signal.value.lower(), pattern.what)
            if key in seen:
                continue
            seen.add(key)
            found.append(Evidence(pattern.topic, pattern.klass, signal.location, resource.address, pattern.what, pattern.provider, image=signal.value))
    found.sort(key=lambda e: (TOPICS.index(e.topic), CLASSES.index(e.klass), e.location.path, e.location.line, e.address))
    return IdentityAndLogs(tuple(found))


def lines(view: IdentityAndLogs) -> list[str]:
    """The section's text: per topic a headline with the counts, then one line per piece of evidence."""
    result = []
    for topic, title in ((IDENTITY, "Workload identity"), (LOGS, "Logs")):
        counts = {klass: view.count(topic, klass) for klass in CLASSES}
        if not any(counts.values()):
            result.append(f"{title}: nothing found")
            continue
        result.append(f"{title}: {counts[PROVIDER]} {_TITLE[(topic, PROVIDER)]}, {counts[OPEN]} {_TITLE[(topic, OPEN)]}")
        for evidence in view.evidence:
            if evidence.topic != topic:
                continue
            by = f"rule {evidence.rule}: {evidence.value}" if evidence.rule else f"image {evidence.image}"
            holder = f", {evidence.provider}" if evidence.provider else ""
            result.append(f"  {_TITLE[(topic, evidence.klass)]}{holder}: {evidence.what} in {evidence.location} ({evidence.address}, {by})")
    return result
