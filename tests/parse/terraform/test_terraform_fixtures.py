"""Fixture trees in, exact findings out: rule, file, line and level of every finding."""

from __future__ import annotations

import pytest

from portacheck.config import Config
from portacheck.model import Level, Origin
from portacheck.parse.terraform import TerraformOptions

from conftest import FIXTURES, findings_table

EXPECTED = {
    "aws-serverless": [
        ("AWS-IAM", "lambda.tf", 1, "P4"),
        ("AWS-LAMBDA", "lambda.tf", 8, "P3"),  # lambda.amazonaws.com in the role's trust policy
        ("AWS-LAMBDA", "lambda.tf", 13, "P3"),
        ("AWS-API-GATEWAY", "lambda.tf", 28, "P3"),
        ("AWS-CLOUDWATCH-LOGS", "lambda.tf", 33, "P2"),
        ("TF-STATE-S3", "main.tf", 15, "P1"),
        ("TF-UTILITY", "main.tf", 27, "P0"),
        ("AWS-DYNAMODB", "main.tf", 31, "P3"),
        ("AWS-S3", "main.tf", 42, "P1"),
        ("AWS-S3-EVENTS", "main.tf", 46, "P3"),  # raised: the notification invokes Lambda
        ("AWS-SQS", "main.tf", 55, "P2"),
        ("AWS-DYNAMODB", "variables.tf", 13, "P3"),  # endpoint in a local, resolved through var.region
        ("AWS-SQS", "variables.tf", 17, "P2"),  # queue URL in an output
    ],
    "azure-app": [
        ("AZURE-APP-SERVICE", "app.tf", 1, "P2"),
        ("AZURE-APP-SERVICE", "app.tf", 9, "P2"),
        ("AZURE-STORAGE", "app.tf", 18, "P2"),  # blob endpoint in app settings
        ("AZURE-KEY-VAULT", "app.tf", 22, "P3"),
        ("AZURE-KEY-VAULT-SECRETS", "app.tf", 30, "P2"),
        ("AZURE-AI-SERVICES", "app.tf", 36, "P3"),
        ("AZURE-OPENAI-DEPLOYMENT", "app.tf", 44, "P4"),  # gpt-4o: a proprietary model
        ("TF-STATE-AZURERM", "main.tf", 10, "P1"),
        ("AZURE-RESOURCE-GROUP", "main.tf", 22, "P1"),
        ("AZURE-STORAGE", "main.tf", 27, "P2"),
        ("AZURE-POSTGRESQL", "main.tf", 35, "P1"),
        ("AZURE-COSMOSDB", "main.tf", 43, "P2"),  # MongoDB API
        ("AZURE-COSMOSDB", "main.tf", 64, "P4"),  # NoSQL API (default kind)
    ],
    "gcp-app": [
        ("GCP-CLOUD-SQL", "data.tf", 1, "P1"),  # POSTGRES_16 through a variable default
        ("GCP-CLOUD-SQL", "data.tf", 11, "P2"),  # SQL Server
        ("GCP-PUBSUB", "data.tf", 21, "P3"),
        ("GCP-PUBSUB", "data.tf", 25, "P3"),
        ("GCP-CLOUD-STORAGE", "data.tf", 30, "P1"),
        ("GCP-SPANNER", "data.tf", 36, "P4"),
        ("TF-STATE-GCS", "main.tf", 12, "P1"),
        ("GCP-RESOURCE-MANAGER", "main.tf", 28, "P1"),
        ("GCP-CLOUD-RUN", "main.tf", 29, "P2"),  # run.googleapis.com enabled
        ("GCP-GKE", "main.tf", 32, "P1"),
        ("GCP-GKE", "main.tf", 40, "P1"),
        ("GCP-CLOUD-RUN", "main.tf", 47, "P2"),
        ("GCP-ARTIFACT-REGISTRY", "main.tf", 53, "P1"),  # image on europe-west4-docker.pkg.dev
    ],
    "mixed-repo": [
        ("AWS-VPC", ".terraform/modules/vpc/main.tf", 6, "P1"),  # downloaded module, via modules.json
        ("AWS-VPC", ".terraform/modules/vpc/main.tf", 13, "P1"),
        ("AWS-EKS", "main.tf", 46, "P1"),  # registry module not on disk, known source
        ("UNKNOWN-MODULE", "main.tf", 51, "U"),  # git module not on disk, unknown source
        ("AWS-EC2", "main.tf", 55, "P1"),  # legacy_instance: a second local name for hashicorp/aws
        ("AWS-DYNAMODB", "main.tf", 60, "P3"),
        ("AWS-RDS", "main.tf", 71, "U"),  # engine = var.analytics_engine, no value anywhere
        ("AWS-RDS", "modules/db/main.tf", 13, "P1"),  # module.app.module.db: postgres from prod.auto.tfvars
        ("AWS-RDS", "modules/db/main.tf", 13, "P2"),  # module.reports_db: aurora-postgresql
        ("AWS-SQS", "modules/queue/main.tf.json", 9, "P2"),
        ("AWS-SNS", "modules/queue/notify.tofu", 1, "P2"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name, scan):
    assessment = scan(FIXTURES / name, Config())
    assert findings_table(assessment) == EXPECTED[name]
    assert assessment.errors == ()


def test_module_call_paths_and_origins(scan):
    assessment = scan(FIXTURES / "mixed-repo")
    rds = {f.resource.address: (f.location.origin, f.level) for f in assessment.findings if f.rule.id == "AWS-RDS"}
    assert rds == {
        "aws_db_instance.analytics": (Origin(), Level.U),
        "module.app.module.db.aws_db_instance.this": (Origin(".", ("app", "db")), Level.P1),
        "module.reports_db.aws_db_instance.this": (Origin(".", ("reports_db",)), Level.P2),
    }


def test_unresolved_verdict_says_which_expression(scan):
    assessment = scan(FIXTURES / "mixed-repo")
    (finding,) = [f for f in assessment.findings if f.resource.address == "aws_db_instance.analytics"]
    assert finding.why.startswith("engine = ${var.analytics_engine} could not be resolved")


def test_instance_counts_from_count_for_each_and_tfvars(scan):
    assessment = scan(FIXTURES / "mixed-repo")
    counts = {v.resource.address: v.resource.instances for v in assessment.verdicts}
    assert counts["aws_dynamodb_table.flags"] == 2  # for_each over a literal map
    assert counts["module.vpc.aws_subnet.private"] == 3  # count = 3
    assert counts["module.app.module.queue.aws_sqs_queue.this"] == 3  # module count from prod.auto.tfvars


def test_regions_come_from_providers_aliases_and_tfvars(scan):
    assessment = scan(FIXTURES / "mixed-repo")
    regions = {v.resource.address: v.resource.attributes.get("region") for v in assessment.verdicts}
    assert regions["aws_dynamodb_table.flags"] == "eu-west-1"  # terraform.tfvars over the default
    assert regions["module.reports_db.aws_db_instance.this"] == "eu-central-1"  # providers = { aws = aws.frankfurt }


def test_var_file_resolves_what_defaults_do_not(scan):
    config = Config(frontends={"terraform": TerraformOptions(var_files=(str(FIXTURES / "mixed-repo" / "envs" / "staging" / "staging.tfvars"),))})
    assessment = scan(FIXTURES / "mixed-repo", config)
    (finding,) = [f for f in assessment.findings if f.resource.address == "aws_db_instance.analytics"]
    assert finding.level is Level.P2  # sqlserver-se


def test_data_sources_are_counted_apart(tree, scan):
    root = tree(
        {
            "main.tf": 'data "aws_ami" "ubuntu" {\n  most_recent = true\n}\n'
            'resource "aws_instance" "web" {\n  ami = data.aws_ami.ubuntu.id\n}\n'
        }
    )
    assessment = scan(root)
    assert [v.resource.address for v in assessment.verdicts] == ["aws_instance.web"]
    assert [v.resource.address for v in assessment.data_sources] == ["data.aws_ami.ubuntu"]
    assert findings_table(assessment) == [("AWS-EC2", "main.tf", 1, "P1"), ("AWS-EC2", "main.tf", 4, "P1")]


def test_unknown_types_are_reported_never_dropped(tree, scan):
    root = tree({"main.tf": 'resource "aws_made_up_thing" "x" {}\nresource "acme_widget" "w" {}\n'})
    assessment = scan(root)
    assert findings_table(assessment) == [("AWS-UNKNOWN-TYPE", "main.tf", 1, "U"), ("ACME-UNKNOWN-TYPE", "main.tf", 2, "U")]
    assert assessment.level_counts[Level.U] == 2


def test_non_cloud_providers_are_neutral_and_saas_is_its_own_provider(tree, scan):
    root = tree(
        {
            "main.tf": 'resource "random_password" "p" {\n  length = 16\n}\n'
            'resource "null_resource" "n" {}\n'
            'resource "cloudflare_record" "www" {\n  name = "www"\n}\n'
        }
    )
    assessment = scan(root)
    levels = {f.resource.address: (f.rule.provider, f.level.value) for f in assessment.findings}
    assert levels["random_password.p"] == ("terraform", "P0")
    assert levels["null_resource.n"] == ("terraform", "P0")
    assert levels["cloudflare_record.www"][0] == "cloudflare"


def test_count_zero_deploys_nothing(tree, scan):
    root = tree(
        {
            "main.tf": 'variable "create" {\n  default = false\n}\n'
            'resource "aws_sqs_queue" "q" {\n  count = var.create ? 1 : 0\n  name = "q"\n}\n'
        }
    )
    assessment = scan(root)
    assert assessment.verdicts == ()
    (verdict,) = assessment.undeployed
    assert verdict.resource.instances == 0
    assert (verdict.effort_low, verdict.effort_high) == (0, 0)


def test_module_cycle_is_reported_and_not_followed(tree, scan):
    root = tree(
        {
            "main.tf": 'module "a" {\n  source = "./a"\n}\n',
            "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "aws_sqs_queue" "qa" {}\n',
            "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "aws_sqs_queue" "qb" {}\n',
        }
    )
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        "b/main.tf:1: warning: module a: call cycle (. -> a -> b -> a); not followed"
    ]
    assert {f.resource.address for f in assessment.findings if f.rule.id == "AWS-SQS"} == {
        "module.a.aws_sqs_queue.qa",
        "module.a.module.b.aws_sqs_queue.qb",
    }


def test_module_source_outside_root_is_not_followed(tree, scan):
    root = tree({"stack/main.tf": 'module "shared" {\n  source = "../../elsewhere"\n}\n'})
    assessment = scan(root / "stack")
    (finding,) = assessment.findings
    assert finding.level is Level.U
    assert finding.why.endswith("module source ../../elsewhere leaves the repository (the scanned directory: no .git above it); not followed")
    assert [str(e) for e in assessment.errors] == [
        "main.tf:1: warning: module shared: module source ../../elsewhere leaves the repository (the scanned directory: no .git above it); not followed"
    ]
