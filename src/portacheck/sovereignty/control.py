"""The infrastructure-code control plane: can the estate still be changed if a provider cuts access?

A sovereignty criterion (operational autonomy), not an effort item. Each place the estate's
Terraform/OpenTofu depends on is one item: the state backend and its lock, HCP Terraform
(`cloud {}` and the `remote` backend), the key that encrypts the state, the registries provider
plugins come from, and where module code comes from. Each says who controls it (a provider key,
a third party's key, "self" or "open") and a verdict with its reason. The patterns are data, in
rules/operational.yaml under `control_plane:`, checked when loaded.

Not seen here: OpenTofu's `terraform { encryption {} }` block (the Terraform frontend does not
read it), provider mirrors and credentials in the CLI configuration (outside the code), and the
sources of modules `terraform init` downloaded (followed into .terraform/modules, source not kept).

The frontend keeps a backend's attributes beyond bucket/region/storage_account_name only when they
are attributes of interest: `attributes()` names those this view reads (dynamodb_table,
use_lockfile, organization, hostname, ...), to be added where scan.py adds the sovereignty ones;
without them an S3 backend's lock table is not seen and reads as "no state locking configured".
`view` wants the inventory's resources: required_providers entries and provider blocks have no
findings, and local module calls are seen only through the origin of what they create.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portacheck._yaml import LineDict
from portacheck.errors import RuleError
from portacheck.model import Finding, Location, Resource, Unresolved

INDEPENDENT = "independent"
PROVIDER_DEPENDENT = "provider-dependent"
THIRD_PARTY = "third-party"
UNKNOWN = "unknown"
VERDICTS = (INDEPENDENT, PROVIDER_DEPENDENT, THIRD_PARTY, UNKNOWN)

# Item aspects, in the order the section lists them.
STATE = "state"
STATE_KEY = "state key"
PROVIDER = "provider"
MODULE = "module"
ASPECTS = (STATE, STATE_KEY, PROVIDER, MODULE)

FILE = "operational.yaml"


# -- the data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Controller:
    key: str
    name: str
    headquarters: str = ""


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    what: str
    controller: str
    verdict: str
    reason: str
    shown: tuple[str, ...] = ()
    locks: tuple[tuple[str, str], ...] = ()  # (attribute, description with {} for the value)
    lock: str = ""  # the lock when no lock attribute is set
    hosts: tuple[str, ...] = ()  # the controller's SaaS hosts; the first is the default
    other_host: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """Where code or plugins come from: a verdict for a host or a module source pattern."""

    what: str
    controller: str
    verdict: str
    reason: str
    patterns: tuple[str, ...] = ()
    registry: bool = False  # the short registry address namespace/name/system


@dataclass(frozen=True)
class ControlRules:
    controllers: Mapping[str, Controller]
    backends: Mapping[str, Backend]
    state_keys: Mapping[str, str]  # rule id -> controller
    default_host: str
    hosts: Mapping[str, Source]
    other_host: str
    modules: tuple[Source, ...]
    followed: Source  # a local module call the frontend followed into its directory
    downloaded: Source  # a module `terraform init` downloaded, followed into .terraform/modules

    def name(self, controller: str) -> str:
        known = self.controllers.get(controller)
        return known.name if known else controller or "unknown operator"


def attributes(rules: ControlRules | None = None) -> frozenset[str]:
    """Backend attributes the Terraform frontend must keep for this view (beside region, location, zone)."""
    rules = rules or load_rules()
    found = {"hostname"}
    for backend in rules.backends.values():
        found.update(backend.shown)
        found.update(attribute for attribute, _ in backend.locks)
    return frozenset(found)


_LOADED: dict[str, Any] = {}


def read_data(path: Path | None = None) -> tuple[LineDict, str]:
    """rules/operational.yaml (or `path`), parsed once; with the name errors give it."""
    from portacheck.rules.loader import bundled_rules_dir, read_rule_file

    if path is None:
        path, display = bundled_rules_dir() / FILE, f"rules/{FILE}"
    else:
        display = str(path)
    key = str(path)
    if key not in _LOADED:
        _LOADED[key] = (read_rule_file(Path(path), display), display)
    return _LOADED[key]


def load_rules(path: Path | None = None) -> ControlRules:
    data, display = read_data(path)
    key = f"control:{path}"
    if key not in _LOADED:
        _LOADED[key] = _control_rules(Check(display).section(data, "control_plane"))
    return _LOADED[key]


class Check:
    """Validation that names file, line and field in every error."""

    def __init__(self, display: str):
        self.display = display

    def fail(self, line: int, field: str, problem: str) -> RuleError:
        return RuleError(f"{self.display}:{line}: {field}: {problem}")

    def section(self, data: LineDict, key: str) -> Node:
        if key not in data:
            raise RuleError(f"{self.display}: no `{key}:` section")
        return self.node(data, key, key)

    def node(self, parent: LineDict, key: str, field: str) -> Node:
        value = parent[key]
        line = parent.key_lines.get(key, parent.line)
        if not isinstance(value, LineDict):
            raise self.fail(line, field, f"expected a mapping, got {_kind(value)}")
        return Node(self, value, field)


class Node:
    """One mapping of the data with its breadcrumb."""

    def __init__(self, check: Check, data: LineDict, field: str):
        self.check, self.data, self.field = check, data, field

    def _line(self, key: str) -> int:
        return self.data.key_lines.get(key, self.data.line)

    def _name(self, key: str) -> str:
        return f"{self.field}.{key}"

    def keys(self, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.check.fail(self._line(key), self._name(str(key)), f"unknown field (expected {', '.join(allowed)})")
        for key in required:
            if key not in self.data:
                raise self.check.fail(self.data.line, self.field, f"missing field {key!r}")

    def child(self, key: str) -> Node:
        return self.check.node(self.data, key, self._name(key))

    def children(self) -> list[tuple[str, Node]]:
        return [(str(key), self.child(key)) for key in self.data]

    def items(self, key: str) -> list[Node]:
        value = self.data.get(key)
        if not isinstance(value, list):
            raise self.check.fail(self._line(key), self._name(key), f"expected a list, got {_kind(value)}")
        result = []
        for i, item in enumerate(value):
            if not isinstance(item, LineDict):
                raise self.check.fail(self._line(key), f"{self._name(key)}[{i}]", f"expected a mapping, got {_kind(item)}")
            result.append(Node(self.check, item, f"{self._name(key)}[{i}]"))
        return result

    def text(self, key: str, default: str | None = None) -> str:
        if key not in self.data and default is not None:
            return default
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.check.fail(self._line(key), self._name(key), f"expected a non-empty string, got {_kind(value)}")
        return value.strip()

    def choice(self, key: str, choices: Sequence[str]) -> str:
        value = self.text(key)
        if value not in choices:
            raise self.check.fail(self._line(key), self._name(key), f"{value!r} is not one of {', '.join(choices)}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        if key not in self.data:
            return ()
        value = self.data[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.check.fail(self._line(key), self._name(key), f"expected a non-empty list of strings, got {_kind(value)}")
        return tuple(v.strip() for v in value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self.check.fail(self._line(key), self._name(key), f"expected true or false, got {_kind(value)}")
        return value

    def string_map(self, key: str) -> dict[str, str]:
        if key not in self.data:
            return {}
        node = self.child(key)
        return {name: node.text(name) for name in node.data}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"{value!r}" if value.strip() else "an empty string"
    return {dict: "a mapping", LineDict: "a mapping", list: "a list", bool: "a boolean", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


_RESERVED = ("self", "open")


def _control_rules(node: Node) -> ControlRules:
    node.keys(("controllers", "backends", "state_keys", "registries", "modules", "followed", "downloaded"), ("controllers", "backends", "registries", "modules", "followed", "downloaded"))
    controllers = {}
    for key, item in node.child("controllers").children():
        item.keys(("name", "headquarters"), ("name",))
        controllers[key] = Controller(key, item.text("name"), item.text("headquarters", ""))
    for key in _RESERVED:
        if key not in controllers:
            raise node.check.fail(node.data.key_lines["controllers"], "control_plane.controllers", f"missing the reserved controller {key!r}")
    known = tuple(controllers)

    def source(item: Node, patterns: bool) -> Source:
        allowed = ("what", "controller", "verdict", "reason") + (("source", "registry") if patterns else ())
        item.keys(allowed, ("what", "verdict", "reason"))
        controller = item.choice("controller", known) if "controller" in item.data else ""
        found = Source(item.text("what"), controller, item.choice("verdict", VERDICTS), item.text("reason"))
        if patterns:
            found = Source(found.what, found.controller, found.verdict, found.reason, item.strings("source"), item.flag("registry"))
            if bool(found.patterns) == found.registry:
                raise node.check.fail(item.data.line, item.field, "expected exactly one of `source` (patterns) and `registry: true`")
        return found

    backends = {}
    for name, item in node.child("backends").children():
        item.keys(("what", "controller", "verdict", "reason", "shown", "locks", "lock", "hosts", "other_host"), ("what", "controller", "verdict", "reason"))
        backends[name] = Backend(
            name=name,
            what=item.text("what"),
            controller=item.choice("controller", known),
            verdict=item.choice("verdict", VERDICTS),
            reason=item.text("reason"),
            shown=item.strings("shown"),
            locks=tuple(item.string_map("locks").items()),
            lock=item.text("lock", ""),
            hosts=tuple(h.lower() for h in item.strings("hosts")),
            other_host=item.text("other_host", ""),
        )
        if backends[name].hosts and not backends[name].other_host:
            raise node.check.fail(item.data.line, item.field, "`hosts` needs `other_host`")
    state_keys = node.string_map("state_keys")
    for rule_id, controller in state_keys.items():
        if controller not in known:
            raise node.check.fail(node.child("state_keys")._line(rule_id), f"control_plane.state_keys.{rule_id}", f"{controller!r} is not one of {', '.join(known)}")
    registries = node.child("registries")
    registries.keys(("default_host", "hosts", "other_host"), ("default_host", "hosts", "other_host"))
    hosts = {}
    for host, item in registries.child("hosts").children():
        item.keys(("controller", "verdict", "reason"), ("controller", "verdict", "reason"))
        hosts[host.lower()] = Source(host.lower(), item.choice("controller", known), item.choice("verdict", VERDICTS), item.text("reason"))
    default_host = registries.text("default_host").lower()
    if default_host not in hosts:
        raise registries.check.fail(registries._line("default_host"), "control_plane.registries.default_host", f"{default_host!r} is not under `hosts`")
    modules = tuple(source(item, True) for item in node.items("modules"))
    return ControlRules(
        controllers=controllers,
        backends=backends,
        state_keys=state_keys,
        default_host=default_host,
        hosts=hosts,
        other_host=registries.text("other_host"),
        modules=modules,
        followed=source(node.child("followed"), False),
        downloaded=source(node.child("downloaded"), False),
    )


# -- the view -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One thing the control plane depends on, who controls it, and whether it survives a cut."""

    aspect: str  # one of ASPECTS
    location: Location
    address: str  # e.g. terraform.backend.s3, terraform.required_providers.aws, module.network
    what: str  # "s3 backend", "cloud block", a provider source "hashicorp/aws", a module call "module.network"
    detail: str  # "bucket acme-state, lock table terraform-locks"; the source; "" when nothing more
    controller: str  # a controller key of the data: a provider key, a third party, "self" or "open"; "" when unknown
    controller_name: str
    verdict: str  # one of VERDICTS
    reason: str


