"""A repository (with `.git`) and a directory beside it that the repository must not reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from adversarial import SECRET

from helpers import DYNAMO, GIT, write_tree


@pytest.fixture
def repo(tmp_path) -> Path:
    """`repo/`: a git repository whose table name interpolates `var.token`; `outside/`: what it must not read."""
    write_tree(tmp_path / "outside", {"creds.tfvars": f'token = "{SECRET}"\n', "values.yaml": f"token: {SECRET}\n", "rules/x.yaml": ""})
    return write_tree(tmp_path / "repo", {**GIT, "main.tf": 'variable "token" {}\n' + DYNAMO.replace('"orders"\n', '"orders-${var.token}"\n', 1)})
