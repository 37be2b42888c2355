"""Configuration files: discovery, precedence over defaults, flags over the file, errors naming file, line and key."""

from __future__ import annotations

import json

import pytest

from helpers import BUCKET, DYNAMO, GIT, QUEUE, RANDOM

MAIN = DYNAMO + "\n" + BUCKET + "\n" + QUEUE + "\n" + RANDOM


@pytest.fixture
def repo(tree):
    return tree({**GIT, "infra/main.tf": MAIN, "infra/legacy/old.tf": DYNAMO.replace("orders", "old")})


def findings(result):
    return sorted((f["rule_id"], f["file"], f["level"]) for f in json.loads(result.out)["findings"] if f["level"] != "P0")


def test_yaml_file_is_found_from_the_scanned_root_upward(cli, repo):
    (repo / ".portacheck.yaml").write_text("fail-on: never\nexclude: [legacy]\n")
    result = cli("scan", "infra", "-f", "json", cwd=repo)
    assert result.code == 0, result
    assert findings(result) == [("AWS-DYNAMODB", "main.tf", "P3"), ("AWS-S3", "main.tf", "P1"), ("AWS-SQS", "main.tf", "P2")]


def test_search_stops_at_the_repository_root(cli, tree):
    root = tree({".portacheck.yaml": "fail-on: never\n", "repo/.git/HEAD": "x", "repo/main.tf": DYNAMO})
    assert cli("scan", ".", cwd=root / "repo").code == 1  # the file above .git is not used


def test_pyproject_tool_table(cli, repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.portacheck]\nfail-on = "P2"\nexclude = ["legacy"]\n\n[tool.portacheck.overrides]\nAWS-DYNAMODB = "P1"\n')
    result = cli("scan", "infra", "-f", "json", cwd=repo)
    assert result.code == 1  # the SQS queue (P2) fails at P2
    assert findings(result) == [("AWS-DYNAMODB", "main.tf", "P1"), ("AWS-S3", "main.tf", "P1"), ("AWS-SQS", "main.tf", "P2")]


