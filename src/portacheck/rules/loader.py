"""Turn the YAML files under rules/ into a validated Catalogue, or fail naming file, rule and field.

A rule file holds a list of services under `rules:` (and optionally a file-wide default
`provider:`); `providers.yaml` holds the providers under `providers:`. An analyser's own mapping
file (rules/kubernetes/, rules/sdk/) may add patterns to existing services under `signals:`, by
rule id, so that one service keeps one rule whatever analyser finds it. The schema is written out
in docs/rules.md; this module is its only enforcement.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from portacheck._ydata import DataError, LineDict
from portacheck.errors import RuleError
from portacheck.model import (
    CATEGORIES,
    COMPATIBILITIES,
    EFFORT_BANDS,
    LEVEL_BAND,
    Certification,
    Condition,
    Level,
    ManagedOffer,
    Rule,
    RuleExample,
    Target,
)
from portacheck.parse import registry

# What a rule can match (the frontends' signal kinds and `endpoints`), and which frontends can run
# a rule's examples: both come from the frontend registry.
MATCH_KINDS: Mapping[str, str] = {name: kind.description for name, kind in registry.match_kinds().items()}
EXAMPLE_SOURCES = registry.example_sources()

PROVIDER_KINDS = ("hyperscaler", "european", "neutral", "saas", "other")
CONFIDENCES = ("high", "medium", "low")
RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]*[A-Z0-9]$")

_RULE_KEYS = {
    "id", "provider", "service", "category", "level", "why", "standard", "open_source", "managed",
    "effort", "effort_why", "confidence", "match", "conditions", "examples", "notes", "priority", "self_run",
}
_TARGET_KEYS = {
    "name", "kind", "headquarters", "eu_headquartered", "parent", "ownership", "ownership_as_of", "regions",
    "certifications", "platform_cost", "providers", "terraform_prefixes", "platform", "notes", "sources",
}
TARGET_KINDS = ("provider", "private", "onprem")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PROVIDER_KEYS = {
    "name", "kind", "headquarters", "eu_headquartered", "terraform_sources", "terraform_prefix", "domains", "notes",
    "regions", "ownership", "non_eu_parent", "ownership_as_of", "sources", "partitions", "regions_as_of", "regions_sources",
}
_PARTITION_KEYS = {
    "key", "name", "kind", "operator", "operator_eu_owned", "as_of", "regions", "domains", "arn_prefixes",
    "universe_domains", "partners", "sources", "notes",
}
_PROFILE_KEYS = {"name", "description", "regions", "provider", "sovereign_offers"}
# Where a region's data sits, in law: an EU member state, the EEA, or outside both (which includes
# countries with an adequacy decision, such as the UK and Switzerland: a different legal regime).
REGION_CLASSES = ("eu", "eea", "outside-eu")


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider the catalogue knows; jurisdiction lives here, never in a level."""

    key: str
    name: str
    kind: str
    headquarters: str
    eu_headquartered: bool | None  # None for neutral software that runs wherever you run it
    terraform_sources: tuple[str, ...] = ()
    terraform_prefix: str = ""  # resource type prefix when it differs from the key (google-beta: google)
    domains: tuple[str, ...] = ()
    regions: Mapping[str, str] = field(default_factory=dict)  # region name -> one of REGION_CLASSES
    # Who controls the company, dated: strict sovereignty asks for no parent outside the EU.
    ownership: str = ""
    non_eu_parent: bool | None = None  # None: not recorded
    ownership_as_of: str = ""
    sources: tuple[str, ...] = ()
    partitions: tuple[Partition, ...] = ()  # sovereign partitions and partner-operated offers of this provider
    regions_as_of: str = ""  # the date the region list and its classes were checked
    regions_sources: tuple[str, ...] = ()

    def region_class(self, region: str) -> str:
        """`eu`, `eea`, `outside-eu`, or `unknown`; zones are judged by their region (`eu-west-1a`)."""
        name = region.lower().replace(" ", "")
        for candidate in (name, re.sub(r"-[a-z]$", "", name), re.sub(r"(\d)[a-z]$", r"\1", name)):
            if candidate in self.regions:
                return self.regions[candidate]
        return "unknown"