@dataclass(frozen=True)
class ControlPlane:
    items: tuple[Item, ...]

    def count(self, verdict: str) -> int:
        return sum(1 for item in self.items if item.verdict == verdict)

    def of(self, aspect: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.aspect == aspect)

    @property
    def autonomous(self) -> bool | None:
        """True when every item is independent, False when one is not, None when nothing was found or some are unknown."""
        if not self.items:
            return None
        if any(item.verdict in (PROVIDER_DEPENDENT, THIRD_PARTY) for item in self.items):
            return False
        return None if self.count(UNKNOWN) else True


def view(resources: Sequence[Resource], findings: Sequence[Finding], rules: ControlRules | None = None) -> ControlPlane:
    """`resources`: the inventory (backends, required_providers and module calls are not deployed resources)."""
    rules = rules or load_rules()
    items: list[Item] = []
    seen: set[tuple[str, str, str]] = set()
    by_resource: dict[int, list[Finding]] = {}
    for finding in findings:
        by_resource.setdefault(id(finding.resource), []).append(finding)
    for resource in resources:
        if resource.source != "terraform":
            continue
        if resource.kind == "backend":
            items += _backend(resource, by_resource.get(id(resource), []), rules)
        elif resource.kind == "provider" and resource.type == "required_provider":
            items.append(_provider(resource, rules))
        elif resource.kind == "module":
            items.append(_module(resource, rules))
    items += _followed_modules(resources, rules, {(str(i.location.path), i.address) for i in items if i.aspect == MODULE})
    unique = []
    for item in items:
        key = (item.aspect, str(item.location), item.address + item.detail)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    unique.sort(key=lambda i: (ASPECTS.index(i.aspect), i.location.path, i.location.line, i.address))
    return ControlPlane(tuple(unique))


