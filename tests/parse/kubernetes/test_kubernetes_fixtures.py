"""The Kubernetes fixtures as a user sees them: exact findings (rule, file, line, level) and the workload view."""

from __future__ import annotations

import pytest

from portacheck.model import Level

from conftest import FIXTURES


def provider_findings(assessment):
    return [(f.rule.id, f.location.path, f.location.line, f.level.value) for f in assessment.findings if f.level is not Level.P0]


def workload_view(assessment):
    return {
        w.resource.address: (w.level.value, sorted({(t.finding.rule.id, t.via) for t in w.ties}))
        for w in assessment.workloads.workloads
    }


EXPECTED = {
    "k8s-eks": [
        ("AWS-EKS-IRSA", "app.yaml", 8, "P2"),
        ("AWS-EKS-NODE-LABELS", "app.yaml", 25, "P1"),
        ("AWS-ECR", "app.yaml", 28, "P1"),
        ("AWS-DYNAMODB", "app.yaml", 31, "P3"),
        ("AWS-LB-CONTROLLER", "app.yaml", 54, "P2"),
        ("AWS-LB-CONTROLLER", "app.yaml", 55, "P2"),
        ("AWS-LB-CONTROLLER", "app.yaml", 57, "P2"),
        ("AWS-EBS", "storage.yaml", 5, "P1"),
        ("AWS-S3", "storage.yaml", 51, "P1"),
    ],
    "k8s-gke": [
        ("GCP-GKE-WORKLOAD-IDENTITY", "app.yaml", 7, "P2"),
        ("GCP-GKE-NODE-LABELS", "app.yaml", 22, "P1"),
        ("GCP-ARTIFACT-REGISTRY", "app.yaml", 25, "P1"),
        ("GCP-CLOUD-SQL", "app.yaml", 30, "P1"),  # the Cloud SQL Auth Proxy image: its rule explains the gcr.io host
        ("GCP-PUBSUB", "app.yaml", 38, "P3"),
        ("GCP-CLOUD-STORAGE", "app.yaml", 39, "P1"),
        ("GCP-GKE-INGRESS", "app.yaml", 46, "P2"),
        ("GCP-GKE-INGRESS", "app.yaml", 59, "P2"),
        ("GCP-GKE-INGRESS", "app.yaml", 60, "P2"),
        ("GCP-PD-CLASS-NAME", "app.yaml", 72, "P1"),
    ],
    "k8s-aks": [
        ("AZURE-AKS-WORKLOAD-IDENTITY", "app.yaml", 7, "P2"),
        ("AZURE-KEY-VAULT-SECRETS", "app.yaml", 14, "P2"),
        ("AZURE-AKS-WORKLOAD-IDENTITY", "app.yaml", 30, "P2"),
        ("AZURE-ACR", "app.yaml", 35, "P1"),
        ("AZURE-SQL", "app.yaml", 38, "P2"),
        ("AZURE-DISK-CLASS-NAME", "app.yaml", 55, "P1"),
        ("AZURE-AKS-LOAD-BALANCER", "app.yaml", 66, "P2"),
    ],
    "k8s-portable": [],
    "k8s-kustomize": [
        ("AWS-EKS-IRSA", "overlays/prod/irsa-patch.yaml", 6, "P2"),
        ("AWS-ECR", "overlays/prod/kustomization.yaml", 7, "P1"),
        ("AWS-SQS", "overlays/prod/kustomization.yaml", 27, "P2"),
        ("AWS-EKS-NODE-LABELS", "overlays/prod/spot-patch.yaml", 4, "P1"),
        ("AWS-LB-CONTROLLER", "overlays/prod/spot-patch.yaml", 6, "P2"),
    ],
}

