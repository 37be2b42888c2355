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


@pytest.mark.parametrize(
    "text,rule_id,token",
    [
        ("sb-${local.name}.servicebus.windows.net", "AZURE-SERVICE-BUS", "sb-${local.name}.servicebus.windows.net"),
        ("arn:aws:es:${region}:${account}:domain/x", "AWS-OPENSEARCH", "arn:aws:es:${region}:${account}:domain/x"),
        ("${project}.svc.id.goog", "GCP-GKE-WORKLOAD-IDENTITY", "${project}.svc.id.goog"),
        ("${n}-compute@developer.gserviceaccount.com", "GCP-IAM", "developer.gserviceaccount.com"),
        ("https://$(HOST).blob.core.windows.net/c", "AZURE-STORAGE", "$(HOST).blob.core.windows.net"),
        ("[format('{0}.servicebus.windows.net', parameters('n'))]", "AZURE-SERVICE-BUS", "{0}.servicebus.windows.net"),
        ("sqs.%{ if a }x%{ endif }.amazonaws.com", "AWS-SQS", "sqs.%{ if a }x%{ endif }.amazonaws.com"),
        (
            "/subscriptions/${id}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/${n}/subnets/app",
            "AZURE-VNET",
            "/providers/Microsoft.Network/virtualNetworks/${n}/subnets/app",
        ),
        ("/providers/Microsoft.ServiceBus/namespaces/bus", "AZURE-SERVICE-BUS", "/providers/Microsoft.ServiceBus/namespaces/bus"),
    ],
)
def test_interpolated_parts_match_only_a_wildcard(matcher, text, rule_id, token):
    assert [(h.rule.id if h.rule else None, h.token, h.start) for h in matcher.scan(text)] == [(rule_id, token, text.index(token))]


@pytest.mark.parametrize("text", ["${x}.amazonaws.com", "pre-${x}.amazonaws.com", "arn:aws:${svc}:eu-west-1:1:x", "${a}${b}", "/providers/Microsoft.Network/…"])
def test_an_unknown_part_names_no_service(matcher, text):
    assert matcher.scan(text) == []


def test_an_unknown_service_host_needs_a_literal_label(matcher):
    (hit,) = matcher.scan("newsvc.${region}.amazonaws.com")
    assert (hit.rule, hit.provider, hit.token) == (None, "aws", "newsvc.${region}.amazonaws.com")


def test_an_unbalanced_opening_stays_as_written(matcher):
    assert [h.token for h in matcher.scan("echo ${x.servicebus.windows.net")] == ["x.servicebus.windows.net"]


def test_what_an_interpolation_holds_is_read_too(matcher):
    text = "sed \"s/ID/$(curl -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/project/project-id)/\" t"
    assert [(h.rule.id, h.token, text[h.start : h.start + len(h.token)]) for h in matcher.scan(text)] == [
        ("GCP-COMPUTE-METADATA", "metadata.google.internal", "metadata.google.internal"),
    ]
