"""`portacheck diff BASE.json HEAD.json` and `portacheck scan --compare-to BASE.json`: the delta of two reports,
its policies (--fail-on-new, --max-effort-increase), exit codes, and the Markdown cap for a pull-request comment."""

from __future__ import annotations

import copy
import json
import re

import pytest

from portacheck.delta import Policy, ReportError, check_report, compare, parse_report
from portacheck.model import Level
from portacheck.report.delta import MAX_MARKDOWN_CHARS, cap, markdown, markdown_lines

from conftest import ROOT

BASE_TF = """\
provider "aws" { region = "eu-west-1" }
resource "aws_db_instance" "db" { engine = "postgres" }
resource "aws_dynamodb_table" "t" { name = "t" }
resource "aws_s3_bucket" "b" { bucket = "x" }
"""

# an SQS queue and a Pub/Sub topic added, the database raised by its engine, the DynamoDB table removed,
# a second AWS region outside the EU
HEAD_TF = """\
provider "aws" { region = "eu-west-1" }
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
resource "aws_db_instance" "db" { engine = "aurora-postgresql" }
resource "aws_s3_bucket" "b" { bucket = "x" }
resource "aws_sqs_queue" "q" { name = "q" }
resource "google_pubsub_topic" "t" { name = "t" }
"""


