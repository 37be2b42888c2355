"""Flux HelmReleases: values passed to a chart of the tree render it; values texts in ConfigMaps
are read as chart values at their own lines."""

from __future__ import annotations

import pytest

from portacheck.parse.helm.render import sdk_installed

from conftest import FIXTURES

FLUX = FIXTURES / "flux-release"
needs_sdk = pytest.mark.skipif(not sdk_installed(), reason="helm-python-sdk (portacheck[helm]) is not installed")


def table(assessment):
    """(rule, file, line, values file:line, coupling, optional) of the provider findings."""
    return [
        (
            f.rule.id, f.location.path, f.location.line,
            f"{f.signal.values_location.path}:{f.signal.values_location.line}" if f.signal.values_location else None,
            f.coupling, "optional_when" in f.resource.attributes,
        )
        for f in assessment.findings if f.rule.provider != "kubernetes"
    ]


@needs_sdk
def test_a_release_switches_on_the_provider_part_of_a_chart_in_the_tree(scan):
    assert table(scan(FLUX)) == [
        # ingress.className: alb comes from the ConfigMap the release names in valuesFrom
        ("AWS-LB-CONTROLLER", "charts/app/templates/ingress.yaml", 6, "clusters/prod/app-values.yaml:9", False, False),
        # aws.enabled: true in the release's spec.values: deployed, not optional
        ("AWS-EKS-IRSA", "charts/app/templates/serviceaccount.yaml", 7, None, False, False),
        # the ConfigMap's values text read as chart values, at its own line
        ("AWS-LB-CONTROLLER", "clusters/prod/app-values.yaml", 11, None, False, False),
        ("AWS-EKS-IRSA", "clusters/prod/app.yaml", 20, None, True, False),
    ]


@needs_sdk
def test_without_the_release_the_provider_part_is_optional(scan):
    assert table(scan(FLUX / "charts" / "app")) == [
        ("AWS-EKS-IRSA", "templates/serviceaccount.yaml", 7, None, False, True),
    ]


def test_values_in_a_secret_passed_to_a_repository_chart_are_read_as_chart_values(tree, scan):
    root = tree({
        "release.yaml": (
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: db}\nspec:\n"
            "  chart: {spec: {chart: postgresql, sourceRef: {kind: HelmRepository, name: bitnami}}}\n"
            "  valuesFrom:\n    - {kind: Secret, name: db-values, valuesKey: prod.yaml}\n    - {kind: ConfigMap, name: absent}\n"
        ),
        "secret.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db-values}\nstringData:\n  prod.yaml: |\n"
            "    primary:\n      persistence:\n        storageClass: gp3\n"
        ),
    })
    assessment = scan(root)
    assert not assessment.errors
    assert [(f.rule.id, f.location.path, f.location.line, f.resource.location.origin.via) for f in assessment.findings if f.rule.provider != "kubernetes"] == [
        ("AWS-EBS-CLASS-NAME", "secret.yaml", 8, "values passed by HelmRelease/db in release.yaml"),
    ]
