"""The GitHub Action and the GitLab CI template: they cannot run here, so this runs the commands they run.

Each test reads the step or job from the file, substitutes its `${{ inputs.* }}` expressions (Action)
or variables (GitLab) as the CI service would, and runs the shell script against a fixture with a
`portacheck` on PATH that is this checkout. Then it checks the files the workflow uploads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from stub_api import Answer, StubApi

from conftest import ROOT
from helpers import validate_sarif, write_tree

GIT = {".git/HEAD": "ref: refs/heads/main\n"}
INFRA = """\
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "random_id" "suffix" {
  byte_length = 4
}
"""
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A directory with a `portacheck` that runs this checkout with the test interpreter."""
    directory = tmp_path_factory.mktemp("bin")
    shim = directory / "portacheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m portacheck "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory) -> Path:
    """A directory with a `portacheck` that prints its arguments, one a line, and exits with $STUB_EXIT."""
    directory = tmp_path_factory.mktemp("stub")
    shim = directory / "portacheck"
    shim.write_text('#!/bin/sh\nprintf \'%s\\n\' "$@"\nexit "${STUB_EXIT:-0}"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


@pytest.fixture
def repo(tree):
    return tree({**GIT, "infra/main.tf": INFRA})


def shell(script: str, cwd: Path, env: dict[str, str], bin_dir: Path, *, posix_sh: bool = False) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "PORTACHECK_", "RUNNER_"))}
    full.update(env, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", CI="true")
    command = ["sh", "-e", "-c", script] if posix_sh else [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    return subprocess.run(command, cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


# --- GitHub Action -----------------------------------------------------------------------------


ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def action_step(name: str) -> dict:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == name or step.get("name") == name)


def action_env(step: dict, inputs: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The step's env with `${{ inputs.x }}` and `${{ github.action_path }}` evaluated as Actions does."""
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values.update(inputs)
    context = {f"inputs.{name}": value for name, value in values.items()}
    context["github.action_path"] = str(ROOT)
    extra = extra or {}
    env = {}
    for key, expression in (step.get("env") or {}).items():
        env[key] = re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: extra.get(m.group(1), context.get(m.group(1), "")), str(expression))
    return env


NO_COMMENT = {"base-report": "", "head-report": ""}  # without pr-comment the comment step does not run


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


@pytest.fixture
def runner(tmp_path) -> dict[str, str]:
    """The files and directories an Actions runner provides to a step."""
    (tmp_path / "runner").mkdir()
    return {
        "GITHUB_OUTPUT": str(tmp_path / "runner" / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "runner" / "summary.md"),
        "GITHUB_PATH": str(tmp_path / "runner" / "path"),
        "RUNNER_TEMP": str(tmp_path / "runner"),
    }


def test_action_scan_step_writes_the_sarif_it_uploads_and_the_job_summary(repo, bin_dir, runner):
    step = action_step("scan")
    env = {**action_env(step, {"paths": "infra"}), **runner}
    result = shell(step["run"], repo, env, bin_dir)
    assert result.returncode == 0, result.stderr  # the step records the exit code; the Result step acts on it
    assert "Amazon DynamoDB [AWS-DYNAMODB]" in result.stdout  # the text report in the job log
    assert outputs(Path(runner["GITHUB_OUTPUT"])) == {"exit-code": "1", "sarif-file": "portacheck.sarif", **NO_COMMENT}

    sarif = json.loads((repo / "portacheck.sarif").read_text())
    validate_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["AWS-DYNAMODB", "AWS-S3"]
    # paths relative to the repository root (the workspace), as code scanning needs them
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"infra/main.tf"}
    assert Path(runner["GITHUB_STEP_SUMMARY"]).read_text().startswith("## portacheck: cloud portability")

    # what the upload step sends is what the scan step said it wrote
    upload = action_step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "steps.scan.outputs.sarif-file != ''" in upload["if"]


def test_action_inputs_reach_the_command(tmp_path, stub_dir, runner):
    step = action_step("scan")
    inputs = {
        "paths": "infra  k8s/base",
        "fail-on": "P1",
        "min-coverage": "50",
        "disable": "AWS-S3  TF-STATE-S3",
        "repo-policy": "tighten",
        "format": "json",
        "args": "--baseline .portacheck-baseline.json --min-coverage 10",
        "sarif-file": "reports/portacheck.sarif",
        "summary": "false",
    }
    result = shell(step["run"], tmp_path, {**action_env(step, inputs), **runner, "STUB_EXIT": "1"}, stub_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "scan", "infra", "k8s/base", "--no-progress", "--format", "json", "--format", "sarif:reports/portacheck.sarif",
        "--format", f"markdown:{runner['RUNNER_TEMP']}/portacheck-summary.md", "--path-base", ".", "--fail-on", "P1",
        "--min-coverage", "50", "--disable", "AWS-S3", "--disable", "TF-STATE-S3", "--repo-policy", "tighten",
        "--baseline", ".portacheck-baseline.json", "--min-coverage", "10",
    ]
    assert outputs(Path(runner["GITHUB_OUTPUT"])) == {"exit-code": "1", "sarif-file": "", **NO_COMMENT}  # the stub wrote no SARIF
    assert not Path(runner["GITHUB_STEP_SUMMARY"]).exists()


def test_action_usage_error_writes_no_sarif_and_fails(repo, bin_dir, runner):
    step = action_step("scan")
    result = shell(step["run"], repo, {**action_env(step, {"paths": "infra", "fail-on": "P0"}), **runner}, bin_dir)
    assert result.returncode == 0
    assert outputs(Path(runner["GITHUB_OUTPUT"])) == {"exit-code": "2", "sarif-file": "", **NO_COMMENT}  # so nothing is uploaded
    assert "P0 would fail every scan" in result.stderr


@pytest.mark.parametrize(
    "code, soft, status, says",
    [
        ("0", "false", 0, "portacheck: passed"),
        ("1", "false", 1, "portacheck: policy failed"),
        ("1", "true", 0, "portacheck: policy failed (soft-fail)"),
        ("2", "false", 2, "portacheck: usage or configuration error (exit 2)"),
        ("2", "true", 2, "portacheck: usage or configuration error (exit 2)"),
        ("3", "true", 3, "portacheck: some input could not be analysed"),
        ("4", "false", 4, ""),
        ("4", "true", 3, "portacheck: some input could not be analysed"),
    ],
)
def test_action_result_step_turns_the_exit_code_into_the_step_status(tmp_path, bin_dir, code, soft, status, says):
    step = action_step("Result")
    env = action_env(step, {"soft-fail": soft}, {"steps.scan.outputs.exit-code": code})
    result = shell(step["run"], tmp_path, env, bin_dir)
    assert (result.returncode, result.stdout.strip()) == (status, says)


def test_action_scripts_are_valid_bash_and_install_into_a_virtual_environment():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            check = subprocess.run([BASH, "-n", "-c", step["run"]], capture_output=True, text=True)
            assert check.returncode == 0, (step["name"], check.stderr)
    install = action_step("Install portacheck")["run"]
    assert 'python3 -m venv "$venv"' in install and '>> "$GITHUB_PATH"' in install


# --- GitHub Action: the pull-request comment ---------------------------------------------------------


TOKEN = "ghs_t0ken-for-the-tests"
MARKER = "<!-- portacheck:delta default -->"
PULL_REQUEST = {"github.event_name": "pull_request", "github.event.pull_request.base.sha": "0123abcd"}


def scan_tree(files: dict[str, str], directory: Path, report: Path, bin_dir: Path) -> Path:
    write_tree(directory, {**GIT, **files})
    result = shell(f'portacheck scan infra --no-progress --quiet --fail-on never --format "json:{report}"', directory, {}, bin_dir)
    assert result.returncode == 0, result.stderr
    return report


@pytest.fixture
def base_report(tmp_path_factory, bin_dir) -> Path:
    """A JSON report of the base branch: the bucket and the random id, not yet the DynamoDB table."""
    directory = tmp_path_factory.mktemp("base")
    return scan_tree({"infra/main.tf": INFRA.split("\n\n", 1)[1]}, directory / "tree", directory / "base.json", bin_dir)


@pytest.fixture
def event(tmp_path) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7, "base": {"sha": "0123abcd"}}}))
    return path