def _value(value: Any) -> str:
    if isinstance(value, Unresolved):
        return value.expression
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() if value is not None else ""


def _backend(resource: Resource, findings: Sequence[Finding], rules: ControlRules) -> list[Item]:
    name = resource.type.removeprefix("backend.")
    backend = rules.backends.get(name)
    shown_name = f"{name} backend" if name != "cloud" else "cloud block"
    if backend is None:
        return [Item(STATE, resource.location, resource.address, shown_name, "", "", rules.name(""), UNKNOWN, f"backend {name!r} is not recognised: who holds the state is not known")]
    attributes = resource.attributes
    detail = [f"{key} {_value(attributes[key])}" for key in backend.shown if _value(attributes.get(key))]
    lock = ""
    for attribute, description in backend.locks:
        value = attributes.get(attribute)
        if _value(value) and _value(value) != "false":
            lock = description.replace("{}", _value(value))
            break
    lock = lock or backend.lock
    controller, verdict, reason = backend.controller, backend.verdict, backend.reason
    if backend.hosts:
        host = _host(resource)
        if host and host != backend.hosts[0]:
            detail.append(f"host {host}")
        if host and host not in backend.hosts:
            controller, verdict, reason = "", UNKNOWN, backend.other_host
    if lock and verdict != UNKNOWN:
        detail.append(lock)
    items = [Item(STATE, resource.location, resource.address, shown_name, ", ".join(detail), controller, rules.name(controller), verdict, reason)]
    for finding in findings:
        holder = rules.state_keys.get(finding.rule.id)
        if holder is None:
            continue
        verdict = INDEPENDENT if holder in _RESERVED else PROVIDER_DEPENDENT
        why = f"the state is encrypted with a key {rules.name(holder)} holds; if access is cut, it cannot be decrypted"
        items.append(Item(STATE_KEY, finding.location, resource.address, f"{finding.rule.service} key of the {name} backend", finding.signal.value, holder, rules.name(holder), verdict, why))
    return items


