"""Scan settings: one frozen Config, built by the command line from flags and configuration files.

A configuration file is `.portacheck.yaml` (or `.yml`) or the `[tool.portacheck]` table of a
`pyproject.toml`. `find_config` looks for one from the scanned root upward and stops at the
directory holding `.git` (the repository root), or looks in the scanned directory only when
there is none (trust.py). A file found there names paths inside the repository only. `load_settings`
validates a file into plain values: unknown keys and bad values are ConfigErrors that name
the file, the line (YAML) and the key path. `resolve` merges those values with the flags of
the command line, which win: scalars replace the file's value, lists add to it.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portacheck import reader
from portacheck.errors import ConfigError, InputError
from portacheck.model import EFFORT_BANDS, LEVEL_BAND, Level, ScanError
from portacheck.parse import DEFAULT_MAX_FILE_BYTES
from portacheck.parse.options import declared as declared_options

DEFAULT_FAIL_ON = Level.P3
CONFIG_NAMES = (".portacheck.yaml", ".portacheck.yml", "pyproject.toml")
DEFAULT_BASELINE = ".portacheck-baseline.json"
_RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9_.-]*$")


@dataclass(frozen=True)
class Config:
    fail_on: Level | None = DEFAULT_FAIL_ON  # None: never fail on findings
    min_coverage: float | None = None  # share (0-1) of resources at P0-P1 below which the policy fails
    exclude: tuple[str, ...] = ()
    gitignore: bool = True  # skip what .gitignore files ignore during discovery; False with --no-gitignore
    disable: tuple[str, ...] = ()  # rule ids whose findings are dropped
    overrides: Mapping[str, Level] = field(default_factory=dict)  # rule id -> level decided by the organisation
    rules_dirs: tuple[str, ...] = ()
    effort_bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(EFFORT_BANDS))
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    jobs: int = 0  # parser worker processes; 0 = one per core, 1 = no worker processes
    source: str = ""  # the configuration file this came from, for messages
    # each frontend's Options (see parse/options.py), by frontend name; missing ones take their defaults
    frontends: Mapping[str, Any] = field(default_factory=dict)
    baseline: str | None = None  # baseline file whose findings are not reported as new
    ignores: bool = True  # honour inline suppressions (comments, annotations); False with --no-ignores
    cache_dir: str | None = None  # where parse results and the rule catalogue are cached; None: no cache (set by cli.py)
    key_lines: Mapping[str, int] = field(default_factory=dict)  # key path in the file -> line, for messages
    problems: tuple[ScanError, ...] = ()  # settings of the file left out (trust.py); the scan reports them
    raise_only: frozenset[str] = frozenset()  # overrides that may only raise a level (--repo-policy tighten)
    repo_root: str | None = None  # set when the file is the repository's own, untrusted: paths stay inside
    targets: tuple[str, ...] = ()  # keys of rules/targets.yaml to judge against (--target); empty: the generic verdict
    targets_flag: bool = False  # the targets came from --target, not from the file (for messages)
    sovereignty: str | None = None  # a profile key of rules/sovereignty.yaml (broad, strict) or a profile file

    def options(self, frontend: str) -> Any:
        """The options of one frontend: as configured, else its defaults."""
        from portacheck.parse.registry import BY_NAME

        return self.frontends.get(frontend) or BY_NAME[frontend].options()

    def where(self, key: str) -> str:
        """`file:line: key` for a message about a configured value (the file only when from the file)."""
        if not self.source:
            return key
        line = self.key_lines.get(key) or self.key_lines.get(key.split(".", 1)[0])
        return f"{self.source}:{line}: {key}" if line else f"{self.source}: {key}"


FAIL_ON_CHOICES = "P1, P2, P3, P4, U or never"


def parse_fail_on(text: str) -> Level | None:
    """`never` or a level; P0 is refused because every scan would fail."""
    value = str(text).strip()
    if value.lower() == "never":
        return None
    try:
        level = Level.parse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a level; use {FAIL_ON_CHOICES}") from None
    if level is Level.P0:
        raise ValueError(f"P0 would fail every scan; use {FAIL_ON_CHOICES}")
    return level


# --- finding the file ------------------------------------------------------------------------


def find_config(start: str) -> str | None:
    """The nearest configuration file from `start` upward, up to the repository root (or `start` alone without one)."""
    from portacheck.trust import repository_root

    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    top = repository_root(directory)
    while True:
        for name in CONFIG_NAMES:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and (name != "pyproject.toml" or _has_tool_table(path)):
                return path
        parent = os.path.dirname(directory)
        if directory == top or parent == directory:
            return None
        directory = parent


def _has_tool_table(path: str) -> bool:
    try:
        text = reader.read_text(path, MAX_CONFIG_BYTES)
    except InputError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*portacheck\s*[\].]", text, re.MULTILINE) is not None


def display_path(path: str) -> str:
    """A path as a person would type it: relative to the current directory when inside it."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if os.path.commonpath([cwd, absolute]) == cwd:
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return absolute