def comment_run(repo: Path, bin_dir: Path, runner: dict[str, str], event: Path, script: list[Answer]) -> tuple[subprocess.CompletedProcess, StubApi]:
    """The comment step after the scan step, as a workflow on a pull request with `pr-comment: true` runs them."""
    found = outputs(Path(runner["GITHUB_OUTPUT"]))
    step = action_step("comment")
    context = {"steps.scan.outputs.base-report": found["base-report"], "steps.scan.outputs.head-report": found["head-report"], "github.token": TOKEN}
    with StubApi(script, TOKEN) as stub:
        env = {**action_env(step, {"pr-comment": "true"}, context), **runner, "GITHUB_API_URL": stub.url, "GITHUB_REPOSITORY": "acme/infra", "GITHUB_EVENT_PATH": str(event)}
        result = shell(step["run"], repo, env, bin_dir)
    assert TOKEN not in result.stdout + result.stderr
    return result, stub


def test_action_posts_the_delta_as_a_comment_and_keeps_the_result(repo, bin_dir, runner, base_report, event):
    scan = action_step("scan")
    inputs = {"paths": "infra", "pr-comment": "true", "compare-to": str(base_report)}
    result = shell(scan["run"], repo, {**action_env(scan, inputs, PULL_REQUEST), **runner}, bin_dir)
    assert result.returncode == 0, result.stderr
    head = f"{runner['RUNNER_TEMP']}/portacheck-head.json"
    # the exit code the Result step judges is the one without the comment
    assert outputs(Path(runner["GITHUB_OUTPUT"])) == {"exit-code": "1", "sarif-file": "portacheck.sarif", "base-report": str(base_report), "head-report": head}
    assert action_step("comment")["if"] == "!cancelled() && steps.scan.outputs.head-report != ''"

    created = Answer(201, {"id": 9, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-9"})
    result, stub = comment_run(repo, bin_dir, runner, event, [Answer(200, []), created])
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "portacheck: comment created: https://github.com/acme/infra/pull/7#issuecomment-9\n"
    assert [(call.method, call.path) for call in stub.calls] == [("GET", "/repos/acme/infra/issues/7/comments"), ("POST", "/repos/acme/infra/issues/7/comments")]
    delta = Path(outputs(Path(runner["GITHUB_OUTPUT"]))["delta-file"])
    body = stub.calls[1].body["body"]
    assert body == f"{MARKER}\n{delta.read_text()}"
    assert "1 new finding, 0 removed, 0 changed" in body and "AWS-DYNAMODB" in body

    # the next push: the same delta, the same comment; nothing sent
    result, stub = comment_run(repo, bin_dir, runner, event, [Answer(200, [{"id": 9, "body": body}])])
    assert (result.returncode, result.stderr) == (0, "portacheck: comment 9 already says this; not updated\n")
    assert [call.method for call in stub.calls] == ["GET"]


def test_action_comment_that_cannot_be_posted_is_a_warning(repo, bin_dir, runner, base_report, event):
    scan = action_step("scan")
    inputs = {"paths": "infra", "pr-comment": "true", "compare-to": str(base_report)}
    shell(scan["run"], repo, {**action_env(scan, inputs, PULL_REQUEST), **runner}, bin_dir)
    forbidden = Answer(403, {"message": "Resource not accessible by integration"})  # the read-only token of a fork's pull request
    result, _ = comment_run(repo, bin_dir, runner, event, [Answer(200, []), forbidden])
    assert result.returncode == 0
    assert result.stderr == "portacheck: error: github: HTTP 403 on POST /repos/acme/infra/issues/7/comments: Resource not accessible by integration\n"
    assert result.stdout == "::warning::portacheck: the pull-request comment was not posted (exit 2); the result of the check is not affected\n"


@pytest.mark.parametrize(
    "inputs, context",
    [
        ({"pr-comment": "true"}, {"github.event_name": "push"}),  # pull requests only
        ({}, PULL_REQUEST),  # opt-in
    ],
)
def test_action_comments_only_when_asked_on_a_pull_request(repo, bin_dir, runner, inputs, context):
    scan = action_step("scan")
    result = shell(scan["run"], repo, {**action_env(scan, {"paths": "infra", **inputs}, context), **runner}, bin_dir)
    assert result.returncode == 0, result.stderr
    assert outputs(Path(runner["GITHUB_OUTPUT"])) == {"exit-code": "1", "sarif-file": "portacheck.sarif", **NO_COMMENT}  # the comment step is skipped
    assert not (Path(runner["RUNNER_TEMP"]) / "portacheck-head.json").exists()


def git(directory: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, check=True).stdout.strip()


def pull_request_clone(tmp_path: Path, base_files: dict[str, str], head_files: dict[str, str] | None = None) -> tuple[Path, str]:
    """A clone of depth 1 of a pull request's head (`head_files`, else INFRA), its base commit (`base_files`) only on the remote,
    as actions/checkout and GitLab's runner leave it. Returns the clone and the base commit."""
    origin, work, clone = tmp_path / "origin.git", tmp_path / "work", tmp_path / "clone"
    origin.mkdir()
    git(origin, "init", "--quiet", "--bare")
    write_tree(work, base_files)
    git(work, "init", "--quiet")
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "base")
    base_sha = git(work, "rev-parse", "HEAD")
    write_tree(work, head_files or {"infra/main.tf": INFRA})
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "head")
    git(work, "push", "--quiet", str(origin), "HEAD:refs/heads/main")
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{origin}", str(clone))
    return clone, base_sha


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@needs_git
@pytest.mark.parametrize(
    "base_files, base_rules",
    [
        ({"infra/main.tf": INFRA.split("\n\n", 1)[1]}, ["AWS-S3"]),
        ({"README.md": "no infrastructure yet\n"}, []),  # the directory is new in the pull request: scanned empty in the base
    ],
)
def test_action_scans_the_base_commit_when_no_report_is_given(tmp_path, bin_dir, runner, base_files, base_rules):
    clone, base_sha = pull_request_clone(tmp_path, base_files)
    scan = action_step("scan")
    context = {**PULL_REQUEST, "github.event.pull_request.base.sha": base_sha}
    result = shell(scan["run"], clone, {**action_env(scan, {"paths": "infra", "pr-comment": "true"}, context), **runner}, bin_dir)
    assert result.returncode == 0, result.stderr
    found = outputs(Path(runner["GITHUB_OUTPUT"]))
    assert found["exit-code"] == "1" and found["base-report"] == f"{runner['RUNNER_TEMP']}/portacheck-base.json"
    base = json.loads(Path(found["base-report"]).read_text())
    assert sorted(f["rule_id"] for f in base["findings"] if f["level"] != "P0") == base_rules
    assert len(git(clone, "worktree", "list").splitlines()) == 1  # the base's worktree is gone again


