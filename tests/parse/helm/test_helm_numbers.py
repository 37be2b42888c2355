"""Helm counted honestly: test hooks are no workloads, a subchart counts once, optional features apart.

Fixtures under fixtures/helm/numbers; each test asserts the figures a reader would quote.
"""

from __future__ import annotations

import shutil

import pytest

from portacheck.config import Config
from portacheck.parse.helm import HelmOptions
from portacheck.parse.helm.render import sdk_installed

from conftest import FIXTURES

NUMBERS = FIXTURES / "helm" / "numbers"
pytestmark = pytest.mark.skipif(not sdk_installed(), reason="helm-python-sdk (portacheck[helm]) is not installed")


def figures(assessment):
    """(distinct workloads, deployed resources, effort low, effort high): the headline's numbers."""
    workloads = sorted({w.resource.address for w in assessment.workloads.workloads})
    resources = sorted(v.resource.address for v in assessment.verdicts)
    return workloads, resources, assessment.effort.low, assessment.effort.high


def findings(assessment):
    return sorted((f.rule.id, f.location.path, f.location.line, f.resource.kind, str(f.location.origin)) for f in assessment.findings if f.level.value != "P0")


def helm(**options) -> Config:
    return Config(frontends={"helm": HelmOptions(**options)})


# --- test hooks ----------------------------------------------------------------------------------


def test_a_test_hook_is_no_workload_but_its_signals_are_findings(scan):
    assessment = scan(NUMBERS / "hooks")
    assert figures(assessment) == (["Deployment/hooks-web"], ["Deployment/hooks-web"], 0.0, 0.1)
    assert findings(assessment) == [
        ("AWS-ECR", "templates/tests/test-connection.yaml", 11, "reference", "chart hooks"),
    ]
    pod = next(f.resource for f in assessment.findings if f.resource.address == "Pod/hooks-test-connection")
    assert pod.attributes["helm_hook"] == "test"


def test_adding_a_test_hook_changes_neither_workloads_nor_effort(scan, tmp_path):
    chart = tmp_path / "hooks"
    shutil.copytree(NUMBERS / "hooks", chart)
    with_hook = figures(scan(chart))
    shutil.rmtree(chart / "templates" / "tests")
    assert figures(scan(chart)) == with_hook


# --- a subchart once -----------------------------------------------------------------------------


def test_a_chart_an_umbrella_renders_is_analysed_once_through_it(scan):
    assessment = scan(NUMBERS / "umbrella")
    assert figures(assessment) == (["Deployment/api"], ["ConfigMap/shop-shop", "Deployment/api"], 0.25, 1.1)
    assert findings(assessment) == [("AWS-ECR", "api/templates/deployment.yaml", 16, "workload", "chart shop/api")]


def test_a_subchart_scanned_on_its_own_is_analysed(scan):
    assessment = scan(NUMBERS / "umbrella" / "api")
    assert figures(assessment) == (["Deployment/api"], ["Deployment/api"], 0.25, 1.0)
    assert findings(assessment) == [("AWS-ECR", "templates/deployment.yaml", 16, "workload", "chart api")]


# --- optional features ---------------------------------------------------------------------------


def test_what_a_switch_brings_is_reported_as_optional_and_counted_apart(scan):
    assessment = scan(NUMBERS / "irsa", helm(optional="report"))
    assert figures(assessment) == (["Deployment/orders"], ["Deployment/orders", "ServiceAccount/orders"], 0.0, 0.2)
    assert findings(assessment) == [
        ("AWS-CLOUDWATCH", "templates/cloudwatch.yaml", 7, "optional",
         "chart orders (optional: only when `irsa.enabled` and `metrics.cloudwatch` are set)"),
        ("AWS-EKS-IRSA", "templates/serviceaccount.yaml", 7, "optional", "chart orders (optional: only when `irsa.enabled` is set)"),
    ]
    irsa = next(f for f in assessment.findings if f.rule.id == "AWS-EKS-IRSA")
    assert irsa.resource.attributes["optional_when"] == ("irsa.enabled",)
    assert irsa.resource.address == "ServiceAccount/orders (optional)"
    assert assessment.fail_on is None or not assessment.failing_findings()


def test_optional_findings_fail_only_when_asked(cli):
    chart = str(NUMBERS / "irsa")
    assert cli("scan", chart, "-q", "--fail-on", "P2").code == 0
    assert cli("scan", chart, "-q", "--fail-on", "P2", "--helm-optional", "fail").code == 1
    assert cli("scan", chart, "-q", "--fail-on", "P2", "--helm-optional", "off").code == 0


def test_optional_off_renders_once_and_reports_nothing_optional(scan):
    assessment = scan(NUMBERS / "irsa", helm(optional="off"))
    assert findings(assessment) == []


def test_a_switch_in_a_configuration_file(tree, scan):
    from portacheck.config import load_settings, resolve

    root = tree({".portacheck.yaml": "helm:\n  optional: fail\n"})
    assert resolve(load_settings(str(root / ".portacheck.yaml"))).options("helm").optional == "fail"


# --- values files passed to a chart --------------------------------------------------------------


def test_values_files_a_helmfile_or_an_argo_application_passes_are_read_with_their_lines(scan):
    assessment = scan(NUMBERS / "passed")
    assert findings(assessment) == [
        ("AWS-ECR", "envs/argo-prod.yaml", 2, "reference", "values passed by apps/web.yaml"),
        ("AWS-EKS-IRSA", "envs/prod.yaml", 4, "reference", "values passed by helmfile.yaml"),
    ]
    assert not assessment.errors
