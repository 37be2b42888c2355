"""CI formats show one entry per rule, file and line (issue 15): a block reached through several
module calls or roots is one SARIF result, one JUnit test case and one GitLab issue listing the
others; JUnit names are unique in a suite; GitLab severity follows the policy; SARIF rules link
their entry in the catalogue reference."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from helpers import FIXTURES, GIT, validate_sarif


@pytest.fixture
def roots(tmp_path):
    """fixtures/terraform-roots: lib/db and lib/queue are called from roots/ecs and roots/eks."""
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "terraform-roots", target)
    return target


def scan(cli, root, fmt, *args):
    result = cli("scan", ".", "-f", fmt, *args, cwd=root)
    return result, result.out


def test_one_sarif_result_per_rule_file_and_line(cli, roots):
    _, out = scan(cli, roots, "json")
    findings = [f for f in json.loads(out)["findings"] if f["level"] != "P0"]
    assert len(findings) == 10  # before: one result per finding
    assert len({(f["rule_id"], f["file"], f["line"]) for f in findings}) == 7
    _, out = scan(cli, roots, "sarif")
    document = json.loads(out)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    keys = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
    assert len(results) == 7 and len(set(keys)) == 7
    assert sorted(keys) == sorted([
        ("AWS-DYNAMODB", "lib/db/main.tf", 5), ("AWS-SQS", "lib/queue/main.tf", 7), ("AWS-S3", "lib/queue/main.tf", 12),
        ("TF-STATE-S3", "roots/ecs/main.tf", 2), ("AWS-ECS", "roots/ecs/main.tf", 27),
        ("TF-STATE-S3", "roots/eks/main.tf", 2), ("AWS-EKS", "roots/eks/main.tf", 27),
    ])
    assert len({r["partialFingerprints"]["portacheck/v1"] for r in results}) == 7


def test_a_collapsed_result_lists_its_instances(cli, roots):
    _, out = scan(cli, roots, "json")
    dynamo = [f for f in json.loads(out)["findings"] if f["rule_id"] == "AWS-DYNAMODB"]
    assert len(dynamo) == 2
    _, out = scan(cli, roots, "sarif")
    result = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "AWS-DYNAMODB")
    assert result["level"] == "error"
    assert result["locations"][0]["message"] == {"text": "via module.db (from roots/ecs)"}
    assert " Also via module.db (from roots/eks)." in result["message"]["text"]
    assert result["properties"]["instances"] == [
        {"resource": "module.db.aws_dynamodb_table.orders", "origin": "module.db (from roots/ecs)", "portability-level": "P3", "level": "error", "evidence": "terraform: aws_dynamodb_table"},
        {"resource": "module.db.aws_dynamodb_table.orders", "origin": "module.db (from roots/eks)", "portability-level": "P3", "level": "error", "evidence": "terraform: aws_dynamodb_table"},
    ]
    # the fingerprint is the smallest of the members': line-free and the same from run to run
    assert result["partialFingerprints"]["portacheck/v1"] == min(f["fingerprint"] for f in dynamo)
    _, again = scan(cli, roots, "sarif")
    assert again == out


def test_junit_and_gitlab_collapse_the_same_way(cli, roots):
    _, out = scan(cli, roots, "gitlab")
    issues = json.loads(out)
    assert len(issues) == 7
    dynamo = next(i for i in issues if i["check_name"] == "AWS-DYNAMODB")
    assert dynamo["severity"] == "major"
    assert "Also via module.db (from roots/eks)." in dynamo["content"]["body"]
    assert dynamo["description"].endswith(", also via module.db (from roots/eks)")
    _, out = scan(cli, roots, "junit")
    suites = ET.fromstring(out)
    cases = [c for s in suites.iter("testsuite") if s.get("name") != "portacheck" for c in s.iter("testcase")]
    assert len(cases) == 7
    assert suites.get("tests") == "8" and suites.get("failures") == "2"  # DynamoDB and ECS fail at P3; plus the summary case
    case = next(c for c in cases if c.get("name").startswith("AWS-DYNAMODB"))
    assert case.find("failure").text.endswith("via module.db (from roots/ecs)\nalso via module.db (from roots/eks)")


def test_a_group_fails_when_any_member_does(cli, roots):
    """One instance not deployed (count = 0 in roots/eks): the other one still fails the group."""
    main = roots / "roots/eks/main.tf"
    text = main.read_text()
    assert 'module "db" {' in text
    main.write_text(text.replace('module "db" {', 'module "db" {\n  count = 0', 1))
    _, out = scan(cli, roots, "sarif")
    result = next(r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "AWS-DYNAMODB")
    assert [i["level"] for i in result["properties"]["instances"]] == ["error", "note"]
    assert result["level"] == "error"
    _, out = scan(cli, roots, "gitlab")
    assert next(i for i in json.loads(out) if i["check_name"] == "AWS-DYNAMODB")["severity"] == "major"
    _, out = scan(cli, roots, "junit")
    case = next(c for c in ET.fromstring(out).iter("testcase") if (c.get("name") or "").startswith("AWS-DYNAMODB"))
    assert case.find("failure") is not None


def test_junit_case_names_are_unique_within_a_suite(cli, tree):
    """Two findings of one rule on one resource at different lines have the same name; the line tells them apart."""
    root = tree({
        **GIT,
        "infra/main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({Statement = [{Principal = {Service = "lambda.amazonaws.com"}}]})\n'
        '  description = "lambda.amazonaws.com"\n}\n'
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = aws_iam_role.r.arn\n}\n',
    })
    result = cli("scan", "infra", "-f", "junit", cwd=root)
    suites = ET.fromstring(result.out)
    names = [c.get("name") for c in suites.iter("testcase")]
    mention = "AWS-LAMBDA aws_iam_role.r mentions AWS Lambda (lambda.amazonaws.com)"
    assert mention in names and f"{mention} (line 4)" in names
    for suite in suites.iter("testsuite"):
        names = [c.get("name") for c in suite.iter("testcase")]
        assert len(names) == len(set(names)), names


def test_junit_repeated_names_get_the_line_then_a_counter():
    from portacheck.report.junit import _unique

    taken: set[str] = set()
    assert [_unique("AWS-S3 aws_s3_bucket.b", line, taken) for line in (3, 3, 3, 0)] == [
        "AWS-S3 aws_s3_bucket.b", "AWS-S3 aws_s3_bucket.b (line 3)", "AWS-S3 aws_s3_bucket.b (line 3) #2", "AWS-S3 aws_s3_bucket.b #2",
    ]


def test_a_failing_unknown_is_at_least_major_in_gitlab(cli, tree):
    root = tree({**GIT, "infra/main.tf": 'resource "aws_made_up_service" "x" {\n  name = "x"\n}\n'})
    result = cli("scan", "infra", "-f", "gitlab", "--fail-on", "P3", cwd=root)
    assert result.code == 1
    issues = json.loads(result.out)
    assert [(i["check_name"], i["severity"]) for i in issues] == [("AWS-UNKNOWN-TYPE", "major")]
    result = cli("scan", "infra", "-f", "gitlab", "--fail-on", "never", cwd=root)
    assert [(i["check_name"], i["severity"]) for i in json.loads(result.out)] == [("AWS-UNKNOWN-TYPE", "minor")]


def test_not_deployed_stays_info_in_gitlab(cli, tree):
    root = tree({**GIT, "infra/main.tf": 'resource "aws_dynamodb_table" "t" {\n  count = 0\n  name = "t"\n  hash_key = "id"\n}\n'})
    result = cli("scan", "infra", "-f", "gitlab", "--fail-on", "P2", cwd=root)
    assert [(i["check_name"], i["severity"]) for i in json.loads(result.out)] == [("AWS-DYNAMODB", "info")]


def test_sarif_rules_link_their_entry_in_the_catalogue_reference(cli, roots):
    _, out = scan(cli, roots, "sarif")
    rules = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["AWS-DYNAMODB"]["helpUri"] == "https://github.com/portacheck/portacheck/blob/main/docs/catalogue/aws-database.md#aws-dynamodb"
    assert rules["AWS-SQS"]["helpUri"] == "https://github.com/portacheck/portacheck/blob/main/docs/catalogue/aws-messaging.md#aws-sqs"
    assert "`portacheck rules show AWS-SQS`" in rules["AWS-SQS"]["help"]["text"]
    assert all(r["helpUri"].startswith("https://github.com/portacheck/portacheck/blob/main/docs/catalogue/") for r in rules.values())


def test_a_rule_of_a_rules_directory_links_the_rules_documentation(cli, tree):
    root = tree(
        {
            **GIT,
            "infra/main.tf": 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n}\n',
            "rules/ours.yaml": "rules:\n  - id: AWS-DYNAMODB\n    provider: aws\n    service: DynamoDB (ours)\n    category: nosql-db\n"
            "    level: P2\n    why: Key-value access only.\n    match:\n      terraform: [aws_dynamodb_*]\n",
        }
    )
    document = json.loads(cli("scan", "infra", "--rules", "rules", "-f", "sarif", cwd=root).out)
    assert [(r["id"], r["helpUri"]) for r in document["runs"][0]["tool"]["driver"]["rules"]] == [
        ("AWS-DYNAMODB", "https://github.com/portacheck/portacheck/blob/main/docs/rules.md")
    ]


def test_an_unknown_rule_links_the_rules_documentation(cli, tree):
    root = tree({**GIT, "infra/main.tf": 'resource "aws_made_up_service" "x" {\n  name = "x"\n}\n'})
    document = json.loads(cli("scan", "infra", "-f", "sarif", cwd=root).out)
    validate_sarif(document)
    assert [r["helpUri"] for r in document["runs"][0]["tool"]["driver"]["rules"]] == ["https://github.com/portacheck/portacheck/blob/main/docs/rules.md"]


def test_collapse_on_all_fixtures_keeps_one_result_per_line(cli):
    """Over the fixtures, no two SARIF results share a rule, file and line."""
    for name in ("terraform-roots", "mixed-repo", "terragrunt-live", "tfplan-state"):
        document = json.loads(cli("scan", str(FIXTURES / name), "-f", "sarif").out)
        keys = Counter(
            (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"))
            for r in document["runs"][0]["results"]
        )
        assert keys and max(keys.values()) == 1, name
