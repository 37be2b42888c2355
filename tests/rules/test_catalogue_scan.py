"""One block of every listed Terraform type, scanned: nothing is unknown."""

from __future__ import annotations

import time

from portacheck.model import Level

from helpers import EUROPEAN, HYPERSCALERS, NEUTRAL, VENDORED

SOURCES = {"google-beta": "hashicorp/google-beta", "opentelekomcloud": "opentelekomcloud/opentelekomcloud"}


def test_a_block_of_every_listed_type_scans_with_no_unknowns(tmp_path, scan, catalogue):
    blocks = []
    expected = 0
    for provider in HYPERSCALERS + EUROPEAN + NEUTRAL:
        for kind, block in (("resources", "resource"), ("data-sources", "data")):
            for name in (VENDORED / f"{provider}.{kind}.txt").read_text().split():
                blocks.append(f'{block} "{name}" "x" {{\n  provider = {provider}\n}}\n')
                expected += 1
    sources = {p.key: p.terraform_sources[0] for p in catalogue.providers.values() if p.terraform_sources}
    required = "\n".join(f'    {p} = {{ source = "{sources[p]}" }}' for p in HYPERSCALERS + EUROPEAN + NEUTRAL)
    (tmp_path / "versions.tf").write_text(f"terraform {{\n  required_providers {{\n{required}\n  }}\n}}\n")
    (tmp_path / "main.tf").write_text("".join(blocks))
    start = time.perf_counter()
    assessment = scan(tmp_path)
    elapsed = time.perf_counter() - start
    assert not [e for e in assessment.errors], assessment.errors[:5]
    typed = [f for f in assessment.findings if f.signal.kind in ("terraform", "terraform_data")]
    assert len(typed) == expected
    unknown = sorted({f.signal.value for f in typed if f.level is Level.U})
    assert unknown == [], unknown[:20]
    assert elapsed < 60, f"{expected} blocks took {elapsed:.1f} s"


def test_a_template_declaring_every_cloudformation_type_scans_with_no_unknowns(tmp_path, scan):
    types = (VENDORED.parent / "cloudformation" / "aws.resource-types.txt").read_text().split()
    body = "".join(f"  R{index}:\n    Type: {name}\n" for index, name in enumerate(types))
    (tmp_path / "all.yaml").write_text(f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n{body}')
    assessment = scan(tmp_path)
    assert assessment.errors == ()
    typed = [f for f in assessment.findings if f.signal.kind == "cloudformation"]
    assert len(typed) == len(types) == 1896
    assert sorted({f.signal.value for f in typed if f.level is Level.U}) == []