PARTITION_KINDS = ("sovereign-partition", "partner-operated")


@dataclass(frozen=True, slots=True)
class Partition:
    """A hyperscaler's sovereign offer, recognised in code: the same proprietary APIs (the level
    stays), a better jurisdiction (AWS European Sovereign Cloud, S3NS, Assured Workloads partners)."""

    key: str
    name: str
    kind: str  # one of PARTITION_KINDS
    operator: str  # who runs it
    operator_eu_owned: bool  # the operator is an EU company with no non-EU parent
    as_of: str
    regions: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # endpoint DNS suffixes
    arn_prefixes: tuple[str, ...] = ()
    universe_domains: tuple[str, ...] = ()  # Google provider `universe_domain`
    partners: tuple[str, ...] = ()  # Google Assured Workloads `partner` values
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Profile:
    """A sovereignty profile (`--sovereignty`): what a resource must satisfy to count as sovereign."""

    key: str
    name: str
    description: str
    regions: tuple[str, ...]  # region classes accepted: eu, eea, outside-eu
    provider: str  # one of PROFILE_PROVIDER_TESTS
    sovereign_offers: bool  # a resource in a sovereign partition or partner-operated offer meets it (when its region does)
    source: str = ""  # the file it came from


PROFILE_PROVIDER_TESTS = ("any", "eu-headquartered", "eu-owned")


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]
    providers: Mapping[str, Provider]
    by_id: Mapping[str, Rule] = field(default_factory=dict)
    targets: Mapping[str, Target] = field(default_factory=dict)
    profiles: Mapping[str, Profile] = field(default_factory=dict)

    def target(self, key: str) -> Target:
        try:
            return self.targets[key.lower()]
        except KeyError:
            close = difflib.get_close_matches(key.lower(), list(self.targets), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise RuleError(f"no target {key!r}{hint} (targets: {', '.join(self.targets)})") from None

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.by_id[rule_id.upper()]
        except KeyError:
            close = difflib.get_close_matches(rule_id.upper(), list(self.by_id), n=3, cutoff=0.8)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise RuleError(f"no rule with id {rule_id!r}{hint} (see `portacheck rules list`)") from None

    def type_prefixes(self) -> dict[str, str]:
        """Source addresses whose resource types do not start with the source's own name."""
        return {s.lower(): p.terraform_prefix for p in self.providers.values() if p.terraform_prefix for s in p.terraform_sources}

    def attributes_of_interest(self) -> frozenset[str]:
        """Top-level attribute names that some rule condition looks at."""
        return frozenset(c.attribute.split(".", 1)[0] for r in self.rules for c in r.conditions)

    def provider_for_source(self) -> dict[str, str]:
        """Terraform source address (lower case, without host) to provider key."""
        result = {}
        for provider in self.providers.values():
            for source in provider.terraform_sources:
                result[source.lower()] = provider.key
        return result


def bundled_rules_dir() -> Path:
    """The catalogue shipped with portacheck: inside the wheel, or rules/ of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_rules"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "rules"


def load_catalogue(extra_dirs: Iterable[Path | str] = (), include_bundled: bool = True, cache_dir: str | None = None) -> Catalogue:
    """Load the bundled rules, then extra directories whose rules add to or replace bundled ones.

    With `cache_dir`, the validated catalogue is kept there as plain data (portacheck.cache), under
    a key made of the rule files' paths, sizes and modification times: a pre-commit hook then pays
    a few milliseconds instead of 0.3 s. Any change to a rule file makes a new key; a cache entry
    that cannot be read or written is ignored, never an error.
    """
    dirs = ([bundled_rules_dir()] if include_bundled else []) + [Path(d) for d in extra_dirs]
    if cache_dir is None:
        return _load(dirs)
    from portacheck.cache import Cache, from_plain, to_plain

    stamp = _stamp(dirs)
    if stamp is None:
        return _load(dirs)
    cache = Cache(cache_dir)
    key = cache.key("catalogue", [stamp])
    cached = cache.get("catalogue", key)
    if cached is not None:
        try:
            rules, providers, targets, profiles = from_plain(cached, _CACHED_CLASSES)
            return Catalogue(rules=rules, providers=providers, by_id={r.id: r for r in rules}, targets=targets, profiles=profiles)
        except (ValueError, TypeError):
            pass  # not what this version writes: rebuilt below
    catalogue = _load(dirs)
    cache.put("catalogue", key, to_plain((catalogue.rules, dict(catalogue.providers), dict(catalogue.targets), dict(catalogue.profiles))))
    cache.trim()
    return catalogue


# What a cached catalogue may hold: nothing else is ever built from a cache entry.
_CACHED_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (Rule, Provider, Condition, ManagedOffer, RuleExample, Level, Target, Certification, Partition, Profile)
}


def _stamp(dirs: list[Path]) -> str | None:
    """Paths, sizes and modification times of every rule file; None when a directory is missing."""
    lines = []
    for directory in dirs:
        if not directory.is_dir():
            return None  # _load says what is wrong
        for path in _rule_files(directory):
            try:
                info = path.stat()
            except OSError:
                return None
            lines.append(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n")
    return "".join(lines)


def _load(dirs: list[Path]) -> Catalogue:
    rules: dict[str, Rule] = {}
    providers: dict[str, Provider] = {}
    targets: dict[str, tuple[str, LineDict]] = {}  # key -> (file, node): built once the providers are known
    profiles: dict[str, Profile] = {}
    extensions: list[tuple[str, int, str, dict[str, tuple[str, ...]]]] = []  # (file, line, rule id, match)
    for index, directory in enumerate(dirs):
        if not directory.is_dir():
            raise RuleError(f"{directory}: rules directory does not exist")
        seen_here: dict[str, str] = {}
        for path in _rule_files(directory):
            display = _display(path, directory)
            data = read_rule_file(path, display)
            for provider in _providers(data, display):
                providers[provider.key] = provider
            targets.update(_target_nodes(data, display))
            profiles.update(profiles_of(data, display))
            extensions.extend(_signals(data, display))
            for rule in _rules(data, display):
                if rule.id in seen_here:
                    raise RuleError(f"{display}: rule {rule.id}: id already used in {seen_here[rule.id]}")
                seen_here[rule.id] = display
                if rule.id in rules and index == 0:
                    raise RuleError(f"{display}: rule {rule.id}: id already used in {rules[rule.id].source_file}")
                rules[rule.id] = rule
    for display, line, rule_id, match in extensions:
        if rule_id not in rules:
            raise RuleError(f"{display}:{line}: signals: rule {rule_id!r} does not exist")
        rule = rules[rule_id]
        merged = {kind: tuple(dict.fromkeys(rule.match.get(kind, ()) + patterns)) for kind, patterns in match.items()}
        rules[rule_id] = replace(
            rule,
            match={**rule.match, **merged},
            extended_in=tuple(dict.fromkeys(rule.extended_in + (display,))),
        )
    for rule in rules.values():
        if rule.provider not in providers:
            raise RuleError(
                f"{rule.source_file}: rule {rule.id}: provider: {rule.provider!r} is not declared in providers.yaml"
            )
    built = {key: _target(key, node, display, providers) for key, (display, node) in targets.items()}
    for rule_id, rule in rules.items():
        _check_offers(rule, built)
        if rule.managed:
            rules[rule_id] = replace(rule, managed=tuple(replace(m, target_name=built[m.target].name) for m in rule.managed))
    ordered = tuple(sorted(rules.values(), key=lambda r: r.id))
    return Catalogue(rules=ordered, providers=providers, by_id={r.id: r for r in ordered}, targets=built, profiles=profiles)


def _rule_files(directory: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                found.append(Path(dirpath) / name)
    return found


def _display(path: Path, directory: Path) -> str:
    """`rules/...` names a bundled file (its catalogue reference entry hangs on that); a file of a
    --rules directory keeps the path given, as `./rules/...` when that alone would look bundled."""
    try:
        if directory == bundled_rules_dir():
            return "rules/" + path.relative_to(directory).as_posix()
    except ValueError:  # pragma: no cover
        pass
    shown = str(path)
    return "./" + shown if shown.startswith("rules/") else shown


def read_data_file(path: Path, display: str, what: str = "rule file") -> Any:
    """One of portacheck's YAML data files, parsed; a RuleError names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{display}: cannot read {what}: {exc}") from None
    try:
        from portacheck._yaml import load_data

        return load_data(text)
    except DataError as exc:
        raise RuleError(f"{display}:{exc.line}: {exc.message}") from None


def read_rule_file(path: Path, display: str) -> Any:
    """A rules-directory YAML file (or a custom sovereignty profile), checked at the top level."""
    data = read_data_file(path, display)
    if data is None:
        return LineDict(1)
    if not isinstance(data, LineDict):
        raise RuleError(f"{display}: expected a mapping with `rules:` or `providers:` at the top")
    unknown = set(data) - {"rules", "providers", "provider", "signals", "targets", "profiles", "key_custody", "control_plane", "identity_logs"}
    if unknown:
        key = sorted(unknown)[0]
        raise RuleError(f"{display}:{data.key_lines[key]}: unknown top-level key {key!r} (expected rules, signals, providers, provider, targets, profiles, key_custody, control_plane, identity_logs)")
    return data


class Field:
    """Breadcrumb for one rule's fields: every error names file, line, rule and field."""

    def __init__(self, display: str, node: LineDict, label: str):
        self.display = display
        self.node = node
        self.label = label

    def fail(self, key: str | None, message: str) -> RuleError:
        line = self.node.key_lines.get(key, self.node.line) if key else self.node.line
        where = f"{self.label}: {key}: " if key else f"{self.label}: "
        return RuleError(f"{self.display}:{line}: {where}{message}")

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self.node.get(key)
        if value is None:
            if required:
                raise self.fail(None, f"missing required field {key!r}")
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        text = " ".join(str(value).split())
        if required and not text:
            raise self.fail(key, "must not be empty")
        return text

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise self.fail(key, "expected a list of text")
        return tuple(str(v).strip() for v in value)

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str:
        value = self.node.get(key, default)
        if value is None:
            raise self.fail(None, f"missing required field {key!r}")
        choices = tuple(choices)
        if str(value) not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return str(value)

    def level(self, key: str) -> Level:
        value = self.node.get(key)
        if value is None:
            raise self.fail(None, f"missing required field {key!r}")
        try:
            return Level.parse(str(value))
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def unknown_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.node) - allowed)
        if unknown:
            raise self.fail(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _providers(data: LineDict, display: str) -> list[Provider]:
    section = data.get("providers")
    if section is None:
        return []
    if not isinstance(section, LineDict):
        raise RuleError(f"{display}:{data.key_lines['providers']}: providers: expected a mapping of provider keys")
    result = []
    for key, node in section.items():
        label = f"provider {key}"
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}:{section.key_lines[key]}: {label}: expected a mapping")
        f = Field(display, node, label)
        f.unknown_keys(_PROVIDER_KEYS)
        eu = node.get("eu_headquartered")
        if eu is not None and not isinstance(eu, bool):
            raise f.fail("eu_headquartered", "expected true or false")
        result.append(
            Provider(
                key=key,
                name=f.text("name"),
                kind=f.choice("kind", PROVIDER_KINDS),
                headquarters=f.text("headquarters", required=False),
                eu_headquartered=eu,
                terraform_sources=f.text_list("terraform_sources"),
                terraform_prefix=f.text("terraform_prefix", required=False),
                domains=tuple(d.lower() for d in f.text_list("domains")),
                regions=_regions(f),
                ownership=f.text("ownership", required=False),
                non_eu_parent=_flag(f, "non_eu_parent"),
                ownership_as_of=_date(f, "ownership_as_of", required=False),
                sources=f.text_list("sources"),
                partitions=_partitions(f),
                regions_as_of=_date(f, "regions_as_of", required=False),
                regions_sources=f.text_list("regions_sources"),
            )
        )
    return result


