"""Key custody per data store (issue 14): who holds the key that encrypts a store's data at rest.

The knowledge is data, in rules/custody.yaml (`key_custody:`): which resource types are stores
(or keys that stores refer to), and which attributes mean a customer-managed key in the
provider's key service or a key held outside the provider. This module loads and validates that
file, names the attributes the parsers must keep, and judges an inventory:

- `provider-managed`: no test holds and the entry has no other default;
- `customer-managed`: a key in the provider's KMS (a reference that cannot be computed, such as
  `kms_key_id = aws_kms_key.x.arn`, is a key that is set);
- `external`: a key held outside the provider (an external key store, Cloud EKM), read from the
  store or from the key resource of the same inventory that its key attribute refers to;
- `unknown`: the deciding attribute is written but cannot be read.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portacheck._yaml import LineDict
from portacheck.errors import RuleError
from portacheck.model import Resource, Unresolved, terraform_root
from portacheck.rules.loader import Field

CUSTODIES = ("provider-managed", "customer-managed", "external", "unknown")
KINDS = ("store", "key")
MATCH_KEYS = ("terraform", "cloudformation", "arm")  # signal kinds: Terraform and Pulumi; CloudFormation/SAM/CDK; ARM and Bicep
_ENTRY_KEYS = {"store", "kind", "match", "part_of", "external", "provider_managed", "customer_managed", "default"}
_TEST_KEYS = {"attribute", "values"}
_PATH = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
# The tests of an entry, in the order they are tried, and the custody each gives.
_TESTS = (("external", "external"), ("provider_managed", "provider-managed"), ("customer_managed", "customer-managed"))


@dataclass(frozen=True, slots=True)
class Test:
    """An attribute test: set (values empty) or one of the glob values (case-insensitive)."""

    attribute: str  # dotted path into Resource.attributes; lists hold when any element does
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of `key_custody:`: a kind of store (or key) and how to read its key custody."""

    store: str
    match: Mapping[str, tuple[str, ...]]
    kind: str = "store"
    part_of: str = ""
    external: tuple[Test, ...] = ()
    provider_managed: tuple[Test, ...] = ()
    customer_managed: tuple[Test, ...] = ()
    default: str = "provider-managed"
    source: str = ""  # file:line, for messages

    def matches(self, resource: Resource) -> bool:
        if resource.kind != "resource":
            return False
        for signal in resource.signals:
            patterns = self.match.get(signal.kind)
            if patterns and any(fnmatch.fnmatchcase(signal.value.lower(), p) for p in patterns):
                return True
        return False


@dataclass(frozen=True)
class KeyCustody:
    """The key custody of one data store."""

    resource: Resource
    store: str
    custody: str  # "provider-managed" | "customer-managed" | "external" | "unknown"
    evidence: str
    attribute: str  # the attribute that decided ("" when the default applies)


# -- loading --


def default_path() -> Path:
    from portacheck.rules.loader import bundled_rules_dir

    return bundled_rules_dir() / "custody.yaml"


def load(path: str | Path | None = None) -> tuple[Entry, ...]:
    """The entries of a custody file (the bundled rules/custody.yaml by default); a RuleError names file, line and field."""
    path = Path(path) if path is not None else default_path()
    display = "rules/custody.yaml" if path == default_path() else str(path)
    from portacheck.rules.loader import read_data_file

    data = read_data_file(path, display, "key custody file")
    if not isinstance(data, LineDict) or "key_custody" not in data:
        raise RuleError(f"{display}:{getattr(data, 'line', 1)}: expected a mapping with `key_custody:` at the top")
    section = data["key_custody"]
    if not isinstance(section, list):
        raise RuleError(f"{display}:{data.key_lines['key_custody']}: key_custody: expected a list of entries")
    entries = []
    for i, node in enumerate(section):
        if not isinstance(node, LineDict):
            raise RuleError(f"{display}:{data.key_lines['key_custody']}: key_custody[{i}]: expected a mapping")
        entries.append(_entry(node, display, i))
    return tuple(entries)


def _entry(node: LineDict, display: str, index: int) -> Entry:
    label = f"key_custody[{index}]"
    if isinstance(node.get("store"), str):
        label += f" ({' '.join(node['store'].split())})"
    f = Field(display, node, label)
    f.unknown_keys(_ENTRY_KEYS)
    part_of = f.text("part_of", required=False)
    if part_of and not _PATH.match(part_of):
        raise f.fail("part_of", f"{part_of!r} is not an attribute name")
    kind = f.choice("kind", KINDS, "store")
    if part_of and kind == "key":
        raise f.fail("part_of", "a key entry cannot be part of a store")
    return Entry(
        store=f.text("store"),
        match=_match(f),
        kind=kind,
        part_of=part_of,
        external=_tests(f, "external"),
        provider_managed=_tests(f, "provider_managed"),
        customer_managed=_tests(f, "customer_managed"),
        default=f.choice("default", CUSTODIES[:3], "provider-managed"),
        source=f"{display}:{node.line}",
    )


