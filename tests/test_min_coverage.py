"""--min-coverage: the policy on the share of deployed resources that carry over (P0-P1)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

GIT = {".git/HEAD": "ref: refs/heads/main\n"}  # stops the configuration search at the tree

# Four deployed resources: random_id P0, S3 P1, SQS P2, SNS P2 -> coverage 50%.
MAIN = """\
resource "random_id" "suffix" {
  byte_length = 4
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_sns_topic" "events" {
  name = "events"
}

data "aws_caller_identity" "current" {}
"""


@pytest.fixture
def repo(tree):
    return tree({**GIT, "infra/main.tf": MAIN})


@pytest.mark.parametrize(
    "minimum, code",
    [("0", 0), ("49.9", 0), ("50", 0), ("50.1", 1), ("100", 1)],
)
def test_exit_code_follows_the_minimum(fast_cli, repo, minimum, code):
    result = fast_cli("scan", "infra", "--fail-on", "never", "--min-coverage", minimum, "-q", cwd=repo)
    assert result.code == code, result
    expected = f"portacheck: coverage 50.0% is below --min-coverage {float(minimum):g}%\n" if code else ""
    assert result.err == expected


def test_without_min_coverage_coverage_never_fails(fast_cli, repo):
    assert fast_cli("scan", "infra", "--fail-on", "never", "-q", cwd=repo).code == 0


@pytest.mark.parametrize("value", ["101", "-1", "half"])
def test_a_bad_minimum_is_a_usage_error(fast_cli, repo, value):
    result = fast_cli("scan", "infra", "--min-coverage", value, cwd=repo)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"portacheck: error: --min-coverage: expected a percentage from 0 to 100, not {value!r} (see `portacheck scan --help`)\n"


def test_coverage_and_findings_fail_with_the_same_code_and_incomplete_input_adds_to_it(fast_cli, repo):
    assert fast_cli("scan", "infra", "--fail-on", "P2", "--min-coverage", "60", "-q", cwd=repo).code == 1
    (repo / "infra/broken.tf").write_text('resource "aws_sqs_queue" "q" {\n')
    result = fast_cli("scan", "infra", "--fail-on", "never", "--min-coverage", "60", "-q", cwd=repo)
    assert result.code == 4  # the policy failed and some input could not be analysed
    assert result.err.endswith("portacheck: coverage 40.0% is below --min-coverage 60%\n")  # the unclosed block's queue counts
    assert fast_cli("scan", "infra", "--fail-on", "never", "--min-coverage", "40", "-q", cwd=repo).code == 3


def test_the_configuration_file_sets_it_and_the_flag_wins(fast_cli, repo):
    (repo / ".portacheck.yaml").write_text("fail-on: never\nmin-coverage: 75%\n")
    result = fast_cli("scan", "infra", "-q", cwd=repo)
    assert (result.code, result.err) == (1, "portacheck: coverage 50.0% is below --min-coverage 75%\n")
    assert fast_cli("scan", "infra", "-q", "--min-coverage", "50", cwd=repo).code == 0
    assert fast_cli("scan", "infra", "-q", "--no-config", cwd=repo).code == 0  # no minimum, nothing at the default P3


def test_nothing_deployed_means_nothing_to_measure(fast_cli, tree):
    """Data sources deploy nothing: with no deployed resources there is no share to fall below."""
    root = tree({**GIT, "main.tf": 'data "aws_caller_identity" "current" {}\n'})
    assert fast_cli("scan", ".", "--fail-on", "never", "--min-coverage", "90", "-q", cwd=root).code == 0


def test_ci_reports_show_the_coverage_verdict(fast_cli, repo):
    result = fast_cli("scan", "infra", "--fail-on", "never", "--min-coverage", "60", "-f", "junit:junit.xml", "-f", "markdown", cwd=repo)
    assert result.code == 1
    assert "coverage 50% (minimum 60%): FAILED" in result.out
    case = ET.parse(repo / "junit.xml").getroot().find(".//testcase[@name='coverage']")
    assert case.find("failure").get("message") == "coverage below --min-coverage"
