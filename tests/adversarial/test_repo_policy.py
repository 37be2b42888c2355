"""--repo-policy: what the repository's configuration may do to the policy (trust.limit_policy)."""

from __future__ import annotations

import json

import pytest

from helpers import BUCKET, DYNAMO, GIT, write_tree


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path, {**GIT, "main.tf": DYNAMO + BUCKET})


def scan(fast_cli, repo, config: str, *args: str):
    (repo / ".portacheck.yaml").write_text(config, encoding="utf-8")
    result = fast_cli("scan", ".", "--format", "json", *args, cwd=repo)
    levels = {f["rule_id"]: f["level"] for f in json.loads(result.out)["findings"]} if result.out else {}
    return result, levels


@pytest.mark.parametrize(
    ("config", "mode", "code"),
    [
        ("fail-on: never\n", "apply", 0),
        ("fail-on: never\n", "tighten", 1),
        ("fail-on: never\n", "ignore", 1),
        ("disable: [AWS-DYNAMODB]\n", "apply", 0),
        ("disable: [AWS-DYNAMODB]\n", "tighten", 1),
        ("overrides: {AWS-DYNAMODB: P1}\n", "apply", 0),
        ("overrides: {AWS-DYNAMODB: P1}\n", "tighten", 1),
    ],
)
def test_the_repository_cannot_loosen_a_guarded_policy(fast_cli, repo, config, mode, code):
    result, levels = scan(fast_cli, repo, config, "--repo-policy", mode)

    assert result.code == code
    assert "AWS-DYNAMODB" in levels or mode == "apply"
    if mode != "apply":  # one note says what was left out (an override that lowers a level, once it is applied)
        notes = [line for line in result.err.splitlines() if "--repo-policy" in line]
        assert len(notes) == 1 and notes[0].startswith("portacheck: note: .portacheck.yaml"), result.err


def test_a_lowering_override_left_out_says_so(fast_cli, repo):
    result, levels = scan(fast_cli, repo, "overrides: {AWS-DYNAMODB: P1}\n", "--repo-policy", "tighten")

    assert levels["AWS-DYNAMODB"] == "P3"
    assert (
        "portacheck: note: .portacheck.yaml:1: overrides.AWS-DYNAMODB: P1 ignored for 1 finding at P3: it would lower the level, "
        "and --repo-policy tighten lets the repository's configuration only raise one"
    ) in result.err.splitlines()


def test_the_repository_may_tighten_the_policy(fast_cli, repo):
    result, levels = scan(fast_cli, repo, "fail-on: P2\noverrides: {AWS-S3: P3}\nmin-coverage: 90\n", "--fail-on", "P4", "--repo-policy", "tighten")

    assert result.code == 1
    assert levels["AWS-S3"] == "P3"  # raised by the repository
    assert result.err.count("--repo-policy") == 0


def test_a_looser_fail_on_is_ignored_with_a_note(fast_cli, repo):
    result, _ = scan(fast_cli, repo, "fail-on: P4\n", "--repo-policy", "tighten")

    assert result.code == 1  # the default P3 stays
    assert "portacheck: note: .portacheck.yaml: fail-on: ignored (it would loosen the policy, --repo-policy tighten)" in result.err.splitlines()


def test_ignore_takes_the_policy_from_the_command_line_only(fast_cli, repo):
    result, levels = scan(fast_cli, repo, "fail-on: P1\n", "--fail-on", "P4", "--repo-policy", "ignore")

    assert result.code == 0
    assert levels["AWS-DYNAMODB"] == "P3"


def test_a_config_given_on_the_command_line_is_applied_in_full(fast_cli, repo):
    (repo / "ci.yaml").write_text("fail-on: never\n", encoding="utf-8")

    result = fast_cli("scan", ".", "--config", "ci.yaml", "--repo-policy", "ignore", cwd=repo)

    assert result.code == 0