def test_pyproject_without_the_table_is_passed_over(cli, repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (repo / ".git" / ".." / "infra" / ".portacheck.yaml").write_text("fail-on: never\n")
    assert cli("scan", "infra", cwd=repo).code == 0


def test_yaml_wins_over_pyproject_in_the_same_directory(cli, repo):
    (repo / "pyproject.toml").write_text('[tool.portacheck]\nfail-on = "P1"\n')
    (repo / ".portacheck.yaml").write_text("fail-on: never\n")
    assert cli("scan", "infra", cwd=repo).code == 0


def test_config_flag_and_no_config(cli, repo):
    (repo / ".portacheck.yaml").write_text("fail-on: never\n")
    (repo / "strict.yaml").write_text("fail-on: P1\n")
    assert cli("scan", "infra", cwd=repo).code == 0
    assert cli("scan", "infra", "--config", "strict.yaml", cwd=repo).code == 1
    assert cli("scan", "infra", "--no-config", cwd=repo).code == 1
    missing = cli("scan", "infra", "--config", "nope.yaml", cwd=repo)
    assert missing.code == 2 and "portacheck: error: nope.yaml: configuration file not found" in missing.err


def test_flags_override_the_file(cli, repo):
    (repo / ".portacheck.yaml").write_text("fail-on: never\nmin-coverage: 99\nexclude: [legacy]\n")
    assert cli("scan", "infra", cwd=repo).code == 1  # the file's min-coverage fails
    assert cli("scan", "infra", "--min-coverage", "10", cwd=repo).code == 0
    assert cli("scan", "infra", "--min-coverage", "10", "--fail-on", "P2", cwd=repo).code == 1
    (repo / ".portacheck.yaml").write_text("fail-on: P1\n")
    assert cli("scan", "infra", "--fail-on", "never", cwd=repo).code == 0


def test_list_flags_add_to_the_file(cli, repo):
    (repo / ".portacheck.yaml").write_text("fail-on: never\nexclude: [legacy]\ndisable: [AWS-S3]\n")
    result = cli("scan", "infra", "-f", "json", "--disable", "aws-sqs", cwd=repo)
    assert findings(result) == [("AWS-DYNAMODB", "main.tf", "P3")]


def test_overrides_show_as_overrides(cli, repo):
    (repo / ".portacheck.yaml").write_text("exclude: [legacy]\noverrides:\n  AWS-DYNAMODB: P2\n")
    result = cli("scan", "infra", "-f", "json", cwd=repo)
    assert result.code == 0
    dynamo = next(f for f in json.loads(result.out)["findings"] if f["rule_id"] == "AWS-DYNAMODB")
    assert (dynamo["level"], dynamo["rule_level"], dynamo["override"]) == ("P2", "P3", "P3 -> P2 by .portacheck.yaml")
    text = cli("scan", "infra", cwd=repo).out
    assert "level set by configuration: P3 -> P2 by .portacheck.yaml" in text


def test_rules_dirs_and_var_files_are_relative_to_the_file(cli, tree):
    root = tree({
        **GIT,
        "conf/.portacheck.yaml": "rules: [my-rules]\nvar-files: [prod.tfvars]\nfail-on: never\n",
        "conf/my-rules/extra.yaml": "",
        "conf/prod.tfvars": 'engine = "postgres"\n',
        "conf/main.tf": RANDOM,
    })
    result = cli("config", "show", "conf", cwd=root)
    assert result.code == 0, result
    assert f"rules: [{root / 'conf/my-rules'}]" in result.out
    assert f"var-files: [{root / 'conf/prod.tfvars'}]" in result.out
    assert cli("scan", "conf", cwd=root).code == 0


def test_effort_band_calibration(cli, repo):
    (repo / ".portacheck.yaml").write_text("exclude: [legacy]\neffort-bands:\n  P3: [8, 25]\n  S: [0.5, 2]\n")
    summary = json.loads(cli("scan", "infra", "-f", "json", cwd=repo).out)["summary"]["effort"]
    assert summary["by_level"]["P3"] == {"low": 8.0, "high": 25.0}
    assert summary["by_level"]["P1"] == {"low": 0.5, "high": 2.0}


def test_helm_values_per_chart_are_validated_and_kept(cli, tree):
    root = tree({
        **GIT,
        ".portacheck.yaml": "helm:\n  charts:\n    charts/web:\n      values: [charts/web/values-prod.yaml]\n      set: {image.tag: 1.2, ingress.enabled: true}\n",
        "charts/web/Chart.yaml": "name: web\n",
        "charts/web/values-prod.yaml": "replicas: 3\n",
    })
    result = cli("config", "show", cwd=root)
    assert result.code == 0, result
    assert f"    {root / 'charts/web'}: {{values: [{root / 'charts/web/values-prod.yaml'}], set: {{'image.tag': '1.2', 'ingress.enabled': 'true'}}}}" in result.out


@pytest.mark.parametrize(
    "text, message",
    [
        ("fail_on: P2\n", ".portacheck.yaml:1: fail_on: unknown key (did you mean 'fail-on'?); expected one of: fail-on, min-coverage, exclude, gitignore, disable, overrides, rules, effort-bands, baseline, targets, sovereignty, var-files, terraform, helm"),
        ("fail-on: P0\n", ".portacheck.yaml:1: fail-on: P0 would fail every scan; use P1, P2, P3, P4, U or never"),
        ("exclude: [a]\noverrides:\n  AWS-S3: P9\n", ".portacheck.yaml:3: overrides.AWS-S3: 'P9' is not a level (expected one of P0, P1, P2, P3, P4, U)"),
        ("min-coverage: 150\n", ".portacheck.yaml:1: min-coverage: 150 is not a percentage between 0 and 100"),
        ("var-files: [missing.tfvars]\n", ".portacheck.yaml:1: var-files: missing.tfvars: no such file (relative paths are read from the configuration file's directory)"),
        ("effort-bands:\n  P3: [9, 2]\n", ".portacheck.yaml:2: effort-bands.P3: [9, 2] is not a range: need 0 <= low <= high"),
        ("helm:\n  charts:\n    nowhere: {}\n", ".portacheck.yaml:3: helm.charts.nowhere: nowhere: no such chart directory (relative paths are read from the configuration file's directory)"),
        ("helm:\n  chart: {}\n", ".portacheck.yaml:2: helm.chart: unknown key (did you mean 'charts'?); expected one of: values, set, charts-dirs, renderer, timeout, optional, charts"),
        ("- fail-on\n", ".portacheck.yaml: expected a mapping of settings at the top, not a list"),
        ("fail-on: [P2\n", ".portacheck.yaml:2: invalid YAML:"),  # the rest of the message depends on libyaml
        ("disable: [AWS-NOPE]\n", ".portacheck.yaml:1: disable: no rule 'AWS-NOPE' (see `portacheck rules list`)"),
        ("overrides:\n  AWS-S33: P1\n", ".portacheck.yaml:2: overrides.AWS-S33: no rule 'AWS-S33' (see `portacheck rules list`)"),
    ],
)
def test_bad_configuration_is_an_error_naming_file_line_and_key(cli, repo, text, message):
    (repo / ".portacheck.yaml").write_text(text)
    result = cli("scan", "infra", cwd=repo)
    assert result.code == 2
    if message.endswith(":"):
        assert result.err.startswith(f"portacheck: error: {message} ")
    else:
        assert result.err == f"portacheck: error: {message}\n"


def test_bad_pyproject_value_names_the_table_and_key(cli, repo):
    (repo / "pyproject.toml").write_text('[tool.portacheck]\nmin-coverage = "lots"\n')
    result = cli("scan", "infra", cwd=repo)
    assert result.code == 2
    assert result.err == "portacheck: error: pyproject.toml: [tool.portacheck]: min-coverage: expected a percentage between 0 and 100, not a string\n"


def test_config_init_writes_a_commented_starter_that_loads(cli, repo):
    result = cli("config", "init", cwd=repo)
    assert result.code == 0 and (repo / ".portacheck.yaml").read_text().startswith("# portacheck configuration.")
    shown = cli("config", "show", "infra", cwd=repo)
    assert shown.code == 0, shown
    assert "# configuration file: .portacheck.yaml" in shown.out and "fail-on: P3" in shown.out and "exclude: []" in shown.out
    again = cli("config", "init", cwd=repo)
    assert again.code == 2 and ".portacheck.yaml already exists; use --force to overwrite it" in again.err
    assert cli("config", "init", "--force", cwd=repo).code == 0


def test_config_init_skips_nothing_so_terraform_under_examples_still_fails(cli, tree):
    """A starter that excluded examples/ once turned this failing scan into a pass; its exclude is a commented example now."""
    repo = tree({**GIT, "examples/complete/main.tf": DYNAMO})
    assert cli("scan", cwd=repo).code == 1
    assert cli("config", "init", cwd=repo).code == 0
    text = (repo / ".portacheck.yaml").read_text()
    assert "exclude:" not in [line.split(" ")[0] for line in text.splitlines()] and "# exclude:\n#   - examples\n" in text
    result = cli("scan", cwd=repo)
    assert result.code == 1 and "Amazon DynamoDB [AWS-DYNAMODB]" in result.out and "examples/complete/main.tf:" in result.out


def test_config_init_sets_values_where_the_starter_shows_them_and_keeps_every_comment(cli, repo):
    from portacheck.config import STARTER

    result = cli("config", "init", "--fail-on", "p2", "--min-coverage", "60", "--baseline", ".portacheck-baseline.json", cwd=repo)
    assert result.code == 0, result
    text = (repo / ".portacheck.yaml").read_text()
    expected = (
        STARTER.replace("fail-on: P3\n", "fail-on: P2\n")
        .replace("# min-coverage: 60\n", "min-coverage: 60\n")
        .replace("# baseline: .portacheck-baseline.json\n", "baseline: .portacheck-baseline.json\n")
    )
    assert text == expected
    shown = cli("config", "show", "infra", cwd=repo).out
    assert "fail-on: P2\nmin-coverage: 60\n" in shown and f"baseline: {repo / '.portacheck-baseline.json'}" in shown


def test_config_init_refuses_a_value_a_scan_would_refuse(cli, repo):
    result = cli("config", "init", "--fail-on", "P0", cwd=repo)
    assert result.code == 2 and "P0 would fail every scan" in result.err
    assert not (repo / ".portacheck.yaml").exists()