def _flag(f: Field, key: str) -> bool | None:
    value = f.node.get(key)
    if value is not None and not isinstance(value, bool):
        raise f.fail(key, "expected true or false")
    return value


def _partitions(f: Field) -> tuple[Partition, ...]:
    value = f.node.get("partitions", [])
    if not isinstance(value, list):
        raise f.fail("partitions", "expected a list of partitions")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("partitions", f"item {i}: expected a mapping")
        sub = Field(f.display, item, f"{f.label}: partitions[{i}]")
        sub.unknown_keys(_PARTITION_KEYS)
        owned = _flag(sub, "operator_eu_owned")
        if owned is None:
            raise sub.fail(None, "missing required field 'operator_eu_owned'")
        found = Partition(
            key=sub.text("key"),
            name=sub.text("name"),
            kind=sub.choice("kind", PARTITION_KINDS),
            operator=sub.text("operator"),
            operator_eu_owned=owned,
            as_of=_date(sub, "as_of"),
            regions=tuple(r.lower() for r in sub.text_list("regions")),
            domains=tuple(d.lower() for d in sub.text_list("domains")),
            arn_prefixes=sub.text_list("arn_prefixes"),
            universe_domains=tuple(d.lower() for d in sub.text_list("universe_domains")),
            partners=tuple(p.upper() for p in sub.text_list("partners")),
            sources=sub.text_list("sources"),
        )
        if not (found.regions or found.domains or found.arn_prefixes or found.universe_domains or found.partners):
            raise sub.fail(None, "names nothing to recognise it by (regions, domains, arn_prefixes, universe_domains or partners)")
        result.append(found)
    return tuple(result)


