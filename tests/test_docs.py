"""The README and docs/ci.md document every flag, file, input and exit code that users meet."""

from __future__ import annotations

import re

import pytest
import typer
import yaml

from portacheck.cli import app

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _command(*names: str):
    command = typer.main.get_command(app)
    for name in names:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("names", [("scan",), ("baseline", "create"), ("config", "init"), ("config", "show")], ids=" ".join)
def test_readme_documents_every_option(names):
    command = _command(*names)
    assert f"portacheck {' '.join(names)}" in README
    missing = [opt for param in command.params for opt in param.opts if opt.startswith("--") and f"`{opt}" not in README]
    assert not missing, f"README does not document {missing} of `portacheck {' '.join(names)}`"


def test_readme_documents_exit_codes_files_and_the_pre_commit_example():
    for code in range(6):
        assert re.search(rf"^\| {code} \|", README, re.MULTILINE), code
    for name in (".portacheck.yaml", "[tool.portacheck]", ".portacheck-baseline.json", ".pre-commit-config.yaml", "docs/ci.md",
                 "portacheck:ignore[", "portacheck.io/ignore", "action.yml", "ci/gitlab/portacheck.gitlab-ci.yml"):
        assert name in README, name
    assert re.search(r"```yaml\nrepos:\n  - repo: .*\n    rev: .*\n    hooks:\n      - id: portacheck\n", README)


def test_readme_keeps_its_two_first_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    assert blocks[0] == "python3 -m venv .venv && . .venv/bin/activate && pip install . && portacheck scan fixtures/aws-serverless\n"
    test_command = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && ruff check src tests scripts && mypy && python -m pytest\n"
    assert blocks[1] == test_command
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").endswith("\n" + test_command)


def test_ci_doc_covers_the_hooks_the_action_inputs_and_the_template_variables():
    assert "docs/ci.md" in (ROOT / ".pre-commit-hooks.yaml").read_text()
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        assert f"`{hook['id']}`" in CI_DOC
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for name in list(action["inputs"]) + list(action["outputs"]):
        assert f"| `{name}` |" in CI_DOC, name
    template = yaml.safe_load((ROOT / "ci/gitlab/portacheck.gitlab-ci.yml").read_text())
    for name in template["portacheck"]["variables"]:
        assert f"| `{name}` |" in CI_DOC, name
    for section in ("## pre-commit", "## GitHub Actions", "## GitLab CI", "## Jenkins", "## Azure DevOps", "baselines", "suppressions", "## Configuration file keys"):
        assert section in CI_DOC, section


def test_ci_doc_lists_every_configuration_key():
    from portacheck.config import _KEYS

    for key in _KEYS:
        assert f"| `{key}" in CI_DOC, key
