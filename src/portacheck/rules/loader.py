"""Turn the YAML files under rules/ into a validated Catalogue, or fail naming file, rule and field.

A rule file holds a list of services under `rules:` (and optionally a file-wide default
`provider:`); `providers.yaml` holds the providers under `providers:`. An analyser's own mapping
file (rules/kubernetes/, rules/sdk/) may add patterns to existing services under `signals:`, by
rule id, so that one service keeps one rule whatever analyser finds it. The schema is written out
in docs/rules.md; this module is its only enforcement.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from portacheck._yaml import DataError, LineDict, load_data
from portacheck.errors import RuleError
from portacheck.model import (
    CATEGORIES,
    EFFORT_BANDS,
    LEVEL_BAND,
    Condition,
    Level,
    ManagedOffer,
    Rule,
    RuleExample,
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
    "effort", "effort_why", "confidence", "match", "conditions", "examples", "notes", "priority",
}
_PROVIDER_KEYS = {
    "name", "kind", "headquarters", "eu_headquartered", "terraform_sources", "terraform_prefix", "domains", "notes",
    "regions",
}
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

    def region_class(self, region: str) -> str:
        """`eu`, `eea`, `outside-eu`, or `unknown`; zones are judged by their region (`eu-west-1a`)."""
        name = region.lower().replace(" ", "")
        for candidate in (name, re.sub(r"-[a-z]$", "", name), re.sub(r"(\d)[a-z]$", r"\1", name)):
            if candidate in self.regions:
                return self.regions[candidate]
        return "unknown"


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]
    providers: Mapping[str, Provider]
    by_id: Mapping[str, Rule] = field(default_factory=dict)

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
            rules, providers = from_plain(cached, _CACHED_CLASSES)
            return Catalogue(rules=rules, providers=providers, by_id={r.id: r for r in rules})
        except (ValueError, TypeError):
            pass  # not what this version writes: rebuilt below
    catalogue = _load(dirs)
    cache.put("catalogue", key, to_plain((catalogue.rules, dict(catalogue.providers))))
    cache.trim()
    return catalogue


# What a cached catalogue may hold: nothing else is ever built from a cache entry.
_CACHED_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (Rule, Provider, Condition, ManagedOffer, RuleExample, Level)
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
    extensions: list[tuple[str, int, str, dict[str, tuple[str, ...]]]] = []  # (file, line, rule id, match)
    for index, directory in enumerate(dirs):
        if not directory.is_dir():
            raise RuleError(f"{directory}: rules directory does not exist")
        seen_here: dict[str, str] = {}
        for path in _rule_files(directory):
            display = _display(path, directory)
            data = _read(path, display)
            for provider in _providers(data, display):
                providers[provider.key] = provider
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
    ordered = tuple(sorted(rules.values(), key=lambda r: r.id))
    return Catalogue(rules=ordered, providers=providers, by_id={r.id: r for r in ordered})


def _rule_files(directory: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                found.append(Path(dirpath) / name)
    return found


def _display(path: Path, directory: Path) -> str:
    try:
        return "rules/" + path.relative_to(directory).as_posix() if directory == bundled_rules_dir() else str(path)
    except ValueError:  # pragma: no cover
        return str(path)


def _read(path: Path, display: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{display}: cannot read rule file: {exc}") from None
    try:
        data = load_data(text)
    except DataError as exc:
        raise RuleError(f"{display}:{exc.line}: {exc.message}") from None
    if data is None:
        return LineDict(1)
    if not isinstance(data, LineDict):
        raise RuleError(f"{display}: expected a mapping with `rules:` or `providers:` at the top")
    unknown = set(data) - {"rules", "providers", "provider", "signals"}
    if unknown:
        key = sorted(unknown)[0]
        raise RuleError(f"{display}:{data.key_lines[key]}: unknown top-level key {key!r} (expected rules, signals, providers, provider)")
    return data


class _Field:
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
        f = _Field(display, node, label)
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
            )
        )
    return result


def _regions(f: _Field) -> dict[str, str]:
    node = f.node.get("regions")
    if node is None:
        return {}
    if not isinstance(node, LineDict):
        raise f.fail("regions", f"expected a mapping of {', '.join(REGION_CLASSES)} to region names")
    sub = _Field(f.display, node, f"{f.label}: regions")
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
        f = _Field(display, node, f"signals[{index}]")
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
        f = _Field(display, node, label)
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
            )
        )
    return result


def _priority(f: _Field) -> int:
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


def _match(f: _Field) -> Mapping[str, tuple[str, ...]]:
    if "match" not in f.node:
        raise f.fail(None, "missing required field 'match'")
    node = f.node["match"]
    if not isinstance(node, LineDict) or not node:
        raise f.fail("match", "expected a non-empty mapping of match kinds to patterns")
    sub = _Field(f.display, node, f"{f.label}: match")
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


def _managed(f: _Field) -> tuple[ManagedOffer, ...]:
    value = f.node.get("managed", [])
    if not isinstance(value, list):
        raise f.fail("managed", "expected a list of {provider, offer, evidence}")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("managed", f"item {i}: expected a mapping with provider, offer, evidence")
        sub = _Field(f.display, item, f"{f.label}: managed[{i}]")
        sub.unknown_keys({"provider", "offer", "evidence"})
        result.append(ManagedOffer(sub.text("provider"), sub.text("offer"), sub.text("evidence")))
    return tuple(result)


def _conditions(f: _Field) -> tuple[Condition, ...]:
    value = f.node.get("conditions", [])
    if not isinstance(value, list):
        raise f.fail("conditions", "expected a list")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("conditions", f"item {i}: expected a mapping")
        sub = _Field(f.display, item, f"{f.label}: conditions[{i}]")
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


def _examples(f: _Field) -> tuple[RuleExample, ...]:
    value = f.node.get("examples", [])
    if not isinstance(value, list):
        raise f.fail("examples", "expected a list")
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, LineDict):
            raise f.fail("examples", f"item {i}: expected a mapping")
        sub = _Field(f.display, item, f"{f.label}: examples[{i}]")
        sub.unknown_keys({"level", *EXAMPLE_SOURCES})
        sources = [s for s in EXAMPLE_SOURCES if s in item]
        if len(sources) != 1:
            raise sub.fail(None, f"expected exactly one of {', '.join(EXAMPLE_SOURCES)}")
        code = item[sources[0]]
        if not isinstance(code, str) or not code.strip():
            raise sub.fail(sources[0], "expected the example's code as text")
        result.append(RuleExample(source=sources[0], code=code, level=sub.level("level")))
    return tuple(result)
