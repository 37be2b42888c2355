"""Machine-readable report; the schema is documented in docs/json-report.md and versioned.

Field names are stable within a major schema version; new fields may appear in a minor one.
Paths are relative to the scanned root; nothing absolute or time-dependent is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from portacheck import __version__
from portacheck.assess import Assessment, ResourceVerdict, RootView, TargetView, deployed
from portacheck.model import Finding, Level, ManagedOffer, Rule, ScanError, Target, Unresolved, fingerprint
from portacheck.report.common import covers, days, target_line
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, Judgement, judge

# 2.0: workload counts are distinct workloads; effort per definition. 2.1: findings' `coupling`.
# 2.2: `undeployed` (count/for_each = 0), `deployed` on findings and resources, `summary.roots`.
# 2.3: offers keyed by `target` with `compatibility` and `as_of`; `summary.targets` (--target),
# `summary.nearest_target`, findings' `targets` (level and verdict at each target); `summary.sovereignty`
# and `sovereignty` (--sovereignty).
SCHEMA_VERSION = "2.3"


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    write(document(assessment), stream)


def write(doc: dict[str, Any], stream: TextIO) -> None:
    """Indented JSON with one line per list item at the top level's lists of objects.

    Readable and diffable, and fast: json's C encoder only runs without indentation, so each
    finding is encoded compactly on its own line instead of walking 12,000 of them in Python.
    """
    stream.write("{\n")
    items = list(doc.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        stream.write(f"  {json.dumps(key)}: ")
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            stream.write("[\n")
            for j, item in enumerate(value):
                stream.write("    " + json.dumps(item, ensure_ascii=False, default=_default) + ("," if j < len(value) - 1 else "") + "\n")
            stream.write(f"  ]{comma}\n")
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False, default=_default)
            stream.write(text.replace("\n", "\n  ") + comma + "\n")
    stream.write("}\n")


def document(a: Assessment) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "portacheck", "version": __version__},
        "summary": summary(a),
        "findings": [finding(f, a.targets) for f in a.findings],
        "resources": [verdict(v) for v in a.verdicts],
        "data_sources": [verdict(v) for v in a.data_sources],
        "pipelines": [verdict(v) for v in a.pipelines],
        "code": [verdict(v) for v in a.code],
        "undeployed": [verdict(v) for v in a.undeployed],
        "providers": [
            {
                "key": p.key,
                "name": p.name,
                "kind": p.kind,
                "eu_headquartered": p.eu_headquartered,
                "resources": p.resources,
                "data_sources": p.data_sources,
                "regions": list(p.regions),
                "region_jurisdiction": {r: p.region_classes.get(r, "unknown") for r in p.regions},
            }
            for p in a.providers
        ],
        "suppressed": [dict(finding(f, a.targets), suppressed_because=why) for f, why in a.suppressed],
        "notes": list(a.notes),
        "errors": [error(e) for e in a.errors],
        "workloads": workloads(a),
        "distinct_workloads": distinct_workloads(a),
        "sovereignty": sovereignty_resources(a),
        "csf": _csf(a),
    }


def distinct_workloads(a: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "kind": w.key[0],
            "name": w.key[1],
            "images": list(w.key[2]),
            "level": w.level.value,
            "definitions": [
                {
                    "address": d.resource.address,
                    "file": d.resource.location.path,
                    "line": d.resource.location.line,
                    "origin": str(d.resource.location.origin) or None,
                    "level": d.level.value,
                }
                for d in w.definitions
            ],
        }
        for w in a.workloads.distinct
    ]


def workloads(a: Assessment) -> list[dict[str, Any]]:
    view = a.workloads
    return [
            {
                "address": v.resource.address,
                "type": v.resource.type,
                "source": v.resource.source,
                "file": v.resource.location.path,
                "line": v.resource.location.line,
                "origin": str(v.resource.location.origin) or None,
                "level": v.level.value,
                "ties": [
                    {
                        "rule_id": t.finding.rule.id,
                        "service": t.finding.rule.service,
                        "level": t.finding.level.value,
                        "via": t.via or None,
                        "file": t.finding.location.path,
                        "line": t.finding.location.line,
                        "fingerprint": fingerprint(t.finding),
                    }
                    for t in v.ties
                ],
                "links": [
                    {"context": link.context, "via": link.via, "source": link.source, "build": link.build}
                    for link in v.links
                ],
            }
            for v in view.workloads
        ]


def summary(a: Assessment) -> dict[str, Any]:
    return {
        "files_analysed": a.files_analysed,
        "read": [
            {"format": c.name, "title": c.title, "unit": c.unit, "count": c.count, "objects": c.objects if c.object_noun else None, "analysed": c.analysed}
            for c in a.read
        ],
        "resources": a.resources_total,
        "levels": {level.value: a.level_counts.get(level, 0) for level in Level},
        "shares": {
            "P0": round(a.share(Level.P0), 4),
            "P0_P1": round(a.coverage, 4),
            "P2_P4": round(a.share(Level.P2, Level.P3, Level.P4), 4),
            "U": round(a.share(Level.U), 4),
        },
        "coverage": round(a.coverage, 4),
        "data_sources": len(a.data_sources),
        "pipelines": len(a.pipelines),
        "findings": len(a.findings),
        "code": len(a.code),
        "undeployed": len(a.undeployed),
        "roots": [root_summary(r) for r in a.roots],
        "targets": [target_summary(v) for v in a.targets],
        "nearest_target": target_summary(a.nearest) if a.nearest is not None else None,
        "sovereignty": sovereignty_summary(a),
        "workloads": {
            "total": a.workloads.total,
            "definitions": a.workloads.definitions,
            "variants": list(a.workloads.variants),
            "as_they_are": a.workloads.as_they_are,
            "repointed": a.workloads.repointed,
            "tied": a.workloads.tied,
            "notes": list(a.workloads.notes),
        },
        "by_provider": {k: {lv.value: n for lv, n in v.items()} for k, v in sorted(a.by_provider.items())},
        "by_category": {k: {lv.value: n for lv, n in v.items()} for k, v in sorted(a.by_category.items())},
        "effort": {
            "unit": "person-days",
            "low": a.effort.low,
            "mid": round(a.effort.mid, 2),
            "high": a.effort.high,
            "display": f"{days(a.effort.low, a.effort.high)} {covers(a)}",
            "definitions": a.effort.definitions,
            "deployments": a.effort.deployments,
            "effort_weighted_portability": round(a.effort.portable_share, 4),
            "by_level": {lv.value: {"low": lo, "high": hi} for lv, (lo, hi) in a.effort.by_level.items()},
            "by_category": {cat: {"low": lo, "high": hi} for cat, (lo, hi) in a.effort.by_category.items()},
            "platform_one_off_per_target": {"low": a.effort.platform[0], "high": a.effort.platform[1]},
            "assumptions": list(a.effort.assumptions),
        },
        "errors": sum(1 for e in a.errors if e.severity.value == "error"),
        "warnings": sum(1 for e in a.errors if e.severity.value == "warning"),
        "result": {
            "fail_on": a.fail_on.value if a.fail_on else "never",
            "policy_failed": a.policy_failed(),
            "incomplete": a.has_errors,
        },
    }


def root_summary(r: RootView) -> dict[str, Any]:
    return {
        "root": r.root,
        "resources": r.resources,
        "levels": {level.value: r.level_counts.get(level, 0) for level in Level},
        "undeployed": r.undeployed,
        "effort": {
            "low": r.effort.low,
            "high": r.effort.high,
            "display": days(r.effort.low, r.effort.high),
            "definitions": r.effort.definitions,
            "deployments": r.effort.deployments,
        },
    }


def sovereignty_summary(a: Assessment) -> dict[str, Any] | None:
    view = a.sovereignty
    if view is None:
        return None
    from portacheck.sovereignty.profiles import FAILS, MEETS, NOT_APPLICABLE, UNKNOWN

    p = view.profile
    return {
        "profile": {"key": p.key, "name": p.name, "description": p.description, "regions": list(p.regions), "provider": p.provider, "sovereign_offers": p.sovereign_offers, "source": p.source},
        "judged": view.judged,
        "meets": view.count(MEETS),
        "does_not_meet": view.count(FAILS),
        "unknown": view.count(UNKNOWN),
        "not_applicable": view.count(NOT_APPLICABLE),
        "share": round(view.share, 4),
        "partitions": [
            {"key": part.key, "name": part.name, "kind": part.kind, "operator": part.operator, "operator_eu_owned": part.operator_eu_owned, "as_of": part.as_of, "resources": n}
            for part, n in view.partitions()
        ],
        "control_plane": {
            "autonomous": view.control.autonomous,
            "items": [
                {
                    "aspect": i.aspect, "file": i.location.path, "line": i.location.line, "address": i.address, "what": i.what, "detail": i.detail or None,
                    "controller": i.controller or None, "controller_name": i.controller_name or None, "verdict": i.verdict, "reason": i.reason,
                }
                for i in view.control.items
            ],
        } if view.control is not None else None,
        "key_custody": [
            {
                "file": k.resource.location.path, "line": k.resource.location.line, "address": k.resource.address, "store": k.store,
                "custody": k.custody, "attribute": k.attribute or None, "evidence": k.evidence,
            }
            for k in view.custody
        ],
        "identity_logs": [
            {
                "topic": e.topic, "class": e.klass, "file": e.location.path, "line": e.location.line, "address": e.address, "what": e.what,
                "provider": e.provider or None, "rule_id": e.rule or None, "image": e.image or None, "value": e.value or None,
            }
            for e in (view.identity.evidence if view.identity is not None else ())
        ],
    }


def _csf(a: Assessment) -> dict[str, Any] | None:
    """The EU Cloud Sovereignty Framework view, with --sovereignty."""
    if a.sovereignty is None:
        return None
    from portacheck.report.csf import document as csf_document

    return csf_document(a)


def sovereignty_resources(a: Assessment) -> list[dict[str, Any]]:
    if a.sovereignty is None:
        return []
    return [
        {
            "address": j.resource.address,
            "file": j.resource.location.path,
            "line": j.resource.location.line,
            "origin": str(j.resource.location.origin) or None,
            "provider": j.placement.provider or None,
            "region": j.placement.region or None,
            "region_jurisdiction": j.placement.region_class,
            "partition": j.placement.partition.key if j.placement.partition else None,
            "found_by": j.placement.how or None,
            "verdict": j.verdict.replace(" ", "_"),
            "reason": j.reason,
        }
        for j in a.sovereignty.resources
    ]


def target_facts(t: Target) -> dict[str, Any]:
    """What a target is, as targets.yaml records it."""
    return {
        "key": t.key,
        "name": t.name,
        "kind": t.kind,
        "headquarters": t.headquarters or None,
        "eu_headquartered": t.eu_headquartered,
        "parent": t.parent or None,
        "ownership": t.ownership or None,
        "ownership_as_of": t.ownership_as_of or None,
        "certifications": [{"name": c.name, "as_of": c.as_of, "source": c.source, "scope": c.scope or None} for c in t.certifications],
        "platform_cost": {"low": t.platform_cost[0], "high": t.platform_cost[1]},
    }


def target_summary(v: TargetView) -> dict[str, Any]:
    return {
        **target_facts(v.target),
        "resources": v.resources,
        "verdicts": {_VERDICT_KEYS[k]: n for k, n in v.verdict_counts.items()},
        "ready_share": round(v.ready_share, 4),
        "levels": {level.value: v.level_counts.get(level, 0) for level in Level},
        "workloads": {"ready": v.workloads_ready, "total": v.workloads_total},
        "effort": {
            "unit": "person-days",
            "low": v.effort.low,
            "high": v.effort.high,
            "platform": {"low": v.effort.platform[0], "high": v.effort.platform[1]},
            "total": {"low": v.total_effort[0], "high": v.total_effort[1]},
        },
        "blockers": [
            {"rule_id": b.rule.id, "service": b.rule.service, "condition": b.condition, "locations": [{"file": loc.path, "line": loc.line} for loc in b.locations]}
            for b in v.blockers
        ],
        "display": target_line(v),
    }


_VERDICT_KEYS = {READY: "ready", CONDITIONAL: "ready_with_conditions", NOT_READY: "not_ready", UNKNOWN: "unknown"}


def judgement(j: Judgement) -> dict[str, Any]:
    return {
        "level": j.level.value,
        "verdict": _VERDICT_KEYS[j.verdict],
        "path": j.path,
        "condition": j.condition or None,
        "offer": offer(j.offer) if j.offer is not None else None,
    }


def offer(m: ManagedOffer) -> dict[str, Any]:
    return {"target": m.target, "offer": m.offer, "compatibility": m.compatibility, "evidence": m.evidence, "as_of": m.as_of}


def rule_summary(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "service": rule.service,
        "provider": rule.provider,
        "category": rule.category,
        "level": rule.level.value,
        "effort_band": rule.effort,
        "why": rule.why,
        "standard": rule.standard or None,
        "open_source": list(rule.open_source),
        "managed": [offer(m) for m in rule.managed],
    }


def finding(f: Finding, targets: Sequence[TargetView] = ()) -> dict[str, Any]:
    loc = f.location
    resource = f.resource
    return {
        "rule_id": f.rule.id,
        "service": f.rule.service,
        "provider": f.rule.provider,
        "category": f.rule.category,
        "level": f.level.value,
        "rule_level": f.rule.level.value,
        "why": f.why,
        "override": f.override or None,
        "file": loc.path,
        "line": loc.line,
        "origin": str(loc.origin) or None,
        "resource": {
            "address": resource.address,
            "type": resource.type,
            "kind": resource.kind,
            "source": resource.source,
            "provider": resource.provider or None,
            "file": resource.location.path,
            "line": resource.location.line,
        },
        "evidence": {
            "kind": f.signal.kind,
            "value": f.signal.value,
            "context": f.signal.context or None,
            "values": _values_location(f.signal.values_location),
        },
        "alternatives": {
            "standard": f.rule.standard or None,
            "open_source": list(f.rule.open_source),
            "managed": [offer(m) for m in f.rule.managed],
        },
        "targets": {v.target.key: judgement(judge(f, v.target)) for v in targets},
        "effort_band": f.band,
        "coupling": f.coupling,
        "deployed": deployed(resource),
        "fingerprint": fingerprint(f),
    }


def verdict(v: ResourceVerdict) -> dict[str, Any]:
    r = v.resource
    return {
        "address": r.address,
        "type": r.type,
        "kind": r.kind,
        "source": r.source,
        "provider": r.provider or None,
        "file": r.location.path,
        "line": r.location.line,
        "origin": str(r.location.origin) or None,
        "level": v.level.value,
        "rule_id": v.rule.id,
        "category": v.rule.category,
        "instances": r.instances,
        "deployed": deployed(r),
        "attributes": {k: _plain(val) for k, val in sorted(r.attributes.items())},
        "effort": {"low": v.effort_low, "high": v.effort_high, "multipliers": list(v.multipliers)},
    }


def error(e: ScanError) -> dict[str, Any]:
    return {"file": e.path, "line": e.line or None, "column": e.column or None, "severity": e.severity.value, "message": e.message}


def _values_location(loc: Any) -> dict[str, Any] | None:
    """Where a rendered Helm value came from: the values file and line (member: file inside an archive)."""
    if loc is None:
        return None
    return {"file": loc.path, "line": loc.line or None, "member": str(loc.origin) or None}


def _plain(value: Any) -> Any:
    if isinstance(value, Unresolved):
        return {"unresolved": value.expression}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _default(value: Any) -> Any:
    if isinstance(value, Unresolved):
        return {"unresolved": value.expression}
    if isinstance(value, Level):
        return value.value
    return str(value)
