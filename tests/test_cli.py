"""The command line as users and CI pipelines see it: output, files, exit codes.

These tests read the small catalogue in tests/data/rules-small (six rules) instead of the bundled
one, so that counts, shares and listings are exact and do not move when rules/ changes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portacheck import __version__

from helpers import FIXTURES, SMALL_RULES

AWS = str(FIXTURES / "aws-serverless")


@pytest.fixture
def cli(small_cli):
    return small_cli


def test_version(cli):
    result = cli("--version")
    assert (result.code, result.out) == (0, f"portacheck {__version__}\n")


def test_exit_codes_follow_the_fail_on_level(cli):
    assert cli("scan", AWS).code == 1  # default --fail-on P3; the app has P3 and P4 findings
    assert cli("scan", AWS, "--fail-on", "P4").code == 1
    assert cli("scan", AWS, "--fail-on", "U").code == 1  # three types the small catalogue does not know
    assert cli("scan", AWS, "--fail-on", "U", "--exclude", "lambda.tf", "--exclude", "main.tf").code == 0
    assert cli("scan", AWS, "--fail-on", "never").code == 0


def test_fail_on_p0_and_nonsense_are_usage_errors(cli):
    result = cli("scan", AWS, "--fail-on", "P0")
    assert result.code == 2
    assert "P0 would fail every scan" in result.err
    result = cli("scan", AWS, "--fail-on", "P9")
    assert result.code == 2
    assert "'P9' is not a level" in result.err


def test_text_report_names_services_files_and_alternatives(cli):
    result = cli("scan", AWS, "--fail-on", "never", "--color", "never")
    out = result.out
    assert out.splitlines()[2] == (
        "9 deployed resources: 11% carry over as they are (P0), 22% with at most re-pointing (P0–P1), "
        "44% must be adapted, replaced or re-architected (P2–P4), 33% unknown (3)."
    )
    assert out.splitlines()[4] == "Resources by level: P0 1  P1 1  P2 1  P3 2  P4 1  U  3"
    dynamo = out[out.index("P3  Amazon DynamoDB"):]
    assert dynamo[:dynamo.index("\n\n")].splitlines() == [
        "P3  Amazon DynamoDB [AWS-DYNAMODB] · nosql-db · 2 findings, effort 5–20 person-days",
        "    why: DynamoDB's API and key design have no equivalent elsewhere; the data model is redesigned.",
        "    open source: ScyllaDB Alternator",
        "    managed: Scaleway Managed MongoDB",
        "    main.tf:31  aws_dynamodb_table.orders",
        "    variables.tf:13  local.orders_endpoint mentions Amazon DynamoDB (dynamodb.eu-west-1.amazonaws.com)",
        "        P3: Mentions Amazon DynamoDB without deploying it: a coupling, at the service's level, priced at band S.",
    ]
    assert "\x1b[" not in out
    assert out.rstrip().endswith("policy: never fail")


def test_colour_only_when_asked_or_on_a_terminal(cli):
    assert "\x1b[" in cli("scan", AWS, "--color", "always").out
    assert "\x1b[" not in cli("scan", AWS).out  # captured output is not a terminal


def test_json_report_to_a_file(cli, tmp_path):
    target = tmp_path / "report.json"
    result = cli("scan", AWS, "--format", "json", "--output", str(target))
    assert result.code == 1
    assert result.out == ""
    data = json.loads(target.read_text())
    assert data["schema_version"] == "2.3"
    assert data["summary"]["resources"] == 9
    assert data["summary"]["levels"] == {"P0": 1, "P1": 1, "P2": 1, "P3": 2, "P4": 1, "U": 3}
    assert [(f["rule_id"], f["file"], f["line"]) for f in data["findings"]] == [
        ("AWS-IAM", "lambda.tf", 1), ("AWS-LAMBDA", "lambda.tf", 13), ("AWS-UNKNOWN-TYPE", "lambda.tf", 28),
        ("AWS-UNKNOWN-TYPE", "lambda.tf", 33), ("UNKNOWN-BACKEND", "main.tf", 15), ("TF-UTILITY", "main.tf", 27),
        ("AWS-DYNAMODB", "main.tf", 31), ("AWS-S3", "main.tf", 42), ("AWS-UNKNOWN-TYPE", "main.tf", 46),
        ("AWS-SQS", "main.tf", 55), ("AWS-DYNAMODB", "variables.tf", 13), ("AWS-SQS", "variables.tf", 17),
    ]
    assert data["summary"]["result"] == {"fail_on": "P3", "policy_failed": True, "incomplete": False}
    first = data["findings"][0]
    assert {k: first[k] for k in ("rule_id", "file", "line", "level", "provider", "category")} == {
        "rule_id": "AWS-IAM", "file": "lambda.tf", "line": 1, "level": "P4", "provider": "aws", "category": "identity",
    }
    assert first["resource"]["address"] == "aws_iam_role.lambda"
    assert len(first["fingerprint"]) == 32


def test_text_and_json_at_once(cli, tmp_path):
    target = tmp_path / "r.json"
    result = cli("scan", AWS, "--format", "text", "--format", f"json:{target}", "--fail-on", "never")
    assert result.code == 0
    assert "Findings by service" in result.out
    assert json.loads(target.read_text())["summary"]["findings"] == 12


def test_two_formats_on_stdout_is_a_usage_error(cli):
    result = cli("scan", AWS, "--format", "text", "--format", "json")
    assert result.code == 2
    assert "would all go to standard output" in result.err


def test_quiet_prints_nothing_but_keeps_the_exit_code(cli):
    result = cli("scan", AWS, "--quiet")
    assert (result.code, result.out) == (1, "")


def test_exclude(cli):
    result = cli("scan", AWS, "--exclude", "lambda.tf", "--format", "json", "--fail-on", "never")
    data = json.loads(result.out)
    assert {f["file"] for f in data["findings"]} == {"main.tf", "variables.tf"}


def test_min_coverage(cli):
    assert cli("scan", AWS, "--fail-on", "never", "--min-coverage", "20").code == 0  # 22% at P0-P1
    result = cli("scan", AWS, "--fail-on", "never", "--min-coverage", "50")
    assert result.code == 1
    assert "coverage 22.2% is below --min-coverage 50%" in result.err


def test_missing_path_is_a_usage_error_not_a_report(cli, tmp_path):
    result = cli("scan", AWS, str(tmp_path / "nope"), "--fail-on", "never")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"portacheck: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_var_file_must_exist(cli):
    result = cli("scan", AWS, "--var-file", "no-such.tfvars")
    assert result.code == 2
    assert "no-such.tfvars: no such file" in result.err


def test_rules_list_and_show(cli):
    listing = cli("rules", "list", "--provider", "aws")
    assert listing.code == 0
    assert [line.split() for line in listing.out.splitlines()] == [
        ["AWS-DYNAMODB", "P3", "nosql-db", "aws", "Amazon", "DynamoDB"],
        ["AWS-IAM", "P4", "identity", "aws", "AWS", "IAM"],
        ["AWS-LAMBDA", "P3", "serverless", "aws", "AWS", "Lambda"],
        ["AWS-S3", "P1", "object-storage", "aws", "Amazon", "S3"],
        ["AWS-SQS", "P2", "messaging", "aws", "Amazon", "SQS"],
    ]
    assert len(cli("rules", "list").out.splitlines()) == 6  # and TF-UTILITY
    shown = cli("rules", "show", "aws-dynamodb")
    assert shown.code == 0
    assert shown.out == (
        "AWS-DYNAMODB: Amazon DynamoDB\n"
        "  provider:   Amazon Web Services (aws)\n"
        "  category:   nosql-db\n"
        "  level:      P3 (replace)\n"
        "  why:        DynamoDB's API and key design have no equivalent elsewhere; the data model is redesigned.\n"
        "  effort:     band L, 5–20 person-days per resource instance\n"
        "  open source: ScyllaDB Alternator\n"
        "  managed equivalents:\n"
        "    - Scaleway: Managed MongoDB (functional; evidence: scaleway_mongodb_instance, as of 2026-08-21)\n"
        "  at each target (its level there, and what moving takes; offers with their evidence and date):\n"
        "    scaleway  P3 ready with conditions: replace Amazon DynamoDB with Managed MongoDB (functional; scaleway_mongodb_instance, as of 2026-08-21)\n"
        "    hetzner   P3 ready with conditions: no managed offer at Hetzner: run ScyllaDB Alternator yourself and adapt the integration\n"
        "    private   P3 ready with conditions: self-run: run ScyllaDB Alternator yourself and adapt the integration\n"
        "  matches:\n"
        "    terraform: aws_dynamodb_*\n"
        "    endpoints: dynamodb.*.amazonaws.com\n"
        f"  defined in: {SMALL_RULES / 'aws.yaml'}\n"
    )


def test_rules_show_unknown_id(cli):
    result = cli("rules", "show", "NOPE-1")
    assert result.code == 2
    assert result.err == "portacheck: error: no rule with id 'NOPE-1' (see `portacheck rules list`)\n"


def test_extra_rules_directory_adds_and_overrides(cli, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "org.yaml").write_text(
        "rules:\n"
        "  - id: AWS-DYNAMODB\n"
        "    provider: aws\n"
        "    service: DynamoDB (accepted by the architecture board)\n"
        "    category: nosql-db\n"
        "    level: P2\n"
        "    why: Our tables use only key-value access that ScyllaDB Alternator serves unchanged.\n"
        "    open_source: [ScyllaDB Alternator]\n"
        "    match:\n"
        "      terraform: [aws_dynamodb_*]\n"
    )
    result = cli("scan", AWS, "--rules", str(rules), "--format", "json", "--fail-on", "never")
    data = json.loads(result.out)
    dynamo = [f for f in data["findings"] if f["rule_id"] == "AWS-DYNAMODB" and f["evidence"]["kind"] == "terraform"]
    assert [(f["service"], f["level"]) for f in dynamo] == [("DynamoDB (accepted by the architecture board)", "P2")]


def test_bad_rule_file_names_file_line_and_field(cli, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text(
        "rules:\n  - id: X-ONE\n    provider: aws\n    service: x\n    level: P2\n    why: Because.\n"
        "    category: nosql\n    match:\n      terraform: [x_*]\n"
    )
    result = cli("scan", AWS, "--rules", str(rules))
    assert result.code == 2
    assert result.err == f"portacheck: error: {rules / 'bad.yaml'}:7: rule X-ONE: category: 'nosql' is not one of " + (
        "compute, kubernetes, serverless, containers, object-storage, block-storage, file-storage, relational-db, "
        "nosql-db, cache, messaging, streaming, workflow, api-gateway, identity, secrets-kms, dns, cdn, "
        "load-balancing, networking, observability, analytics, ai-ml, email, registry, security, management, "
        "devtools, iot, backup, other\n"
    )


def test_no_traceback_on_unexpected_errors(cli, monkeypatch):
    import portacheck.scan

    def boom(*args, **kwargs):
        raise ValueError("simulated bug")

    monkeypatch.setattr(portacheck.scan, "run", boom)
    result = cli("scan", AWS)
    assert result.code == 5  # its own code: not a usage error (2), not a finding (1)
    assert result.err == "portacheck: internal error: ValueError: simulated bug (run with --debug for details; please report it)\n"


def test_version_and_terraform_scan_do_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from portacheck.cli import main\n"
        "main(['--version'])\n"
        "after_version = {m for m in sys.modules if m.split('.')[0] in ('hcl2', 'lark', 'ruamel', 'yaml', 'helm_python', 'jsonschema')}\n"
        "main(['scan', sys.argv[1], '--quiet'])\n"
        "after_scan = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(after_version))\n"
        "print(sorted(after_scan & {'ruamel', 'helm_python', 'jsonschema', 'boto3'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, AWS], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-2:] == ["[]", "[]"]
