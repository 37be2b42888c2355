"""The shared text matcher: hostnames, ARNs and URIs in any string, and unknown provider hosts."""

from __future__ import annotations

import pytest

from portacheck.rules.endpoints import EndpointMatcher


@pytest.fixture(scope="module")
def matcher(catalogue):
    return EndpointMatcher(catalogue)


@pytest.mark.parametrize(
    "text,rule_id,token",
    [
        ("https://dynamodb.eu-west-1.amazonaws.com", "AWS-DYNAMODB", "dynamodb.eu-west-1.amazonaws.com"),
        ("arn:aws:sqs:eu-west-1:111122223333:jobs", "AWS-SQS", "arn:aws:sqs:eu-west-1:111122223333:jobs"),
        ("arn:${data.aws_partition.current.partition}:s3:::bucket/*", "AWS-S3", "arn:${data.aws_partition.current.partition}:s3:::bucket/*"),
        ("aws s3 cp s3://acme-builds/app.zip .", "AWS-S3", "s3://acme-builds/app.zip"),
        ("gs://acme-exports/daily", "GCP-CLOUD-STORAGE", "gs://acme-exports/daily"),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.2", "AWS-ECR", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
        ("acme.azurecr.io/web:2", "AZURE-ACR", "acme.azurecr.io"),
        ("europe-west4-docker.pkg.dev/acme/images/api", "GCP-ARTIFACT-REGISTRY", "europe-west4-docker.pkg.dev"),
        ("Server=tcp:shop.database.windows.net,1433;", "AZURE-SQL", "shop.database.windows.net"),
        ("run.googleapis.com", "GCP-CLOUD-RUN", "run.googleapis.com"),
    ],
)
def test_known_services(matcher, text, rule_id, token):
    hits = matcher.scan(text)
    assert [(h.rule.id if h.rule else None, h.token) for h in hits][:1] == [(rule_id, token)]


def test_unknown_host_of_a_known_provider(matcher):
    (hit,) = matcher.scan("https://made-up-service.eu-west-1.amazonaws.com/x")
    assert (hit.rule, hit.provider) == (None, "aws")


def test_plain_text_has_no_hits(matcher):
    assert matcher.scan("see docs.example.org and main.tf, version 1.2.3, 10.0.0.0/16") == []
