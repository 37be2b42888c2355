"""The EU Cloud Sovereignty Framework's questions that infrastructure code can answer, per layer.

The framework (European Commission, DG DIGIT, v1.2.1, October 2025) scores a cloud service per
sovereignty objective on SEAL levels 0 (no sovereignty) to 4 (full digital sovereignty). Some of its
criteria are about what the code shows: portability (SOV-4.1), open interfaces, standards and open
source (SOV-6.1 to 6.3), key custody (SOV-3.1), data location (SOV-3.4), AI services (SOV-3.5) and
single points of dependency (SOV-5.6). For each technical layer this proposes a SEAL answer with the
findings behind it. These are proposals for a person to confirm, never a certification: the code
shows what is deployed, not contracts, operations or who can be compelled to hand over data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portacheck.model import DEPLOYED_KINDS, Finding, Level, Location
from portacheck.sovereignty.custody import KeyCustody

DISCLAIMER = (
    "Proposed answers for a person to confirm, not a certification: they rest on what the infrastructure code "
    "deploys, not on contracts, operations, support or legal exposure. SEAL levels after the EU Cloud "
    "Sovereignty Framework (European Commission, v1.2.1, October 2025)."
)

LAYERS = {
    "compute": ("compute", "kubernetes", "containers"),
    "storage": ("object-storage", "block-storage", "file-storage", "backup"),
    "databases": ("relational-db", "nosql-db", "cache", "analytics"),
    "networking": ("networking", "load-balancing", "dns", "cdn"),
    "identity": ("identity",),
    "platform": ("serverless", "messaging", "streaming", "workflow", "api-gateway", "registry", "devtools", "observability", "management", "email", "iot", "other"),
    "security": ("secrets-kms", "security"),
    "ai": ("ai-ml",),
}
LAYER_OF = {category: layer for layer, categories in LAYERS.items() for category in categories}
CRITERIA = {
    "SOV-4.1": "Portability and interoperability",
    "SOV-6.1": "Interoperability and open interfaces",
    "SOV-6.2": "Open standards compliance",
    "SOV-6.3": "Open source availability",
    "SOV-3.1": "Customer control over encryption keys",
    "SOV-3.4": "Data location strictly in the EU/EEA",
    "SOV-3.5": "AI services",
    "SOV-5.6": "Single point of dependency",
    "SOV-4.2": "Ability to operate without foreign dependencies",
}
MAX_EVIDENCE = 10


@dataclass(frozen=True, slots=True)
class Evidence:
    rule_id: str
    location: Location
    detail: str


@dataclass(frozen=True, slots=True)
class Answer:
    criterion: str  # e.g. SOV-6.1
    seal: int | None  # the proposed SEAL level, None when the code cannot answer it
    why: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class LayerView:
    layer: str
    resources: int  # deployed resources whose level a rule of this layer decides
    answers: tuple[Answer, ...]


def view(assessment) -> tuple[LayerView, ...]:
    """The layers the scan found something in, each with its answers."""
    findings = [f for f in assessment.findings if f.resource.kind in DEPLOYED_KINDS or f.coupling]
    custody = assessment.sovereignty.custody if assessment.sovereignty else ()
    placements = {id(j.resource): j.placement for j in assessment.sovereignty.resources} if assessment.sovereignty else {}
    result = []
    for layer, categories in LAYERS.items():
        own = [f for f in findings if f.rule.category in categories]
        verdicts = [v for v in assessment.verdicts if v.rule.category in categories]
        if not own and not verdicts:
            continue
        answers = [_portability(own), _interfaces(own), _standards(own), _open_source(own), _dependency(own)]
        if layer in ("storage", "databases"):
            answers.insert(4, _custody([c for c in custody if _custody_layer(c, findings) == layer]))
        if layer in ("storage", "databases", "compute"):
            answers.insert(4, _location([(v.resource, placements[id(v.resource)]) for v in verdicts if id(v.resource) in placements], verdicts))
        if layer == "ai":
            answers.append(_ai(own))
        if layer == "platform" and assessment.sovereignty is not None and assessment.sovereignty.control is not None:
            answers.append(_control(assessment.sovereignty.control))
        result.append(LayerView(layer, len(verdicts), tuple(answers)))
    return tuple(result)


def _evidence(findings: Iterable[Finding], detail) -> tuple[Evidence, ...]:
    seen: dict[tuple, Evidence] = {}
    for f in findings:
        key = (f.rule.id, f.location.path, f.location.line)
        if key not in seen:
            seen[key] = Evidence(f.rule.id, f.location, detail(f))
    return tuple(sorted(seen.values(), key=lambda e: (e.location.path, e.location.line, e.rule_id))[:MAX_EVIDENCE])


def _portability(findings: Sequence[Finding]) -> Answer:
    known = [f for f in findings if f.level is not Level.U]
    if not known:
        return Answer("SOV-4.1", None, "nothing classified in this layer")
    worst = max(f.level for f in known)
    seal = {Level.P0: 4, Level.P1: 4, Level.P2: 3, Level.P3: 2, Level.P4: 1}[worst]
    why = f"the hardest service to move here is {worst.value} ({worst.title}); P0-P1 carry over with standard tools (SEAL 4), P2 needs adapting (3), P3 replacing (2), P4 re-architecting (1)"
    return Answer("SOV-4.1", seal, why, _evidence([f for f in known if f.level is worst], lambda f: f"{f.rule.service}: {f.level.value}"))


def _interfaces(findings: Sequence[Finding]) -> Answer:
    known = [f for f in findings if f.level is not Level.U]
    if not known:
        return Answer("SOV-6.1", None, "nothing classified in this layer")
    closed = [f for f in known if f.level >= Level.P3]
    partly = [f for f in known if f.level is Level.P2]
    if closed:
        return Answer("SOV-6.1", 1, f"{len({f.rule.id for f in closed})} service(s) with closed interfaces (P3-P4)", _evidence(closed, lambda f: f"{f.rule.service}: closed ({f.level.value})"))
    if partly:
        return Answer("SOV-6.1", 2, "partly proprietary interfaces (P2): compatible APIs with provider extensions", _evidence(partly, lambda f: f"{f.rule.service}: partly proprietary"))
    return Answer("SOV-6.1", 4, "open interfaces only (P0-P1)")


def _share(findings: Sequence[Finding], has, criterion: str, noun: str) -> Answer:
    rules = {f.rule.id: f.rule for f in findings if f.level is not Level.U and f.level is not Level.P0}
    if not rules:
        return Answer(criterion, None, "no provider-specific service in this layer")
    missing = [r for r in rules.values() if not has(r)]
    if not missing:
        return Answer(criterion, 4, f"every provider-specific service here has {noun}")
    seal = 2 if len(missing) < len(rules) else 1
    names = ", ".join(sorted(r.service for r in missing)[:5])
    return Answer(criterion, seal, f"{len(missing)} of {len(rules)} services have no {noun}: {names}", _evidence([f for f in findings if f.rule in missing], lambda f: f.rule.service))


def _standards(findings: Sequence[Finding]) -> Answer:
    return _share(findings, lambda r: bool(r.standard), "SOV-6.2", "open standard named in the catalogue")


def _open_source(findings: Sequence[Finding]) -> Answer:
    return _share(findings, lambda r: bool(r.open_source), "SOV-6.3", "open-source alternative")


def _dependency(findings: Sequence[Finding]) -> Answer:
    stuck = [f for f in findings if f.level is Level.P4 or (f.level >= Level.P2 and not (f.rule.managed or f.rule.open_source or f.rule.standard))]
    if not [f for f in findings if f.level is not Level.U]:
        return Answer("SOV-5.6", None, "nothing classified in this layer")
    if not stuck:
        return Answer("SOV-5.6", 4, "every service here has an alternative: a managed offer at a European target, open source or an open standard")
    return Answer(
        "SOV-5.6", 1, f"{len({f.rule.id for f in stuck})} service(s) with no functional alternative at any target (P4, or nothing offered)",
        _evidence(stuck, lambda f: f"{f.rule.service}: {f.level.value}"),
    )


def _custody_layer(custody: KeyCustody, findings: Sequence[Finding]) -> str:
    """The layer of the rule deciding the store's resource (an SQS queue is platform, not storage)."""
    for f in findings:
        if f.resource is custody.resource and not f.coupling:
            return LAYER_OF.get(f.rule.category, "")
    return ""


