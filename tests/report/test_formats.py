"""Report formats for CI: several at once, GitLab Code Quality, JUnit XML, Markdown; all deterministic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from portacheck.report import FORMATS, reporters

from helpers import BUCKET, DYNAMO, GIT, QUEUE, RANDOM, ROOT


@pytest.fixture
def infra(tree):
    return tree({**GIT, "infra/main.tf": DYNAMO + "\n" + BUCKET + "\n" + QUEUE + "\n" + RANDOM})


def test_every_format_is_registered():
    assert tuple(reporters()) == FORMATS == ("text", "json", "sarif", "gitlab", "junit", "markdown", "compact", "csf", "csf-json", "plan", "dora", "exit-plan", "html")


def test_several_formats_in_one_run_with_format_path_and_output(cli, infra):
    result = cli(
        "scan", "infra", "--format", "text", "--format", "sarif:out/r.sarif", "--format", "gitlab:gl.json",
        "--format", "junit:junit.xml", "--format", "markdown", "--output", "summary.md", cwd=infra,
    )
    assert result.code == 1, result
    assert "P3  Amazon DynamoDB [AWS-DYNAMODB] · nosql-db · 1 finding" in result.out  # text on standard output
    issues = json.loads((infra / "gl.json").read_text())
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("AWS-DYNAMODB", "major", 1), ("AWS-S3", "info", 10), ("AWS-SQS", "minor", 14),
    ]
    suites = ET.fromstring((infra / "junit.xml").read_text())
    assert {k: suites.get(k) for k in ("tests", "failures", "errors", "skipped")} == {"tests": "4", "failures": "1", "errors": "0", "skipped": "0"}
    assert [c.get("name") for c in suites.iter("testcase") if c.find("failure") is not None] == ["AWS-DYNAMODB aws_dynamodb_table.orders"]
    summary = (infra / "summary.md").read_text()
    assert summary.startswith("## portacheck: cloud portability\n")
    assert "**Result:** FAILED: 1 finding at or above P3" in summary
    sarif = json.loads((infra / "out/r.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [("AWS-DYNAMODB", "error"), ("AWS-S3", "note"), ("AWS-SQS", "warning")]


def test_output_goes_to_the_last_bare_format(cli, infra):
    result = cli("scan", "infra", "-f", "json", "-f", "gitlab", "-o", "gl.json", cwd=infra)
    assert result.code == 1
    assert result.err == ""
    report = json.loads(result.out)  # the first bare format keeps standard output
    assert [(f["rule_id"], f["line"]) for f in report["findings"]] == [("AWS-DYNAMODB", 1), ("AWS-S3", 10), ("AWS-SQS", 14), ("TF-UTILITY", 18)]
    assert [i["check_name"] for i in json.loads((infra / "gl.json").read_text())] == ["AWS-DYNAMODB", "AWS-S3", "AWS-SQS"]


def test_two_formats_on_standard_output_is_a_usage_error(cli, infra):
    result = cli("scan", "infra", "-f", "json", "-f", "sarif", cwd=infra)
    assert result.code == 2
    assert "formats json, sarif would all go to standard output" in result.err


def test_unknown_format_is_a_usage_error(cli, infra):
    result = cli("scan", "infra", "-f", "pdf", cwd=infra)
    assert result.code == 2
    assert result.err == (
        "portacheck: error: --format: 'pdf' is not one of text, json, sarif, gitlab, junit, markdown, compact, csf, csf-json, plan, dora, exit-plan, html (see `portacheck scan --help`)\n"
    )


def test_gitlab_code_quality(cli, infra):
    result = cli("scan", "infra", "-f", "gitlab", cwd=infra)
    issues = json.loads(result.out)
    by_rule = {i["check_name"]: i for i in issues}
    assert set(by_rule) == {"AWS-DYNAMODB", "AWS-S3", "AWS-SQS"}  # P0 (random_id) is not an issue
    assert {r: i["severity"] for r, i in by_rule.items()} == {"AWS-DYNAMODB": "major", "AWS-S3": "info", "AWS-SQS": "minor"}
    dynamo = by_rule["AWS-DYNAMODB"]
    assert dynamo["location"] == {"path": "main.tf", "lines": {"begin": 1}}  # relative to the scanned root, as in every format
    assert dynamo["type"] == "issue" and dynamo["categories"] == ["Compatibility"]
    assert dynamo["description"] == "P3 Amazon DynamoDB: aws_dynamodb_table.orders (replace)"
    assert "ScyllaDB" in dynamo["content"]["body"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_survive_moved_lines(cli, infra):
    before = {i["check_name"]: i for i in json.loads(cli("scan", "infra", "-f", "gitlab", cwd=infra).out)}
    main = infra / "infra/main.tf"
    main.write_text("# a comment\n\n" + QUEUE + "\n" + BUCKET + "\n\n" + DYNAMO + "\n" + RANDOM)
    after = {i["check_name"]: i for i in json.loads(cli("scan", "infra", "-f", "gitlab", cwd=infra).out)}
    assert after["AWS-DYNAMODB"]["location"]["lines"]["begin"] != before["AWS-DYNAMODB"]["location"]["lines"]["begin"]
    assert {k: v["fingerprint"] for k, v in after.items()} == {k: v["fingerprint"] for k, v in before.items()}


def test_gitlab_reports_files_that_could_not_be_analysed(cli, tree):
    root = tree({**GIT, "main.tf": DYNAMO, "broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n'})
    result = cli("scan", ".", "-f", "gitlab", cwd=root)
    assert result.code == 4
    blockers = [i for i in json.loads(result.out) if i["severity"] == "blocker"]
    assert [b["location"]["path"] for b in blockers] == ["broken.tf"]
    assert blockers[0]["check_name"] == "portacheck/scan-error"


def test_junit(cli, tree):
    root = tree({
        **GIT,
        "main.tf": "# portacheck:ignore[AWS-S3] reason: static assets, moved with rclone\n" + BUCKET + "\n" + DYNAMO + "\n" + QUEUE,
        "broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n',
    })
    result = cli("scan", ".", "-f", "junit", "--min-coverage", "90", cwd=root)
    assert result.code == 4
    suites = ET.fromstring(result.out)
    assert suites.tag == "testsuites"
    assert {k: suites.get(k) for k in ("tests", "failures", "errors", "skipped")} == {"tests": "6", "failures": "2", "errors": "1", "skipped": "1"}
    main = suites.find("testsuite[@name='main.tf']")
    cases = {c.get("name"): c for c in main.findall("testcase")}
    assert set(cases) == {"AWS-S3 aws_s3_bucket.uploads", "AWS-DYNAMODB aws_dynamodb_table.orders", "AWS-SQS aws_sqs_queue.jobs"}
    failure = cases["AWS-DYNAMODB aws_dynamodb_table.orders"].find("failure")
    assert failure.get("type") == "P3" and "at or above --fail-on P3" in failure.get("message")
    assert cases["AWS-SQS aws_sqs_queue.jobs"].find("failure") is None  # P2 is below --fail-on P3
    assert cases["AWS-S3 aws_s3_bucket.uploads"].find("skipped").get("message").startswith("suppressed at main.tf:1: static assets")
    assert cases["AWS-DYNAMODB aws_dynamodb_table.orders"].get("line") == "6"
    error = suites.find("testsuite[@name='broken.tf']/testcase/error")
    assert error is not None and error.get("type") == "scan-error"
    coverage = suites.find("testsuite[@name='portacheck']/testcase[@name='coverage']/failure")
    assert coverage is not None
    assert "timestamp" not in result.out and "time=" not in result.out


def test_markdown(cli, tree):
    root = tree({**GIT, "main.tf": DYNAMO + "\n" + BUCKET + "\n" + RANDOM, "extra.tf": 'locals {\n  x = "https://dynamodb.eu-west-1.amazonaws.com"\n}\n'})
    result = cli("scan", ".", "-f", "markdown", "--min-coverage", "10", cwd=root)
    text = result.out
    assert text.startswith("## portacheck: cloud portability\n")
    assert "**Result:** FAILED: 2 findings at or above P3; coverage 67% (minimum 10%): passed" in text
    assert "| Level | Service | Rule | Findings | Effort | Alternatives |" in text
    row = next(line for line in text.splitlines() if "`AWS-DYNAMODB` |" in line and line.startswith("| 🟠"))
    assert "| 🟠 P3 | Amazon DynamoDB | `AWS-DYNAMODB` | 2 | 5–20 person-days | open source: ScyllaDB" in row
    assert "<details><summary>Findings (3)</summary>" in text
    assert "local.x mentions Amazon DynamoDB (dynamodb.eu-west-1.amazonaws.com)" in text
    assert "random_id" not in text  # P0 carries over: not listed


def test_output_is_deterministic(infra):
    """Two processes with different hash seeds (set and dict order, hashing) write every format byte for byte alike."""

    def reports(seed: str) -> dict[str, bytes]:
        out = f"out-{seed}"
        formats = [arg for name in FORMATS[1:] for arg in ("-f", f"{name}:{out}/report.{name}")]
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "portacheck", "scan", "infra", "-f", "text", *formats, "--no-progress", "--color", "never"]
        result = subprocess.run(command, cwd=infra, env=env, capture_output=True, check=False)
        assert result.returncode == 1, result.stderr.decode()
        return {"text": result.stdout} | {name: (infra / out / f"report.{name}").read_bytes() for name in FORMATS[1:]}

    first, second = reports("0"), reports("12345")
    assert list(first) == list(FORMATS)
    for name in FORMATS:
        assert first[name] == second[name], name
        assert b"AWS-DYNAMODB" in first[name] or (name.startswith("csf") and b"Amazon DynamoDB" in first[name]) or (name == "dora" and b"eba_TA:S18" in first[name]), name


def test_markdown_cells_cannot_break_the_table():
    from portacheck.report.escape import markdown_cell as cell

    assert cell("a|b\n<script>") == "a\\|b &lt;script&gt;"