# --- GitLab CI template ------------------------------------------------------------------------


GITLAB = yaml.safe_load((ROOT / "ci/gitlab/portacheck.gitlab-ci.yml").read_text(encoding="utf-8"))


def gitlab_script(job: dict) -> str:
    """The job's script lines as the runner runs them: in turn, in one shell, stopping at the first that fails (`sh -e`)."""
    return "\n".join(job["script"])


def test_gitlab_job_writes_the_reports_it_uploads(repo, bin_dir):
    job = GITLAB["portacheck"]
    variables = {**{k: str(v) for k, v in job["variables"].items()}, "PORTACHECK_PATHS": "infra"}
    result = shell(gitlab_script(job), repo, variables, bin_dir, posix_sh=True)
    assert result.returncode == 1, result.stderr  # the DynamoDB table fails the default P3
    assert "Amazon DynamoDB [AWS-DYNAMODB]" in result.stdout

    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"  # uploaded when the job fails too
    for path in artifacts["paths"]:
        assert (repo / path).is_file(), path
    quality = json.loads((repo / artifacts["reports"]["codequality"]).read_text())
    assert sorted((i["check_name"], i["severity"], i["location"]["path"]) for i in quality) == [
        ("AWS-DYNAMODB", "major", "infra/main.tf"),  # severities follow the level: P3 major
        ("AWS-S3", "info", "infra/main.tf"),  # P1 info
    ]
    assert all(re.fullmatch(r"[0-9a-f]+", i["fingerprint"]) for i in quality)
    suite = ET.parse(repo / artifacts["reports"]["junit"]).getroot()
    assert suite.tag in ("testsuites", "testsuite") and suite.find(".//failure") is not None
    assert json.loads((repo / "portacheck.json").read_text())["summary"]["result"]["fail_on"] == "P3"


