"""Which files are pipelines, what their scripts call, and what the reader makes of odd input."""

from __future__ import annotations

import pytest

from portacheck.parse import registry
from portacheck.parse.pipelines.claims import system
from portacheck.parse.pipelines.commands import commands

from helpers import findings_table

AZURE_PIPELINE_ELSEWHERE = (
    "trigger: none\npool:\n  vmImage: windows-latest\njobs:\n  - job: build\n    steps:\n      - task: DotNetCoreCLI@2\n"
)
CLOUDBUILD_ELSEWHERE = "steps:\n- name: 'gcr.io/cloud-builders/gcloud'\n  args: [app, deploy]\n"
CLOUD_DEPLOY = "apiVersion: deploy.cloud.google.com/v1\nkind: Target\nmetadata:\n  name: prod\nrun:\n  location: x\n"
ACTION = "name: publish\nruns:\n  using: composite\n  steps: []\n"


@pytest.mark.parametrize(
    "relpath, content, expected",
    [
        (".github/workflows/deploy.yml", "on: push\n", "github-actions"),
        ("services/api/.github/workflows/ci.yaml", "on: push\n", "github-actions"),
        (".github/actions/publish/action.yml", ACTION, "github-actions"),
        ("action.yaml", ACTION, "github-actions"),
        (".gitlab-ci.yml", "stages: [build]\n", "gitlab-ci"),
        ("templates/deploy.gitlab-ci.yml", "deploy:\n  script: [make]\n", "gitlab-ci"),
        (".gitlab/ci/build.yml", "build:\n  script: [make]\n", "gitlab-ci"),
        ("deploy/clouddeploy.yaml", CLOUD_DEPLOY, "clouddeploy"),
        ("cloudbuild-deploy.yaml", "steps: []\n", "cloudbuild"),
        ("ci/cloudbuild.json", '{"steps": []}', "cloudbuild"),
        ("ci/deploy.yaml", CLOUDBUILD_ELSEWHERE, "cloudbuild"),
        ("ci/release.azure-pipelines.yaml", "steps: []\n", "azure-pipelines"),
        (".azure-pipelines/templates/build.yml", "steps:\n  - script: make\n", "azure-pipelines"),
        (".azuredevops/release.yml", "stages: []\n", "azure-pipelines"),
        ("ci/windows.yml", AZURE_PIPELINE_ELSEWHERE, "azure-pipelines"),
        # not pipelines
        (".github/dependabot.yml", "version: 2\n", None),
        (".github/ISSUE_TEMPLATE/bug.yml", "name: Bug\n", None),
        ("action.yml", "name: not an action\n", None),
        ("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\n", None),
        (".gitlab/issue_templates/bug.md", "", None),
    ],
)
def test_system(relpath, content, expected):
    assert system(relpath, content.encode()) == expected


def test_pipelines_come_before_kubernetes_in_the_registry():
    assert registry.classify("deploy/clouddeploy.yaml", CLOUD_DEPLOY.encode()).name == "pipelines"
    assert registry.classify(".github/workflows/ci.yml", b"on: push\n").name == "pipelines"


@pytest.mark.parametrize(
    "script, expected",
    [
        ("aws ecs update-service --cluster prod --service web", [(0, "aws ecs")]),
        ("AWS_PAGER= aws --no-cli-pager s3 cp a s3://b/a", [(0, "aws s3")]),
        ("gcloud beta run deploy web && gcloud builds submit", [(0, "gcloud run"), (0, "gcloud builds")]),
        ("set -e\n# aws s3 ls\necho 'aws s3 ls'\n/usr/local/bin/az aks get-credentials -n x", [(3, "az aks")]),
        ("sudo eksctl create cluster -f c.yaml | tee log", [(0, "eksctl create")]),
        ("npx cdk deploy --all; sam deploy --guided", [(0, "cdk deploy"), (0, "sam deploy")]),
        ("aws", [(0, "aws")]),
        ("terraform apply -auto-approve", []),
    ],
)
def test_commands(script, expected):
    assert list(commands(script)) == expected


def test_gitlab_includes_are_read_once_and_missing_ones_are_a_warning(tree, scan):
    root = tree({
        ".gitlab-ci.yml": "include:\n  - local: /ci/*.yml\n  - ci/missing.yml\n  - remote: https://example.com/x.yml\n",
        "ci/a.yml": "a:\n  script: [gcloud run deploy a]\n",
        "ci/b.yml": "include: ci/a.yml\nb:\n  image: mcr.microsoft.com/azure-cli:2.60.0\n",
    })
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        ".gitlab-ci.yml:3: warning: include 'ci/missing.yml' is not a file in the scanned directory; not analysed",
    ]
    assert findings_table(assessment) == [
        ("CI-GITLAB-CI", ".gitlab-ci.yml", 1, "P0"),
        ("CI-GITLAB-CI", "ci/a.yml", 1, "P0"),
        ("GCP-CLOUD-RUN", "ci/a.yml", 2, "P2"),
        ("CI-GITLAB-CI", "ci/b.yml", 1, "P0"),
        ("CI-AZURE-CLI", "ci/b.yml", 3, "P2"),
    ]


def test_odd_but_valid_workflows_do_not_crash(tree, scan):
    root = tree({
        ".github/workflows/a.yml": "",
        ".github/workflows/b.yml": "- just\n- a list\n",
        ".github/workflows/c.yml": "jobs:\n  x:\n    runs-on: [self-hosted, '${{ matrix.os }}']\n    steps:\n      - uses: ./local\n      - uses: docker://amazon/aws-cli:2\n      - 42\n",
        ".github/workflows/d.yml": b"\xff\xff",  # (\xff\xfe is a UTF-16 byte-order mark)
    })
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [".github/workflows/d.yml:1:1: error: not valid UTF-8 (byte 0xff)"]
    assert findings_table(assessment) == [
        ("CI-GITHUB-ACTIONS", ".github/workflows/c.yml", 1, "P0"),
        ("CI-AWS-CLI", ".github/workflows/c.yml", 6, "P2"),
    ]
