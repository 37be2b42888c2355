"""Identity and logs (issue 14, item 4): provider identity or open federation, provider log service or open shipping."""

from __future__ import annotations

import pytest

from portacheck.config import Config
from portacheck.errors import RuleError
from portacheck.rules.loader import bundled_rules_dir
from portacheck.scan import run
from portacheck.sovereignty import identity
from portacheck.sovereignty.identity import IDENTITY, LOGS, OPEN, PROVIDER

from helpers import FIXTURES


def scanned(name):
    """Resources and findings as the brief gives them: the findings' resources, the deployed ones and data sources."""
    assessment = run([str(FIXTURES / name)], Config())
    findings = list(assessment.findings) + [f for f, _ in assessment.suppressed]
    resources = {id(f.resource): f.resource for f in findings}
    for verdict in list(assessment.verdicts) + list(assessment.data_sources):
        resources[id(verdict.resource)] = verdict.resource
    return list(resources.values()), findings


def rows(found):
    return [(e.topic, e.klass, str(e.location), e.address, e.what, e.provider, e.rule, e.image) for e in found.evidence]


def test_irsa_fluent_bit_to_otlp_and_spire():
    found = identity.view(*scanned("identity-irsa-otlp"))
    assert rows(found) == [
        (IDENTITY, PROVIDER, "orders.yaml:6", "ServiceAccount/orders", "IAM roles for service accounts (IRSA)", "aws", "AWS-EKS-IRSA", ""),
        (IDENTITY, OPEN, "spire-agent.yaml:14", "DaemonSet/spire-agent", "SPIFFE/SPIRE", "", "", "ghcr.io/spiffe/spire-agent"),
        (LOGS, OPEN, "fluent-bit.yaml:12", "ConfigMap/fluent-bit-config", "open log output", "", "K8S-OSS-OBSERVABILITY", ""),
        (LOGS, OPEN, "fluent-bit.yaml:30", "DaemonSet/fluent-bit", "Fluent Bit", "", "", "cr.fluentbit.io/fluent/fluent-bit"),
    ]
    assert (found.count(IDENTITY, PROVIDER), found.count(IDENTITY, OPEN), found.count(LOGS, PROVIDER), found.count(LOGS, OPEN)) == (1, 1, 0, 2)
    assert identity.lines(found) == [
        "Workload identity: 1 provider identity, 1 open federation",
        "  provider identity, aws: IAM roles for service accounts (IRSA) in orders.yaml:6 (ServiceAccount/orders, rule AWS-EKS-IRSA: eks.amazonaws.com/role-arn)",
        "  open federation: SPIFFE/SPIRE in spire-agent.yaml:14 (DaemonSet/spire-agent, image ghcr.io/spiffe/spire-agent)",
        "Logs: 0 provider log service, 2 open log shipping",
        "  open log shipping: open log output in fluent-bit.yaml:12 (ConfigMap/fluent-bit-config, rule K8S-OSS-OBSERVABILITY: fluentbit:opentelemetry)",
        "  open log shipping: Fluent Bit in fluent-bit.yaml:30 (DaemonSet/fluent-bit, image cr.fluentbit.io/fluent/fluent-bit)",
    ]


def test_cloudwatch_agent_is_the_provider_log_service():
    found = identity.view(*scanned("identity-cloudwatch"))
    assert rows(found) == [
        (LOGS, PROVIDER, "cloudwatch-agent.yaml:16", "DaemonSet/amazon-cloudwatch/cloudwatch-agent", "CloudWatch agent (logs and metrics)", "aws", "AWS-CLOUDWATCH", ""),
    ]
    assert identity.lines(found) == [
        "Workload identity: nothing found",
        "Logs: 1 provider log service, 0 open log shipping",
        "  provider log service, aws: CloudWatch agent (logs and metrics) in cloudwatch-agent.yaml:16 "
        "(DaemonSet/amazon-cloudwatch/cloudwatch-agent, rule AWS-CLOUDWATCH: public.ecr.aws/cloudwatch-agent/cloudwatch-agent)",
    ]


@pytest.mark.parametrize(
    ("image", "what"),
    [
        ("fluent/fluent-bit", "Fluent Bit"),
        ("docker.io/otel/opentelemetry-collector-contrib", "OpenTelemetry Collector"),
        ("timberio/vector", "Vector"),
        ("quay.io/keycloak/keycloak", "Keycloak (OIDC/SAML)"),
        ("ghcr.io/dexidp/dex", "Dex (OIDC)"),
    ],
)
def test_open_images(image, what):
    patterns = identity.load_patterns()
    assert next(p for p in patterns if p.matches_image(image)).what == what


def test_aws_for_fluent_bit_is_not_open():
    """AWS's Fluent Bit build is the CloudWatch Logs rule's (a finding), never the open Fluent Bit image pattern."""
    assert not any(p.matches_image("public.ecr.aws/aws-observability/aws-for-fluent-bit") for p in identity.load_patterns())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      - {rule: AWS-EKS-IRSA, provider: aws, what: IAM roles for service accounts (IRSA)}",
         "      - {rule: AWS-EKS-IRSA, what: IAM roles for service accounts (IRSA)}",
         "identity_logs.identity.provider[0]: missing field 'provider'"),
        ("      - {images: [\"*/dexidp/dex\", \"dexidp/dex\"], what: Dex (OIDC)}",
         "      - {images: [\"*/dexidp/dex\", \"dexidp/dex\"], signal: k8s_image, what: Dex (OIDC)}",
         "identity_logs.identity.open[4]: `signal` and `values` go with `rule`, not `images`"),
        ("      - {rule: GCP-CLOUD-LOGGING, provider: google, what: Cloud Logging}",
         "      - {rule: GCP-CLOUD-LOGGING, provider: google, wat: Cloud Logging}",
         "identity_logs.logs.provider[5].wat: unknown field (expected what, rule, signal, values, images, provider)"),
    ],
)
def test_bad_data_names_file_line_and_field(tmp_path, old, new, message):
    text = (bundled_rules_dir() / "operational.yaml").read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    line = bad[: bad.index(new)].count("\n") + 1
    path = tmp_path / "operational.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        identity.load_patterns(path)
    assert str(raised.value) == f"{path}:{line}: {message}"


def test_oidc_provider_in_iam_is_still_provider_identity(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_openid_connect_provider" "ci" {\n  url = "https://token.actions.githubusercontent.com"\n}\n\n'
        'resource "aws_iam_role" "app" {\n  name = "app"\n}\n\n'
        'resource "aws_cloudwatch_log_group" "app" {\n  name = "/app"\n}\n',
        encoding="utf-8",
    )
    assessment = run([str(tmp_path)], Config())
    found = identity.view([v.resource for v in assessment.verdicts], list(assessment.findings))
    assert [(e.topic, e.klass, str(e.location), e.address, e.rule) for e in found.evidence] == [
        (IDENTITY, PROVIDER, "main.tf:1", "aws_iam_openid_connect_provider.ci", "AWS-IAM"),
        (LOGS, PROVIDER, "main.tf:9", "aws_cloudwatch_log_group.app", "AWS-CLOUDWATCH-LOGS"),
    ]
