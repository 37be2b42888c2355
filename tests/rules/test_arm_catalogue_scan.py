"""One Bicep resource of every listed ARM type, scanned: every type is classified, nothing is unknown."""

from __future__ import annotations

import time

from portacheck.model import Level

from conftest import ROOT

TYPES = ROOT / "catalog" / "arm" / "azure.resource-types.txt"


def test_a_resource_of_every_listed_arm_type_scans_with_no_unknowns(tmp_path, scan):
    names = TYPES.read_text().split()
    (tmp_path / "main.bicep").write_text(
        "".join(f"resource r{i} '{name}@2024-01-01' = {{\n  name: 'x'\n}}\n" for i, name in enumerate(names))
    )
    start = time.perf_counter()
    assessment = scan(tmp_path)
    elapsed = time.perf_counter() - start
    assert assessment.errors == ()
    typed = [f for f in assessment.findings if f.signal.kind == "arm"]
    assert len(typed) == len(names) == 3405
    assert sorted({f.signal.value for f in typed if f.level is Level.U}) == []
    assert elapsed < 60, f"{len(names)} resources took {elapsed:.1f} s"
