"""Where each deployed resource runs, in law, and whether that meets a sovereignty profile.

Jurisdiction is judged by (provider, region), never by the region string alone: Leaseweb's
`eu-west-3` is Amsterdam, AWS's is Paris. A resource's region is its own `region`/`location`, else
the region of its provider's configuration in its Terraform root when there is exactly one. The
hyperscalers' sovereign partitions and partner-operated offers are recognised from the code
(region, endpoint domain, ARN partition, Google `universe_domain`, Assured Workloads `partner`) and
reported for what they are: the same proprietary APIs (portability levels do not change), a
different operator and jurisdiction. Portability never enters a sovereignty verdict, nor the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portacheck.model import Finding, Resource, Unresolved, terraform_root
from portacheck.rules.loader import Catalogue, Partition, Profile, Provider

if TYPE_CHECKING:  # loaded by view(), when a scan asks for the lens
    from portacheck.sovereignty.control import ControlPlane
    from portacheck.sovereignty.custody import KeyCustody
    from portacheck.sovereignty.identity import IdentityAndLogs

MEETS = "meets"
FAILS = "does not meet"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not applicable"
VERDICTS = (MEETS, FAILS, UNKNOWN, NOT_APPLICABLE)

# Attributes the parsers must keep for this lens (beside region, location and zone, always kept).
ATTRIBUTES = frozenset({"universe_domain", "partner", "compliance_regime"})
_RUNS_ANYWHERE = ("neutral",)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a resource runs: provider, region and its class, and a sovereign partition when recognised."""

    provider: str  # provider key, "" when none
    region: str  # "" when not resolved
    region_class: str  # eu, eea, outside-eu, unknown
    partition: Partition | None = None
    how: str = ""  # how the region or partition was found


@dataclass(frozen=True, slots=True)
class Judged:
    """One deployed resource under the profile."""

    resource: Resource
    placement: Placement
    verdict: str  # one of VERDICTS
    reason: str


@dataclass(frozen=True)
class SovereigntyView:
    profile: Profile
    resources: tuple[Judged, ...]
    control: ControlPlane | None = None  # the infrastructure-code control plane (control.py)
    identity: IdentityAndLogs | None = None  # workload identity and log shipping (identity.py)
    custody: tuple[KeyCustody, ...] = ()  # key custody of each data store (custody.py)

    def count(self, verdict: str) -> int:
        return sum(1 for judged in self.resources if judged.verdict == verdict)

    @property
    def judged(self) -> int:
        """Resources the profile applies to (not the provider-neutral ones)."""
        return len(self.resources) - self.count(NOT_APPLICABLE)

    @property
    def share(self) -> float:
        return self.count(MEETS) / self.judged if self.judged else 0.0

    def partitions(self) -> list[tuple[Partition, int]]:
        """The sovereign offers in use, with how many resources run in each."""
        found: dict[str, tuple[Partition, int]] = {}
        for judged in self.resources:
            partition = judged.placement.partition
            if partition is not None:
                found[partition.key] = (partition, found.get(partition.key, (partition, 0))[1] + 1)
        return sorted(found.values(), key=lambda item: (-item[1], item[0].key))


def load_profile(path: str) -> Profile:
    """A profile of one's own: a YAML file with `profiles:` holding exactly one profile, shaped as rules/sovereignty.yaml."""
    from pathlib import Path

    from portacheck.errors import RuleError
    from portacheck.rules.loader import profiles_of, read_rule_file

    data = read_rule_file(Path(path), path)
    found = profiles_of(data, path)
    if len(found) != 1:
        raise RuleError(f"{path}: expected `profiles:` with exactly one profile, found {len(found)}")
    return next(iter(found.values()))


def view(resources: Sequence[Resource], everything: Iterable[Resource], findings: Sequence[Finding], catalogue: Catalogue, profile: Profile) -> SovereigntyView:
    """`resources` are the deployed ones judged; `everything` the inventory (provider blocks give regions)."""
    defaults = _provider_settings(everything, catalogue)
    mentions = _mentions(findings)
    judged = []
    for resource in resources:
        placement = place(resource, defaults, mentions.get(id(resource), ()), catalogue)
        verdict, reason = judge(placement, catalogue.providers.get(placement.provider), profile, resource)
        judged.append(Judged(resource, placement, verdict, reason))
    from portacheck.sovereignty import control, custody, identity

    inventory = list(everything)
    found = list(findings)
    deployed = {id(r) for r in resources}
    stores = tuple(c for c in custody.judge(inventory, custody.load()) if id(c.resource) in deployed)
    return SovereigntyView(profile, tuple(judged), control.view(inventory, found), identity.view(inventory, found), stores)


def family(key: str, catalogue: Catalogue) -> str:
    """google-beta configures like google."""
    return "google" if key == "google-beta" and "google" in catalogue.providers else key


def place(resource: Resource, defaults: Mapping[tuple[str, str], list[dict]], mentioned: Sequence[str], catalogue: Catalogue) -> Placement:
    key = family(resource.provider or "", catalogue)
    provider = catalogue.providers.get(key)
    region, how = _own_region(resource)
    settings = defaults.get((key, terraform_root(resource)), []) if resource.source == "terraform" else []
    if not region and settings:
        regions = sorted({s["region"] for s in settings if s.get("region")})
        if len(regions) == 1:
            region, how = regions[0], "the region of its provider configuration"
        elif len(regions) > 1:
            how = f"several provider configurations in its root ({', '.join(regions)}); which one it uses is not resolved"
    region_class = provider.region_class(region) if provider and region else "unknown"
    partition = None
    if provider is not None:
        partition, found = _partition(provider, region, resource, settings, mentioned)
        if partition is not None:
            how = found
            if not region and len(partition.regions) == 1:  # a one-region partition names the region
                region = partition.regions[0]
                region_class = provider.region_class(region)
    return Placement(key, region, region_class, partition, how)