# --- reading and validating ------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What one configuration file says, validated; keys are Config field names."""

    source: str  # display path of the file
    values: Mapping[str, Any]
    key_lines: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[ScanError, ...] = ()  # settings left out: paths the file may not name
    repo_root: str | None = None  # the repository the file belongs to, when untrusted


def load_settings(path: str, within: str | None = None) -> Settings:
    """Read and check one file. `within`: the file is the repository's own (untrusted) and its
    paths must stay inside that directory; those that do not are left out as `problems`."""
    from portacheck.trust import untrusted

    display = display_path(path)
    base = os.path.dirname(os.path.abspath(path))
    if not os.path.lexists(path):
        raise ConfigError(f"{display}: configuration file not found")
    try:
        text = reader.read_text(path, MAX_CONFIG_BYTES)
    except InputError as exc:
        raise ConfigError(f"{display}: cannot read configuration file: {exc.message}") from None
    if os.path.basename(path) == "pyproject.toml" or path.endswith(".toml"):
        data, lines = _read_toml(text, display)
        checker = _Checker(f"{display}: [tool.portacheck]", base, lines=None)
    else:
        data, lines = _read_yaml(text, display)
        checker = _Checker(display, base, lines=lines)
    with untrusted(within) as gate:
        checker.gate = gate
        values = checker.document(data)
    problems = tuple(ScanError(display, message, line) for line, message in checker.problems)
    return Settings(display, values, {k: v for k, v in lines.items()} if lines else {}, problems, within)


def _read_toml(text: str, display: str) -> tuple[Any, dict[str, int]]:
    import tomllib

    pyproject = os.path.basename(display) == "pyproject.toml"
    if pyproject:
        text = _tool_table_text(text)  # the rest of a pyproject is not ours to parse (nor to pay for)
    if len(text) > MAX_TOML_BYTES or any(len(line) > MAX_TOML_LINE for line in text.splitlines()):
        raise ConfigError(
            f"{display}: [tool.portacheck] is larger than {MAX_TOML_BYTES // 1024} KiB or has a line longer than"
            f" {MAX_TOML_LINE} characters; not read"
        )
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: invalid TOML: {' '.join(str(exc).split())}") from None
    except (RecursionError, ValueError) as exc:
        raise ConfigError(f"{display}: invalid TOML: {type(exc).__name__}") from None
    if os.path.basename(display) == "pyproject.toml" or "tool" in document:
        table = document.get("tool", {}).get("portacheck", {})
    else:
        table = document
    return table, {}


MAX_CONFIG_BYTES = 1024 * 1024  # a configuration file, a pyproject.toml
MAX_TOML_BYTES = 64 * 1024  # the [tool.portacheck] tables: tomllib is quadratic in long dotted keys
MAX_TOML_LINE = 4096
_TABLE_HEADER = re.compile(r"^\s*\[")
_OUR_HEADER = re.compile(r"^\s*\[\[?\s*tool\s*\.\s*portacheck\s*[\].]")