def profiles_of(data: LineDict, display: str) -> dict[str, Profile]:
    """The `profiles:` of a file: the bundled rules/sovereignty.yaml, or a custom --sovereignty file."""
    section = data.get("profiles")
    if section is None:
        return {}
    if not isinstance(section, LineDict):
        raise RuleError(f"{display}:{data.key_lines['profiles']}: profiles: expected a mapping of profile keys")
    result = {}
    for key, node in section.items():
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}:{section.key_lines[key]}: profile {key}: expected a mapping")
        f = Field(display, node, f"profile {key}")
        f.unknown_keys(_PROFILE_KEYS)
        regions = f.text_list("regions")
        for region_class in regions:
            if region_class not in REGION_CLASSES:
                raise f.fail("regions", f"{region_class!r} is not one of {', '.join(REGION_CLASSES)}")
        if not regions:
            raise f.fail(None, "missing required field 'regions' (the region classes accepted)")
        offers = _flag(f, "sovereign_offers")
        result[str(key)] = Profile(
            key=str(key),
            name=f.text("name"),
            description=f.text("description"),
            regions=regions,
            provider=f.choice("provider", PROFILE_PROVIDER_TESTS),
            sovereign_offers=bool(offers),
            source=display,
        )
    return result


def _target_nodes(data: LineDict, display: str) -> dict[str, tuple[str, LineDict]]:
    section = data.get("targets")
    if section is None:
        return {}
    if not isinstance(section, LineDict):
        raise RuleError(f"{display}:{data.key_lines['targets']}: targets: expected a mapping of target keys")
    result = {}
    for key, node in section.items():
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}:{section.key_lines[key]}: target {key}: expected a mapping")
        if not re.match(r"^[a-z][a-z0-9-]*$", str(key)):
            raise RuleError(f"{display}:{section.key_lines[key]}: target {key}: keys are lower case letters, digits and dashes")
        result[str(key)] = (display, node)
    return result


