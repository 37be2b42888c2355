"""SARIF 2.1.0 for GitHub code scanning, validated against the official schema."""

from __future__ import annotations

import hashlib
import json

import pytest

from helpers import BUCKET, DATA, DYNAMO, GIT, QUEUE, RANDOM, validate_sarif


@pytest.fixture
def repo(tree):
    return tree({
        **GIT,
        "infra/main.tf": "# portacheck:ignore[AWS-S3] reason: plain bucket, copied with rclone\n" + BUCKET + "\n" + DYNAMO + "\n" + QUEUE + "\n" + RANDOM,
        "infra/broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n',
        "infra/stale.tf": "# portacheck:ignore[AWS-LAMBDA] reason: nothing here any more\n" + RANDOM,
    })


def sarif(cli, root, *args):
    result = cli("scan", "infra", "-f", "sarif", *args, cwd=root)
    return result, json.loads(result.out)


def test_sarif_validates_against_the_schema(cli, repo):
    result, document = sarif(cli, repo)
    assert result.code == 4
    validate_sarif(document)
    assert document["version"] == "2.1.0"


def test_sarif_of_a_clean_scan_validates(cli, tree):
    root = tree({**GIT, "infra/main.tf": RANDOM})
    result, document = sarif(cli, root)
    assert result.code == 0
    validate_sarif(document)
    run = document["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_results_rules_and_fingerprints(cli, repo):
    _, document = sarif(cli, repo)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["AWS-DYNAMODB", "AWS-SQS"]  # suppressed S3 and P0 random_id left out
    dynamo = rules[0]
    assert dynamo["defaultConfiguration"] == {"level": "error"}
    assert dynamo["properties"]["problem.severity"] == "error"
    assert dynamo["properties"]["portability-level"] == "P3"
    assert "security-severity" not in dynamo["properties"]
    assert "level **P3 (replace)**" in dynamo["help"]["markdown"]
    assert "**Why:**" in dynamo["help"]["markdown"] and "ScyllaDB" in dynamo["help"]["markdown"]
    assert "Alternatives:" in dynamo["help"]["text"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert {k: v["level"] for k, v in results.items()} == {"AWS-DYNAMODB": "error", "AWS-SQS": "warning"}
    location = results["AWS-DYNAMODB"]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 6}}  # relative to the scanned root
    assert results["AWS-DYNAMODB"]["ruleIndex"] == 0 and results["AWS-SQS"]["ruleIndex"] == 1
    assert set(results["AWS-DYNAMODB"]["partialFingerprints"]) == {"portacheck/v1"}
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert [n["descriptor"]["id"] for n in notifications] == ["scan-error", "note"]
    assert notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.tf"
    assert "matches no finding" in notifications[1]["message"]["text"]


def test_sarif_levels_follow_fail_on(cli, repo):
    _, document = sarif(cli, repo, "--fail-on", "P2")
    assert {r["ruleId"]: r["level"] for r in document["runs"][0]["results"]} == {"AWS-DYNAMODB": "error", "AWS-SQS": "error"}
    _, document = sarif(cli, repo, "--fail-on", "never")
    assert {r["ruleId"]: r["level"] for r in document["runs"][0]["results"]} == {"AWS-DYNAMODB": "warning", "AWS-SQS": "warning"}


def test_sarif_fingerprints_survive_edits_and_moves(cli, repo):
    _, before = sarif(cli, repo)
    main = repo / "infra/main.tf"
    main.write_text("\n\n# reordered\n" + QUEUE + "\n" + DYNAMO.replace('name     = "orders"', 'name = "orders" # renamed table? no') + "\n# portacheck:ignore[AWS-S3] reason: plain bucket\n" + BUCKET)
    _, after = sarif(cli, repo)

    def prints(document):
        return {r["ruleId"]: (r["partialFingerprints"]["portacheck/v1"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in document["runs"][0]["results"]}

    old, new = prints(before), prints(after)
    assert {k: v[0] for k, v in old.items()} == {k: v[0] for k, v in new.items()}
    assert old["AWS-DYNAMODB"][1] != new["AWS-DYNAMODB"][1]


def test_sarif_paths_are_relative_to_the_scanned_directory_when_run_outside(cli, repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli("scan", str(repo / "infra"), "-f", "sarif", cwd=elsewhere)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(result.out)["runs"][0]["results"]}
    assert uris == {"main.tf"}


def test_sarif_shows_overrides(cli, repo):
    (repo / ".portacheck.yaml").write_text("overrides:\n  AWS-DYNAMODB: P2\n")
    _, document = sarif(cli, repo)
    dynamo = next(r for r in document["runs"][0]["results"] if r["ruleId"] == "AWS-DYNAMODB")
    assert dynamo["level"] == "warning"
    assert dynamo["properties"]["override"] == "P3 -> P2 by .portacheck.yaml"
    assert "Level set by configuration: P3 -> P2 by .portacheck.yaml." in dynamo["message"]["text"]
    validate_sarif(document)


def test_the_schema_is_the_official_copy():
    """The vendored schema is OASIS's errata01 file, byte for byte (its sha256 when it was vendored)."""
    digest = hashlib.sha256((DATA / "sarif-schema-2.1.0.json").read_bytes()).hexdigest()
    assert digest == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
