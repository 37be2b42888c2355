"""Paths named by the repository's own configuration stay inside the repository (trust.config_path)."""

from __future__ import annotations

import os

import pytest

from adversarial import SECRET, lines_with


def configure(repo, text: str) -> None:
    (repo / ".portacheck.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    ["ABSOLUTE", "../outside/creds.tfvars", "sub/../../outside/creds.tfvars", "~/creds.tfvars", "link/creds.tfvars"],
    ids=["absolute", "dotdot", "dotdot-inside-first", "tilde", "symlink"],
)
def test_var_file_outside_the_repository_is_left_out_with_one_located_error(fast_cli, repo, monkeypatch, name):
    outside = repo.parent / "outside"
    monkeypatch.setenv("HOME", str(outside))  # `~/creds.tfvars` would be the secret if expanded
    os.symlink(outside, repo / "link")
    name = str(outside / "creds.tfvars") if name == "ABSOLUTE" else name
    configure(repo, f"fail-on: never\nterraform:\n  var-files: [{name}]\n")

    result = fast_cli("scan", "repo", "--format", "json", cwd=repo.parent)

    assert result.code == 3  # incomplete: a setting was left out
    assert SECRET not in result.out + result.err
    errors = lines_with(result.err, "terraform.var-files")
    assert len(errors) == 1
    assert errors[0].startswith(f"portacheck: repo/.portacheck.yaml:3: error: terraform.var-files: {name}: ")
    assert "ignored" in errors[0]
    assert '"rule_id": "AWS-DYNAMODB"' in result.out  # the repository itself was scanned


def test_every_path_key_is_kept_inside(fast_cli, repo):
    outside = repo.parent / "outside"
    (repo / "chart").mkdir()
    configure(
        repo,
        "fail-on: never\n"
        f"rules: [{outside / 'rules'}]\n"
        "baseline: ../outside/baseline.json\n"
        "helm:\n"
        "  values: [../outside/values.yaml]\n"
        "  charts-dirs: [../outside]\n"
        "  charts:\n"
        "    chart:\n"
        "      values: [../../outside/values.yaml]\n"
        "    ../outside: {}\n",
    )

    result = fast_cli("scan", "repo", "--format", "json", cwd=repo.parent)

    assert result.code == 3
    keys = [line.split(": error: ")[1].split(":")[0] for line in lines_with(result.err, "outside the repository")]
    assert keys == ["rules", "baseline", "helm.values", "helm.charts-dirs", "helm.charts", "helm.charts"]
    assert '"rule_id": "AWS-DYNAMODB"' in result.out


def test_paths_inside_the_repository_are_read(fast_cli, repo):
    (repo / "env").mkdir()
    (repo / "env" / "prod.tfvars").write_text('token = "prod"\n', encoding="utf-8")
    configure(repo, "fail-on: never\nterraform:\n  var-files: [env/prod.tfvars]\n")

    result = fast_cli("scan", "repo", "--format", "json", cwd=repo.parent)

    assert result.code == 0, result
    assert result.err == ""


def test_trusted_config_may_name_paths_outside(fast_cli, repo):
    configure(repo, "fail-on: never\nterraform:\n  var-files: [../outside/creds.tfvars]\n")

    assert fast_cli("scan", "repo", "--trusted-config", cwd=repo.parent).code == 0
    assert fast_cli("scan", "repo", "--config", "repo/.portacheck.yaml", cwd=repo.parent).code == 0
    assert fast_cli("scan", "repo", cwd=repo.parent).code == 3


def test_no_config_ignores_the_repository_configuration(fast_cli, repo):
    configure(repo, "fail-on: never\nterraform:\n  var-files: [../outside/creds.tfvars]\n")

    result = fast_cli("scan", "repo", "--no-config", cwd=repo.parent)

    assert result.code == 1  # the default fail-on P3 applies to the DynamoDB table
    assert "outside the repository" not in result.out + result.err