WORKLOADS = {
    "k8s-eks": {
        "Deployment/shop/orders": ("P3", [
            ("AWS-DYNAMODB", ""), ("AWS-ECR", ""), ("AWS-EKS-IRSA", "ServiceAccount/shop/orders"),
            ("AWS-EKS-NODE-LABELS", ""), ("AWS-LB-CONTROLLER", "Ingress/shop/shop"),
        ]),
        "StatefulSet/shop/ledger": ("P1", [("AWS-EBS", "StorageClass/fast")]),
        "CronJob/shop/report": ("P1", [("AWS-S3", "")]),
    },
    "k8s-gke": {
        "Deployment/checkout": ("P3", [
            ("GCP-ARTIFACT-REGISTRY", ""), ("GCP-CLOUD-SQL", ""), ("GCP-CLOUD-STORAGE", "ConfigMap/checkout-config"),
            ("GCP-GKE-INGRESS", "Ingress/checkout"), ("GCP-GKE-INGRESS", "Service/checkout"),
            ("GCP-GKE-NODE-LABELS", ""), ("GCP-GKE-WORKLOAD-IDENTITY", "ServiceAccount/checkout"),
            ("GCP-PUBSUB", "ConfigMap/checkout-config"),
        ]),
    },
    "k8s-aks": {
        "Deployment/billing": ("P2", [
            ("AZURE-ACR", ""), ("AZURE-AKS-LOAD-BALANCER", "Service/billing"), ("AZURE-AKS-WORKLOAD-IDENTITY", ""),
            ("AZURE-AKS-WORKLOAD-IDENTITY", "ServiceAccount/billing"), ("AZURE-DISK-CLASS-NAME", "PersistentVolumeClaim/invoices"),
            ("AZURE-KEY-VAULT-SECRETS", "SecretProviderClass/billing-secrets"), ("AZURE-SQL", ""),
        ]),
    },
    "k8s-portable": {"Deployment/blog/blog": ("P0", []), "StatefulSet/blog/postgres": ("P0", [])},
    "k8s-kustomize": {
        "Deployment/api": ("P2", [
            ("AWS-ECR", "Kustomization/overlays/prod"), ("AWS-EKS-IRSA", "patch:ServiceAccount/api"),
            ("AWS-EKS-NODE-LABELS", "patch:Deployment/api"), ("AWS-LB-CONTROLLER", "patch:Deployment/api"),
            ("AWS-SQS", "patch:Deployment/api"),
        ]),
    },
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_findings(fixture, scan):
    assessment = scan(FIXTURES / fixture)
    assert not assessment.errors
    assert provider_findings(assessment) == EXPECTED[fixture]


@pytest.mark.parametrize("fixture", sorted(WORKLOADS))
def test_fixture_workload_view(fixture, scan):
    view = workload_view(scan(FIXTURES / fixture))
    expected = {address: (level, sorted((rule, via) for rule, via in ties)) for address, (level, ties) in WORKLOADS[fixture].items()}
    assert view == expected


def test_the_portable_app_has_no_unknowns_and_every_object_is_p0(scan):
    assessment = scan(FIXTURES / "k8s-portable")
    assert assessment.resources_total == 7  # Namespace, ConfigMap, Deployment, Service, Ingress, ClusterIssuer, StatefulSet
    assert assessment.level_counts[Level.P0] == 7
    assert assessment.workloads.as_they_are == assessment.workloads.total == 2


def test_workload_headline_and_text_report(cli):
    result = cli("scan", str(FIXTURES / "k8s-eks"), "--fail-on", "never", "--color", "never")
    assert result.code == 0
    assert "3 distinct workloads (3 definitions in 1 variant): 0 run elsewhere as they are (P0), 2 with re-pointing only (P1), 1 tied" in result.out
    assert "    P3  Deployment/shop/orders  app.yaml:10\n" in result.out
    assert "          P2 IAM roles for service accounts (IRSA) [AWS-EKS-IRSA] via ServiceAccount/shop/orders (app.yaml:8)\n" in result.out


def test_an_irsa_role_arn_is_judged_by_the_annotation_not_as_the_iam_model(scan):
    """The annotation's rule explains its value: no AWS-IAM P4 for the role ARN it holds."""
    rules = {f.rule.id for f in scan(FIXTURES / "k8s-eks").findings}
    assert "AWS-EKS-IRSA" in rules and "AWS-IAM" not in rules


def test_patches_count_towards_the_objects_they_patch(scan):
    """The IRSA patch makes the base ServiceAccount P2; patches are not resources of their own."""
    assessment = scan(FIXTURES / "k8s-kustomize")
    levels = {v.resource.address: v.level.value for v in assessment.verdicts}
    assert levels == {"Deployment/api": "P2", "ServiceAccount/api": "P2"}


def test_a_patch_whose_target_is_not_scanned_is_judged_on_its_own(tree, scan):
    root = tree({
        "kustomization.yaml": "resources: [https://example.org/base]\npatches:\n  - path: sa.yaml\n",
        "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n"
                   "    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/app\n",
    })
    assessment = scan(root)
    assert [(v.resource.address, v.level.value) for v in assessment.verdicts] == [("patch:ServiceAccount/app", "P2")]