def _target(key: str, node: LineDict, display: str, providers: Mapping[str, Provider]) -> Target:
    f = Field(display, node, f"target {key}")
    f.unknown_keys(_TARGET_KEYS)
    eu = node.get("eu_headquartered")
    if eu is not None and not isinstance(eu, bool):
        raise f.fail("eu_headquartered", "expected true or false")
    own = f.text_list("providers")
    for name in own:
        if name not in providers:
            raise f.fail("providers", f"{name!r} is not declared in providers.yaml")
    regions = _regions(f) or {r: c for name in own for r, c in providers[name].regions.items()}
    prefixes = f.text_list("terraform_prefixes") or tuple(f"{providers[name].terraform_prefix or name}_" for name in own)
    platform = node.get("platform") or LineDict(node.line)
    if not isinstance(platform, LineDict):
        raise f.fail("platform", "expected a mapping of rule categories to what the platform provides")
    sub = Field(display, platform, f"target {key}: platform")
    sub.unknown_keys(set(CATEGORIES))
    kind = f.choice("kind", TARGET_KINDS)
    if platform and kind == "provider":
        raise f.fail("platform", "only private and onprem targets describe a platform; a provider's offers are in the rules")
    return Target(
        key=key,
        name=f.text("name"),
        kind=kind,
        headquarters=f.text("headquarters", required=False),
        eu_headquartered=eu,
        parent=f.text("parent", required=False),
        ownership=f.text("ownership", required=False),
        ownership_as_of=_date(f, "ownership_as_of", required=False),
        regions=regions,
        certifications=_certifications(f),
        platform_cost=_cost(f),
        providers=own,
        terraform_prefixes=prefixes,
        platform={category: sub.text(category) for category in platform},
        notes=f.text("notes", required=False),
        sources=f.text_list("sources"),
    )


