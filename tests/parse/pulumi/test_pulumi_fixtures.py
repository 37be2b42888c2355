"""Pulumi projects in, exact findings out: YAML, TypeScript, Python and Go programs."""

from __future__ import annotations

import pytest

from portacheck.config import Config
from portacheck.model import Level
from portacheck.parse import registry

from conftest import FIXTURES, findings_table

EXPECTED = {
    "pulumi-yaml": [
        ("TF-UTILITY", "Pulumi.yaml", 11, "P0"),  # random:RandomId
        ("AWS-DYNAMODB", "Pulumi.yaml", 22, "P3"),
        ("AWS-UNKNOWN-TYPE", "Pulumi.yaml", 31, "U"),  # aws:made/up:Insights, no such type
        ("AWS-RDS", "Pulumi.yaml", 34, "P1"),  # engine: postgres
    ],
    "pulumi-ts": [
        ("AWS-DYNAMODB", "src/index.ts", 11, "P3"),  # `import { dynamodb }`; the comment and the string above declare nothing
        ("AWS-IAM", "src/index.ts", 17, "P4"),
        ("AWS-S3", "src/index.ts", 24, "P1"),  # BucketV2 is aws_s3_bucket
        ("AWS-LAMBDA", "src/index.ts", 26, "P3"),
        ("AWS-RDS", "src/reports.ts", 11, "P2"),  # engine: "aurora-postgresql"; the other instance is suppressed
    ],
    "pulumi-py": [
        ("GCP-PUBSUB", "__main__.py", 11, "P3"),
        ("GCP-CLOUD-STORAGE", "__main__.py", 13, "P1"),  # `from pulumi_gcp import storage as gcs`
        ("GCP-ARTIFACT-REGISTRY", "__main__.py", 19, "P1"),  # the image, inside nested Args
        ("GCP-CLOUD-RUN", "__main__.py", 19, "P2"),  # cloudrunv2 is google_cloud_run_v2_service
    ],
    "pulumi-go": [
        ("AWS-SQS", "main.go", 11, "P2"),
        ("AWS-SQS", "main.go", 17, "P2"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name, scan):
    assessment = scan(FIXTURES / name, Config())
    assert findings_table(assessment) == EXPECTED[name]
    assert assessment.errors == ()


def test_suppressions_cover_the_next_resource(scan):
    yaml_scan = scan(FIXTURES / "pulumi-yaml")
    ts_scan = scan(FIXTURES / "pulumi-ts")
    assert [(f.rule.id, f.location.path, f.location.line) for f, _why in yaml_scan.suppressed] == [("AWS-S3", "Pulumi.yaml", 17)]
    assert [(f.rule.id, f.location.path, f.location.line) for f, _why in ts_scan.suppressed] == [("AWS-RDS", "src/reports.ts", 5)]


def test_resources_carry_their_name_provider_and_terraform_attributes(scan):
    assessment = scan(FIXTURES / "pulumi-yaml")
    db = next(v.resource for v in assessment.verdicts if v.resource.address == "db")
    assert (db.source, db.kind, db.provider, db.type) == ("pulumi", "resource", "aws", "aws_db_instance")
    assert db.attributes == {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": "20"}


@pytest.mark.skipif("arm" not in registry.match_kinds(), reason="needs the `arm` match key of the Bicep/ARM frontend")
def test_azure_native_maps_to_arm_types(scan):
    assessment = scan(FIXTURES / "pulumi-azure-native")
    assert ("AZURE-COSMOSDB", "index.ts", 6, "P4") in findings_table(assessment)  # NoSQL API, the default kind


def test_a_program_that_does_not_parse_is_one_located_error_and_the_rest_is_read(tree, scan):
    root = tree(
        {
            "Pulumi.yaml": "name: broken\nruntime: nodejs\n",
            "index.ts": 'import * as aws from "@pulumi/aws";\n'
            'const queue = new aws.sqs.Queue("jobs");\n'
            "const broken = new aws.sns.Topic(\"alerts\", {;\n",
            "jobs.ts": 'import * as aws from "@pulumi/aws";\nexport const t = new aws.dynamodb.Table("t", {});\n',
        }
    )
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == ['index.ts:3:33: error: cannot parse TypeScript: unexpected \'("alerts", {\'']
    assert [row[:3] for row in findings_table(assessment)] == [
        ("AWS-SQS", "index.ts", 2),
        ("AWS-SNS", "index.ts", 3),  # tree-sitter recovers the broken call
        ("AWS-DYNAMODB", "jobs.ts", 2),
    ]


def test_bad_project_files_and_other_runtimes_are_errors_never_a_pass(tree, scan):
    root = tree(
        {
            "a/Pulumi.yaml": "name: a\nruntime: dotnet\n",
            "b/Pulumi.yaml": "name: b\nruntime: [yaml\n",
            "c/Pulumi.yaml": "name: c\nruntime: yaml\nresources:\n  x:\n    type: not-a-token\n",
        }
    )
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        "a/Pulumi.yaml:2: error: not analysed: Pulumi program in dotnet (no reader for this runtime)",
        "b/Pulumi.yaml:3:1: error: invalid YAML: did not find expected ',' or ']'",
        "c/Pulumi.yaml:4: warning: resource 'x': 'not-a-token' is not a Pulumi type token",
    ]
    assert assessment.level_counts.get(Level.U, 0) == 0


def test_dependency_and_build_directories_are_not_the_program(tree, scan):
    root = tree(
        {
            "Pulumi.yaml": "name: x\nruntime: nodejs\n",
            "index.ts": 'import * as aws from "@pulumi/aws";\nnew aws.sqs.Queue("q");\n',
            "node_modules/@pulumi/aws/sqs/queue.ts": 'import * as aws from "@pulumi/aws";\nnew aws.sns.Topic("t");\n',
            "bin/index.js": 'const aws = require("@pulumi/aws");\nnew aws.sqs.Queue("q");\n',
        }
    )
    assert findings_table(scan(root)) == [("AWS-SQS", "index.ts", 2, "P2")]