def judge(placement: Placement, provider: Provider | None, profile: Profile, resource: Resource) -> tuple[str, str]:
    if resource.source in ("kubernetes", "helm") or not placement.provider or (provider is not None and provider.kind in _RUNS_ANYWHERE):
        return NOT_APPLICABLE, "provider-neutral: it runs where you run it"
    if provider is None:
        return UNKNOWN, f"provider {placement.provider!r} is not in the catalogue: its ownership and regions are not known"
    partition = placement.partition
    offer = f"{partition.name} (run by {partition.operator})" if partition else ""
    passed, why = _provider_test(provider, profile)
    if not passed:
        if partition is not None and profile.sovereign_offers:
            pass  # the profile accepts the sovereign offer in place of the parent company
        elif partition is not None:
            return FAILS, f"{offer}: {why}; a sovereign offer improves the jurisdiction, the {profile.name.lower()} profile does not count it"
        elif why.endswith("not recorded"):
            return UNKNOWN, why
        else:
            return FAILS, why
    where = placement.region or "its region"
    if placement.region_class == "unknown":
        detail = f": {placement.how}" if placement.how else ""
        return UNKNOWN, f"region not resolved{detail}"
    if placement.region_class not in profile.regions:
        return FAILS, f"{where} ({provider.name}) is {_CLASS_WORDS[placement.region_class]}"
    text = f"{where} ({provider.name}) is {_CLASS_WORDS[placement.region_class]}"
    if partition is not None:
        text += f"; in {offer}: the same proprietary APIs, a sovereign operator"
    return MEETS, text


_CLASS_WORDS = {"eu": "in the EU", "eea": "in the EEA", "outside-eu": "outside the EU and EEA", "unknown": "of unknown jurisdiction"}


def _provider_test(provider: Provider, profile: Profile) -> tuple[bool, str]:
    if profile.provider == "any":
        return True, ""
    if not provider.eu_headquartered:
        if not provider.headquarters:
            return False, f"{provider.name} is not recorded as EU-headquartered"
        return False, f"{provider.name} is headquartered in {provider.headquarters}, not in the EU"
    if profile.provider == "eu-owned":
        if provider.non_eu_parent is None:
            return False, f"{provider.name}'s ownership is not recorded"
        if provider.non_eu_parent:
            owned = f" ({provider.ownership}, as of {provider.ownership_as_of})" if provider.ownership else ""
            return False, f"{provider.name} has a parent outside the EU{owned}"
    return True, ""


def _own_region(resource: Resource) -> tuple[str, str]:
    for key in ("region", "location"):
        value = resource.attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower().replace(" ", ""), f"its `{key}`"
        if isinstance(value, Unresolved):
            return "", f"its `{key}` is {value.expression}"
    return "", ""


def _provider_settings(resources: Iterable[Resource], catalogue: Catalogue) -> dict[tuple[str, str], list[dict]]:
    """Terraform provider blocks by (provider family, root): their region and universe_domain."""
    found: dict[tuple[str, str], list[dict]] = {}
    for resource in resources:
        if resource.kind != "provider" or not resource.provider:
            continue
        settings = {}
        for key in ("region", "universe_domain"):
            value = resource.attributes.get(key)
            if isinstance(value, str) and value.strip():
                settings[key] = value.strip().lower()
        found.setdefault((family(resource.provider, catalogue), terraform_root(resource)), []).append(settings)
    return found


def _mentions(findings: Iterable[Finding]) -> dict[int, list[str]]:
    """Hostnames and ARNs each resource mentions (text signals), for partition domains and ARN prefixes."""
    result: dict[int, list[str]] = {}
    for finding in findings:
        if finding.signal.kind == "text":
            result.setdefault(id(finding.resource), []).append(finding.signal.value.lower())
    return result


def _partition(provider: Provider, region: str, resource: Resource, settings: Sequence[dict], mentioned: Sequence[str]) -> tuple[Partition | None, str]:
    zone = re.sub(r"-[a-z]$", "", region)
    universes = {s["universe_domain"] for s in settings if s.get("universe_domain")}
    own_universe = resource.attributes.get("universe_domain")
    if isinstance(own_universe, str):
        universes.add(own_universe.lower())
    partner = resource.attributes.get("partner")
    for partition in provider.partitions:
        if region and (region in partition.regions or zone in partition.regions):
            return partition, f"region {region}"
        for universe in universes:
            if universe in partition.universe_domains:
                return partition, f"universe_domain {universe}"
        if isinstance(partner, str) and partner.upper() in partition.partners:
            return partition, f"Assured Workloads partner {partner.upper()}"
        for value in mentioned:
            if any(value.startswith(prefix.lower()) for prefix in partition.arn_prefixes):
                return partition, f"ARN {value}"
            host = re.sub(r"^[a-z0-9+.-]+://", "", value).split("/", 1)[0]
            if any(host == d or host.endswith("." + d) for d in partition.domains):
                return partition, f"endpoint {host}"
    return None, ""