def _match(f: Field) -> dict[str, tuple[str, ...]]:
    node = f.node.get("match")
    if node is None:
        raise f.fail(None, "missing required field 'match'")
    if not isinstance(node, LineDict) or not node:
        raise f.fail("match", f"expected a mapping of {', '.join(MATCH_KEYS)} to resource type globs")
    sub = Field(f.display, node, f"{f.label}: match")
    result = {}
    for key, patterns in node.items():
        if key not in MATCH_KEYS:
            raise sub.fail(key, f"unknown match kind (allowed: {', '.join(MATCH_KEYS)})")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p.strip("* ") for p in patterns):
            raise sub.fail(key, "expected a list of resource type globs (none matching everything)")
        result[key] = tuple(p.strip().lower() for p in patterns)
    return result


def _tests(f: Field, key: str) -> tuple[Test, ...]:
    value = f.node.get(key, [])
    if not isinstance(value, list):
        raise f.fail(key, "expected a list of attribute paths or {attribute, values}")
    result = []
    for i, item in enumerate(value):
        where = f"item {i}"
        if isinstance(item, str):
            test = Test(item.strip())
        elif isinstance(item, LineDict):
            sub = Field(f.display, item, f"{f.label}: {key}[{i}]")
            sub.unknown_keys(_TEST_KEYS)
            values = item.get("values", [])
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
                raise sub.fail("values", "expected a non-empty list of text")
            test = Test(sub.text("attribute"), tuple(v.lower() for v in values))
        else:
            raise f.fail(key, f"{where}: expected an attribute path or {{attribute, values}}")
        if not _PATH.match(test.attribute):
            raise f.fail(key, f"{where}: {test.attribute!r} is not a dotted path of snake_case attribute names")
        result.append(test)
    return tuple(result)


def attributes(entries: Iterable[Entry]) -> frozenset[str]:
    """The top-level attribute names the parsers must keep for these entries."""
    names: set[str] = set()
    for entry in entries:
        if entry.part_of:
            names.add(entry.part_of)
        for key, _custody in _TESTS:
            names.update(t.attribute.split(".", 1)[0] for t in getattr(entry, key))
    return frozenset(names)


# -- judging --


_MISSING = object()
_UNREADABLE = object()


def _values(attributes: Mapping[str, Any], path: str) -> tuple[object, list[Any], str]:
    """(state, leaf values, expression): _MISSING, a list of values (Unresolved ones included),
    or _UNREADABLE with the expression of the unresolved block on the way."""
    current: list[Any] = [attributes]
    for step in path.split("."):
        following: list[Any] = []
        for value in current:
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Unresolved):
                    return _UNREADABLE, [], item.expression
                if isinstance(item, Mapping):
                    found = _key(item, step)
                    if found is not None:
                        following.append(item[found])
        if not following:
            return _MISSING, [], ""
        current = following
    leaves: list[Any] = []
    for value in current:
        leaves.extend(value if isinstance(value, list) else [value])
    leaves = [v for v in leaves if v not in (None, False, "", [], {})]
    return (_MISSING if not leaves else None), leaves, ""


def _key(mapping: Mapping[str, Any], step: str) -> str | None:
    """The key of `mapping` a path step names: itself, or written in camelCase (Pulumi azure-native properties)."""
    if step in mapping:
        return step
    folded = step.replace("_", "")
    return next((k for k in mapping if isinstance(k, str) and k.replace("_", "").lower() == folded), None)


def _show(value: Any) -> str:
    if isinstance(value, Unresolved):
        return value.expression
    if isinstance(value, Mapping):
        return "{...}"
    return str(value)


_TF_REFERENCE = re.compile(r"(?<![\w.])((?:module\.[\w-]+\.)*)([a-z][a-z0-9]*_[a-z0-9_]+)\.([\w-]+)")
_PULUMI_REFERENCE = re.compile(r"\$\{([\w-]+)[.}\[]")
_CFN_REFERENCE = re.compile(r"^!(?:Ref|GetAtt)\s+\[?\s*([A-Za-z0-9]+)")


