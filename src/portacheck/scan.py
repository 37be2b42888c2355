"""The pipeline, in order: discover -> parse into an inventory -> match rules -> assess.

Each stage takes the previous stage's output and the Config; nothing here writes output.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import replace

from portacheck import suppress
from portacheck.assess import Assessment, assess
from portacheck.baseline import Baseline
from portacheck.baseline import apply as apply_baseline
from portacheck.baseline import load as load_baseline
from portacheck.cache import open_cache
from portacheck.config import Config
from portacheck.discover import discover, make_excluder
from portacheck.errors import ConfigError
from portacheck.inventory import Inventory, build
from portacheck.model import Finding, Target
from portacheck.parse import ParseContext
from portacheck.rules.loader import Catalogue, Profile, load_catalogue
from portacheck.rules.match import Matcher


def run(
    paths: Sequence[str],
    config: Config,
    catalogue: Catalogue | None = None,
    debug: bool = False,
    progress: Callable[[str], None] | None = None,
    today: datetime.date | None = None,
) -> Assessment:
    step = progress or (lambda _message: None)
    step("loading rules")
    catalogue = catalogue or load_catalogue(config.rules_dirs, cache_dir=config.cache_dir)
    check_rule_ids(config, catalogue)
    targets = check_targets(config, catalogue)
    profile = sovereignty_profile(config, catalogue)
    keep = catalogue.attributes_of_interest() | sovereignty_attributes(profile is not None)
    baseline = load_baseline(config.baseline) if config.baseline else None  # a bad baseline fails before the scan
    cache = open_cache(config.cache_dir)
    step("finding files")
    discovery = discover(paths, config.exclude, gitignore=config.gitignore, cache=cache)
    step(f"analysing {len(discovery.files)} file{'s' if len(discovery.files) != 1 else ''}")
    context = ParseContext(
        root=discovery.root,
        provider_sources=catalogue.provider_for_source(),
        type_prefixes=catalogue.type_prefixes(),
        attributes_of_interest=keep,
        max_file_bytes=config.max_file_bytes,
        excluded=make_excluder(config.exclude),
        jobs=config.jobs,
        sdk_packages=tuple((p, r.provider) for r in catalogue.rules for p in r.match.get("sdk_package", ())),
        cache=cache,
        terraform_reach=discovery.terraform_reach,
    )
    inventory = build(discovery, context, config.options, debug=debug)
    if config.problems:  # settings of the configuration left out (trust.py): the scan is incomplete
        inventory = replace(inventory, errors=tuple(config.problems) + inventory.errors)
    if cache is not None:
        cache.trim()
    step("matching rules")
    findings = Matcher(catalogue).match(inventory.resources)
    findings, policy_notes = apply_policy(findings, config)
    step("applying suppressions")
    active, suppressed, notes = apply_ignores(inventory, findings, config, catalogue, baseline, today or datetime.date.today())
    notes = policy_notes + notes
    step("assessing")
    return assess(
        inventory, active, catalogue, config.fail_on, config.effort_bands,
        min_coverage=config.min_coverage, suppressed=suppressed, notes=notes, targets=targets, profile=profile,
    )


def check_rule_ids(config: Config, catalogue: Catalogue) -> None:
    """Disabled and overridden rules must exist: a typo would otherwise silently do nothing."""
    for key, ids in (("disable", config.disable), ("overrides", tuple(config.overrides))):
        for rule_id in ids:
            if rule_id.upper() not in catalogue.by_id:
                where = config.where(f"{key}.{rule_id}" if key == "overrides" else key)
                raise ConfigError(f"{where}: no rule {rule_id!r} (see `portacheck rules list`)")


def check_targets(config: Config, catalogue: Catalogue) -> list[Target]:
    """The targets asked for, from the catalogue; an unknown key is an error naming where it was given."""
    result = []
    for key in config.targets:
        if key not in catalogue.targets:
            import difflib

            close = difflib.get_close_matches(key, list(catalogue.targets), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            where = "--target" if config.targets_flag else config.where("targets")
            raise ConfigError(f"{where}: no target {key!r}; {hint}known targets: {', '.join(catalogue.targets)}")
        result.append(catalogue.targets[key])
    return result


def sovereignty_attributes(lens: bool) -> frozenset[str]:
    """What the parsers keep for --sovereignty: partition markers always (cheap), and with the lens
    the state backend's attributes the control plane reads (rules/operational.yaml)."""
    from portacheck.sovereignty import profiles

    if not lens:
        return profiles.ATTRIBUTES
    from portacheck.sovereignty import control, custody

    return profiles.ATTRIBUTES | control.attributes() | custody.attributes(custody.load())