def _tool_table_text(text: str) -> str:
    """The lines of a pyproject.toml in its [tool.portacheck] tables (and their sub-tables)."""
    kept: list[str] = []
    ours = False
    for line in text.splitlines():
        if _TABLE_HEADER.match(line):
            ours = _OUR_HEADER.match(line) is not None
        if ours:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _read_yaml(text: str, display: str) -> tuple[Any, dict[str, int]]:
    from portacheck._yaml import DataError, LineDict, load_data

    try:
        data = load_data(text)
    except DataError as exc:
        raise ConfigError(f"{display}:{exc.line}: {exc.message}") from None
    if data is None:
        return {}, {}
    lines: dict[str, int] = {}

    def collect(node: Any, prefix: str) -> None:
        if isinstance(node, LineDict):
            for key, value in node.items():
                path = f"{prefix}.{key}" if prefix else key
                lines[path] = node.key_lines.get(key, node.line)
                collect(value, path)

    if isinstance(data, LineDict):
        collect(data, "")
        lines[""] = data.line
    return data, lines


_KEYS = {
    "fail-on": "fail_on",
    "min-coverage": "min_coverage",
    "exclude": "exclude",
    "gitignore": "gitignore",
    "disable": "disable",
    "overrides": "overrides",
    "rules": "rules_dirs",
    "effort-bands": "effort_bands",
    "baseline": "baseline",
    "targets": "targets",
    "sovereignty": "sovereignty",
}


def _frontend_keys() -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """Configuration sections (frontend name -> frontend with options) and legacy top-level keys
    (key -> (frontend name, field name)), from the frontend registry."""
    from portacheck.parse.options import declared
    from portacheck.parse.registry import FRONTENDS

    sections = {f.name: f for f in FRONTENDS if declared(f.options)}
    legacy = {spec.legacy_key: (f.name, name) for f in FRONTENDS for name, spec in declared(f.options) if spec.legacy_key}
    return sections, legacy


