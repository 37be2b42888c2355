"""Scan settings: one frozen Config, built by the command line from flags and configuration files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from portacheck.model import EFFORT_BANDS, Level
from portacheck.parse import DEFAULT_MAX_FILE_BYTES

DEFAULT_FAIL_ON = Level.P3


@dataclass(frozen=True)
class Config:
    fail_on: Level | None = DEFAULT_FAIL_ON  # None: never fail on findings
    min_coverage: float | None = None  # share (0-1) of resources at P0-P1 below which the policy fails
    exclude: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()  # rule ids whose findings are dropped
    overrides: Mapping[str, Level] = field(default_factory=dict)  # rule id -> level decided by the organisation
    rules_dirs: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    effort_bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(EFFORT_BANDS))
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    source: str = ""  # the configuration file this came from, for messages


def parse_fail_on(text: str) -> Level | None:
    """`never` or a level; P0 is refused because every scan would fail."""
    value = text.strip()
    if value.lower() == "never":
        return None
    level = Level.parse(value)
    if level is Level.P0:
        raise ValueError("P0 would fail every scan; use P1, P2, P3, P4, U or never")
    return level
