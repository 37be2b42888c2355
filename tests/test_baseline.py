"""Baselines through the command line: `baseline create`, `scan --baseline`, fingerprints that survive
unrelated edits and moved blocks, stale entries, and baseline files that cannot be used."""

from __future__ import annotations

import json
import re

import pytest

from helpers import BUCKET, GIT, QUEUE, RANDOM

# shorter than helpers.DYNAMO (no attribute block): the line numbers below follow it
DYNAMO = """\
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}
"""
LOCALS = """\
locals {
  endpoint = "https://dynamodb.eu-west-1.amazonaws.com"
}
"""
MAIN = "\n".join([DYNAMO, BUCKET, QUEUE, RANDOM, LOCALS])
BASELINE = ".portacheck-baseline.json"


@pytest.fixture
def repo(tree):
    return tree({**GIT, "infra/main.tf": MAIN})


def scan_json(cli, root, *args) -> dict:
    result = cli("scan", "infra", "--no-progress", "-f", "json", *args, cwd=root)
    assert result.code in (0, 1), result
    data = json.loads(result.out)
    return {
        "active": [(f["rule_id"], f["file"], f["line"], f["resource"]["address"]) for f in data["findings"] if f["level"] != "P0"],
        "baselined": sorted((f["rule_id"], f["resource"]["address"], f["suppressed_because"]) for f in data["suppressed"]),
        "notes": data["notes"],
        "code": result.code,
    }


def test_create_writes_a_versioned_sorted_baseline_without_lines(fast_cli, repo):
    result = fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo)
    assert (result.code, result.out, result.err) == (0, "", f"portacheck: wrote 4 findings to {BASELINE}\n")
    text = (repo / BASELINE).read_text()
    document = json.loads(text)
    assert list(document) == ["version", "tool", "findings"]
    assert (document["version"], document["tool"]) == (1, "portacheck")
    entries = document["findings"]
    assert [(e["rule_id"], e["file"], e["resource"], e["evidence"], e["level"]) for e in entries] == [
        ("AWS-DYNAMODB", "infra/main.tf", "aws_dynamodb_table.orders", {"kind": "terraform", "value": "aws_dynamodb_table"}, "P3"),
        ("AWS-DYNAMODB", "infra/main.tf", "local.endpoint", {"kind": "text", "value": "dynamodb.eu-west-1.amazonaws.com"}, "P3"),
        ("AWS-S3", "infra/main.tf", "aws_s3_bucket.uploads", {"kind": "terraform", "value": "aws_s3_bucket"}, "P1"),
        ("AWS-SQS", "infra/main.tf", "aws_sqs_queue.jobs", {"kind": "terraform", "value": "aws_sqs_queue"}, "P2"),
    ]  # P0 (random_id) is not recorded: it never fails
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["fingerprint"]) for e in entries)
    assert all(set(e) == {"fingerprint", "rule_id", "file", "resource", "origin", "evidence", "level"} for e in entries)
    assert text.endswith("}\n") and '"line"' not in text
    # deterministic: a second run writes the same bytes
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    assert (repo / BASELINE).read_text() == text


def test_create_output_and_configured_path(fast_cli, repo):
    assert fast_cli("baseline", "create", "infra", "-o", "ci/accepted.json", "--no-progress", cwd=repo).err == (
        "portacheck: wrote 4 findings to ci/accepted.json\n"
    )
    assert json.loads((repo / "ci/accepted.json").read_text())["findings"][0]["file"] == "../infra/main.tf"  # relative to the file
    (repo / ".portacheck.yaml").write_text("baseline: ci/accepted.json\n")
    (repo / "ci/accepted.json").unlink()
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).err == "portacheck: wrote 4 findings to ci/accepted.json\n"
    # the configured baseline applies to scans without --baseline
    assert scan_json(fast_cli, repo)["active"] == []