def test_gitlab_variables_reach_the_command(tmp_path, stub_dir):
    job = GITLAB["portacheck"]
    variables = {
        **{k: str(v) for k, v in job["variables"].items()},
        "PORTACHECK_PATHS": "infra k8s",
        "PORTACHECK_FAIL_ON": "never",
        "PORTACHECK_MIN_COVERAGE": "50",
        "PORTACHECK_DISABLE": "AWS-S3 TF-STATE-S3",
        "PORTACHECK_ARGS": "--baseline .portacheck-baseline.json --min-coverage 10",
    }
    script = gitlab_script(job)
    result = shell(script, tmp_path, variables, stub_dir, posix_sh=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "scan", "infra", "k8s", "--no-progress", "--fail-on", "never", "--min-coverage", "50", "--disable", "AWS-S3",
        "--disable", "TF-STATE-S3", "--repo-policy", "ignore", "--baseline", ".portacheck-baseline.json", "--min-coverage", "10",
        "--format", "text", "--format", "gitlab:gl-code-quality-report.json", "--format", "junit:portacheck-junit.xml",
        "--format", "json:portacheck.json", "--path-base", ".",
    ]
    variables["PORTACHECK_FAIL_ON"] = ""  # empty: no --fail-on, the default P3 (or the configuration's with repo-policy apply)
    assert "--fail-on" not in shell(script, tmp_path, variables, stub_dir, posix_sh=True).stdout.splitlines()
    # the scan's exit code is the job's
    assert shell(script, tmp_path, {**variables, "STUB_EXIT": "4"}, stub_dir, posix_sh=True).returncode == 4


