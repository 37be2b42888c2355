"""The command line's manners (issue 18): readable help, one error style, exit codes of their own,
output on any terminal, colour by the usual variables, a compact format, rule browsing, .gitignore,
paths relative to the scanned root, counts in the right number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from helpers import BUCKET, DYNAMO, GIT, QUEUE, ROOT

TWO_DEFINITIONS = (  # one workload, defined in two places: an ECR image ties it to AWS
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
    "spec: {template: {spec: {containers: [{name: web, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1}]}}}\n"
)


@pytest.fixture
def repo(tree):
    """A repository whose Terraform lives in infra/, scanned from its root or from elsewhere."""
    return tree({**GIT, "infra/main.tf": DYNAMO + "\n" + BUCKET + "\n" + QUEUE})


# --- help and errors ----------------------------------------------------------------------------


def test_help_shows_readable_value_names_and_the_fail_on_choices(fast_cli):
    result = fast_cli("scan", "--help")
    assert result.code == 0
    help_text = " ".join(result.out.split())
    for shown in ("--format FORMAT[:PATH]", "--output FILE", "--fail-on LEVEL", "--min-coverage PCT", "--baseline FILE",
                  "--exclude GLOB", "--disable RULE-ID", "--helm-set KEY=VALUE", "--helm-timeout SECONDS",
                  "--helm-renderer auto|sdk|binary|static", "level: P1, P2, P3, P4, U or never"):
        assert shown in help_text, shown
    assert "Usage: portacheck scan [OPTIONS] [PATH]..." in result.out
    assert "list[str]" not in result.out and "float range" not in result.out and "<str>" not in result.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--min-coverage", "150"], "--min-coverage: expected a percentage from 0 to 100, not '150'"),
        (["--min-coverage", "half"], "--min-coverage: expected a percentage from 0 to 100, not 'half'"),
        (["--min-coverage", "101%"], "--min-coverage: expected a percentage from 0 to 100, not '101%'"),
        (["--fail-on", "high"], "--fail-on: 'high' is not a level; use P1, P2, P3, P4, U or never"),
        (["--fail-on", "P0"], "--fail-on: P0 would fail every scan; use P1, P2, P3, P4, U or never"),
        (["--helm-timeout", "soon"], "--helm-timeout: expected a number, not 'soon'"),
        (["--helm-timeout", "0"], "--helm-timeout: 0 is below the minimum 0.1"),
        (["--color", "blue"], "--color: 'blue' is not one of auto, always, never"),
        (["--fail-of", "P3"], "no such option: --fail-of; did you mean --fail-on?"),
    ],
)
def test_usage_errors_are_one_line_in_one_style(fast_cli, repo, args, message):
    result = fast_cli("scan", "infra", *args, cwd=repo)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"portacheck: error: {message} (see `portacheck scan --help`)\n"


def test_a_path_that_does_not_exist_is_a_usage_error(fast_cli, repo):
    result = fast_cli("scan", "infra", "infar", cwd=repo)
    assert (result.code, result.out, result.err) == (2, "", "portacheck: error: infar: no such file or directory\n")
    assert fast_cli("baseline", "create", "infar", cwd=repo).code == 2


def test_an_internal_error_has_its_own_exit_code_and_no_traceback(fast_cli, repo, monkeypatch):
    import portacheck.scan

    def boom(*args, **kwargs):
        raise KeyError("simulated")

    monkeypatch.setattr(portacheck.scan, "run", boom)
    result = fast_cli("scan", "infra", cwd=repo)
    assert result.code == 5
    assert result.err == "portacheck: internal error: KeyError: 'simulated' (run with --debug for details; please report it)\n"
    monkeypatch.setenv("PORTACHECK_DEBUG", "1")
    debugged = fast_cli("scan", "infra", cwd=repo)
    assert debugged.code == 5
    assert "Traceback" in debugged.err and debugged.err.endswith("please report it)\n")


def test_rules_show_suggests_close_ids(fast_cli):
    result = fast_cli("rules", "show", "AWS-DYNAMO")
    assert (result.code, result.out) == (2, "")
    assert result.err == "portacheck: error: no rule with id 'AWS-DYNAMO'; did you mean AWS-DYNAMODB? (see `portacheck rules list`)\n"
    assert "did you mean" not in fast_cli("rules", "show", "NOTHING-LIKE-IT").err


# --- rules list -----------------------------------------------------------------------------------


def test_rules_list_filters_by_level_category_and_provider(fast_cli):
    result = fast_cli("rules", "list", "--provider", "aws", "--category", "nosql-db", "--level", "P3")
    assert result.code == 0
    rows = [line.split()[:4] for line in result.out.splitlines()]
    assert ["AWS-DYNAMODB", "P3", "nosql-db", "aws"] in rows
    assert {tuple(row[1:4]) for row in rows} == {("P3", "nosql-db", "aws")}
    unknown = fast_cli("rules", "list", "--category", "nosql")
    assert unknown.code == 2 and unknown.err.startswith("portacheck: error: --category: 'nosql' is not one of ")


def test_rules_list_as_json(fast_cli):
    result = fast_cli("rules", "list", "--provider", "aws", "--level", "P3", "--category", "nosql-db", "--format", "json")
    rules = json.loads(result.out)
    dynamo = next(rule for rule in rules if rule["id"] == "AWS-DYNAMODB")
    assert list(dynamo) == ["id", "provider", "service", "level", "category", "effort", "why"]
    assert (dynamo["provider"], dynamo["service"], dynamo["level"], dynamo["category"]) == ("aws", "Amazon DynamoDB", "P3", "nosql-db")
    assert {(r["provider"], r["level"], r["category"]) for r in rules} == {("aws", "P3", "nosql-db")}


# --- output ---------------------------------------------------------------------------------------


def test_compact_is_one_line_per_finding_then_the_result(fast_cli, repo):
    result = fast_cli("scan", "infra", "--compact", cwd=repo)
    assert result.code == 1
    assert result.out.splitlines() == [
        "main.tf:1:1: P3 AWS-DYNAMODB Amazon DynamoDB: aws_dynamodb_table.orders",
        "main.tf:10:1: P1 AWS-S3 Amazon S3: aws_s3_bucket.uploads",
        "main.tf:14:1: P2 AWS-SQS Amazon SQS: aws_sqs_queue.jobs",
        "FAILED: 1 finding at or above P3",
    ]
    assert fast_cli("scan", "infra", "--format", "compact", cwd=repo).out == result.out
    assert result.err == ""


def test_compact_lists_input_problems_and_a_format_for_standard_output_wins(fast_cli, repo):
    (repo / "infra/broken.tf").write_text('resource "aws_sqs_queue" "q" {\n')
    result = fast_cli("scan", "infra", "--compact", "--fail-on", "never", cwd=repo)
    assert result.code == 3
    assert result.out.splitlines()[-2:] == [
        "broken.tf:2:1: error: cannot parse HCL: unexpected end of file (unclosed block or string?)",
        "policy: never fail; INCOMPLETE: some input could not be analysed",
    ]
    assert result.err == ""  # said once, on standard output
    text = fast_cli("scan", "infra", "--compact", "--format", "text", cwd=repo)
    assert "Findings by service" in text.out


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("form", ["text", "markdown"])
def test_output_never_fails_on_the_terminal_encoding(repo, encoding, form):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "portacheck", "scan", "infra", "-f", form, "--fail-on", "never", "--color", "always"],
        cwd=repo, env=env, capture_output=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"Traceback" not in result.stderr
    out = result.stdout.decode(encoding)
    assert "Amazon DynamoDB" in out
    if encoding == "ascii" or form == "markdown":
        assert "?" in out  # what the encoding cannot show (the en dash in ASCII, the level icons) is replaced


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"FORCE_COLOR": "0"}, False),
        ({"NO_COLOR": "1"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),  # forcing is the more specific wish
    ],
)
def test_colour_follows_force_color_clicolor_force_and_no_color(fast_cli, repo, monkeypatch, env, expected):
    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ("\x1b[" in fast_cli("scan", "infra", cwd=repo).out) is expected
    assert "\x1b[" not in fast_cli("scan", "infra", "--color", "never", cwd=repo).out


# --- discovery ------------------------------------------------------------------------------------


def test_gitignore_is_honoured_nested_and_above_the_scanned_root(fast_cli, tree):
    repo = tree({
        **GIT,
        ".gitignore": "infra/generated/\n",
        "infra/main.tf": BUCKET,
        "infra/generated/tables.tf": DYNAMO,
        "infra/.gitignore": "*.local.tf\n!keep.local.tf\n",
        "infra/queues.local.tf": QUEUE,
        "infra/keep.local.tf": QUEUE.replace("jobs", "kept"),
    })

    def files(*args: str) -> list[str]:
        result = fast_cli("scan", "infra", "-f", "json", "--fail-on", "never", *args, cwd=repo)
        return sorted({f["file"] for f in json.loads(result.out)["findings"]})

    assert files() == ["keep.local.tf", "main.tf"]
    assert files("--no-gitignore") == ["generated/tables.tf", "keep.local.tf", "main.tf", "queues.local.tf"]
    named = fast_cli("scan", "infra/generated/tables.tf", "-f", "json", "--fail-on", "never", cwd=repo)
    assert [f["file"] for f in json.loads(named.out)["findings"]] == ["infra/generated/tables.tf"]  # named: read regardless
    (repo / ".portacheck.yaml").write_text("gitignore: false\n")
    assert files() == ["generated/tables.tf", "keep.local.tf", "main.tf", "queues.local.tf"]


# --- paths and counts -----------------------------------------------------------------------------


def test_paths_are_relative_to_the_scanned_root_in_every_format(fast_cli, repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    reports = {name: elsewhere / f"report.{name}" for name in ("json", "sarif", "gitlab", "junit", "markdown", "compact")}
    args = [arg for name, path in reports.items() for arg in ("-f", f"{name}:{path}")]
    result = fast_cli("scan", str(repo / "infra"), *args, "--fail-on", "never", cwd=elsewhere)
    assert result.code == 0
    assert {f["file"] for f in json.loads(reports["json"].read_text())["findings"]} == {"main.tf"}
    sarif = json.loads(reports["sarif"].read_text())
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {"main.tf"}
    assert {i["location"]["path"] for i in json.loads(reports["gitlab"].read_text())} == {"main.tf"}
    assert {case.get("file") for case in ET.parse(reports["junit"]).iter("testcase") if case.get("file")} == {"main.tf"}
    assert "`main.tf:1`" in reports["markdown"].read_text() and "infra/" not in reports["markdown"].read_text()
    assert reports["compact"].read_text().startswith("main.tf:1:1: P3 AWS-DYNAMODB")


def test_one_resource_is_one_resource(fast_cli, tree):
    root = tree({**GIT, "main.tf": DYNAMO})
    out = fast_cli("scan", ".", "--fail-on", "never", cwd=root).out
    assert "P3  5–20 person-days  (1 resource)\n" in out
    assert "· 1 resource, 0 data sources" in out
    assert " 1 resources" not in out


def test_a_workload_defined_twice_counts_one_more_definition(fast_cli, tree):
    root = tree({**GIT, "a/web.yaml": TWO_DEFINITIONS, "b/web.yaml": TWO_DEFINITIONS})
    markdown = fast_cli("scan", ".", "-f", "markdown", "--fail-on", "never", cwd=root).out
    assert "(+1 more definition)" in markdown


def test_parameters_are_not_coerced_through_pydantic(repo):
    """typer 0.2x would import pydantic and build a TypeAdapter per parameter: most of a short run's start-up."""
    code = (
        "import sys\n"
        "from portacheck.cli import main\n"
        "codes = [main(['scan', 'infra', '--quiet', '--exclude', 'x', '--helm-timeout', '5', '--min-coverage', '10']), main(['rules', 'show', 'AWS-S3'])]\n"
        "print(codes, sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.splitlines()[-1] == "[1, 0] []"


def test_path_base_gives_ci_formats_paths_from_the_repository_root(fast_cli, repo):
    result = fast_cli("scan", "infra", "-f", "gitlab", "--path-base", ".", "--fail-on", "never", cwd=repo)
    assert {i["location"]["path"] for i in json.loads(result.out)} == {"infra/main.tf"}
    compact = fast_cli("scan", "infra", "--compact", "--path-base", ".", "--fail-on", "never", cwd=repo)
    assert compact.out.startswith("main.tf:1:1: ")  # text, JSON and compact stay relative to the scanned root