_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def _host(resource: Resource) -> str:
    value = resource.attributes.get("hostname")
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    for signal in resource.signals:
        if signal.kind == "text" and _HOST.match(signal.value.strip().lower()):
            return signal.value.strip().lower()
    return ""


def _provider(resource: Resource, rules: ControlRules) -> Item:
    source = _value(resource.attributes.get("source"))
    parts = source.lower().split("/")
    what = source
    if len(parts) == 3 and "." in parts[0]:
        host = parts[0]
    elif len(parts) in (1, 2):
        host = ""
    else:
        return Item(PROVIDER, resource.location, resource.address, what, "", "", rules.name(""), UNKNOWN, f"source {source!r} is not a registry address")
    if not host:
        default = rules.hosts[rules.default_host]
        reason = f"no host: Terraform installs it from {rules.default_host}, OpenTofu from registry.opentofu.org; {default.reason}"
        return Item(PROVIDER, resource.location, resource.address, what, "", default.controller, rules.name(default.controller), default.verdict, reason)
    known = rules.hosts.get(host)
    if known is None:
        return Item(PROVIDER, resource.location, resource.address, what, "", "", rules.name(""), UNKNOWN, rules.other_host)
    return Item(PROVIDER, resource.location, resource.address, what, "", known.controller, rules.name(known.controller), known.verdict, known.reason)