class _Checker:
    """Turns the raw document into Config values; every error names file, line and key path."""

    def __init__(self, display: str, base: str, lines: dict[str, int] | None):
        self.display = display
        self.base = base
        self.lines = lines
        self.gate: Any = None  # trust.Gate of an untrusted file
        self.problems: list[tuple[int, str]] = []  # (line, message) of paths left out

    def line_of(self, key: str) -> int:
        if self.lines is None:
            return 0
        return self.lines.get(key) or self.lines.get(key.rsplit(".", 1)[0]) or self.lines.get("") or 0

    def gated(self, key: str, refused_before: int) -> None:
        """Record the paths the trust gate refused while checking `key`."""
        if self.gate is not None:
            for message in dict.fromkeys(self.gate.refused[refused_before:]):  # a name tried in two places: once
                self.problems.append((self.line_of(key), f"{key}: {message}"))

    def fail(self, key: str, message: str) -> ConfigError:
        where = self.display
        line = self.line_of(key)
        if line:
            where += f":{line}"
        return ConfigError(f"{where}: {key}: {message}" if key else f"{where}: {message}")

    def unknown(self, key: str, allowed, path: str) -> ConfigError:
        close = difflib.get_close_matches(key.replace("_", "-"), list(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return self.fail(path, f"unknown key{hint}; expected one of: {', '.join(allowed)}")

    def document(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail("", f"expected a mapping of settings at the top, not {_kind(data)}")
        sections, legacy = _frontend_keys()
        values: dict[str, Any] = {}
        frontends: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            key = str(key)
            before = len(self.gate.refused) if self.gate is not None else 0
            if key in _KEYS:
                values[_KEYS[key]] = getattr(self, "_" + _KEYS[key])(key, value)
            elif key in sections:
                frontends.setdefault(key, {}).update(self._section(key, sections[key].options, value))
            elif key in legacy:
                name, field_name = legacy[key]
                spec = dict(declared_options(sections[name].options))[field_name]
                frontends.setdefault(name, {})[field_name] = self._option(key, spec, value)
            else:
                raise self.unknown(key, [*_KEYS, *legacy, *sections], key)
            if key not in sections:
                self.gated(key, before)
        if frontends:
            values["frontends"] = frontends
        return values

    def _section(self, key: str, options_type: type, value: Any) -> dict[str, Any]:
        """A frontend's section: its options by their configuration keys."""
        specs = {spec.key: (name, spec) for name, spec in declared_options(options_type)}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping with {', '.join(f'`{k}:`' for k in specs)}, not {_kind(value)}")
        result = {}
        for sub_key, sub_value in value.items():
            if str(sub_key) not in specs:
                raise self.unknown(str(sub_key), list(specs), f"{key}.{sub_key}")
            name, spec = specs[str(sub_key)]
            before = len(self.gate.refused) if self.gate is not None else 0
            result[name] = self._option(f"{key}.{sub_key}", spec, sub_value)
            self.gated(f"{key}.{sub_key}", before)
        return result

    def _option(self, key: str, spec: Any, value: Any) -> Any:
        from portacheck.parse.options import OptionError, check_value

        try:
            return check_value(spec, value, self.base)
        except OptionError as exc:
            path = f"{key}.{exc.key}" if exc.key else key
            hint = " (relative paths are read from the configuration file's directory)" if "no such" in exc.message else ""
            raise self.fail(path, exc.message + hint) from None

    # -- one method per key --

    def _fail_on(self, key: str, value: Any) -> Level | None:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a level (P1, P2, P3, P4, U) or never, not {_kind(value)}")
        try:
            return parse_fail_on(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def _min_coverage(self, key: str, value: Any) -> float:
        if isinstance(value, str) and value.strip().endswith("%"):
            with contextlib.suppress(ValueError):
                value = float(value.strip()[:-1])
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a percentage between 0 and 100, not {_kind(value)}")
        if not 0 <= value <= 100:
            raise self.fail(key, f"{value:g} is not a percentage between 0 and 100")
        return value / 100

    def _strings(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def _exclude(self, key: str, value: Any) -> tuple[str, ...]:
        return self._strings(key, value)

    def _gitignore(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, not {_kind(value)}")
        return value

    def _rule_ids(self, key: str, value: Any) -> tuple[str, ...]:
        ids = tuple(v.upper() for v in self._strings(key, value))
        for rule_id in ids:
            if not _RULE_ID.match(rule_id):
                raise self.fail(key, f"{rule_id!r} is not a rule id (e.g. AWS-DYNAMODB)")
        return ids

    def _targets(self, key: str, value: Any) -> tuple[str, ...]:
        keys = tuple(dict.fromkeys(v.lower() for v in self._strings(key, value)))
        for target in keys:
            if not re.match(r"^[a-z][a-z0-9-]*$", target):
                raise self.fail(key, f"{target!r} is not a target key (e.g. scaleway; see `portacheck targets`)")
        return keys

    def _disable(self, key: str, value: Any) -> tuple[str, ...]:
        return self._rule_ids(key, value)

    def _overrides(self, key: str, value: Any) -> dict[str, Level]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping of rule id to level, not {_kind(value)}")
        result = {}
        for rule_id, level in value.items():
            path = f"{key}.{rule_id}"
            rule_id = str(rule_id).upper()
            if not _RULE_ID.match(rule_id):
                raise self.fail(path, f"{rule_id!r} is not a rule id (e.g. AWS-S3)")
            try:
                result[rule_id] = Level.parse(str(level))
            except ValueError as exc:
                raise self.fail(path, str(exc)) from None
        return result

    def _paths(self, key: str, value: Any, want_dir: bool) -> tuple[str, ...]:
        from portacheck.trust import config_path

        result = []
        for item in self._strings(key, value):
            path = config_path(self.base, item)
            if path is None:
                continue
            ok = os.path.isdir(path) if want_dir else os.path.isfile(path)
            if not ok:
                raise self.fail(key, f"{item}: no such {'directory' if want_dir else 'file'} (relative paths are read from the configuration file's directory)")
            result.append(path)
        return tuple(result)

    def _rules_dirs(self, key: str, value: Any) -> tuple[str, ...]:
        return self._paths(key, value, want_dir=True)

    def _sovereignty(self, key: str, value: Any) -> str | None:
        """A profile key (broad, strict), or the path of a profile file (relative to this file)."""
        from portacheck.trust import config_path

        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected a profile (broad or strict) or the path of a profile file")
        text = value.strip()
        if re.match(r"^[a-z][a-z0-9-]*$", text):
            return text
        return config_path(self.base, text)

    def _baseline(self, key: str, value: Any) -> str | None:
        from portacheck.trust import config_path

        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected the path of a baseline file")
        return config_path(self.base, value.strip())

    def _effort_bands(self, key: str, value: Any) -> dict[str, tuple[float, float]]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping of band (none, S, M, L, XL, ?) or level (P0-P4, U) to [low, high] person-days")
        bands = dict(EFFORT_BANDS)
        named: dict[str, str] = {}
        for name, pair in value.items():
            path = f"{key}.{name}"
            name = str(name)
            band = name if name in EFFORT_BANDS else LEVEL_BAND.get(Level(name.upper())) if name.upper() in {lv.value for lv in Level} else None
            if band is None:
                raise self.fail(path, f"unknown band; expected one of: {', '.join(EFFORT_BANDS)} or a level P0-P4, U")
            if band in named:
                raise self.fail(path, f"sets band {band} already set by {named[band]}")
            named[band] = name
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)
            ):
                raise self.fail(path, "expected [low, high] in person-days per resource instance")
            low, high = float(pair[0]), float(pair[1])
            if low < 0 or high < low:
                raise self.fail(path, f"[{low:g}, {high:g}] is not a range: need 0 <= low <= high")
            bands[band] = (low, high)
        return bands

def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


# --- merging with the command line -----------------------------------------------------------

_UNSET = object()


def resolve(settings: Settings | None, **flags: Any) -> Config:
    """Build the Config: defaults, then the file, then command-line flags (scalars replace, lists add).

    Flags left at None (or empty lists) are not given. `ignores=False` (--no-ignores) also
    drops the baseline: an audit reports everything.
    """
    from portacheck.parse.options import merge
    from portacheck.parse.registry import FRONTENDS

    values: dict[str, Any] = dict(settings.values) if settings else {}
    for name in ("exclude", "disable", "rules_dirs"):
        extra = tuple(flags.pop(name, None) or ())
        values[name] = tuple(values.get(name, ())) + extra
    from_file = values.pop("frontends", {})
    from_flags = flags.pop("frontends", None) or {}
    values["frontends"] = {
        f.name: merge(f.options, from_file.get(f.name, {}), from_flags.get(f.name, {})) for f in FRONTENDS
    }
    for name, value in flags.items():
        if value is not None:
            values[name] = value
    if settings:
        values["source"] = settings.source
        values["key_lines"] = dict(settings.key_lines)
        values["problems"] = tuple(settings.problems)
        values["repo_root"] = settings.repo_root
    if values.get("ignores") is False:
        values["baseline"] = None
    return Config(**values)


# --- a commented starter file ----------------------------------------------------------------

STARTER = """\
# portacheck configuration. Found from the scanned directory upward (up to the repository
# root); `portacheck scan --config FILE` points elsewhere. Command-line flags win over this
# file: single values replace it, lists (exclude, disable, rules, var-files, ...) add to it.
# Relative paths are read from this file's directory. Unknown keys are errors.

# Fail (exit 1) on findings at or above this level: P1, P2, P3, P4, U or never.
fail-on: P3

# Fail when less than this percentage of deployed resources carry over with at most
# re-pointing (P0-P1).
# min-coverage: 60

# Paths to skip: globs matched against paths relative to the scanned root, or bare names.
# Nothing is skipped until you say so: Terraform under examples/ or test/ may be what you deploy.
# exclude:
#   - examples
#   - "**/test-fixtures/*"

# Rules whose findings are dropped altogether.
# disable:
#   - TF-STATE-S3

# Levels decided by your organisation; reports show them as overrides.
# overrides:
#   AWS-S3: P1

# Extra rule directories (add to or replace bundled rules).
# rules:
#   - policy/portacheck-rules

# Terraform variable files applied to every root module.
# terraform:
#   var-files:
#     - env/prod.tfvars

# Effort calibration in person-days per resource instance, by band or level.
# effort-bands:
#   P3: [8, 25]

# Findings recorded here are not reported as new (`portacheck baseline create`).
# baseline: .portacheck-baseline.json

# Helm: values for every chart, how to render, and values per chart directory.
# helm:
#   values: [deploy/values-prod.yaml]
#   renderer: auto          # auto, sdk, binary or static
#   timeout: 30             # seconds per chart
#   optional: report        # off, report or fail: charts' optional features
#   charts:
#     charts/web:
#       values: [charts/web/values-prod.yaml]
#       set: {image.tag: "1.2.3"}
"""
