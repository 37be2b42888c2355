"""Judge a finding against one destination: its level there, and whether it is ready to move.

A rule's own level is the generic verdict (the level at the best European target). Against a
named target the level follows what that target offers for the service:

- a managed offer with the same API or protocol -> P1, a compatible API -> P2, another interface
  that does the same job -> P3 (the closest offer counts);
- no offer -> the self-run open-source path, at the rule's `self_run` level (by default the
  rule's level up to P1 and P3 above it: the open-source alternative replaces the service);
- a private platform or own data centre takes that path for everything managed, except what its
  platform itself provides (VMs, Kubernetes, S3-compatible storage): those keep the generic level;
- a service of the target itself stays where it is (P0);
- a level a rule condition raised for this resource is never lowered by an offer, and P4 (proprietary
  semantics: Spanner, Step Functions) stays P4 everywhere.

The verdict uses the readiness vocabulary of Azure Migrate, with the condition or blocker named.
"""

from __future__ import annotations

from dataclasses import dataclass

from portacheck.model import Finding, Level, ManagedOffer, Rule, Target

READY = "ready"
CONDITIONAL = "ready with conditions"
NOT_READY = "not ready"
UNKNOWN = "unknown"
VERDICTS = (READY, CONDITIONAL, NOT_READY, UNKNOWN)  # in the order of the work they mean
_VERDICT_RANK = {v: i for i, v in enumerate(VERDICTS)}


@dataclass(frozen=True, slots=True)
class Judgement:
    """A finding's level and verdict at one target, and the path that gives them."""

    target: str
    level: Level
    verdict: str  # one of VERDICTS
    path: str  # "neutral", "stays", "managed", "platform", "self-run", "none", "unknown"
    condition: str = ""  # what must be done (ready with conditions) or what blocks (not ready)
    offer: ManagedOffer | None = None


def worst(verdicts) -> str:
    """The verdict that decides a resource or workload: the furthest from ready."""
    return max(verdicts, key=_VERDICT_RANK.__getitem__, default=READY)


def self_run_level(rule: Rule) -> Level:
    """The level of running the rule's open-source alternative yourself."""
    if rule.self_run is not None:
        return rule.self_run
    if rule.level <= Level.P1:
        return rule.level
    return max(rule.level, Level.P3) if rule.level is not Level.U else Level.U


def best_offer(rule: Rule, target: Target) -> ManagedOffer | None:
    offers = [m for m in rule.managed if m.target == target.key]
    return min(offers, key=lambda m: m.level.rank) if offers else None


def judge(finding: Finding, target: Target) -> Judgement:
    return judge_rule(finding.rule, finding.level, target)


def judge_rule(rule: Rule, level: Level, target: Target) -> Judgement:
    """`level` is the generic level for this resource: the rule's, or what a condition made it."""
    key = target.key
    if level is Level.U:
        return Judgement(key, Level.U, UNKNOWN, "unknown", "classify it first: not in the catalogue or its deciding value is unresolved")
    if level is Level.P0:
        return Judgement(key, Level.P0, READY, "neutral")
    if rule.provider in target.providers:
        return Judgement(key, Level.P0, READY, "stays", f"already a {target.name} service")
    offer = best_offer(rule, target)
    if offer is not None:
        path, base = "managed", offer.level
    elif target.self_run and rule.category in target.platform:
        path, base = "platform", rule.level
    elif rule.open_source or rule.standard or rule.self_run is not None:
        path, base = "self-run", self_run_level(rule)
    else:
        path, base = "none", max(rule.level, Level.P3)
    if level is not rule.level:  # a condition moved the level for this resource: its direction holds
        base = max(base, level) if level > rule.level else min(base, level)
    if level is Level.P4 or rule.level is Level.P4:
        base = Level.P4
    return Judgement(key, base, *_verdict(rule, base, path, offer, target), offer)


def _verdict(rule: Rule, level: Level, path: str, offer: ManagedOffer | None, target: Target) -> tuple[str, str, str]:
    alternatives = ", ".join(rule.open_source[:2]) or (f"an implementation of {rule.standard}" if rule.standard else "")
    if level is Level.P4:
        return NOT_READY, path, f"no equivalent at {target.name}: {rule.service} is re-architected"
    if path == "none" and level >= Level.P3:
        return NOT_READY, path, f"no managed offer at {target.name} and no open-source alternative for {rule.service}"
    if path == "managed" and offer is not None:
        if level <= Level.P1:
            return READY, path, f"re-point to {offer.offer}"
        if offer.level is Level.P2 and level is Level.P2:
            return CONDITIONAL, path, f"{offer.offer} has a compatible API: replace the {rule.service} extensions in use"
        return CONDITIONAL, path, f"replace {rule.service} with {offer.offer}"
    if path == "platform":
        provided = target.platform[rule.category]
        if level <= Level.P1:
            return READY, path, f"re-point to the platform's {provided}"
        return CONDITIONAL, path, f"move to the platform's {provided}: {rule.service} extensions are replaced"
    if path == "stays":
        return READY, path, ""
    # self-run: no managed offer at this target
    run = f"run {alternatives} yourself" if alternatives else "run an open-source equivalent yourself"
    where = "self-run" if target.self_run else f"no managed offer at {target.name}"
    if level <= Level.P1:
        return CONDITIONAL, path, f"{where}: {run}"
    return CONDITIONAL, path, f"{where}: {run} and adapt the integration"
