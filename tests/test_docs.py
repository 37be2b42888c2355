"""The README's commands do what it says, and docs/ documents every flag, input, variable and key users meet.

The README is not pinned word by word: its two commands are run (the demo scan here, in-process; the
install in a fresh virtual environment in tests/test_install.py), the report excerpt it shows is checked
against the real report, and `.ci/run` must be its test command.
"""

from __future__ import annotations

import re
import shlex

import pytest
import typer
import yaml

from portacheck import __version__
from portacheck.cli import app

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
OPTIONS_DOC = (DOCS / "options.md").read_text(encoding="utf-8")
CI_DOC = (DOCS / "ci.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    """The README's `sh` blocks: the install-and-scan command, then the test command."""
    return re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)


def excerpt_pattern(excerpt: str) -> re.Pattern[str]:
    """The report excerpt as a pattern: `...` alone skips lines, a line ending in ` ...` is cut short, any version."""
    parts = []
    for line in excerpt.splitlines():
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        elif line.endswith(" ..."):
            parts.append(re.escape(line[: -len(" ...")]) + r"[^\n]*\n")
        else:
            parts.append(re.escape(line) + "\n")
    pattern = "".join(parts).replace(re.escape(f"portacheck {__version__}"), r"portacheck\ \S+", 1)
    return re.compile(pattern)


def test_the_readme_has_two_commands_and_ci_runs_the_second():
    install, test = readme_commands()[:2]
    assert "pip install '.[helm]'" in install and install.endswith("&& portacheck scan fixtures/aws-serverless")
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").endswith("\n" + test + "\n")


def test_the_demo_prints_the_report_the_readme_shows_and_exits_1(cli):
    scan = shlex.split(readme_commands()[0].split("&&")[-1])
    assert scan[0] == "portacheck"
    result = cli(*scan[1:], cwd=ROOT)
    assert result.code == 1, result  # the README says the demo fails the default policy, and why
    (excerpt,) = re.findall(r"The scan prints this report \(shortened here\):\n\n```\n(.*?)```", README, re.DOTALL)
    assert excerpt_pattern(excerpt).fullmatch(result.out), f"README excerpt:\n{excerpt}\nreal report:\n{result.out}"


def test_the_excerpt_check_notices_a_changed_line():
    (excerpt,) = re.findall(r"shortened here\):\n\n```\n(.*?)```", README, re.DOTALL)
    report = "".join(line.removesuffix(" ...") + "\n" for line in excerpt.splitlines() if line != "...")
    assert excerpt_pattern(excerpt).fullmatch(report)
    assert not excerpt_pattern(excerpt).fullmatch(report.replace("main.tf:31", "main.tf:32"))


def test_readme_exit_codes_are_the_cli_s():
    from portacheck import cli

    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", README, re.MULTILINE)}
    assert documented == {value for name, value in vars(cli).items() if name.startswith("EXIT_")}


def test_readme_is_short_and_every_docs_page_is_in_the_index():
    assert len(README.splitlines()) <= 200
    assert "(docs/index.md)" in README
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = sorted(p.name for p in DOCS.glob("*.md") if p.name != "index.md")
    assert [p for p in pages if f"]({p})" not in index] == []


def test_every_relative_link_in_readme_and_docs_resolves():
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_versions_and_repository_urls_agree_everywhere():
    """Release tags in the docs and CI snippets name this version, and one repository URL is used throughout."""
    texts = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/ci.md", "docs/install.md", "ci/gitlab/portacheck.gitlab-ci.yml")}
    for name, text in texts.items():
        assert set(re.findall(r"\bv\d+\.\d+\.\d+\b", text)) == {f"v{__version__}"}, name
        assert set(re.findall(r"github(?:usercontent)?\.com/([\w.-]+/[\w.-]+?)(?:\.git)?[/@\s\")]", text)) <= {"portacheck/portacheck", "actions/checkout", "github/codeql-action"}, name


def _command(*names: str):
    command = typer.main.get_command(app)
    for name in names:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("names", [("scan",), ("baseline", "create"), ("config", "init"), ("config", "show"), ("diff",), ("comment",), ("targets",)], ids=" ".join)
def test_options_doc_documents_every_option(names):
    command = _command(*names)
    assert f"portacheck {' '.join(names)}" in OPTIONS_DOC
    missing = [opt for param in command.params for opt in param.opts if opt.startswith("--") and f"`{opt}" not in OPTIONS_DOC]
    assert not missing, f"docs/options.md does not document {missing} of `portacheck {' '.join(names)}`"


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