def test_scan_with_baseline_reports_only_new_findings(fast_cli, repo):
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    assert fast_cli("scan", "infra", cwd=repo).code == 1
    assert fast_cli("scan", "infra", "--baseline", BASELINE, cwd=repo).code == 0

    why = f"in the baseline {BASELINE}"
    (repo / "infra/main.tf").write_text(MAIN + "\n" + DYNAMO.replace('"orders"', '"invoices"') + '\nresource "aws_sns_topic" "events" {\n  name = "events"\n}\n')
    assert scan_json(fast_cli, repo, "--baseline", BASELINE) == {
        "active": [("AWS-DYNAMODB", "main.tf", 22, "aws_dynamodb_table.invoices"), ("AWS-SNS", "main.tf", 27, "aws_sns_topic.events")],
        "baselined": [
            ("AWS-DYNAMODB", "aws_dynamodb_table.orders", why),
            ("AWS-DYNAMODB", "local.endpoint", why),
            ("AWS-S3", "aws_s3_bucket.uploads", why),
            ("AWS-SQS", "aws_sqs_queue.jobs", why),
        ],
        "notes": [],
        "code": 1,  # the new table fails the policy
    }
    text = fast_cli("scan", "infra", "--baseline", BASELINE, "--no-progress", cwd=repo)
    assert "4 findings not shown: suppressed or in the baseline (--format json lists them)\n" in text.out
    assert "aws_dynamodb_table.invoices" in text.out and "aws_dynamodb_table.orders" not in text.out


def test_fingerprints_survive_unrelated_edits_and_moved_blocks(fast_cli, repo):
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    edited = "\n".join([
        '# Orders service\nvariable "env" {\n  default = "prod"\n}\n',  # an unrelated edit above everything
        RANDOM,
        LOCALS,
        QUEUE.replace('name = "jobs"', 'name = "jobs"\n  # retention is tuned later\n  message_retention_seconds = 86400'),
        BUCKET,
        DYNAMO,  # moved from the top to the bottom
    ])
    (repo / "infra/main.tf").write_text(edited)
    result = scan_json(fast_cli, repo, "--baseline", BASELINE)
    assert (result["active"], result["notes"], result["code"]) == ([], [], 0)
    assert len(result["baselined"]) == 4


def test_baseline_works_from_another_directory(fast_cli, repo):
    """Entries are relative to the baseline file, so scanning from elsewhere matches them too."""
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    result = fast_cli("scan", "--baseline", f"../{BASELINE}", "--no-progress", "-f", "json", cwd=repo / "infra")
    data = json.loads(result.out)
    assert (result.code, [f["rule_id"] for f in data["findings"] if f["level"] != "P0"], data["notes"]) == (0, [], [])


def test_stale_entries_are_listed(fast_cli, repo):
    (repo / "infra/legacy.tf").write_text(QUEUE.replace('"jobs"', '"legacy"'))
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    (repo / "infra/main.tf").write_text("\n".join([DYNAMO, BUCKET, RANDOM, LOCALS]))  # the queue is gone
    (repo / "infra/legacy.tf").unlink()  # and so is the file
    refresh = "is no longer found; refresh with `portacheck baseline create`"
    result = scan_json(fast_cli, repo, "--baseline", BASELINE)
    assert result["active"] == []
    assert result["notes"] == [
        f"{BASELINE}: stale baseline entry: AWS-SQS aws_sqs_queue.legacy in infra/legacy.tf {refresh}",
        f"{BASELINE}: stale baseline entry: AWS-SQS aws_sqs_queue.jobs in infra/main.tf {refresh}",
    ]
    text = fast_cli("scan", "infra", "--baseline", BASELINE, "--no-progress", cwd=repo)
    assert text.code == 0  # stale entries are news, not a failure
    assert f"note: {BASELINE}: stale baseline entry: AWS-SQS aws_sqs_queue.jobs in infra/main.tf {refresh}\n" in text.out
    quiet = fast_cli("scan", "infra", "--baseline", BASELINE, "-q", cwd=repo)
    assert f"portacheck: note: {BASELINE}: stale baseline entry: AWS-SQS aws_sqs_queue.jobs in infra/main.tf {refresh}\n" in quiet.err


def test_a_scan_of_named_files_judges_only_their_entries(fast_cli, repo):
    (repo / "infra/queue.tf").write_text(QUEUE.replace('"jobs"', '"other"'))
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    (repo / "infra/queue.tf").write_text(RANDOM.replace('"suffix"', '"other"'))
    result = fast_cli("scan", "infra/main.tf", "--baseline", BASELINE, "--no-progress", "-f", "json", cwd=repo)
    assert (result.code, json.loads(result.out)["notes"]) == (0, [])  # queue.tf was not named: not judged


def test_no_ignores_leaves_the_baseline_out(fast_cli, repo):
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).code == 0
    result = scan_json(fast_cli, repo, "--baseline", BASELINE, "--no-ignores")
    assert (len(result["active"]), result["baselined"], result["code"]) == (4, [], 1)