_REGISTRY = re.compile(r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*(//.*)?$", re.IGNORECASE)


def module_source(source: str, rules: ControlRules) -> Source | None:
    text = source.strip()
    for rule in rules.modules:
        if rule.registry and _REGISTRY.match(text):
            return rule
        if any(fnmatch.fnmatchcase(text.lower(), pattern.lower()) for pattern in rule.patterns):
            return rule
    return None


def _module(resource: Resource, rules: ControlRules) -> Item:
    source = _value(resource.attributes.get("source"))
    what = resource.address
    if not source:
        return Item(MODULE, resource.location, resource.address, what, "", "", rules.name(""), UNKNOWN, "its source is not a literal string")
    rule = module_source(source, rules)
    if rule is None:
        return Item(MODULE, resource.location, resource.address, what, source, "", rules.name(""), UNKNOWN, f"source {source!r} is not recognised")
    return Item(MODULE, resource.location, resource.address, what, f"{rule.what} {source}", rule.controller, rules.name(rule.controller), rule.verdict, rule.reason)


def _followed_modules(resources: Sequence[Resource], rules: ControlRules, emitted: set[tuple[str, str]]) -> list[Item]:
    """Module calls the frontend followed into a directory: seen only as the origin of what they create."""
    found: dict[tuple[str, tuple[str, ...]], str] = {}
    for resource in resources:
        origin = resource.location.origin
        if resource.source != "terraform" or not origin.modules:
            continue
        directory = resource.location.path.rpartition("/")[0] or "."
        for depth in range(1, len(origin.modules) + 1):
            key = (origin.root or ".", origin.modules[:depth])
            if depth == len(origin.modules):
                found[key] = found.get(key) or directory
            else:
                found.setdefault(key, "")
    items = []
    for (root, chain), directory in found.items():
        address = ".".join(f"module.{name}" for name in chain)
        where = Location(directory or root, 0)
        if (where.path, address) in emitted:
            continue
        what = address + ("" if root == "." else f" (from {root})")
        rule = rules.downloaded if "/.terraform/modules/" in f"/{directory}/" else rules.followed
        detail = f"{rule.what} {directory}" if directory else rule.what
        items.append(Item(MODULE, where, address, what, detail, rule.controller, rules.name(rule.controller), rule.verdict, rule.reason))
    return items


def lines(control: ControlPlane) -> list[str]:
    """The section's text: a headline, then one line per item."""
    if not control.items:
        return ["Infrastructure-code control plane (operational autonomy): no state backend, provider source or module call found"]
    counts = ", ".join(f"{control.count(v)} {v}" for v in VERDICTS if control.count(v))
    result = [f"Infrastructure-code control plane (operational autonomy): {len(control.items)} item{'s' if len(control.items) != 1 else ''}, {counts}"]
    for item in control.items:
        detail = f" ({item.detail})" if item.detail else ""
        holder = f", {item.controller_name}" if item.controller and item.controller not in _RESERVED else ""
        result.append(f"{item.aspect}: {item.what} in {item.location}{detail}: {item.verdict}{holder}: {item.reason}")
    return result
