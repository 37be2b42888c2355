"""The pre-commit hooks: the manifest, the files they are given, and the real `pre-commit` running them.

The real test runs `pre-commit try-repo` in a temporary git repository, on staged files as a
commit does. try-repo clones a git repository at a commit (with uncommitted changes to tracked
files folded into a shadow commit, but never untracked files), so the test hands it a snapshot:
a temporary repository holding this checkout's working tree (tracked and untracked files,
ignored ones left out) in one commit. On a clean clone, as in CI, that is exactly HEAD.
pre-commit then builds the hook's virtual environment with pip from that snapshot, which
takes a while: the two real runs are marked `slow` (`pytest -m "not slow"` leaves them out).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pre_commit_clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is in the test extras")

GIT = shutil.which("git")
HOOKS = {hook["id"]: hook for hook in pre_commit_clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}


# --- the manifest ------------------------------------------------------------------------------


def test_manifest_declares_the_hooks(cli):
    assert sorted(HOOKS) == ["portacheck", "portacheck-audit"]
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
    assert HOOKS["portacheck"]["entry"] == "portacheck scan --no-progress --compact"  # one line per finding in the commit's output
    assert HOOKS["portacheck-audit"]["entry"] == "portacheck scan --no-progress"  # the whole picture: the text report
    assert HOOKS["portacheck"]["pass_filenames"] is True  # changed files in, judged with their module or chart
    assert HOOKS["portacheck-audit"]["pass_filenames"] is False  # the whole repository
    assert "--no-progress" in cli("scan", "--help").out


# Paths of every kind the scanner reads; each must reach the hook.
READ = [
    "main.tf", "modules/db/main.tf.json", "envs/prod.tfvars", "envs/prod.tfvars.json", "main.tofu", "x.tofu.json",
    "k8s/deployment.yaml", "k8s/service.yml", "k8s/list.json", "kustomization.yaml",
    "charts/web/Chart.yaml", "charts/web/Chart.lock", "charts/web/values.yaml", "charts/web/values-prod.yaml",
    "charts/web/templates/deployment.yaml", "charts/web/templates/_helpers.tpl", "charts/web/charts/redis-1.2.3.tgz",
    "vendor-charts/db-2.0.0.tar.gz",
    "requirements.txt", "requirements-dev.txt", "svc/requirements/base.in", "pyproject.toml", "Pipfile", "setup.cfg",
    "package.json", "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "gradle/libs.versions.toml",
    "packages.config", "src/Api/Api.csproj", "Gemfile", "app.gemspec", "Cargo.toml", "composer.json",
    "app/handler.py", "Dockerfile", "build/package/Dockerfile", "Dockerfile.prod", "api.dockerfile", "Containerfile",
    "docker-compose.yml", "compose.yaml", "skaffold.yaml", ".env", ".env.production",
    "src/main/resources/application-prod.properties", "appsettings.Production.json", "config/settings.yaml",
]
NOT_READ = ["README.md", "docs/ci.md", "main.go", "Makefile", "LICENSE", "charts/web/templates/NOTES.txt", "image.png"]


def _discovery_reads(path: str) -> bool:
    from portacheck.discover import classify

    return classify(path) is not None or "/charts/" in f"/{path}" or path.startswith("charts/")


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_files_cover_every_kind_the_scanner_reads(hook):
    files = re.compile(HOOKS[hook]["files"])
    exclude = re.compile(HOOKS[hook]["exclude"])
    missed = [path for path in READ if not files.search(path)]
    assert not missed, f"{hook}: files does not match {missed}"
    assert all(_discovery_reads(path) for path in READ if not path.endswith((".tpl", "Chart.lock"))), "READ lists a path discovery skips"
    assert [path for path in NOT_READ if files.search(path)] == []
    assert exclude.search(".terraform/modules/vpc/main.tf") and exclude.search("web/node_modules/x/package.json")
    assert not exclude.search("infra/main.tf")


def test_hook_files_cover_the_discovery_suffixes():
    """Whatever discovery learns to read, the hook must be given too."""
    from portacheck.parse.registry import FRONTENDS

    files = re.compile(HOOKS["portacheck"]["files"])
    suffixes = sorted({s for frontend in FRONTENDS for s in frontend.suffixes})
    assert [s for s in suffixes if not files.search(f"dir/file{s}" if s.startswith(".") else f"dir/{s}")] == []
    paths = pytest.importorskip("portacheck.parse.application.paths")
    names = list(getattr(paths, "MANIFESTS", {})) + [f"App{s}" for s in getattr(paths, "MANIFEST_SUFFIXES", {})]
    assert [n for n in names if not files.search(f"svc/{n}")] == []


# --- the real pre-commit -----------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> str:
    env = _env()
    result = subprocess.run([GIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="portacheck tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="portacheck tests", GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
    )
    env.pop("CI", None)  # the hook must not rely on CI to stay quiet: it passes --no-progress
    return env


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    """This checkout's working tree as a one-commit git repository, for try-repo to clone."""
    if GIT is None:
        pytest.skip("needs git")
    listed = subprocess.run([GIT, "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True)
    if listed.returncode != 0:
        pytest.skip("the project is not a git checkout")
    target = tmp_path_factory.mktemp("portacheck-checkout")
    for rel in sorted(set(listed.stdout.decode().split("\0")) - {""}):
        source = ROOT / rel
        if source.is_file():  # a tracked file deleted in the working tree is not part of it
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    _git("init", "-q", cwd=target)
    _git("add", "-A", cwd=target)
    _git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "portacheck working tree", cwd=target)
    return target


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def work(tmp_path) -> Path:
    """A team's repository: old lock-in already committed, a configuration, a module's variables."""
    repo = tmp_path / "work"
    files = {
        ".portacheck.yaml": "fail-on: P3\n",
        "legacy/main.tf": 'resource "aws_dynamodb_table" "sessions" {\n  name     = "sessions"\n  hash_key = "id"\n}\n',
        "app/variables.tf": 'variable "env" {\n  default = "prod"\n}\n\nvariable "engine" {\n  default = "postgres"\n}\n',
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "before portacheck", cwd=repo)
    return repo


def try_repo(work: Path, snapshot: Path, home: Path) -> subprocess.CompletedProcess:
    """`pre-commit try-repo` on the staged files, as the commit would run the hook."""
    env = _env()
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(snapshot), "portacheck", "--verbose", "--color=never"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )


