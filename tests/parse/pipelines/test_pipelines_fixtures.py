"""Pipeline fixtures in, exact findings out: rule, file, line and level of every finding."""

from __future__ import annotations

import pytest

from portacheck.model import Level

from conftest import FIXTURES
from helpers import findings_table

EXPECTED = {
    "pipelines-github": [
        ("CI-GITHUB-ACTIONS", ".github/actions/deploy/action.yml", 1, "P0"),
        ("AWS-S3", ".github/actions/deploy/action.yml", 12, "P1"),  # aws s3 sync in a composite action
        ("CI-GITHUB-ACTIONS", ".github/workflows/deploy.yml", 1, "P0"),
        ("AWS-CI-OIDC-FEDERATION", ".github/workflows/deploy.yml", 20, "P2"),  # its role ARN is not judged again as IAM
        ("AWS-ECR", ".github/workflows/deploy.yml", 26, "P1"),
        ("AWS-ECS", ".github/workflows/deploy.yml", 33, "P3"),  # the render step; the deploy step is suppressed
        ("AWS-CLOUDFRONT", ".github/workflows/deploy.yml", 45, "P2"),
        ("AWS-CODEBUILD", ".github/workflows/deploy.yml", 48, "P2"),  # a CodeBuild-hosted runner
    ],
    "pipelines-gitlab": [
        (".gitlab-ci.yml", 1, "CI-GITLAB-CI", "P0"),
        (".gitlab-ci.yml", 23, "CI-AWS-CLI", "P2"),  # amazon/aws-cli image
        (".gitlab-ci.yml", 26, "AWS-S3", "P1"),
        (".gitlab-ci.yml", 27, "CI-AWS-CLI", "P2"),  # aws sts
        ("ci/deploy.yml", 1, "CI-GITLAB-CI", "P0"),  # included locally, read as GitLab CI
        ("ci/deploy.yml", 3, "CI-GCLOUD-CLI", "P2"),  # google/cloud-sdk image
        ("ci/deploy.yml", 5, "CI-GCLOUD-CLI", "P2"),  # gcloud auth
        ("ci/deploy.yml", 7, "GCP-CLOUD-RUN", "P2"),  # the echo below is no command
    ],
    "pipelines-azure": [
        ("AZURE-DEVOPS-PIPELINES", "azure-pipelines.yml", 1, "P2"),
        ("CI-AZURE-CLI", "azure-pipelines.yml", 25, "P2"),  # AzureCLI@2
        ("CI-AZURE-CLI", "azure-pipelines.yml", 31, "P2"),  # az group
        ("AZURE-ACR", "azure-pipelines.yml", 32, "P1"),
        ("AZURE-APP-SERVICE", "azure-pipelines.yml", 33, "P2"),
        ("AZURE-AKS", "azure-pipelines.yml", 38, "P1"),  # Kubernetes@1 through an Azure Resource Manager connection
    ],
    "pipelines-gcp": [
        ("GCP-CLOUD-BUILD", "cloudbuild.yaml", 1, "P2"),
        ("GCP-CLOUD-BUILD", "cloudbuild.yaml", 2, "P2"),  # the docker builder
        ("GCP-ARTIFACT-REGISTRY", "cloudbuild.yaml", 3, "P1"),
        ("GCP-CLOUD-BUILD", "cloudbuild.yaml", 4, "P2"),
        ("GCP-ARTIFACT-REGISTRY", "cloudbuild.yaml", 5, "P1"),
        ("CI-GCLOUD-CLI", "cloudbuild.yaml", 6, "P2"),  # the cloud-sdk image
        ("GCP-CLOUD-RUN", "cloudbuild.yaml", 9, "P2"),  # gcloud run, from the builder's args
        ("GCP-ARTIFACT-REGISTRY", "cloudbuild.yaml", 12, "P1"),
        ("GCP-ARTIFACT-REGISTRY", "cloudbuild.yaml", 15, "P1"),
        ("GCP-CLOUD-DEPLOY", "clouddeploy.yaml", 1, "P2"),
        ("GCP-CLOUD-RUN", "clouddeploy.yaml", 14, "P2"),  # a Cloud Run target
        ("GCP-GKE", "clouddeploy.yaml", 21, "P1"),  # a GKE target
    ],
    "pipelines-neutral": [
        ("CI-GITHUB-ACTIONS", ".github/workflows/ci.yml", 1, "P0"),
    ],
}


def _rows(name: str) -> list[tuple[str, str, int, str]]:
    rows = EXPECTED[name]
    if name == "pipelines-gitlab":  # written file-first above, for reading
        return [(rule, path, line, level) for path, line, rule, level in rows]
    return rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(scan, name):
    assessment = scan(FIXTURES / name)
    assert not assessment.errors
    assert findings_table(assessment) == _rows(name)


def test_pipelines_are_costed_but_not_counted_as_deployed_resources(scan):
    assessment = scan(FIXTURES / "pipelines-github")
    assert assessment.resources_total == 0
    assert [(v.resource.address, v.level, v.effort_low, v.effort_high) for v in assessment.pipelines] == [
        ("github-action:deploy", Level.P1, 0.25, 1.0),
        ("github-workflow:deploy.yml", Level.P3, 5.0, 20.0),
    ]
    assert (assessment.effort.low, assessment.effort.high) == (5.25, 21.0)


def test_a_suppressed_step_is_reported_as_suppressed(scan):
    assessment = scan(FIXTURES / "pipelines-github")
    assert [(f.rule.id, f.location.line, why) for f, why in assessment.suppressed] == [
        ("AWS-ECS", 39, "suppressed at .github/workflows/deploy.yml:38: the ECS service moves with the orders team in Q3"),
    ]


def test_a_broken_workflow_is_one_located_error_and_the_other_is_read(scan):
    assessment = scan(FIXTURES / "pipelines-broken")
    assert [str(e) for e in assessment.errors] == [
        ".github/workflows/release.yml:11:8: error: invalid YAML: did not find expected '-' indicator",
    ]
    assert findings_table(assessment) == [
        ("CI-GITHUB-ACTIONS", ".github/workflows/ok.yml", 1, "P0"),
        ("GCP-WORKLOAD-IDENTITY-FEDERATION", ".github/workflows/ok.yml", 7, "P2"),
    ]
