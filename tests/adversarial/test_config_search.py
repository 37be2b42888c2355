"""The configuration search stops at the repository root, or at the scanned directory without one."""

from __future__ import annotations

from helpers import DYNAMO, GIT, write_tree


def test_search_does_not_climb_above_the_scanned_directory_without_a_repository(fast_cli, tmp_path):
    write_tree(tmp_path, {".portacheck.yaml": "fail-on: never\n", "project/main.tf": DYNAMO})

    result = fast_cli("scan", "project", cwd=tmp_path)

    assert result.code == 1  # the parent's `fail-on: never` does not apply
    assert "aws_dynamodb_table.orders" in result.out


def test_search_does_not_climb_above_the_repository(fast_cli, tmp_path):
    write_tree(tmp_path, {".portacheck.yaml": "fail-on: never\n", "repo/infra/main.tf": DYNAMO, **{f"repo/{k}": v for k, v in GIT.items()}})

    assert fast_cli("scan", "repo/infra", cwd=tmp_path).code == 1


def test_search_reaches_the_repository_root(fast_cli, tmp_path):
    write_tree(tmp_path, {**GIT, ".portacheck.yaml": "fail-on: never\n", "infra/main.tf": DYNAMO})

    assert fast_cli("scan", "infra", cwd=tmp_path).code == 0
