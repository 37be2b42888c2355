"""Fingerprints identify findings: no two findings of a scan share one (GitLab and baselines rely on it)."""

from __future__ import annotations

import pytest

from portacheck.model import fingerprint

from conftest import FIXTURES

TREES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "helm")  # charts: tests/test_helm.py


@pytest.mark.parametrize("name", TREES)
def test_fingerprints_are_unique_in_every_fixture(name, scan):
    findings = scan(FIXTURES / name).findings
    prints = [fingerprint(f) for f in findings]
    assert len(prints) == len(set(prints))


def test_the_same_key_in_two_places_is_two_findings_and_a_repeated_token_one(tree, scan):
    root = tree({
        "values.yaml": (
            "api:\n  service:\n    annotations:\n      service.beta.kubernetes.io/aws-load-balancer-type: external\n"
            "web:\n  service:\n    annotations:\n      service.beta.kubernetes.io/aws-load-balancer-type: external\n"
        ),
        "job.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: script}\ndata:\n  run.sh: |\n"
            "    aws s3 cp s3://reports-eu/a .\n    aws s3 cp s3://reports-eu/b .\n"
        ),
    })
    found = [(f.rule.id, f.location.path, f.location.line) for f in scan(root).findings if f.level.value != "P0"]
    assert found == [
        ("AWS-S3", "job.yaml", 6),
        ("AWS-S3", "job.yaml", 7),
        ("AWS-LB-CONTROLLER", "values.yaml", 4),
        ("AWS-LB-CONTROLLER", "values.yaml", 8),
    ]