def _date(f: Field, key: str, required: bool = True) -> str:
    value = f.node.get(key)
    if value is None and not required:
        return ""
    text = value.isoformat() if isinstance(value, datetime.date) else f.text(key)
    if not _DATE.match(text):
        raise f.fail(key, f"{text!r} is not a date (expected YYYY-MM-DD)")
    return text


def _cost(f: Field) -> tuple[float, float]:
    value = f.node.get("platform_cost")
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise f.fail("platform_cost" if value is not None else None, "expected [low, high] person-days, 0 <= low <= high")
    low, high = float(value[0]), float(value[1])
    if not 0 <= low <= high:
        raise f.fail("platform_cost", "expected [low, high] person-days, 0 <= low <= high")
    return (low, high)


def _certifications(f: Field) -> tuple[Certification, ...]:
    value = f.node.get("certifications", [])
    if not isinstance(value, list):
        raise f.fail("certifications", "expected a list of {name, as_of, source}")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("certifications", f"item {i}: expected a mapping with name, as_of, source")
        sub = Field(f.display, item, f"{f.label}: certifications[{i}]")
        sub.unknown_keys({"name", "as_of", "source", "scope"})
        result.append(Certification(sub.text("name"), _date(sub, "as_of"), sub.text("source"), sub.text("scope", required=False)))
    return tuple(result)