def sovereignty_profile(config: Config, catalogue: Catalogue) -> Profile | None:
    """The profile asked for: a key of rules/sovereignty.yaml, or a file of one's own."""
    chosen = config.sovereignty
    if not chosen:
        return None
    if chosen in catalogue.profiles:
        return catalogue.profiles[chosen]
    if "/" not in chosen and not chosen.endswith((".yaml", ".yml")):
        where = config.where("sovereignty") if config.source and "sovereignty" in config.key_lines else "--sovereignty"
        raise ConfigError(f"{where}: no profile {chosen!r}; profiles: {', '.join(catalogue.profiles)}, or the path of a profile file")
    from portacheck.sovereignty.profiles import load_profile

    return load_profile(chosen)


def apply_ignores(
    inventory: Inventory,
    findings: Sequence[Finding],
    config: Config,
    catalogue: Catalogue,
    baseline: Baseline | None,
    today: datetime.date,
) -> tuple[list[Finding], list[tuple[Finding, str]], list[str]]:
    """Inline suppressions, then the baseline, on the findings in focus; the rest pass through."""
    focus = inventory.focus
    in_focus = [f for f in findings if focus is None or any(p in focus for p in f.paths)]
    outside = [f for f in findings if not (focus is None or any(p in focus for p in f.paths))]
    active: Sequence[Finding] = in_focus
    suppressed: list[tuple[Finding, str]] = []
    notes: list[str] = []
    if config.ignores:
        # Every analysed file's suppressions apply (a module block's comment covers the module's files,
        # a values file's comment the template it feeds), but only the named files' are reported on.
        found = suppress.from_directives(inventory.directives, inventory.resources)
        applied = suppress.apply(in_focus, found, today, known_rules=catalogue.by_id, report_on=focus)
        active, notes = applied.active, list(applied.notes)
        suppressed.extend(applied.suppressed)
    if baseline is not None:
        analysed = [f.relpath for f in inventory.files if focus is None or f.relpath in focus]
        compared = apply_baseline(active, baseline, inventory.root, all_findings=in_focus, analysed=analysed, focused=focus is not None)
        active = compared.active
        suppressed.extend(compared.baselined)
        notes.extend(compared.notes)
    return list(active) + outside, suppressed, notes


def apply_policy(findings: Sequence[Finding], config: Config) -> tuple[list[Finding], list[str]]:
    """Drop disabled rules; apply the organisation's level overrides, marked as such. Returns the
    findings and a note per override --repo-policy tighten left out because it would lower a level."""
    disabled = {rule_id.upper() for rule_id in config.disable}
    result = []
    lowered: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule.id in disabled:
            continue
        override = config.overrides.get(finding.rule.id)
        if finding.rule.id in config.raise_only and override is not None and override < finding.level:
            lowered.setdefault(finding.rule.id, []).append(finding)
            override = None  # --repo-policy tighten: the repository's configuration may only raise a level
        if override is not None and override is not finding.level:
            source = config.source or "configuration"
            finding = replace(finding, level=override, override=f"{finding.level.value} -> {override.value} by {source}")
        result.append(finding)
    notes = [
        f"{config.where(f'overrides.{rule_id}')}: {config.overrides[rule_id].value} ignored for {len(found)} finding{'s' if len(found) != 1 else ''} "
        f"at {', '.join(sorted({f.level.value for f in found}))}: it would lower the level, and --repo-policy tighten lets the repository's configuration only raise one"
        for rule_id, found in sorted(lowered.items())
    ]
    return result, notes
