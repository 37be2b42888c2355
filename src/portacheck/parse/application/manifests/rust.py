"""Rust: Cargo.toml.

    [dependencies]
    aws-sdk-dynamodb = "1.30"
    pubsub = { package = "google-cloud-pubsub", version = "0.25" }

Read: [dependencies], [dev-dependencies], [build-dependencies], their `target.<cfg>` variants
and [workspace.dependencies]; a renamed dependency counts as the crate in `package`.
"""

from __future__ import annotations

from typing import Any

from portacheck.parse.application.formats import TextLines, load_toml
from portacheck.parse.application.manifests import Dependency, unique

SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


def cargo_toml(text: str, _name: str) -> list[Dependency]:
    data = load_toml(text)
    lines = TextLines(text)
    result: list[Dependency] = []
    tables: list[tuple[str, Any]] = [(s, data.get(s)) for s in SECTIONS]
    workspace = data.get("workspace")
    if isinstance(workspace, dict):
        tables.append(("workspace.dependencies", workspace.get("dependencies")))
    targets = data.get("target")
    for cfg, body in sorted(targets.items()) if isinstance(targets, dict) else ():
        if isinstance(body, dict):
            tables.extend((f"target.{cfg}.{s}", body.get(s)) for s in SECTIONS)
    for section, table in tables:
        if not isinstance(table, dict):
            continue
        header = section if not section.startswith("target.") else ""
        for key, spec in table.items():
            crate, version = key, ""
            if isinstance(spec, str):
                version = spec
            elif isinstance(spec, dict):
                crate = spec["package"] if isinstance(spec.get("package"), str) else key
                version = spec["version"] if isinstance(spec.get("version"), str) else ""
            result.append(Dependency("cargo", crate, lines.key_line(key, header), section, version))
    return unique(result)