def stage(work: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    _git("add", *files, cwd=work)


DYNAMO_COMMIT = {"app/orders.tf": 'resource "aws_dynamodb_table" "orders" {\n  name     = "orders-${var.env}"\n  hash_key = "id"\n}\n'}
PORTABLE_COMMIT = {
    # The database engine comes from variables.tf, which is not part of the commit: the file is
    # judged with its whole module (P1, re-point). Alone it would be unknown, and fail at P3.
    "app/main.tf": (
        'resource "random_id" "suffix" {\n  byte_length = 4\n}\n\n'
        'resource "aws_db_instance" "main" {\n  engine         = var.engine\n  instance_class = "db.t3.micro"\n}\n'
    ),
    "k8s/web.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n"
        "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
        "        - name: web\n          image: ghcr.io/example/web:1.4.2\n"
    ),
}


@pytest.mark.slow
def test_try_repo_fails_on_a_commit_that_adds_a_dynamodb_table(work, snapshot, pre_commit_home):
    stage(work, DYNAMO_COMMIT)
    result = try_repo(work, snapshot, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"portacheck \(cloud portability\)\.+Failed", output), output
    assert "- exit code: 1" in output
    assert "app/orders.tf:1:1: P3 AWS-DYNAMODB Amazon DynamoDB: aws_dynamodb_table.orders" in output
    assert "FAILED: 1 finding at or above P3" in output
    assert "legacy/main.tf" not in output  # only the changed files' findings are reported


@pytest.mark.slow
def test_try_repo_fails_on_infrastructure_code_no_reader_analyses(work, snapshot, pre_commit_home):
    """Never a silent pass: a Packer template (no reader yet) fails the hook with exit 3, naming file and format."""
    stage(work, {"images/web.pkr.hcl": 'source "amazon-ebs" "web" {\n  region = "eu-central-1"\n}\n\nbuild {\n  sources = ["source.amazon-ebs.web"]\n}\n'})
    result = try_repo(work, snapshot, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # pre-commit reports any non-zero hook exit as 1
    assert "- exit code: 3" in output
    assert "images/web.pkr.hcl:1:1: error: not analysed: Packer (no reader for this format)" in output


def readme_pre_commit_config() -> dict:
    """The `.pre-commit-config.yaml` example the README gives."""
    import yaml

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if b.lstrip().startswith("repos:")]
    assert blocks, "the README has no .pre-commit-config.yaml example"
    return yaml.safe_load(blocks[0])


@pytest.mark.slow
def test_installed_hook_rejects_a_dynamodb_commit_and_accepts_a_portable_one(work, snapshot, pre_commit_home):
    """The README's `.pre-commit-config.yaml`, pointed at the snapshot, `pre-commit install`, `git commit`."""
    config = readme_pre_commit_config()
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["portacheck"]
    config["repos"][0]["repo"] = str(snapshot)
    config["repos"][0]["rev"] = _git("rev-parse", "HEAD", cwd=snapshot).strip()
    import yaml

    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    _git("add", ".pre-commit-config.yaml", cwd=work)
    _git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "pre-commit configuration", cwd=work)
    env = _env()
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=work, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [GIT, "-c", "commit.gpgsign=false", "commit", "-m", message], cwd=work, env=env, capture_output=True, text=True, timeout=600
        )

    stage(work, DYNAMO_COMMIT)
    rejected = commit("orders table")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode == 1, output
    assert re.search(r"portacheck \(cloud portability\)\.+Failed", output), output
    assert "app/orders.tf:1:1: P3 AWS-DYNAMODB Amazon DynamoDB: aws_dynamodb_table.orders" in output
    assert _git("log", "--format=%s", cwd=work).splitlines()[0] == "pre-commit configuration"  # no commit was made

    _git("rm", "-q", "--cached", "app/orders.tf", cwd=work)
    (work / "app/orders.tf").unlink()
    stage(work, PORTABLE_COMMIT)
    accepted = commit("web service")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert re.search(r"portacheck \(cloud portability\)\.+Passed", output), output
    assert _git("log", "--format=%s", cwd=work).splitlines()[0] == "web service"