def _custody(custody: Sequence[KeyCustody]) -> Answer:
    """The weakest store decides: one provider-managed key is the framework's "provider only"."""
    if not custody:
        return Answer("SOV-3.1", None, "no data store whose key custody the code shows")
    kinds = [c.custody for c in custody]
    ordered = sorted(custody, key=lambda c: ("provider-managed", "unknown", "customer-managed", "external").index(c.custody))
    evidence = tuple(Evidence("", c.resource.location, f"{c.store}: {c.custody} ({c.evidence})") for c in ordered[:MAX_EVIDENCE])
    unresolved = f"; {kinds.count('unknown')} not resolved" if "unknown" in kinds else ""
    if "provider-managed" in kinds:
        return Answer("SOV-3.1", 0, f"{kinds.count('provider-managed')} of {len(kinds)} stores use provider-managed keys (provider only: SEAL 0){unresolved}", evidence)
    if "unknown" in kinds:
        return Answer("SOV-3.1", None, f"key custody not resolved for {kinds.count('unknown')} of {len(kinds)} stores", evidence)
    if all(k == "external" for k in kinds):
        return Answer("SOV-3.1", 4, "every store is encrypted with keys held outside the provider", evidence)
    return Answer("SOV-3.1", 2, "customer-managed keys in the provider's KMS: the customer controls use and rotation, the provider holds the key material", evidence)


