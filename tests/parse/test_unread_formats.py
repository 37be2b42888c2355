"""Formats without a reader: recognised from path and head, reported as not analysed, never a pass.

Every file under `fixtures/unread/<format>/` belongs to that format (`mixed/` holds one
unread file next to a Terraform module). The CLI tests need discovery and the analyser
registry to know the unread formats.
"""

from __future__ import annotations

import pytest

from portacheck.parse.unread import HEAD_BYTES, UNREAD_FORMATS, claim

from conftest import FIXTURES, ROOT

UNREAD = FIXTURES / "unread"

# format directory -> the files a scan of it names, each with the title the report gives it
EXPECTED = {
    "codebuild": [("buildspec.yml", "AWS CodeBuild buildspec")],
    "copilot": [("copilot/api/manifest.yml", "AWS Copilot")],
    "packer": [("ubuntu.pkr.hcl", "Packer")],
    "serverless-code": [("serverless.ts", "Serverless Framework (TypeScript, JavaScript)")],
}


def not_analysed(relpath: str, title: str) -> str:
    return f"{relpath}: error: not analysed: {title} (no reader for this format)"


def claimed(relpath: str, content: str | bytes) -> str | None:
    head = content.encode() if isinstance(content, str) else content
    found = claim(relpath, head[:HEAD_BYTES])
    return found.name if found else None


def files_under(directory) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


# --- claim() on the fixtures -------------------------------------------------------------------


