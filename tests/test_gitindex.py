"""A .gitignore hides untracked files only: what git tracks is scanned, read from the index as data."""

from __future__ import annotations

import subprocess

import pytest

from portacheck.gitindex import tracked_paths

from helpers import DYNAMO, write_tree


def git(repo, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """kustomize/ is in .gitignore, but kustomize/base/table.tf is committed; kustomize/local.tf is not."""
    root = write_tree(tmp_path / "repo", {".gitignore": "kustomize\n", "kustomize/base/table.tf": DYNAMO, "main.tf": DYNAMO})
    git(root, "init", "-q")
    git(root, "add", "-f", ".gitignore", "main.tf", "kustomize/base/table.tf")
    write_tree(root, {"kustomize/local.tf": DYNAMO.replace('"orders"', '"scratch"')})
    return root


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_the_index_is_read_as_git_lists_it(repo, version):
    git(repo, "update-index", "--index-version", version)
    assert tracked_paths(str(repo)) == frozenset(git(repo, "ls-files").split())


def test_a_tracked_file_under_an_ignored_directory_is_scanned_an_untracked_one_is_not(repo, fast_cli):
    result = fast_cli("scan", str(repo), "-f", "compact", "--fail-on", "never")
    paths = sorted({line.split(":", 1)[0] for line in result.out.splitlines() if "AWS-DYNAMODB" in line})
    assert paths == ["kustomize/base/table.tf", "main.tf"]
    result = fast_cli("scan", str(repo), "-f", "compact", "--fail-on", "never", "--no-gitignore")
    paths = sorted({line.split(":", 1)[0] for line in result.out.splitlines() if "AWS-DYNAMODB" in line})
    assert paths == ["kustomize/base/table.tf", "kustomize/local.tf", "main.tf"]


def test_an_index_that_cannot_be_read_hides_nothing(repo, fast_cli):
    (repo / ".git" / "index").write_bytes(b"DIRC\x00\x00\x00\x09garbage")
    assert tracked_paths(str(repo)) is None
    result = fast_cli("scan", str(repo), "-f", "compact", "--fail-on", "never")
    paths = sorted({line.split(":", 1)[0] for line in result.out.splitlines() if "AWS-DYNAMODB" in line})
    assert paths == ["kustomize/base/table.tf", "kustomize/local.tf", "main.tf"]