def test_gitlab_scripts_are_valid_posix_shell():
    job = GITLAB["portacheck"]
    for line in job["before_script"] + job["script"]:
        check = subprocess.run(["sh", "-n", "-c", line], capture_output=True, text=True)
        assert check.returncode == 0, (line, check.stderr)
    assert job["variables"]["PORTACHECK_PIP_SPEC"] != "portacheck"  # that PyPI name is another tool


def test_gitlab_installs_the_release_the_template_is_included_from(tmp_path):
    """A template included from tag vX.Y.Z installs vX.Y.Z with the Helm renderer, not `main`; PORTACHECK_PIP_SPEC overrides it."""
    from portacheck import __version__

    job = GITLAB["portacheck"]
    assert job["variables"]["PORTACHECK_VERSION"] == f"v{__version__}"  # bumped with the release, so each tag names itself
    stub = tmp_path / "bin"
    stub.mkdir()
    python = stub / "python"
    python.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\"\n")  # prints its arguments, one a line
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    variables = {k: str(v) for k, v in job["variables"].items()}
    (line,) = job["before_script"]
    installed = shell(line, tmp_path, variables, stub, posix_sh=True).stdout.splitlines()
    assert installed[-1] == f"portacheck[helm] @ https://github.com/portacheck/portacheck/archive/refs/tags/v{__version__}.tar.gz"
    variables["PORTACHECK_PIP_SPEC"] = "https://example.org/fork.tar.gz"
    assert shell(line, tmp_path, variables, stub, posix_sh=True).stdout.splitlines()[-1] == "https://example.org/fork.tar.gz"


