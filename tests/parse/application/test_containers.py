"""Containers outside Kubernetes: Compose services and Dockerfile base images in, exact findings out."""

from __future__ import annotations

from portacheck.config import Config
from portacheck.parse.application.containers import dockerfile, instructions

from conftest import FIXTURES, findings_table


def test_compose_files_and_dockerfiles(scan):
    assessment = scan(FIXTURES / "containers-app", Config(fail_on=None))
    assert findings_table(assessment) == [
        ("AZURE-ACR", "aci/compose.yaml", 4, "P1"),  # the image's registry host
        ("AZURE-CONTAINER-INSTANCES", "aci/compose.yaml", 7, "P2"),  # x-azure-dns-label
        ("AWS-ECR", "api/Dockerfile", 5, "P1"),  # FROM ${REGISTRY}/mirror/golang:${GO_VERSION}, ARG defaults substituted
        ("IMAGE-DISTROLESS", "api/Dockerfile", 14, "P0"),  # on gcr.io, but not Artifact Registry; `FROM build` is a stage
        ("AWS-VPC", "docker-compose.yml", 2, "P1"),
        ("AWS-ECS", "docker-compose.yml", 3, "P3"),  # x-aws-cluster
        ("AWS-ECR", "docker-compose.yml", 7, "P1"),
        ("AWS-RDS", "docker-compose.yml", 10, "P1"),  # an environment value
        ("AWS-IAM", "docker-compose.yml", 14, "P4"),  # x-aws-role
        ("AWS-EFS", "docker-compose.yml", 28, "P1"),  # a volume's driver options
        ("AZURE-MCR", "functions/Dockerfile", 1, "P1"),  # the .NET SDK: an open runtime, only its registry host
        ("AZURE-FUNCTIONS", "functions/Dockerfile", 5, "P3"),  # the Functions host, not only its registry
        ("AWS-LAMBDA", "lambda/Dockerfile", 1, "P3"),  # the Lambda runtime interface, not only ECR Public
    ]
    assert assessment.errors == ()
    assert assessment.verdicts == ()  # couplings, not deployed resources: nothing is counted twice


def test_an_ecr_base_image_ties_the_kubernetes_workload_built_from_it(tree, scan):
    root = tree({
        "svc/Dockerfile": "FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base/python:3.12\n",
        "svc/k8s/deploy.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: svc\n          image: registry.example.com/team/svc:1\n"
        ),
        "compose.yaml": "services:\n  svc:\n    image: registry.example.com/team/svc:1\n    build: ./svc\n",
    })
    assessment = scan(root, Config(fail_on=None))
    [workload] = assessment.workloads.workloads
    assert [(t.finding.rule.id, t.finding.location.path, t.via) for t in workload.ties] == [
        ("AWS-ECR", "svc/Dockerfile", "compose:svc, built from svc"),
    ]
    assert [(v.resource.address, v.level.value) for v in assessment.verdicts] == [("Deployment/svc", "P1")]


def test_dockerfile_suppression_covers_the_next_instruction(tree, scan):
    root = tree({
        "Dockerfile": (
            "# portacheck:ignore[AWS-LAMBDA] reason: runs on the runtime interface emulator\n"
            "FROM public.ecr.aws/lambda/nodejs:20 \\\n"
            "    AS base\n"
            "FROM mcr.microsoft.com/dotnet/runtime:8.0\n"
        ),
    })
    assessment = scan(root, Config(fail_on=None))
    assert findings_table(assessment) == [("AZURE-MCR", "Dockerfile", 4, "P1")]
    assert [(f.rule.id, reason) for f, reason in assessment.suppressed] == [
        ("AWS-LAMBDA", "suppressed at Dockerfile:1: runs on the runtime interface emulator"),
    ]


def test_base_images_only_where_they_are_known():
    text = (
        "# escape=`\n"
        "ARG BASE\n"
        "ARG TAG=3.20\n"
        "FROM alpine:${TAG} AS one\n"
        "FROM $BASE\n"  # no literal default: not guessed
        "FROM ${MISSING:-debian:12} AS two\n"
        "FROM one\n"  # an earlier stage
        "FROM scratch\n"
        "RUN echo `\n"
        "    done\n"
        "FROM --platform=linux/arm64 ghcr.io/example/tool@sha256:0123\n"
    )
    resource = dockerfile("Dockerfile", text)
    assert [(s.kind, s.value, s.location.line, s.context) for s in resource.signals if s.kind == "k8s_image"] == [
        ("k8s_image", "docker.io/library/alpine", 4, "FROM[0]"),
        ("k8s_image", "docker.io/library/debian", 6, "FROM[2]"),
        ("k8s_image", "ghcr.io/example/tool", 11, "FROM[5]"),
    ]
    assert [(i.keyword, i.line, i.end) for i in instructions(text)][-2:] == [("RUN", 9, 10), ("FROM", 11, 11)]


def test_broken_compose_file_is_one_located_error(tree, scan):
    root = tree({
        "docker-compose.yml": "services:\n  api:\n    image: [unclosed\n",
        "lambda/Dockerfile": "FROM public.ecr.aws/lambda/python:3.12\n",
    })
    assessment = scan(root, Config(fail_on=None))
    assert [(e.path, e.line) for e in assessment.errors] == [("docker-compose.yml", 4)]
    assert findings_table(assessment) == [("AWS-LAMBDA", "lambda/Dockerfile", 1, "P3")]  # the rest of the scan goes on