def test_create_records_what_inline_suppressions_do_not_cover_unless_no_ignores(fast_cli, repo):
    (repo / "infra/main.tf").write_text("# portacheck:ignore[AWS-S3] reason: plain bucket, copied with rclone\n" + BUCKET + "\n" + QUEUE)
    assert fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo).err == f"portacheck: wrote 1 finding to {BASELINE}\n"
    assert [e["rule_id"] for e in json.loads((repo / BASELINE).read_text())["findings"]] == ["AWS-SQS"]
    assert fast_cli("baseline", "create", "infra", "--no-ignores", "--no-progress", cwd=repo).err == f"portacheck: wrote 2 findings to {BASELINE}\n"


def test_create_with_input_it_could_not_analyse_exits_3(fast_cli, repo):
    (repo / "infra/broken.tf").write_text('resource "aws_sqs_queue" "q" {\n')
    result = fast_cli("baseline", "create", "infra", "--no-progress", cwd=repo)
    assert result.code == 3
    assert result.err.splitlines()[-2:] == [
        f"portacheck: wrote 5 findings to {BASELINE}",  # the queue of the unclosed block is read too
        "portacheck: some input could not be analysed; its findings are not in the baseline",
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, f"{BASELINE}: baseline file not found (create it with `portacheck baseline create`)"),
        ("{\n  \"version\": 1,\n", f"{BASELINE}:3: not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", f'{BASELINE}: not a portacheck baseline (expected an object with "tool": "portacheck")'),
        ('{"tool": "checkov", "version": 1, "findings": []}', f'{BASELINE}: not a portacheck baseline (expected an object with "tool": "portacheck")'),
        ('{"tool": "portacheck", "version": 99, "findings": []}', f"{BASELINE}: baseline version 99 is newer than this portacheck understands (1); upgrade portacheck"),
        ('{"tool": "portacheck", "version": "1", "findings": []}', f"{BASELINE}: version: expected a positive integer, not '1'"),
        ('{"tool": "portacheck", "version": 0, "findings": []}', f"{BASELINE}: version: expected a positive integer, not 0"),
        ('{"tool": "portacheck", "version": 1, "findings": {}}', f"{BASELINE}: findings: expected a list"),
        ('{"tool": "portacheck", "version": 1, "findings": ["AWS-S3"]}', f"{BASELINE}: findings[0]: expected an object, not str"),
        ('{"tool": "portacheck", "version": 1, "findings": [{"rule_id": "AWS-S3", "file": "main.tf"}]}', f"{BASELINE}: findings[0]: fingerprint: expected a non-empty string"),
        (b"\xff\xff", None),  # (\xff\xfe is a UTF-16 byte-order mark)
    ],
    ids=["missing", "not-json", "not-an-object", "other-tool", "newer-version", "version-string", "version-0", "findings-not-list", "entry-not-object", "entry-without-fingerprint", "not-utf8"],
)
def test_a_baseline_that_cannot_be_used_is_exit_2_with_one_line(fast_cli, repo, content, message):
    if isinstance(content, bytes):
        (repo / BASELINE).write_bytes(content)
    elif content is not None:
        (repo / BASELINE).write_text(content)
    result = fast_cli("scan", "infra", "--baseline", BASELINE, cwd=repo)
    assert (result.code, result.out) == (2, "")
    assert len(result.err.splitlines()) == 1, result.err
    if message is None:
        assert result.err.startswith(f"portacheck: error: {BASELINE}: cannot read baseline: ")
    else:
        assert result.err == f"portacheck: error: {message}\n"


def test_a_named_file_in_a_called_module_matches_the_baseline(fast_cli, tree):
    """pre-commit passes `modules/db/main.tf`: it is judged through the module call, as in the full scan,
    so its findings keep their module path (and fingerprints) and get the caller's arguments."""
    root = tree({
        **GIT,
        "envs/prod/main.tf": 'module "db" {\n  source = "../../modules/db"\n  engine = "postgres"\n}\n',
        "modules/db/main.tf": 'variable "engine" {}\n\n' + DYNAMO + '\nresource "aws_db_instance" "main" {\n  engine = var.engine\n}\n',
    })
    assert fast_cli("baseline", "create", "--no-progress", cwd=root).code == 0
    result = fast_cli("scan", "modules/db/main.tf", "--baseline", BASELINE, "--no-progress", "-f", "json", cwd=root)
    data = json.loads(result.out)
    assert (result.code, data["findings"], data["notes"]) == (0, [], [])
    assert sorted((f["rule_id"], f["level"], f["origin"]) for f in data["suppressed"]) == [
        ("AWS-DYNAMODB", "P3", "module.db (from envs/prod)"),
        ("AWS-RDS", "P1", "module.db (from envs/prod)"),  # engine from the caller: not unknown
    ]
