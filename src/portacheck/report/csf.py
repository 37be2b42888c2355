"""The EU Cloud Sovereignty Framework view (`--format csf`, Markdown; `--format csf-json`).

Per technical layer, the framework criteria the infrastructure code can speak to, each with a
proposed SEAL level, why, and the findings behind it. The JSON report carries the same object
under `csf` when `--sovereignty` is given.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from portacheck.assess import Assessment
from portacheck.report.escape import markdown_cell as cell
from portacheck.sovereignty import csf


def render(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    stream.write("\n".join(lines(assessment)) + "\n")


def render_json(assessment: Assessment, stream: TextIO, **_options: Any) -> None:
    json.dump(document(assessment), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def document(a: Assessment) -> dict[str, Any]:
    return {
        "framework": "EU Cloud Sovereignty Framework v1.2.1 (European Commission, October 2025)",
        "disclaimer": csf.DISCLAIMER,
        "profile": a.sovereignty.profile.key if a.sovereignty else None,
        "layers": [
            {
                "layer": layer.layer,
                "resources": layer.resources,
                "criteria": [
                    {
                        "id": answer.criterion,
                        "name": csf.CRITERIA[answer.criterion],
                        "seal": answer.seal,
                        "why": answer.why,
                        "evidence": [
                            {"rule_id": e.rule_id or None, "file": e.location.path, "line": e.location.line, "detail": e.detail} for e in answer.evidence
                        ],
                    }
                    for answer in layer.answers
                ],
            }
            for layer in csf.view(a)
        ],
    }


def lines(a: Assessment) -> list[str]:
    out = ["## EU Cloud Sovereignty Framework: what the infrastructure code shows", "", f"*{csf.DISCLAIMER}*"]
    layers = csf.view(a)
    if not layers:
        return out + ["", "No deployed cloud resource found: nothing to answer."]
    for layer in layers:
        out += ["", f"### {layer.layer} ({layer.resources} deployed resource{'s' if layer.resources != 1 else ''})", "", "| Criterion | Proposed SEAL | Why | Evidence |", "|---|---|---|---|"]
        for answer in layer.answers:
            seal = f"SEAL-{answer.seal}" if answer.seal is not None else "not answerable from code"
            evidence = "<br>".join(cell(f"{e.location}: {e.detail}") for e in answer.evidence) or "–"
            out.append(f"| {answer.criterion} {cell(csf.CRITERIA[answer.criterion])} | {seal} | {cell(answer.why)} | {evidence} |")
    return out