def _check_offers(rule: Rule, targets: Mapping[str, Target]) -> None:
    """Every offer names a target, and its evidence is a type of that target's provider or a URL."""
    for i, offer in enumerate(rule.managed):
        where = f"{rule.source_file}: rule {rule.id}: managed[{i}]"
        target = targets.get(offer.target)
        if target is None:
            raise RuleError(f"{where}: target: {offer.target!r} is not declared in targets.yaml ({', '.join(targets)})")
        if target.self_run:
            raise RuleError(f"{where}: target: {offer.target!r} runs open source itself and has no managed offers")
        if offer.evidence.startswith(("https://", "http://")):
            continue
        if not offer.evidence.startswith(target.terraform_prefixes):
            raise RuleError(
                f"{where}: evidence: {offer.evidence!r} is neither a Terraform type of {target.name} "
                f"({', '.join(p + '*' for p in target.terraform_prefixes) or 'none known'}) nor a documentation URL"
            )


def _regions(f: Field) -> dict[str, str]:
    node = f.node.get("regions")
    if node is None:
        return {}
    if not isinstance(node, LineDict):
        raise f.fail("regions", f"expected a mapping of {', '.join(REGION_CLASSES)} to region names")
    sub = Field(f.display, node, f"{f.label}: regions")
    sub.unknown_keys(set(REGION_CLASSES))
    result = {}
    for region_class in node:
        for region in sub.text_list(region_class):
            result[region.lower()] = region_class
    return result


def _signals(data: LineDict, display: str) -> list[tuple[str, int, str, dict[str, tuple[str, ...]]]]:
    section = data.get("signals")
    if section is None:
        return []
    if not isinstance(section, list):
        raise RuleError(f"{display}:{data.key_lines['signals']}: signals: expected a list of {{rule, match}}")
    result = []
    for index, node in enumerate(section):
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}: signals[{index}]: expected a mapping with rule and match")
        f = Field(display, node, f"signals[{index}]")
        f.unknown_keys({"rule", "match"})
        rule_id = f.text("rule")
        f.label = f"signals for {rule_id}"
        result.append((display, node.line, rule_id, dict(_match(f))))
    return result


def _rules(data: LineDict, display: str) -> list[Rule]:
    section = data.get("rules")
    if section is None:
        return []
    if not isinstance(section, list):
        raise RuleError(f"{display}:{data.key_lines['rules']}: rules: expected a list of rules")
    default_provider = data.get("provider")
    result = []
    for index, node in enumerate(section):
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}: rules[{index}]: expected a mapping")
        label = f"rule {node.get('id') or f'rules[{index}]'}"
        f = Field(display, node, label)
        f.unknown_keys(_RULE_KEYS)
        rule_id = f.text("id")
        if not RULE_ID.match(rule_id):
            raise f.fail("id", f"{rule_id!r} must be upper case letters, digits and dashes")
        if "provider" not in node and default_provider:
            node["provider"] = default_provider
        level = f.level("level")
        effort = f.choice("effort", EFFORT_BANDS, default=LEVEL_BAND[level])
        if not _band_fits(effort, level) and not f.text("effort_why", required=False):
            raise f.fail(
                "effort",
                f"band {effort!r} does not fit level {level.value} (expected {LEVEL_BAND[level]!r} or a neighbour; "
                "say why in effort_why if the per-instance work really differs)",
            )
        result.append(
            Rule(
                id=rule_id,
                provider=f.text("provider"),
                service=f.text("service"),
                category=f.choice("category", CATEGORIES),
                level=level,
                why=f.text("why"),
                effort=effort,
                match=_match(f),
                source_file=display,
                standard=f.text("standard", required=False),
                open_source=f.text_list("open_source"),
                managed=_managed(f),
                conditions=_conditions(f),
                confidence=f.choice("confidence", CONFIDENCES, default="high"),
                examples=_examples(f),
                notes=f.text("notes", required=False),
                priority=_priority(f),
                effort_why=f.text("effort_why", required=False),
                self_run=f.level("self_run") if "self_run" in node else None,
            )
        )
    return result