@pytest.fixture
def reports(tmp_path, fast_cli):
    """(base.json, head.json, the scanned directory, now holding the head tree)."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.tf").write_text(BASE_TF)
    base = tmp_path / "base.json"
    assert fast_cli("scan", str(code), "--fail-on", "never", "-f", f"json:{base}").code == 0
    (code / "main.tf").write_text(HEAD_TF)
    head = tmp_path / "head.json"
    assert fast_cli("scan", str(code), "--fail-on", "never", "-f", f"json:{head}").code == 0
    return base, head, code


def _short(items):
    return [(f["level"], f["rule_id"], f["address"], f["line"]) for f in items]


def test_diff_reports_the_exact_delta(reports, fast_cli):
    base, head, _ = reports
    result = fast_cli("diff", str(base), str(head), "-f", "json")
    assert result.code == 0, result
    delta = json.loads(result.out)
    assert delta["kind"] == "portacheck-delta"
    assert delta["summary"] == {"new": 2, "removed": 1, "changed": 1, "new_providers": 1, "new_regions_outside_eu": 1, "new_not_analysed": 0}
    assert _short(delta["new"]) == [("P3", "GCP-PUBSUB", "google_pubsub_topic.t", 9), ("P2", "AWS-SQS", "aws_sqs_queue.q", 8)]
    assert _short(delta["removed"]) == [("P3", "AWS-DYNAMODB", "aws_dynamodb_table.t", 3)]
    assert [(c["base_level"], c["level"], c["rule_id"], c["address"], c["base_line"], c["line"]) for c in delta["changed"]] == [
        ("P1", "P2", "AWS-RDS", "aws_db_instance.db", 2, 6)
    ]
    changes = {name: (v["base"], v["head"]) for name, v in delta["levels"].items() if v["change"]}
    assert changes == {"P1": (2, 1), "P2": (0, 2)}
    base_effort = json.loads(base.read_text())["summary"]["effort"]
    head_effort = json.loads(head.read_text())["summary"]["effort"]
    assert delta["effort"]["base"] == {"low": base_effort["low"], "high": base_effort["high"]}
    assert delta["effort"]["head"] == {"low": head_effort["low"], "high": head_effort["high"]}
    assert delta["effort"]["change"]["high"] == round(head_effort["high"] - base_effort["high"], 2) > 0
    assert [p["key"] for p in delta["new_providers"]] == ["google"]
    assert delta["new_regions_outside_eu"] == [{"provider": "aws", "name": "Amazon Web Services", "region": "us-east-1", "jurisdiction": "outside-eu"}]
    assert delta["new_not_analysed"] == []
    assert delta["policy"] == {"fail_on_new": None, "max_effort_increase": None, "failed": False, "reasons": []}


def test_text_delta(reports, fast_cli):
    base, head, _ = reports
    result = fast_cli("diff", str(base), str(head))
    assert result.code == 0, result
    out = result.out
    assert out.startswith("portacheck delta: 2 new findings, 1 removed, 1 changed; effort +")
    assert "New findings (2):\n  P3  GCP-PUBSUB  Pub/Sub and Pub/Sub Lite  main.tf:9\n  P2  AWS-SQS  Amazon SQS  main.tf:8\n" in out
    assert "Changed findings (1):\n  P1 -> P2  AWS-RDS  Amazon RDS (DB instances)  main.tf:6\n" in out
    assert "Removed findings (1):\n  P3  AWS-DYNAMODB  Amazon DynamoDB  main.tf:3\n" in out
    assert "New providers:\n  Google Cloud (google, hyperscaler)\n" in out
    assert "New regions outside the EU:\n  us-east-1 (Amazon Web Services)\n" in out
    assert out.endswith("Result: no delta policy given (--fail-on-new, --max-effort-increase)\n")


def test_same_report_is_an_empty_delta(reports, fast_cli):
    base, _, _ = reports
    result = fast_cli("diff", str(base), str(base), "-f", "json", "--fail-on-new", "P1", "--max-effort-increase", "0")
    assert result.code == 0, result
    delta = json.loads(result.out)
    assert set(delta["summary"].values()) == {0} and delta["effort"]["change"] == {"low": 0, "high": 0}


@pytest.mark.parametrize(
    ("options", "code", "reason"),
    [
        (["--fail-on-new", "P2"], 1, "portacheck: 2 new findings at or above P2 (--fail-on-new P2)\nportacheck: 1 finding raised to P2 or above (--fail-on-new P2)\n"),
        (["--fail-on-new", "P3"], 1, "portacheck: 1 new finding at or above P3 (--fail-on-new P3)\n"),
        (["--fail-on-new", "p4"], 0, ""),
        (["--fail-on-new", "never"], 0, ""),
        (["--max-effort-increase", "100"], 0, ""),
        (["--max-effort-increase", "1"], 1, "grew by"),
        (["--fail-on-new", "P4", "--max-effort-increase", "0.5"], 1, "more than --max-effort-increase 0.5"),
    ],
)
def test_diff_policies_and_exit_codes(reports, fast_cli, options, code, reason):
    base, head, _ = reports
    result = fast_cli("diff", str(base), str(head), "-q", *options)
    assert result.code == code, result
    assert result.out == ""
    if code == 0:
        assert result.err == ""
    elif reason.startswith("portacheck:"):
        assert result.err == reason
    else:
        assert reason in result.err and result.err.count("\n") == 1


def test_max_effort_increase_compares_the_high_end(reports, fast_cli):
    base, head, _ = reports
    grown = json.loads(fast_cli("diff", str(base), str(head), "-f", "json").out)["effort"]["change"]["high"]
    assert fast_cli("diff", str(base), str(head), "-q", "--max-effort-increase", f"{grown:g}").code == 0
    assert fast_cli("diff", str(base), str(head), "-q", "--max-effort-increase", f"{grown - 0.25:g}").code == 1
    # the other way the effort shrinks: never a failure
    assert fast_cli("diff", str(head), str(base), "-q", "--max-effort-increase", "0").code == 0


def test_a_lowered_level_never_fails(reports, fast_cli):
    base, head, _ = reports
    result = fast_cli("diff", str(head), str(base), "-f", "json", "--fail-on-new", "P1")
    delta = json.loads(result.out)
    assert [(c["base_level"], c["level"]) for c in delta["changed"]] == [("P2", "P1")]
    assert _short(delta["new"]) == [("P3", "AWS-DYNAMODB", "aws_dynamodb_table.t", 3)]
    assert result.code == 1 and result.err == "portacheck: 1 new finding at or above P1 (--fail-on-new P1)\n"


def test_scan_compare_to_gives_the_same_delta_as_diff(reports, fast_cli, tmp_path):
    base, head, code = reports
    by_diff = fast_cli("diff", str(base), str(head), "-f", "json").out
    result = fast_cli("scan", str(code), "--fail-on", "never", "--compare-to", str(base), "-f", "delta-json")
    assert result.code == 0, result
    assert result.out == by_diff
    # without a format the text delta; the scan's own reports beside it
    result = fast_cli("scan", str(code), "--fail-on", "never", "--compare-to", str(base), "-f", f"json:{tmp_path / 'again.json'}", "-f", "delta-markdown:" + str(tmp_path / "c.md"))
    assert result.code == 0 and result.out == "", result
    assert (tmp_path / "c.md").read_text().startswith("### portacheck: what this change changes\n")
    assert json.loads((tmp_path / "again.json").read_text()) == json.loads(head.read_text())
    result = fast_cli("scan", str(code), "--fail-on", "never", "--compare-to", str(base))
    assert result.code == 0 and result.out == fast_cli("diff", str(base), str(head)).out


def test_scan_compare_to_policies(reports, fast_cli):
    base, _, code = reports
    result = fast_cli("scan", str(code), "-q", "--fail-on", "never", "--compare-to", str(base), "--fail-on-new", "P3")
    assert result.code == 1, result
    assert result.err == f"portacheck: compared with {base}: 1 new finding at or above P3 (--fail-on-new P3)\n"
    assert fast_cli("scan", str(code), "-q", "--fail-on", "never", "--compare-to", str(base), "--fail-on-new", "P4").code == 0
    assert fast_cli("scan", str(code), "-q", "--fail-on", "never", "--compare-to", str(base), "--max-effort-increase", "1").code == 1
    # the scan's own --fail-on still applies (P3 by default: the Pub/Sub topic)
    assert fast_cli("scan", str(code), "-q", "--compare-to", str(base), "--fail-on-new", "P4").code == 1


def test_newly_not_analysed_files_and_exit_3(reports, fast_cli, tmp_path):
    base, _, code = reports
    (code / "broken.tf").write_text('resource "aws_sqs_queue" "x" {\n')
    head = tmp_path / "broken.json"
    assert fast_cli("scan", str(code), "--fail-on", "never", "-f", f"json:{head}").code == 3
    result = fast_cli("diff", str(base), str(head), "-f", "json")
    assert result.code == 3, result
    (entry,) = json.loads(result.out)["new_not_analysed"]
    assert entry["file"] == "broken.tf" and entry["message"]
    assert result.err == f"portacheck: {head}: some input was not analysed in this report\n"
    assert fast_cli("diff", str(base), str(head), "-q", "--fail-on-new", "P2").code == 4
    # the same file broken in both: not new, but the head is still incomplete
    assert json.loads(fast_cli("diff", str(head), str(head), "-f", "json").out)["new_not_analysed"] == []
    assert fast_cli("scan", str(code), "-q", "--fail-on", "never", "--compare-to", str(base), "--fail-on-new", "P2").code == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a portacheck JSON report (not JSON)"),
        ("{oops", "not a portacheck JSON report (not JSON)"),
        ("[1, 2]", "not a portacheck JSON report (not a JSON object)"),
        ('{"version": 1, "entries": []}', 'not a portacheck JSON report (no "tool": {"name": "portacheck"})'),
        ('{"tool": {"name": "portacheck"}, "schema_version": "3.0"}', "JSON report schema 3.0 is not supported; this portacheck reads schema 2.x"),
        ('{"tool": {"name": "portacheck"}, "schema_version": "2.9", "summary": {}, "findings": {}, "providers": [], "errors": []}', "not a portacheck JSON report (findings is not a list of objects)"),
        ("[" * 100_000, "not a portacheck JSON report (not JSON)"),
    ],
)
def test_a_base_that_is_not_a_report_is_one_line_and_exit_2(reports, fast_cli, tmp_path, content, message):
    _, head, code = reports
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for args in (("diff", str(bad), str(head)), ("scan", str(code), "--compare-to", str(bad))):
        result = fast_cli(*args)
        assert result.code == 2, result
        assert result.out == ""
        assert result.err == f"portacheck: error: {bad}: {message}\n"


def test_a_base_that_cannot_be_read(reports, fast_cli, tmp_path):
    _, head, _ = reports
    missing = tmp_path / "missing.json"
    result = fast_cli("diff", str(missing), str(head))
    assert result.code == 2 and result.err == f"portacheck: error: {missing}: no such file\n", result
    result = fast_cli("diff", str(tmp_path), str(head))
    assert result.code == 2 and result.err == f"portacheck: error: {tmp_path}: is a directory, not a file\n", result


def test_the_report_is_read_bounded(tmp_path):
    from portacheck.delta import load_report

    big = tmp_path / "big.json"
    big.write_text(" " * 2048 + "{}")
    with pytest.raises(ReportError, match="larger than"):
        load_report(str(big), max_bytes=1024)


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "{code}", "--fail-on-new", "P3"),
        ("scan", "{code}", "--max-effort-increase", "2"),
        ("scan", "{code}", "-f", "delta-json"),
        ("diff", "{base}", "{head}", "--fail-on-new", "P0"),
        ("diff", "{base}", "{head}", "--fail-on-new", "P9"),
        ("diff", "{base}", "{head}", "--max-effort-increase", "-1"),
        ("diff", "{base}", "{head}", "--max-effort-increase", "lots"),
        ("diff", "{base}", "{head}", "-f", "sarif"),
        ("diff", "{base}", "{head}", "-f", "text", "-f", "json"),
        ("diff", "{base}"),
    ],
)
def test_usage_errors_are_exit_2(reports, fast_cli, args):
    base, head, code = reports
    result = fast_cli(*(a.format(base=base, head=head, code=code) for a in args))
    assert result.code == 2, result
    assert result.err.startswith("portacheck: error: ") and result.err.count("\n") == 1


# --- the Markdown cap -----------------------------------------------------------------------------


def _many_new(base: dict, count: int) -> dict:
    head = copy.deepcopy(base)
    template = base["findings"][0]
    for i in range(count):
        finding = copy.deepcopy(template)
        finding["fingerprint"] = f"generated-{i:05d}"
        finding["file"] = f"modules/service-{i:05d}/main.tf"
        finding["line"] = i % 90 + 1
        finding["level"] = "P3"
        head["findings"].append(finding)
    return head


def test_markdown_is_capped_between_lines_with_a_note(reports, fast_cli, tmp_path):
    base, _, _ = reports
    base_report = json.loads(base.read_text())
    head = tmp_path / "large.json"
    head.write_text(json.dumps(_many_new(base_report, 3000)))
    result = fast_cli("diff", str(base), str(head), "-f", "markdown", "--fail-on-new", "P3")
    assert result.code == 1
    out = result.out
    assert len(out) <= MAX_MARKDOWN_CHARS
    assert len(out) > MAX_MARKDOWN_CHARS - 500  # cut near the cap, not far before it
    delta = compare(base_report, json.loads(head.read_text()), Policy(fail_on_new=Level.P3))
    whole = markdown(delta, max_chars=10**9)
    assert len(whole) > 3 * MAX_MARKDOWN_CHARS
    body, note = out.rsplit("\n\n", 1)
    assert whole.startswith(body + "\n")  # whole lines of the full comment, in order: never cut mid-line
    match = re.fullmatch(r"_Cut to stay under 65,536 characters: ([\d,]+) more lines \(([\d,]+) characters\) left out\. `portacheck diff --format json` has the whole delta\._\n", note)
    assert match, note
    left_lines, left_chars = (int(g.replace(",", "")) for g in match.groups())
    assert len(body) + 1 + left_chars == len(whole)
    assert (body + "\n").count("\n") + left_lines == whole.count("\n")
    assert "Result: FAILED: 3000 new findings at or above P3 (--fail-on-new P3)" in out
    assert "| P3 | AWS-RDS |" in out  # the first rows of the new findings are there


def test_a_short_markdown_is_not_cut(reports, fast_cli):
    base, head, _ = reports
    out = fast_cli("diff", str(base), str(head), "-f", "markdown").out
    assert "_Cut" not in out and out.endswith("| P3 | AWS-DYNAMODB | Amazon DynamoDB | main.tf:3 |\n")
    assert "| P1 → P2 | AWS-RDS | Amazon RDS (DB instances) | main.tf:6 |" in out


def test_cap_edge_cases():
    lines = ["x" * 10] * 50
    assert cap(lines, 10_000) == "".join(line + "\n" for line in lines)
    out = cap(lines, 400)
    assert len(out) <= 400 and out.startswith("xxxxxxxxxx\n") and "left out" in out
    kept = out.split("\n\n")[0].count("x") // 10
    assert 0 < kept < 50
    assert f"{50 - kept} more lines ({(50 - kept) * 11} characters)" in out


def test_markdown_escapes_values_from_the_reports(reports):
    base, head, _ = reports
    head_report = json.loads(head.read_text())
    head_report["findings"][0]["service"] = "evil | <script>\n::set-output"
    delta = compare(json.loads(base.read_text()), head_report)
    text = "\n".join(markdown_lines(delta))
    assert "evil \\| &lt;script&gt; ::set-output" in text and "<script>" not in text


def test_a_finding_without_a_known_level_is_refused(reports):
    base, _, _ = reports
    assert parse_report(base.read_text(), "base.json")["schema_version"].startswith("2.")
    with pytest.raises(ReportError, match="a finding without fingerprint or level"):
        check_report({"tool": {"name": "portacheck"}, "schema_version": "2.3", "summary": {}, "findings": [{"level": "P9", "fingerprint": "x"}], "providers": [], "errors": []}, "r.json")


# --- documentation ----------------------------------------------------------------------------------


def test_docs_document_the_diff_command_and_the_scan_options():
    import typer

    from portacheck.cli import app

    options = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app).commands["diff"]
    assert "portacheck diff" in options
    missing = [opt for param in command.params for opt in param.opts if opt.startswith("--") and f"`{opt}" not in options]
    assert not missing
    for flag in ("--compare-to", "--fail-on-new", "--max-effort-increase", "delta-markdown"):
        assert f"`{flag}" in options
    assert "(delta.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
