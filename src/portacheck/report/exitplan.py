"""A draft exit plan annex per ICT third-party provider, `--format exit-plan` (Markdown).

For each provider the code deploys on: the three scenarios an exit plan must cover (Delegated
Regulation (EU) 2024/1773, Art. 10), the alternatives the catalogue knows (managed offers at
European targets, self-run open source), the migration steps in waves by level with their effort,
and the open points only the organisation can settle. A draft, to be completed and approved by
the organisation; see docs/dora.md.
"""

from __future__ import annotations

from typing import Any, TextIO

from portacheck.assess import Assessment, ResourceVerdict
from portacheck.model import Level
from portacheck.report import dora
from portacheck.report.common import days
from portacheck.report.escape import markdown_cell as cell

TITLE = "Draft exit plan — to be completed and approved by <organisation>"

SCENARIOS = (
    ("Persistent service interruption", "the provider's service is unavailable beyond the tolerated downtime of the functions it supports"),
    ("Failed service delivery", "the service no longer meets the agreed levels, security or regulatory requirements"),
    ("Unexpected termination", "the contractual arrangement ends early: by either party, insolvency, sanctions or a supervisor's request"),
)

WAVES = (
    ("Wave 1: re-point", (Level.P0, Level.P1), "same API or standard: change endpoints, credentials and configuration"),
    ("Wave 2: adapt", (Level.P2,), "a compatible service: replace the provider extensions in use"),
    ("Wave 3: replace", (Level.P3,), "a functional equivalent: rewrite the code that uses the service, migrate the data"),
    ("Wave 4: re-architect", (Level.P4,), "no equivalent: redesign the part of the system built on it"),
    ("Before the waves: classify", (Level.U,), "services the catalogue does not know: classify them, then place them in a wave"),
)

OPEN_POINTS = (
    "Contract: reference of the contractual arrangement, its exit and termination terms, transition assistance",
    "Notice: notice periods on both sides, and whether the schedule below fits within them",
    "Data export: what data, in which formats, volumes, how it is exported and verified, and deletion at the provider",
    "Owners: who owns the plan and each wave, and who decides to trigger it",
    "Dates: the target dates of each wave, and when the plan is reviewed and tested",
    "Critical or important functions the provider supports, and the tolerated downtime of each",
    "Approval: by the management body or whom it delegates, with the date",
)


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write("\n".join(lines(assessment)) + "\n")


def lines(a: Assessment) -> list[str]:
    out = [f"# {TITLE}", "", f"*{dora.DRAFT}. Each annex below covers one ICT third-party service provider found in the code.*"]
    by_provider: dict[str, list[dora.ServiceGroup]] = {}
    for group in dora.groups(a):
        by_provider.setdefault(group.provider, []).append(group)
    if not by_provider:
        return out + ["", "No ICT third-party service provider found: no annex to draft."]
    for found in by_provider.values():
        out += ["", *annex(found)]
    return out


def annex(found: list[dora.ServiceGroup]) -> list[str]:
    name, key = found[0].name, found[0].provider
    verdicts = [v for g in found for v in g.verdicts]
    out = [
        f"## Annex: exit plan for {cell(name)} ({cell(key)})",
        "",
        f"*{TITLE}.*",
        "",
        f"{len(verdicts)} deployed resource{'s' if len(verdicts) != 1 else ''} found in the code. By type of ICT service:",
        "",
        "| Type of ICT service | Resources | Substitutability | Reintegration |",
        "|---|---|---|---|",
    ]
    for g in found:
        out.append(
            f"| {dora.SERVICE_TYPE_NAMES[g.service_type]} ({g.service_type}) | {len(g.verdicts)} | "
            f"{dora.SUBSTITUTABILITY_NAMES[g.substitutability]} ({g.substitutability}) | {REINTEGRATION_NAMES[g.reintegration]} ({g.reintegration}) |"
        )
    out += ["", "### Exit scenarios (Delegated Regulation (EU) 2024/1773, Art. 10)", "", "| Scenario | When | Response (to complete) |", "|---|---|---|"]
    out += [f"| {title} | {when} | to complete |" for title, when in SCENARIOS]
    out += ["", "### Alternatives", "", "| Service | Level | Managed offers | Self-run open source |", "|---|---|---|---|"]
    seen: dict[str, ResourceVerdict] = {}
    for v in sorted(verdicts, key=lambda v: (v.rule.service, v.rule.id)):
        seen.setdefault(v.rule.id, v)
    for v in seen.values():
        offers = "; ".join(f"{o.target_name or o.target}: {o.offer} ({o.compatibility})" for o in sorted(v.rule.managed, key=lambda o: (o.target_name or o.target, o.offer)))
        out.append(f"| {cell(v.rule.service)} [{cell(v.rule.id)}] | {v.rule.level.value} | {cell(offers) or 'none known'} | {cell(', '.join(v.rule.open_source)) or 'none known'} |")
    out += ["", "### Steps in waves", ""]
    for title, levels, what in WAVES:
        wave = [v for v in verdicts if v.level in levels]
        if not wave:
            continue
        low, high = sum(v.effort_low for v in wave), sum(v.effort_high for v in wave)
        out += [f"**{title}** ({'–'.join(dict.fromkeys((levels[0].value, levels[-1].value)))}, {what}): {len(wave)} resource{'s' if len(wave) != 1 else ''}, {days(low, high)}", ""]
        out += [f"- `{cell(v.resource.address)}`: {cell(v.rule.service)} ({v.level.value})" for v in sorted(wave, key=lambda v: v.resource.address)]
        out.append("")
    out += ["Effort excludes the one-off platform work at the destination (landing zone, identity, network, CI/CD, observability, backup).", ""]
    out += ["### Open points (for the organisation to fill in)", ""]
    out += [f"- [ ] {point}" for point in OPEN_POINTS]
    return out


REINTEGRATION_NAMES = {dora.REINTEGRATION_EASY: "Easy", dora.REINTEGRATION_DIFFICULT: "Difficult", dora.REINTEGRATION_HIGHLY_COMPLEX: "Highly complex"}