def _location(placed: Sequence, verdicts: Sequence) -> Answer:
    if not verdicts:
        return Answer("SOV-3.4", None, "no deployed resource in this layer")
    if not placed:
        return Answer("SOV-3.4", None, "data location is judged with --sovereignty (regions by provider)")
    outside = [(r, p) for r, p in placed if p.region_class == "outside-eu"]
    unknown = [(r, p) for r, p in placed if p.region_class == "unknown" and p.provider]

    def evidence(pairs) -> tuple[Evidence, ...]:
        return tuple(Evidence("", r.location, f"{r.address}: {p.region or 'region not resolved'} ({p.provider})") for r, p in pairs[:MAX_EVIDENCE])

    if outside:
        regions = ", ".join(sorted({p.region for _r, p in outside})[:5])
        return Answer("SOV-3.4", 0, f"{len(outside)} resource(s) in regions outside the EU/EEA: {regions}", evidence(outside))
    if unknown:
        return Answer("SOV-3.4", None, f"{len(unknown)} resource(s) whose region is not resolved", evidence(unknown))
    return Answer("SOV-3.4", 3, "every region is in the EU/EEA; SEAL 4 also needs no third-country fallback, which the code does not show")


def _control(plane) -> Answer:
    """The infrastructure-code control plane: can the estate still be changed if access is cut?"""
    evidence = tuple(Evidence("", i.location, f"{i.what}: {i.verdict}") for i in plane.items if i.verdict != "independent")[:MAX_EVIDENCE]
    if plane.autonomous is True:
        return Answer("SOV-4.2", 4, "state, providers and modules are held independently of any provider or third party")
    if plane.autonomous is False:
        return Answer("SOV-4.2", 1, "the state backend, its key, provider registry or modules depend on a provider or a third party", evidence)
    return Answer("SOV-4.2", None, "the control plane is not found, or its holders are not known", evidence)


def _ai(findings: Sequence[Finding]) -> Answer:
    known = [f for f in findings if f.level is not Level.U and f.level is not Level.P0]
    if not known:
        return Answer("SOV-3.5", None, "no AI service found")
    worst = max(f.level for f in known)
    seal = {Level.P1: 3, Level.P2: 3, Level.P3: 2, Level.P4: 1}[worst]
    return Answer("SOV-3.5", seal, f"AI services up to {worst.value}: P4 means proprietary models with no equivalent elsewhere", _evidence(known, lambda f: f"{f.rule.service}: {f.level.value}"))
