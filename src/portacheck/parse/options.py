"""A frontend's options, declared once as a frozen dataclass.

Each field says how it is set: its key in the frontend's section of the configuration file, its
command-line flag, and what kind of value it takes. cli.py generates the flags and config.py
checks the file's section from these declarations, so adding an option to a format is an edit
of that format's Options alone; Config and ParseContext carry the instances, never the fields.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# kinds of value: how a value is checked and whether the command line adds to the file's
LIST_KINDS = ("files", "dirs", "strings")
SCALAR_KINDS = ("choice", "number", "flag", "custom")


class OptionError(ValueError):
    """A bad option value; `key` is the path below the option's own key (e.g. "charts.web.values")."""

    def __init__(self, message: str, key: str = ""):
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass(frozen=True)
class Option:
    """How one field of a frontend's Options is set."""

    key: str  # in the frontend's configuration section, e.g. "var-files"
    help: str
    kind: str  # one of LIST_KINDS or SCALAR_KINDS; "flag": a boolean, its flag takes no value
    flag: str = ""  # command-line flag, e.g. "--var-file"; empty: the configuration file only
    choices: tuple[str, ...] = ()  # for "choice"
    minimum: float | None = None  # for "number"
    # extra check of each string ("strings") or of the whole value ("custom"): (value, base) -> value;
    # raises OptionError. `base` is the directory relative paths are read from.
    check: Callable[[Any, str], Any] | None = None
    legacy_key: str = ""  # a top-level configuration key that sets this option too (older files)
    metavar: str = ""  # the flag's value in --help, e.g. "KEY=VALUE"; default: by kind


def option(default: Any = dataclasses.MISSING, *, default_factory: Any = dataclasses.MISSING, **spec: Any) -> Any:
    """A dataclass field of an Options class with its Option declaration."""
    metadata = {"option": Option(**spec)}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def declared(options_type: type) -> list[tuple[str, Option]]:
    """(field name, declaration) of every option of an Options class, in declaration order."""
    return [(f.name, f.metadata["option"]) for f in dataclasses.fields(options_type) if "option" in f.metadata]


@dataclass(frozen=True)
class NoOptions:
    """The options of a format that has none."""


def check_value(spec: Option, value: Any, base: str) -> Any:
    """A raw value (from a file or a flag) as the option holds it; raises OptionError saying why not."""
    if spec.kind in LIST_KINDS:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in items):
            raise OptionError("expected a list of non-empty strings")
        from portacheck.trust import config_path

        result = []
        for item in (v.strip() for v in items):
            if spec.kind == "strings":
                result.append(spec.check(item, base) if spec.check else item)
                continue
            path = config_path(base, item)
            if path is None:  # outside what untrusted configuration may name; trust.py records it
                continue
            want_dir = spec.kind == "dirs"
            if not (os.path.isdir(path) if want_dir else os.path.isfile(path)):
                raise OptionError(f"{item}: no such {'directory' if want_dir else 'file'}")
            result.append(path)
        return tuple(result)
    if spec.kind == "choice":
        if not isinstance(value, str) or value.strip() not in spec.choices:
            raise OptionError(f"choose {', '.join(spec.choices)}")
        return value.strip()
    if spec.kind == "flag":
        if not isinstance(value, bool):
            raise OptionError(f"expected true or false, not {value!r}")
        return value
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise OptionError(f"expected a number, not {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise OptionError(f"{value:g} is below the minimum {spec.minimum:g}")
        return float(value)
    if spec.kind == "custom" and spec.check is not None:
        return spec.check(value, base)
    raise TypeError(f"option {spec.key!r}: unknown kind {spec.kind!r}")  # pragma: no cover - a declaration bug


def merge(options_type: type, *layers: Mapping[str, Any]) -> Any:
    """An Options instance from checked values, later layers winning: lists add, scalars replace."""
    values: dict[str, Any] = {}
    kinds = dict((name, spec.kind) for name, spec in declared(options_type))
    for layer in layers:
        for name, value in layer.items():
            if value is None:
                continue
            if kinds[name] in LIST_KINDS:
                values[name] = tuple(values.get(name, ())) + tuple(value)
            else:
                values[name] = value
    return options_type(**values)
