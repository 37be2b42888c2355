"""Match the inventory against the catalogue: every signal of every resource gets its rule.

A signal no rule claims becomes an unknown (level U) finding when its kind must be classified
(Terraform types, module sources, backends); `text` signals go through the shared endpoint
matcher. What a resource deploys (its type or kind) gets the rule in full; what it only mentions
(an endpoint, ARN or service principal in a `text` signal) is a coupling finding: the rule's
level, priced at the coupling band. A rule's conditions move its level for one resource; when an attribute a condition
needs cannot be resolved, the level is U and the finding says which expression.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from portacheck.model import COUPLING_BAND, Finding, Level, Location, MatchKind, Resource, Rule, Signal, Unresolved
from portacheck.parse import registry
from portacheck.rules.endpoints import EndpointMatcher, Hit
from portacheck.rules.loader import MATCH_KINDS, Catalogue
from portacheck.rules.patterns import PatternIndex

# How each signal kind is matched (rule keys in order) and whether it must be classified: as the
# frontend that emits it declares.
SIGNAL_KINDS: Mapping[str, MatchKind] = {name: kind for name, kind in registry.match_kinds().items() if name != "endpoints"}
TEXT_SIGNAL = registry.TEXT_KIND
IMAGE_SIGNAL = "k8s_image"


class Matcher:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.indexes: dict[str, PatternIndex[Rule]] = {}  # built per match kind on first use: a pre-commit run needs one or two
        self.endpoints = EndpointMatcher(catalogue)
        self._unknown_rules: dict[tuple[str, str], Rule] = {}

    # -- lookups --

    def rules_for(self, kind: str, value: str) -> list[Rule]:
        """The rules that claim a value of a signal kind, best first; more than one is an overlap."""
        policy = SIGNAL_KINDS.get(kind)
        keys = (policy.match_keys or (kind,)) if policy else (kind,)
        for key in keys:
            index = self._index(key)
            if index is None:
                continue
            found = index.lookup(value)
            if found:
                return sorted({rule.id: rule for _pattern, rule in found}.values(), key=lambda r: r.id)
        return []

    def _index(self, key: str) -> PatternIndex[Rule] | None:
        if key == "endpoints" or key not in MATCH_KINDS:
            return None
        index = self.indexes.get(key)
        if index is None:
            index = self.indexes[key] = PatternIndex(
                ((p, r) for r in self.catalogue.rules for p in r.match.get(key, ())), priority=lambda rule: rule.priority
            )
        return index

    # -- the stage --

    def match(self, resources: Iterable[Resource]) -> list[Finding]:
        findings: list[Finding] = []
        for resource in resources:
            findings.extend(self.match_resource(resource))
        return findings

    def match_resource(self, resource: Resource) -> list[Finding]:
        findings: list[Finding] = []
        claimed: set[str] = set()
        explained: set[str] = set()  # contexts whose value a structured signal already judged
        for signal in resource.signals:
            if signal.kind == TEXT_SIGNAL:
                continue
            rules = self.rules_for(signal.kind, signal.value)
            if rules:
                rule = rules[0]
                level, why = evaluate_conditions(rule, resource)
                findings.append(Finding(rule, resource, signal, level, why))
                claimed.add(rule.id)
                # A neutral image rule (distroless on gcr.io) vouches for its registry host too.
                if signal.context and (rule.level is not Level.P0 or signal.kind == IMAGE_SIGNAL):
                    explained.add(signal.context)
            else:
                policy = SIGNAL_KINDS.get(signal.kind)
                if policy and policy.unknown_when_unmatched:
                    rule = self.unknown_rule(resource.provider, policy.unknown_id, "Terraform types" if policy.unknown_id == "TYPE" and signal.kind.startswith("terraform") else policy.what + "s")
                    why = f"{policy.what} {signal.value!r} is not in the catalogue"
                    if resource.kind == "module" and resource.attributes.get("unresolved"):
                        why += f"; {resource.attributes['unresolved']}"
                    findings.append(Finding(rule, resource, signal, Level.U, why))
                    claimed.add(rule.id)
        # One finding per service and line, and per service and evidence at one key path: the
        # same ARN twice in a script, or one registry in every entry of a map, is said once.
        seen: set[tuple] = set()
        for signal in resource.signals:
            if signal.kind != TEXT_SIGNAL or signal.context in explained:
                continue  # e.g. the role ARN of an IRSA annotation: the annotation's rule judges it
            for hit in self.endpoints.scan(signal.value):
                finding = self._text_finding(resource, signal, hit, claimed)
                if finding is None:
                    continue
                keys = ((finding.rule.id, finding.signal.location.line), (finding.rule.id, signal.context, finding.signal.value))
                if not any(key in seen for key in keys):
                    seen.update(keys)
                    findings.append(finding)
        return findings

    def _text_finding(self, resource: Resource, signal: Signal, hit: Hit, claimed: set[str]) -> Finding | None:
        location = signal.location
        line = location.line + signal.value.count("\n", 0, hit.start) if location.line else 0
        evidence = Signal(
            TEXT_SIGNAL,
            hit.token,
            Location(location.path, line, 0, location.origin),
            signal.context,
            signal.values_location,
        )
        if hit.rule is None:
            if hit.provider == self.family(resource.provider):
                return None  # a resource of the provider naming its own API: nothing new
            rule = self.unknown_rule(hit.provider, "ENDPOINT", "service endpoints")
            why = f"{hit.token} is a {self.provider_name(hit.provider)} endpoint that the catalogue does not map to a service"
            return Finding(rule, resource, evidence, Level.U, why, coupling=True)
        if hit.rule.id in claimed:
            return None  # the resource's own service; the type finding says it already
        why = f"Mentions {hit.rule.service} without deploying it: a coupling, at the service's level, priced at band {COUPLING_BAND}."
        return Finding(hit.rule, resource, evidence, hit.rule.level, why, coupling=True)

    def provider_name(self, key: str) -> str:
        provider = self.catalogue.providers.get(key)
        return provider.name if provider else key or "unknown provider"

    def family(self, provider: str) -> str:
        """google-beta resources belong to Google Cloud: the provider whose type prefix they use."""
        known = self.catalogue.providers.get(provider)
        if known and known.terraform_prefix and known.terraform_prefix in self.catalogue.providers:
            return known.terraform_prefix
        return provider

    def unknown_rule(self, provider: str, suffix: str, what: str) -> Rule:
        provider = self.family(provider)
        key = (provider, suffix)
        if key not in self._unknown_rules:
            prefix = (provider or "").upper().replace("_", "-")
            rule_id = f"{prefix}-UNKNOWN-{suffix}" if prefix else f"UNKNOWN-{suffix}"
            service = f"Unclassified {what}" + (f" ({self.provider_name(provider)})" if provider else "")
            self._unknown_rules[key] = Rule(
                id=rule_id,
                provider=provider,
                service=service,
                category="other",
                level=Level.U,
                why="not in the catalogue: classify it, then re-estimate",
                effort="?",
                match={},
                source_file="",
            )
        return self._unknown_rules[key]


_MISSING = object()


def evaluate_conditions(rule: Rule, resource: Resource) -> tuple[Level, str]:
    """The level of a rule for one resource: the first condition that fires, else the rule's own."""
    for condition in rule.conditions:
        values = attribute_values(resource.attributes, condition.attribute)
        if isinstance(values, Unresolved):
            if condition.if_unresolved == "skip":
                continue
            if condition.if_unresolved == "fire":  # written, so set: e.g. a bus name that refers to a bus
                return condition.level, f"{condition.why} ({condition.attribute} = {values.expression})"
            return Level.U, (
                f"{condition.attribute} = {values.expression} could not be resolved, "
                f"and the level depends on it ({condition.why})"
            )
        if condition.values:
            if values is _MISSING:
                continue
            texts = [str(v).lower() for v in values]
            if any(fnmatch.fnmatchcase(text, pattern) for text in texts for pattern in condition.values):
                return condition.level, condition.why
        else:
            is_set = values is not _MISSING and any(v not in (None, False, "", [], {}) for v in values)
            if is_set == condition.present:
                return condition.level, condition.why
    return rule.level, rule.why


def attribute_values(attributes: Mapping[str, Any], path: str) -> Any:
    """Values at a dotted path, lists flattened; _MISSING when absent, Unresolved when unknown."""
    current: list[Any] = [attributes]
    for step in path.split("."):
        following: list[Any] = []
        for value in current:
            if isinstance(value, Unresolved):
                return value
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, Unresolved):
                        return item
                    if isinstance(item, dict) and step in item:
                        following.append(item[step])
            elif isinstance(value, dict) and step in value:
                following.append(value[step])
        if not following:
            return _MISSING
        current = following
    flat: list[Any] = []
    for value in current:
        if isinstance(value, Unresolved):
            return value
        if isinstance(value, list):
            for item in value:
                if isinstance(item, Unresolved):
                    return item
                flat.append(item)
        else:
            flat.append(value)
    return flat
