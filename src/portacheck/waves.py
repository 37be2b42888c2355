"""Migration waves: the deployed resources ordered into four waves for one destination.

The rule (docs/waves.md):

- Each deployed resource gets its own wave from its findings judged at the target
  (portacheck.targets.judge; without a target, the generic levels):
  1 ready (all findings ready, P0-P1), 2 ready with conditions (P1-P2 with a condition),
  3 replacements (P3), 4 re-architecture (P4, not ready, or unknown: classify first).
  Without a target: P0-P1 -> 1, P2 -> 2, P3 -> 3, P4 and U -> 4.
- A workload moves with what it relies on. Its group is the workload, the objects its analyser
  linked (ServiceAccount, ConfigMaps, claims: Resource.links) and the data stores and queues it is
  tied to (WorkloadVerdict.ties): a tie through a linked object ties the workload to that object;
  a tie naming a store's service (an RDS endpoint, an SQS queue URL) ties it to every deployed
  resource of the scan whose finding has that rule (portacheck cannot tell which instance an
  endpoint names). Stores are the categories in STORE_CATEGORIES.
- The group moves in one wave: the latest of its members' own waves, so a store never moves after
  its consumer and a consumer never before its store - except a store in wave 4: its
  re-architecture does not hold the consumer back. The consumer moves at its group's wave
  without it and needs a bridge: "VPN or private link to the old <service> (<address>) until wave 4".
- A store tied to several workloads moves with the earliest of their groups.
- Effort per wave: the sum of the resources' effort ranges at the target (the same effort model as
  the target view: its bands, its instance and variant multipliers). One team in sequence takes
  that sum; a programme of TEAMS teams in parallel takes, for each bound, the larger of the
  longest single item and the sum divided by TEAMS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from portacheck.assess import Assessment, ResourceVerdict, _definition_key, _variants, _verdict
from portacheck.model import EFFORT_BANDS, Level, Target, resource_key
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, judge, worst

TEAMS = 3  # the default programme: three teams in parallel

STORE_CATEGORIES = frozenset({"relational-db", "nosql-db", "cache", "object-storage", "messaging", "streaming", "secrets-kms"})

WAVE_TITLES = {1: "Ready", 2: "Ready with conditions", 3: "Replacements", 4: "Re-architecture"}


@dataclass
class PlanItem:
    verdict: ResourceVerdict  # judged at the target (levels and effort there)
    level: Level
    verdict_text: str  # the verdict at the target, or the generic level's reading
    own_wave: int
    wave: int = 0
    moves_with: list[str] = field(default_factory=list)  # addresses moving in the same wave, tied to it
    bridges: list[str] = field(default_factory=list)

    @property
    def resource(self):
        return self.verdict.resource

    @property
    def store(self) -> bool:
        return any(
            f.rule.category in STORE_CATEGORIES for f in self.verdict.findings if f.resource is self.resource and not f.coupling
        )


@dataclass(frozen=True)
class Wave:
    number: int
    title: str
    items: tuple[PlanItem, ...]
    low: float  # one team in sequence
    high: float
    parallel_low: float  # TEAMS teams in parallel
    parallel_high: float

    @property
    def services(self) -> list[tuple[str, int]]:
        """What the wave moves: the service deciding each resource, with its count, most resources first."""
        counts = Counter(i.verdict.deciding.rule.service for i in self.items)
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class Plan:
    target: Target | None
    waves: tuple[Wave, ...]  # always four, some may be empty
    teams: int = TEAMS

    @property
    def total(self) -> tuple[float, float]:
        """Every wave, one team in sequence."""
        return round(sum(w.low for w in self.waves), 2), round(sum(w.high for w in self.waves), 2)

    @property
    def bridges(self) -> list[tuple[PlanItem, str]]:
        """Each consumer moving before a store it relies on, with the bridge it needs, in wave order."""
        return [(item, bridge) for wave in self.waves for item in wave.items for bridge in item.bridges]


def _wave_of(level: Level, verdict: str | None) -> int:
    if verdict in (NOT_READY, UNKNOWN) or level in (Level.P4, Level.U):
        return 4
    if level is Level.P3:
        return 3
    if verdict == CONDITIONAL or level is Level.P2:
        return 2
    return 1


def _generic_text(level: Level) -> str:
    return (
        {1: READY, 2: CONDITIONAL, 3: "replacement", 4: "re-architecture"}[_wave_of(level, None)]
        if level is not Level.U
        else UNKNOWN
    )


def plan(assessment: Assessment, teams: int = TEAMS) -> Plan:
    target = assessment.targets[0].target if assessment.targets else None
    bands = assessment.judged.bands if assessment.judged is not None else EFFORT_BANDS
    originals = list(assessment.verdicts)
    judged: list[ResourceVerdict] = []
    texts: list[tuple[Level, str]] = []
    for verdict in originals:
        if target is None:
            judged.append(verdict)
            texts.append((verdict.level, _generic_text(verdict.level)))
            continue
        judgements = [judge(f, target) for f in verdict.findings]
        moved = [
            f if j.level is f.level else replace(f, level=j.level) for f, j in zip(verdict.findings, judgements, strict=True)
        ]
        again = _verdict(verdict.resource, moved, bands) or verdict
        judged.append(again)
        texts.append((again.level, worst(j.verdict for j in judgements)))
    judged = _variants(judged, [_definition_key(v.resource) for v in originals])
    items = [
        PlanItem(v, level, text, _wave_of(level, text if target is not None else None))
        for v, (level, text) in zip(judged, texts, strict=True)
    ]
    for item in items:
        item.wave = item.own_wave
    _group(assessment, items)
    waves = []
    for number in (1, 2, 3, 4):
        members = tuple(
            sorted(
                (i for i in items if i.wave == number),
                key=lambda i: (i.resource.location.path, i.resource.location.line, i.resource.address),
            )
        )
        low = round(sum(i.verdict.effort_low for i in members), 2)
        high = round(sum(i.verdict.effort_high for i in members), 2)
        longest_low = max((i.verdict.effort_low for i in members), default=0.0)
        longest_high = max((i.verdict.effort_high for i in members), default=0.0)
        waves.append(
            Wave(
                number,
                WAVE_TITLES[number],
                members,
                low,
                high,
                round(max(longest_low, low / teams), 2),
                round(max(longest_high, high / teams), 2),
            )
        )
    return Plan(target, tuple(waves), teams)


def _group(assessment: Assessment, items: list[PlanItem]) -> None:
    by_key = {resource_key(i.resource): i for i in items}
    by_rule: dict[str, list[PlanItem]] = {}
    for item in items:
        if item.store:
            for f in item.verdict.findings:
                if f.resource is item.resource and not f.coupling:
                    by_rule.setdefault(f.rule.id, []).append(item)
    groups: list[tuple[PlanItem, list[PlanItem], list[PlanItem]]] = []  # workload, linked objects, stores
    resources = {resource_key(v.resource): v.resource for v in assessment.verdicts}
    for workload in assessment.workloads.workloads:
        consumer = by_key.get(resource_key(workload.resource))
        if consumer is None:
            continue
        linked = [by_key[k] for k in _reachable(workload.resource, resources) if k in by_key and by_key[k] is not consumer]
        stores: list[PlanItem] = []
        for tie in workload.ties:
            if tie.finding.rule.category not in STORE_CATEGORIES:
                continue
            if tie.via:
                found = [i for i in linked if i.resource.address == tie.via]
            else:
                found = by_rule.get(tie.finding.rule.id, [])
            stores.extend(s for s in found if s is not consumer and s not in stores)
        linked = [i for i in linked if i not in stores]
        groups.append((consumer, linked, stores))
    placed: set[int] = set()
    for consumer, linked, stores in sorted(
        groups, key=lambda g: max([g[0].own_wave, *(s.own_wave for s in g[2] if s.own_wave < 4)])
    ):
        held = [s for s in stores if s.own_wave < 4 and id(s) not in placed]
        wave = max([consumer.own_wave, *(i.own_wave for i in linked), *(s.own_wave for s in held)])
        for member in (consumer, *linked, *held):
            member.wave = max(member.wave, wave) if id(member) in placed else wave
            placed.add(id(member))
        for store in stores:
            if store.wave > consumer.wave:
                consumer.bridges.append(
                    f"VPN or private link to the old {_service(store)} ({store.resource.address}) until wave {store.wave}"
                )
        together = [m for m in (*linked, *stores) if m.wave == consumer.wave]
        for member in together:
            if member.resource.address not in consumer.moves_with:
                consumer.moves_with.append(member.resource.address)
            if consumer.resource.address not in member.moves_with:
                member.moves_with.append(consumer.resource.address)


def _service(item: PlanItem) -> str:
    return item.verdict.deciding.rule.service


def _reachable(resource, keys) -> list[str]:
    order: list[str] = []
    frontier = list(resource.links)
    while frontier:
        key = frontier.pop(0)
        if key in order:
            continue
        order.append(key)
        if key in keys:
            frontier.extend(keys[key].links)
    return order