def gitlab_mr(stub: StubApi, tmp_path: Path, **more: str) -> dict[str, str]:
    """The template's variables in a merge-request pipeline with PORTACHECK_MR_COMMENT on, the API at the stub."""
    job = GITLAB["portacheck"]
    return {
        **{k: str(v) for k, v in job["variables"].items()},
        "PORTACHECK_PATHS": "infra",
        "PORTACHECK_MR_COMMENT": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_API_V4_URL": f"{stub.url}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "3",
        "PORTACHECK_GITLAB_TOKEN": TOKEN,
        "TMPDIR": str(tmp_path),
        **more,
    }


def test_gitlab_job_posts_the_note_and_keeps_the_exit_code(repo, bin_dir, base_report, tmp_path):
    script = gitlab_script(GITLAB["portacheck"])
    notes = "/api/v4/projects/42/merge_requests/3/notes"
    with StubApi([Answer(200, []), Answer(201, {"id": 77})], TOKEN) as stub:
        result = shell(script, repo, gitlab_mr(stub, tmp_path, PORTACHECK_COMPARE_TO=str(base_report)), bin_dir, posix_sh=True)
    assert result.returncode == 1, result.stderr  # the DynamoDB table fails the default P3, note or not
    assert result.stderr.endswith("portacheck: comment created\n")
    assert [(call.method, call.path) for call in stub.calls] == [("GET", notes), ("POST", notes)]
    assert stub.calls[1].headers["Private-Token"] == "***"
    body = stub.calls[1].body["body"]
    assert body == f"{MARKER}\n{(tmp_path / 'portacheck-delta.md').read_text()}" and "AWS-DYNAMODB" in body

    with StubApi([Answer(200, []), Answer(401, {"message": "401 Unauthorized"})], TOKEN) as stub:
        result = shell(script, repo, gitlab_mr(stub, tmp_path, PORTACHECK_COMPARE_TO=str(base_report), PORTACHECK_COMMENT_KEY="prod"), bin_dir, posix_sh=True)
    assert result.returncode == 1
    assert result.stderr.endswith(f"portacheck: error: gitlab: HTTP 401 on POST {notes}: 401 Unauthorized\n")
    assert result.stdout.endswith("portacheck: the merge-request note was not posted; the result of the job is not affected\n")
    assert stub.calls[1].body["body"].startswith("<!-- portacheck:delta prod -->\n")
    assert TOKEN not in result.stdout + result.stderr

    with StubApi([], TOKEN) as stub:  # a branch pipeline: no note
        result = shell(script, repo, gitlab_mr(stub, tmp_path, PORTACHECK_COMPARE_TO=str(base_report), CI_PIPELINE_SOURCE="push"), bin_dir, posix_sh=True)
    assert (result.returncode, stub.calls) == (1, [])


@needs_git
def test_gitlab_job_scans_the_base_commit_and_posts_nothing_when_nothing_changed(tmp_path, bin_dir):
    """The merge request changes only a README: the base's scan (CI_MERGE_REQUEST_DIFF_BASE_SHA) equals the head's, so no note."""
    clone, base_sha = pull_request_clone(tmp_path, {"infra/main.tf": INFRA, "README.md": "before\n"}, {"README.md": "after\n"})
    temp = tmp_path / "temp"
    temp.mkdir()
    with StubApi([Answer(200, [])], TOKEN) as stub:
        variables = gitlab_mr(stub, temp, CI_MERGE_REQUEST_DIFF_BASE_SHA=base_sha)
        result = shell(gitlab_script(GITLAB["portacheck"]), clone, variables, bin_dir, posix_sh=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr.endswith("portacheck: the delta says nothing changed and there is no comment yet; none posted\n")
    assert [call.method for call in stub.calls] == ["GET"]
    base = json.loads((temp / "portacheck-base.json").read_text())
    assert sorted(f["rule_id"] for f in base["findings"] if f["level"] != "P0") == ["AWS-DYNAMODB", "AWS-S3"]
    assert len(git(clone, "worktree", "list").splitlines()) == 1