def test_claim_formats_have_distinct_names_and_titles_and_a_fixture_directory_each():
    assert sorted(f.name for f in UNREAD_FORMATS) == sorted(EXPECTED)
    assert len({f.title for f in UNREAD_FORMATS}) == len(UNREAD_FORMATS)
    assert sorted(p.name for p in UNREAD.iterdir()) == sorted([*EXPECTED, "mixed"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_claim_gives_every_fixture_file_its_format(name):
    directory = UNREAD / name
    titles = {f.name: f.title for f in UNREAD_FORMATS}
    found = [(rel, claim(rel, (directory / rel).read_bytes()[:HEAD_BYTES])) for rel in files_under(directory)]
    assert [(rel, f.name if f else None) for rel, f in found] == [(rel, name) for rel, _ in EXPECTED[name]]
    assert [(rel, f.title if f else None) for rel, f in found] == [(rel, titles[name]) for rel, _ in EXPECTED[name]]


def test_claim_in_the_mixed_fixture_takes_the_unread_file_and_leaves_terraform():
    directory = UNREAD / "mixed"
    assert {rel: claimed(rel, (directory / rel).read_bytes()) for rel in files_under(directory)} == {
        "main.tf": None,
        "serverless.ts": "serverless-code",
    }


# --- claim() on inline examples ----------------------------------------------------------------

BUILDSPEC_ELSEWHERE = "version: 0.2\nphases:\n  build:\n    commands: [make]\n"
PACKER_HCL = 'source "azure-arm" "base" {\n  os_type = "Linux"\n}\n\nbuild {\n  sources = ["source.azure-arm.base"]\n}\n'
PACKER_LEGACY_JSON = '{"builders": [{"type": "googlecompute", "project_id": "acme"}], "provisioners": []}'


@pytest.mark.parametrize(
    "relpath, content, name",
    [
        ("app/serverless.ts", "import type { AWS } from '@serverless/typescript';\n", "serverless-code"),
        ("copilot/pipelines/main/manifest.yml", "name: main\nversion: 1\nsource:\n  provider: GitHub\n", "copilot"),
        ("ci/buildspec-test.yml", "version: 0.2\nphases:\n  build:\n    commands: [make test]\n", "codebuild"),
        ("ci/build.yml", BUILDSPEC_ELSEWHERE, "codebuild"),
        ("images/base.hcl", PACKER_HCL, "packer"),
        ("images/base.pkr.json", "{}", "packer"),
        ("images/legacy.json", PACKER_LEGACY_JSON, "packer"),
    ],
)
def test_claim_recognises(relpath, content, name):
    assert claimed(relpath, content) == name


K8S_DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
K8S_CONFIGMAP_WITH_A_TEMPLATE = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfn\ndata:\n  stack.yaml: |\n"
    "    AWSTemplateFormatVersion: '2010-09-09'\n    Resources:\n      T:\n        Type: AWS::SNS::Topic\n"
)
K8S_LIST_JSON = '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service"}]}'
CHART = "apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: 2.0.0\n"
VALUES = "replicaCount: 2\nimage:\n  repository: nginx\nresources:\n  limits:\n    cpu: 500m\n"
PACKAGE_JSON = '{"name": "api", "scripts": {"deploy": "serverless deploy"}, "devDependencies": {"aws-cdk-lib": "2.110.0"}}'
TSCONFIG = '{"compilerOptions": {"target": "ES2020", "module": "commonjs", "strict": true}}'
OPENAPI = '{"$schema": "https://spec.openapis.org/oas/3.1/schema/2022-10-07", "openapi": "3.1.0", "paths": {}}'
JSON_SCHEMA = (  # the schema of ARM templates is no ARM template
    '{"$schema": "http://json-schema.org/draft-04/schema#",'
    ' "id": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"}'
)
COMPOSE = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n  db:\n    image: postgres:16\n"
GITHUB_WORKFLOW = (
    "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - name: gcr.io/cloud-builders/docker\n        run: sam deploy\n"
)
GITLAB_CI = "stages: [build, deploy]\nbuild:\n  stage: build\n  image: docker:24\n  script: [docker build .]\n"
PRE_COMMIT = (
    "repos:\n  - repo: https://github.com/antonbabenko/pre-commit-terraform\n    rev: v1.86.0\n"
    "    hooks:\n      - id: terraform_fmt\n"
)
TERRAFORM = 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n\nterraform {\n  required_version = ">= 1.5"\n}\n'
NOMAD = 'job "web" {\n  datacenters = ["dc1"]\n  group "web" {\n    task "nginx" {\n      driver = "docker"\n    }\n  }\n}\n'
VAULT_POLICY = 'path "secret/data/orders/*" {\n  capabilities = ["read"]\n}\n'
LOCK = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.31.0"\n  hashes = []\n}\n'
PLAIN_LOCALS = 'locals {\n  account_id = "123456789012"\n}\n'
VALIDATE_JSON = '{"format_version": "1.0", "valid": true, "error_count": 0, "diagnostics": []}'


@pytest.mark.parametrize(
    "relpath, content",
    [
        ("k8s/deployment.yaml", K8S_DEPLOYMENT),
        ("k8s/cfn-configmap.yaml", K8S_CONFIGMAP_WITH_A_TEMPLATE),
        ("k8s/list.json", K8S_LIST_JSON),
        ("charts/web/Chart.yaml", CHART),
        ("charts/web/values.yaml", VALUES),
        ("package.json", PACKAGE_JSON),
        ("tsconfig.json", TSCONFIG),
        ("api/openapi.json", OPENAPI),
        ("schemas/deploymentTemplate.json", JSON_SCHEMA),
        ("docker-compose.yml", COMPOSE),
        (".github/workflows/deploy.yml", GITHUB_WORKFLOW),
        (".gitlab-ci.yml", GITLAB_CI),
        (".pre-commit-config.yaml", PRE_COMMIT),
        ("main.tf", TERRAFORM),
        ("nomad/web.hcl", NOMAD),
        ("vault/orders.hcl", VAULT_POLICY),
        (".terraform.lock.hcl", LOCK),
        ("live/account.hcl", PLAIN_LOCALS),
        ("cdk.out/manifest.json", '{"version": "36.0.0", "artifacts": {}}'),
        ("cdk.out/AppStack.assets.json", '{"version": "36.0.0", "files": {}}'),
        ("cdk.json", '{"app": "npx ts-node bin/app.ts"}'),
        ("serverless.yml", "service: api\nprovider:\n  name: aws\n"),  # read: parse/serverless
        ("validate.json", VALIDATE_JSON),
        ("docs/pulumi.yaml", "name: x\n"),
    ],
)
def test_claim_leaves_alone(relpath, content):
    assert claimed(relpath, content) is None


# --- the CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scan_reports_every_unread_file_and_exits_3(fast_cli, name):
    result = fast_cli("scan", "--no-progress", str(UNREAD / name))
    lines = [line.strip() for line in result.out.splitlines()]
    assert result.code == 3, result
    for relpath, title in EXPECTED[name]:
        assert not_analysed(relpath, title) in lines, result


def test_scan_goes_on_past_an_unread_file(fast_cli):
    result = fast_cli("scan", "--no-progress", str(UNREAD / "mixed"))
    lines = [line.strip() for line in result.out.splitlines()]
    assert result.code == 4, result  # a finding at P3 (1) and input not analysed (3)
    assert "main.tf:5  aws_dynamodb_table.orders" in lines, result
    assert not_analysed("serverless.ts", "Serverless Framework (TypeScript, JavaScript)") in lines, result


def test_a_hook_naming_an_unread_file_exits_3(fast_cli):
    result = fast_cli("scan", "--no-progress", "fixtures/unread/packer/ubuntu.pkr.hcl", cwd=ROOT)
    lines = [line.strip() for line in result.out.splitlines()]
    assert result.code == 3, result
    assert not_analysed("fixtures/unread/packer/ubuntu.pkr.hcl", "Packer") in lines, result
