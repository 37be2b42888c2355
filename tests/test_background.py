"""The Terraform reader forked aside while this process reads the manifests (issue 16): the same
report as reading everything here, and a child that dies costs the Terraform files only, with one line."""

from __future__ import annotations

import json
import os

import pytest
from adversarial.large_terraform import large_terraform

from portacheck.parse import background

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
spec:
  template:
    spec:
      containers:
        - name: app
          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-{n}:1.0
---
"""


@pytest.fixture
def both(tree, monkeypatch):
    """A tree with enough Terraform and enough manifests to read them side by side, on two cores."""
    monkeypatch.setattr(background.os, "cpu_count", lambda: 2)
    manifests = "".join(DEPLOYMENT.format(n=n) for n in range(350))
    assert min(len(manifests), len(large_terraform(70_000))) >= background.MIN_BYTES
    return tree({"infra/main.tf": large_terraform(70_000), "k8s/apps.yaml": manifests})


def _scan(fast_cli, root):
    return fast_cli("scan", str(root), "--format", "json", "--no-progress", "--no-cache")


def test_terraform_read_aside_gives_the_report_of_reading_it_here(both, fast_cli, monkeypatch):
    waited = []
    wait = background.Pending.wait
    monkeypatch.setattr(background.Pending, "wait", lambda self, context: waited.append(self.frontend.name) or wait(self, context))
    aside = _scan(fast_cli, both)
    monkeypatch.setattr(background, "MIN_BYTES", 10**12)
    here = _scan(fast_cli, both)
    assert waited == ["terraform"]  # the first scan forked, the second did not
    assert (here.code, here.out, here.err) == (aside.code, aside.out, aside.err)
    files = {finding["file"] for finding in json.loads(aside.out)["findings"]}
    assert files == {"infra/main.tf", "k8s/apps.yaml"}


def test_a_child_that_dies_costs_the_terraform_files_with_one_line(both, fast_cli, monkeypatch):
    from portacheck.parse.terraform import analyse

    parent = os.getpid()

    def die(*args):
        if os.getpid() == parent:
            raise AssertionError("Terraform was read in this process, not in a child")
        os._exit(7)

    monkeypatch.setattr(analyse, "parse", die)
    run = _scan(fast_cli, both)
    assert run.code == 3  # input not analysed (the manifests alone pass the policy)
    assert [line for line in run.err.splitlines() if ": error: " in line] == [
        "portacheck: infra/main.tf: error: internal error in the Terraform reader (its worker process ended with exit code 7); "
        "its 1 file(s) were not analysed; please report this",
    ]
    assert {finding["file"] for finding in json.loads(run.out)["findings"]} == {"k8s/apps.yaml"}
