"""The pipeline, in order: discover -> parse into an inventory -> match rules -> assess.

Each stage takes the previous stage's output and the Config; nothing here writes output.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Sequence

from portacheck.assess import Assessment, assess
from portacheck.config import Config
from portacheck.discover import discover, make_excluder
from portacheck.inventory import build
from portacheck.model import Finding
from portacheck.parse import ParseContext, parsers
from portacheck.rules.loader import Catalogue, load_catalogue
from portacheck.rules.match import Matcher


def run(paths: Sequence[str], config: Config, catalogue: Catalogue | None = None, debug: bool = False) -> Assessment:
    catalogue = catalogue or load_catalogue(config.rules_dirs)
    discovery = discover(paths, config.exclude)
    context = ParseContext(
        root=discovery.root,
        provider_sources=catalogue.provider_for_source(),
        type_prefixes=catalogue.type_prefixes(),
        attributes_of_interest=catalogue.attributes_of_interest(),
        var_files=tuple(os.path.abspath(p) for p in config.var_files),
        max_file_bytes=config.max_file_bytes,
        excluded=make_excluder(config.exclude),
    )
    inventory = build(discovery, context, parsers(), debug=debug)
    findings = Matcher(catalogue).match(inventory.resources)
    findings = apply_policy(findings, config)
    return assess(inventory, findings, catalogue, config.fail_on, config.effort_bands)


def apply_policy(findings: Sequence[Finding], config: Config) -> list[Finding]:
    """Drop disabled rules; apply the organisation's level overrides, marked as such."""
    disabled = {rule_id.upper() for rule_id in config.disable}
    result = []
    for finding in findings:
        if finding.rule.id in disabled:
            continue
        override = config.overrides.get(finding.rule.id)
        if override is not None and override is not finding.level:
            source = config.source or "configuration"
            finding = replace(finding, level=override, override=f"{finding.level.value} -> {override.value} by {source}")
        result.append(finding)
    return result