class _Judge:
    def __init__(self, resources: Sequence[Resource], entries: Sequence[Entry]):
        self.resources = resources
        self.entries = entries
        self.index: dict[tuple[str, str, str], Resource] = {}
        for resource in resources:
            self.index.setdefault(self._scope(resource) + (resource.address,), resource)
        self.memo: dict[int, tuple[str, str, str] | None] = {}
        self.stores: dict[str, list[Resource]] = {}  # store name -> resources judged as that store (parts apart)

    @staticmethod
    def _scope(resource: Resource) -> tuple[str, str]:
        if resource.source == "terraform":
            return resource.source, terraform_root(resource)
        return resource.source, resource.location.path

    def entry_of(self, resource: Resource, kinds: Iterable[str] = KINDS) -> Entry | None:
        return next((e for e in self.entries if e.kind in kinds and e.matches(resource)), None)

    def referenced(self, referrer: Resource, value: Any) -> Resource | None:
        """The resource of the same inventory a value refers to (Terraform references, CloudFormation Ref/GetAtt)."""
        text = value.expression if isinstance(value, Unresolved) else None
        if text is None:
            return None
        scope = self._scope(referrer)
        if referrer.source == "pulumi":
            found = _PULUMI_REFERENCE.search(text)
            return self.index.get(scope + (found.group(1),)) if found else None
        if referrer.source == "cloudformation":
            found = _CFN_REFERENCE.match(text.strip())
            return self.index.get(scope + (found.group(1),)) if found else None
        prefix = referrer.address[: referrer.address.rfind(referrer.type)] if referrer.type in referrer.address else ""
        for found in _TF_REFERENCE.finditer(text):
            modules, type_, name = found.groups()
            for address in (modules + f"{type_}.{name}", prefix + f"{type_}.{name}"):
                hit = self.index.get(scope + (address,))
                if hit is not None:
                    return hit
        return None

    def custody(self, resource: Resource, entry: Entry, depth: int = 0) -> tuple[str, str, str]:
        """(custody, evidence, attribute) of one resource under its entry."""
        key = id(resource)
        if key in self.memo:
            cached = self.memo[key]
            return cached if cached is not None else ("unknown", "reference cycle between keys", "")
        self.memo[key] = None
        result = self._decide(resource, entry, depth)
        self.memo[key] = result
        return result

    def _decide(self, resource: Resource, entry: Entry, depth: int) -> tuple[str, str, str]:
        for key, custody in _TESTS:
            for test in getattr(entry, key):
                state, leaves, expression = _values(resource.attributes, test.attribute)
                if state is _UNREADABLE:
                    return "unknown", f"{test.attribute}: {expression} could not be read", test.attribute
                if state is _MISSING:
                    continue
                if test.values:
                    unresolved = next((v for v in leaves if isinstance(v, Unresolved)), None)
                    texts = [str(v).lower() for v in leaves if not isinstance(v, Unresolved)]
                    if any(fnmatch.fnmatchcase(t, p) for t in texts for p in test.values):
                        shown = ", ".join(_show(v) for v in leaves)
                        return custody, f"{test.attribute} = {shown}", test.attribute
                    if unresolved is not None and key != "provider_managed":
                        return "unknown", f"{test.attribute} = {unresolved.expression} could not be read", test.attribute
                    continue
                shown = ", ".join(_show(v) for v in leaves)
                evidence = f"{test.attribute} = {shown}"
                if custody != "external" and depth < 4:
                    for value in leaves:
                        target = self.referenced(resource, value)
                        key_entry = self.entry_of(target, ("key",)) if target is not None else None
                        if target is None or key_entry is None:
                            continue
                        held, why, _attribute = self.custody(target, key_entry, depth + 1)
                        if held in ("external", "unknown"):
                            return held, f"{evidence}; {target.address}: {why}", test.attribute
                return custody, evidence, test.attribute
        return entry.default, f"no key attribute set: {entry.default} by default", ""

    def judge(self) -> tuple[KeyCustody, ...]:
        stores: dict[int, KeyCustody] = {}
        order: list[int] = []
        parts: list[tuple[Resource, Entry]] = []
        for resource in self.resources:
            entry = self.entry_of(resource, ("store",))
            if entry is None:
                continue
            if entry.part_of:
                parts.append((resource, entry))
                continue
            self.stores.setdefault(entry.store, []).append(resource)
            custody, evidence, attribute = self.custody(resource, entry)
            stores[id(resource)] = KeyCustody(resource, entry.store, custody, evidence, attribute)
            order.append(id(resource))
        for part, entry in parts:
            custody, evidence, attribute = self.custody(part, entry)
            store = self._store_of(part, entry)
            if store is None:  # the store it configures is not in the inventory: reported on its own
                stores[id(part)] = KeyCustody(part, entry.store, custody, evidence, attribute)
                order.append(id(part))
                continue
            stores[id(store)] = KeyCustody(store, entry.store, custody, f"{part.address}: {evidence}", attribute)
        return tuple(stores[key] for key in order)

    def _store_of(self, part: Resource, entry: Entry) -> Resource | None:
        state, leaves, _expression = _values(part.attributes, entry.part_of)
        if state is not None or not leaves:
            return None
        value = leaves[0]
        target = self.referenced(part, value)
        candidates = self.stores.get(entry.store, [])
        if target is not None:
            return target if any(target is c for c in candidates) else None
        if isinstance(value, str):  # a literal: the store whose own attribute of that name has that value
            scope = self._scope(part)
            return next((r for r in candidates if self._scope(r) == scope and r.attributes.get(entry.part_of) == value), None)
        return None


def judge(resources: Iterable[Resource], entries: Sequence[Entry]) -> tuple[KeyCustody, ...]:
    """One KeyCustody per data store in the inventory, in inventory order."""
    return _Judge(list(resources), list(entries)).judge()
