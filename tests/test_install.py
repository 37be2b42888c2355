"""A fresh clone, the README's install command in a clean virtual environment, and a chart rendered.

This runs the README's first command as a newcomer would: a copy of the checkout stands in for a fresh
clone, `python3 -m venv .venv && . .venv/bin/activate && pip install '.[helm]' && portacheck scan ...`
runs in it with bash, and the installed `portacheck` then renders a chart with the Helm SDK the install
brought. pip fetches the dependencies from the package index (wheels the CI job's own install has just
cached). That takes 20 s on an idle machine and over a minute on a busy one (unpacking the Helm SDK's
244 MB is most of it), so it is marked `slow`; `.ci/run` runs it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BASH = shutil.which("bash")
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", "*.pyc", ".*_cache", "*.egg-info", "build", "dist", "results.*")


@pytest.mark.slow
@pytest.mark.skipif(BASH is None or sys.platform == "win32", reason="the README's command is for a POSIX shell")
def test_readme_install_in_a_clean_environment_scans_the_demo_and_renders_a_chart(tmp_path):
    if importlib.util.find_spec("helm_python") is None:
        pytest.skip("no helm-python-sdk wheel for this platform")
    (install,) = re.findall(r"```sh\n(python3 -m venv .*?pip install '\.\[helm\]'.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))
    clone = tmp_path / "portacheck"
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])  # `python3` is this Python

    try:
        _install_and_scan(install, clone, env)
    finally:
        shutil.rmtree(clone / ".venv", ignore_errors=True)  # about 300 MB, the Helm SDK's share of it 244 MB


def _install_and_scan(install: str, clone: Path, env: dict[str, str]) -> None:
    first = subprocess.run([BASH, "--noprofile", "--norc", "-c", install], cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 1, first.stderr[-3000:]  # the demo fails the default policy, as the README says
    assert "Amazon DynamoDB [AWS-DYNAMODB]" in first.stdout and "FAILED: " in first.stdout

    portacheck = clone / ".venv" / "bin" / "portacheck"
    chart = subprocess.run(
        [str(portacheck), "scan", "fixtures/helm/aws-web", "--helm-renderer", "sdk", "--no-progress", "--fail-on", "never"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300,
    )
    assert chart.returncode == 0, chart.stdout[-3000:] + chart.stderr[-3000:]  # 3 would mean "not analysed"
    assert "Read: 1 Helm chart." in chart.stdout and "not rendered" not in chart.stdout + chart.stderr
    assert "templates/ingress.yaml:8  Ingress/web  (via chart web)  (value from values.yaml:23)" in chart.stdout
