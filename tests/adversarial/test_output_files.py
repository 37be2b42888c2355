"""Output files are written where the command line says, or inside the repository for a baseline
its configuration names: never through a symlink, never over a file that is not ours (trust.write_output)."""

from __future__ import annotations

import json
import os

from adversarial import lines_with


def configure(repo, text: str) -> None:
    (repo / ".portacheck.yaml").write_text(text, encoding="utf-8")


def test_baseline_in_the_home_directory_is_refused(fast_cli, repo, monkeypatch):
    home = repo.parent / "outside"
    (home / ".bashrc").write_text("alias ll='ls -l'\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    configure(repo, "baseline: ~/.bashrc\n")

    result = fast_cli("baseline", "create", ".", cwd=repo)

    assert result.code == 3  # the baseline setting was left out; the default file was written
    assert (home / ".bashrc").read_text(encoding="utf-8") == "alias ll='ls -l'\n"
    assert lines_with(result.err, "baseline: ~/.bashrc") == [
        "portacheck: .portacheck.yaml:1: error: baseline: ~/.bashrc: `~` is not expanded in the repository's configuration; ignored"
    ]
    assert json.loads((repo / ".portacheck-baseline.json").read_text(encoding="utf-8"))["findings"][0]["rule_id"] == "AWS-DYNAMODB"


def test_baseline_over_a_source_file_is_refused(fast_cli, repo):
    configure(repo, "baseline: main.tf\n")
    before = (repo / "main.tf").read_text(encoding="utf-8")

    result = fast_cli("baseline", "create", ".", cwd=repo)

    assert result.code == 2
    assert result.err.splitlines() == [
        "portacheck: error: main.tf: exists and is not a portacheck report or baseline; not overwritten (remove it first)"
    ]
    assert (repo / "main.tf").read_text(encoding="utf-8") == before


def test_baseline_through_a_symlinked_directory_is_refused(fast_cli, repo):
    os.symlink(repo.parent / "outside", repo / "link")
    configure(repo, "baseline: link/baseline.json\n")

    result = fast_cli("baseline", "create", ".", cwd=repo)

    assert result.code == 3
    assert len(lines_with(result.err, "baseline: link/baseline.json: outside the repository")) == 1
    assert not (repo.parent / "outside" / "baseline.json").exists()


def test_baseline_of_the_configuration_is_written_inside_the_repository(fast_cli, repo):
    configure(repo, "baseline: policy/new/baseline.json\n")

    result = fast_cli("baseline", "create", ".", cwd=repo)

    assert result.code == 0, result
    assert json.loads((repo / "policy/new/baseline.json").read_text(encoding="utf-8"))["tool"] == "portacheck"
    assert fast_cli("baseline", "create", ".", cwd=repo).code == 0  # our own file is overwritten


def test_report_through_a_symlink_is_refused(fast_cli, repo):
    target = repo.parent / "outside" / "creds.tfvars"
    before = target.read_text(encoding="utf-8")
    os.symlink(target, repo / "report.json")

    result = fast_cli("scan", ".", "--fail-on", "never", "--format", "json:report.json", cwd=repo)

    assert result.code == 2
    assert result.err.splitlines()[-1] == "portacheck: error: report.json: is a symbolic link; not writing the report through it"
    assert target.read_text(encoding="utf-8") == before


def test_report_over_a_file_that_is_not_a_report_is_refused(fast_cli, repo):
    (repo / "notes.txt").write_text("my notes\n", encoding="utf-8")

    result = fast_cli("scan", ".", "--fail-on", "never", "-o", "notes.txt", cwd=repo)

    assert result.code == 2
    assert result.err.splitlines()[-1].endswith("notes.txt: exists and is not a portacheck report or baseline; not overwritten (remove it first)")
    assert (repo / "notes.txt").read_text(encoding="utf-8") == "my notes\n"


def test_reports_of_ours_are_overwritten_in_every_format(fast_cli, repo):
    for name in ("text", "json", "sarif", "gitlab", "junit", "markdown"):
        for _ in range(2):
            result = fast_cli("scan", ".", "--fail-on", "never", "--format", f"{name}:report.{name}", cwd=repo)
            assert result.code == 0, (name, result)


def test_baseline_that_is_not_a_regular_file_is_refused(fast_cli, repo):
    result = fast_cli("scan", ".", "--baseline", "/dev/zero", cwd=repo)

    assert result.code == 2
    assert result.err.splitlines() == ["portacheck: error: /dev/zero: cannot read baseline: not a regular file (a device); not read"]


def test_baseline_symlinked_to_a_device_is_refused(fast_cli, repo):
    os.symlink("/dev/zero", repo / "zero.json")
    configure(repo, "baseline: zero.json\n")

    result = fast_cli("scan", ".", "--format", "json", cwd=repo)

    assert result.code == 4  # the DynamoDB table fails the policy, and the baseline setting was left out
    assert len(lines_with(result.err, "baseline: zero.json: outside the repository")) == 1
