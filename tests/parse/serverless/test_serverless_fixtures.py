"""Serverless Framework services in, exact findings out: functions, events, embedded CloudFormation, plugins."""

from __future__ import annotations

import pytest

from portacheck.model import Unresolved
from portacheck.parse.serverless import claims
from portacheck.parse.serverless.variables import Resolver

from conftest import FIXTURES, findings_table

EXPECTED_AWS = [
    ("AWS-STEP-FUNCTIONS", "serverless.yml", 7, "P4"),  # the serverless-step-functions plugin
    ("AWS-SSM-PARAMETER", "serverless.yml", 19, "P2"),  # ${ssm:...} in provider.environment
    ("AWS-LAMBDA", "serverless.yml", 22, "P3"),
    ("AWS-API-GATEWAY", "serverless.yml", 25, "P3"),  # http event
    ("AWS-SQS", "serverless.yml", 28, "P2"),  # sqs event; its ARN is the same coupling, said once
    ("AWS-LAMBDA", "serverless.yml", 30, "P3"),
    ("AWS-S3-EVENTS", "serverless.yml", 34, "P2"),
    ("AWS-LAMBDA", "serverless.yml", 37, "P3"),
    ("AWS-EVENTBRIDGE-SCHEDULER", "serverless.yml", 40, "P2"),  # schedule event
    ("AWS-LAMBDA", "serverless.yml", 41, "P3"),
    ("AWS-DYNAMODB", "serverless.yml", 44, "P3"),  # stream event on !GetAtt OrdersTable.StreamArn
    ("AWS-DYNAMODB", "serverless.yml", 53, "P3"),  # resources.Resources, read as CloudFormation
]  # legacyExport (line 48) is suppressed; serverless-python-requirements is a build tool, no finding


def test_aws_service(scan):
    assessment = scan(FIXTURES / "serverless-aws")
    assert findings_table(assessment) == EXPECTED_AWS
    assert assessment.errors == ()
    assert [(f.rule.id, f.location.line) for f, _why in assessment.suppressed] == [("AWS-LAMBDA", 48)]
    table = next(v.resource for v in assessment.verdicts if v.resource.address == "OrdersTable")
    assert table.attributes["table_name"] == "orders-dev"  # ${self:custom.tableName} -> ${opt:stage, 'dev'}
    resize = next(v.resource for v in assessment.verdicts if v.resource.address == "functions.resizeImage")
    assert resize.attributes == {"runtime": "nodejs20.x", "handler": "images.resize"}


def test_azure_google_and_unknown_providers(tree, scan):
    root = tree(
        {
            "azure/serverless.yml": "service: a\nprovider:\n  name: azure\nfunctions:\n  hello:\n    handler: h.js\n"
            "    events:\n      - http: true\n      - queue: orders\n",
            "gcp/serverless.yml": "service: g\nprovider:\n  name: google\nfunctions:\n  hello:\n    handler: h\n"
            "    events:\n      - event:\n          eventType: providers/cloud.pubsub/eventTypes/topic.publish\n",
            "ow/serverless.yml": "service: o\nprovider:\n  name: openwhisk\nfunctions:\n  hello:\n    handler: h.main\n",
        }
    )
    assert findings_table(scan(root)) == [
        ("AZURE-FUNCTIONS", "azure/serverless.yml", 5, "P3"),
        ("AZURE-STORAGE-QUEUE", "azure/serverless.yml", 9, "P3"),
        ("GCP-CLOUD-FUNCTIONS", "gcp/serverless.yml", 5, "P3"),
        ("GCP-PUBSUB", "gcp/serverless.yml", 8, "P3"),
        ("UNKNOWN-SLS-PROVIDER", "ow/serverless.yml", 5, "U"),
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("${self:custom.name}", "orders"),
        ("${self:custom.name}-${opt:stage, 'dev'}", "orders-dev"),
        ('${opt:region, "eu-west-1"}', "eu-west-1"),
        ("${opt:stage, self:custom.name}", "orders"),
        ("${self:custom.memory}", "512"),
        ("${self:custom.${opt:stage, 'dev'}Table}", "orders-dev"),
        ("${env:TABLE}", Unresolved("${env:TABLE}")),
        ("prefix-${ssm:/orders/key}", Unresolved("prefix-${ssm:/orders/key}")),
        ("${self:custom.loop}", Unresolved("${self:custom.loop}")),
        ("${self:custom.missing}", Unresolved("${self:custom.missing}")),
    ],
)
def test_variables(value, expected):
    root = {"custom": {"name": "orders", "memory": "512", "devTable": "orders-dev", "loop": "${self:custom.loop}"}}
    assert Resolver(root).value(value) == expected


@pytest.mark.parametrize(
    "relpath, head, claimed",
    [
        ("api/serverless.yml", b"service: api\nprovider:\n  name: aws\n", True),
        ("api/serverless.yaml", b"service: api\n", True),
        ("api/serverless.json", b'{"service": "api"}', True),
        ("api/serverless.prod.yml", b"service: api\nprovider:\n  name: aws\n", True),
        ("api/serverless.yml", b"# not the Serverless Framework\nworkflows: []\n", False),
        ("api/serverless.ts", b"", False),  # unread: parse/unread.py
    ],
)
def test_claims(relpath, head, claimed):
    assert claims(relpath, head) is claimed


def test_bad_input_is_located_and_the_rest_of_the_scan_goes_on(tree, scan):
    root = tree(
        {
            "broken/serverless.yml": "service: broken\nprovider:\n  name: aws\nfunctions:\n  a: [\n",
            "tagged/serverless.yml": "service: t\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: !Foo h.main\n",
            "ok/serverless.yml": "service: ok\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: h.main\n",
        }
    )
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        "broken/serverless.yml:6:1: error: invalid YAML: did not find expected node content",
        "tagged/serverless.yml:6:14: error: unknown tag !Foo; its value is read as if untagged",
    ]
    assert findings_table(assessment) == [("AWS-LAMBDA", "ok/serverless.yml", 5, "P3"), ("AWS-LAMBDA", "tagged/serverless.yml", 5, "P3")]