def _priority(f: Field) -> int:
    value = f.node.get("priority", 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
        raise f.fail("priority", "expected a whole number from 0 to 9")
    return value


_BAND_ORDER = ("none", "S", "M", "L", "XL")


def _band_fits(band: str, level: Level) -> bool:
    expected = LEVEL_BAND[level]
    if band == expected:
        return True
    if "?" in (band, expected):
        return False
    return abs(_BAND_ORDER.index(band) - _BAND_ORDER.index(expected)) == 1


def _match(f: Field) -> Mapping[str, tuple[str, ...]]:
    if "match" not in f.node:
        raise f.fail(None, "missing required field 'match'")
    node = f.node["match"]
    if not isinstance(node, LineDict) or not node:
        raise f.fail("match", "expected a non-empty mapping of match kinds to patterns")
    sub = Field(f.display, node, f"{f.label}: match")
    sub.unknown_keys(set(MATCH_KINDS))
    result = {}
    for kind in node:
        patterns = sub.text_list(kind)
        if not patterns:
            raise sub.fail(kind, "expected at least one pattern")
        for pattern in patterns:
            if not pattern or pattern.strip("*") == "":
                raise sub.fail(kind, f"pattern {pattern!r} matches everything")
        result[kind] = tuple(p.lower() for p in patterns)
    return result


def _managed(f: Field) -> tuple[ManagedOffer, ...]:
    value = f.node.get("managed", [])
    if not isinstance(value, list):
        raise f.fail("managed", "expected a list of {target, offer, compatibility, evidence, as_of}")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("managed", f"item {i}: expected a mapping with target, offer, compatibility, evidence, as_of")
        sub = Field(f.display, item, f"{f.label}: managed[{i}]")
        sub.unknown_keys({"target", "offer", "compatibility", "evidence", "as_of"})
        result.append(
            ManagedOffer(
                target=sub.text("target"),
                offer=sub.text("offer"),
                evidence=sub.text("evidence"),
                compatibility=sub.choice("compatibility", COMPATIBILITIES),
                as_of=_date(sub, "as_of"),
            )
        )
    return tuple(result)


def _conditions(f: Field) -> tuple[Condition, ...]:
    value = f.node.get("conditions", [])
    if not isinstance(value, list):
        raise f.fail("conditions", "expected a list")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("conditions", f"item {i}: expected a mapping")
        sub = Field(f.display, item, f"{f.label}: conditions[{i}]")
        sub.unknown_keys({"attribute", "values", "present", "level", "why", "if_unresolved"})
        present = item.get("present", True)
        if not isinstance(present, bool):
            raise sub.fail("present", "expected true or false")
        values = sub.text_list("values")
        if values and "present" in item:
            raise sub.fail("present", "use either values or present, not both")
        result.append(
            Condition(
                attribute=sub.text("attribute"),
                level=sub.level("level"),
                why=sub.text("why"),
                values=tuple(v.lower() for v in values),
                present=present,
                if_unresolved=sub.choice("if_unresolved", ("U", "skip", "fire"), default="U"),
            )
        )
    return tuple(result)


def _examples(f: Field) -> tuple[RuleExample, ...]:
    value = f.node.get("examples", [])
    if not isinstance(value, list):
        raise f.fail("examples", "expected a list")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("examples", f"item {i}: expected a mapping")
        sub = Field(f.display, item, f"{f.label}: examples[{i}]")
        sub.unknown_keys({"level", *EXAMPLE_SOURCES})
        sources = [s for s in EXAMPLE_SOURCES if s in item]
        if len(sources) != 1:
            raise sub.fail(None, f"expected exactly one of {', '.join(EXAMPLE_SOURCES)}")
        code = item[sources[0]]
        if not isinstance(code, str) or not code.strip():
            raise sub.fail(sources[0], "expected the example's code as text")
        result.append(RuleExample(source=sources[0], code=code, level=sub.level("level")))
    return tuple(result)
