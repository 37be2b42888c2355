"""Key custody per data store (issue 14): rules/custody.yaml judged on the custody fixtures."""

from __future__ import annotations

import pytest

from portacheck.config import Config
from portacheck.errors import RuleError
from portacheck.model import Location, Resource, Signal, Unresolved
from portacheck.scan import run
from portacheck.sovereignty import custody

from helpers import FIXTURES


def stores(name: str) -> tuple[custody.KeyCustody, ...]:
    """What a scan with the sovereignty lens (which keeps the key attributes) finds."""
    assessment = run([str(FIXTURES / name)], Config(sovereignty="broad"))
    assert assessment.sovereignty is not None
    return assessment.sovereignty.custody


def judged(name: str) -> list[tuple[str, str, str, str]]:
    return [(k.resource.location.path, k.resource.address, k.store, k.custody) for k in stores(name)]


def test_terraform():
    assert judged("custody-terraform") == [
        ("aws.tf", "aws_s3_bucket.logs", "Amazon S3 bucket", "provider-managed"),
        ("aws.tf", "aws_s3_bucket.data", "Amazon S3 bucket", "customer-managed"),
        ("aws.tf", "aws_ebs_volume.scratch", "Amazon EBS volume", "provider-managed"),
        ("aws.tf", "aws_ebs_volume.vault", "Amazon EBS volume", "external"),
        ("aws.tf", "aws_db_instance.orders", "Amazon RDS / Aurora database", "customer-managed"),
        ("aws.tf", "aws_rds_cluster.reports", "Amazon RDS / Aurora database", "provider-managed"),
        ("aws.tf", "aws_dynamodb_table.sessions", "Amazon DynamoDB table", "customer-managed"),
        ("aws.tf", "aws_sqs_queue.jobs", "Amazon SQS queue", "provider-managed"),
        ("aws.tf", "aws_sqs_queue.alerts", "Amazon SQS queue", "provider-managed"),
        ("aws.tf", "aws_sns_topic.events", "Amazon SNS topic", "customer-managed"),
        ("aws.tf", "aws_secretsmanager_secret.db", "AWS Secrets Manager secret", "provider-managed"),
        ("aws.tf", "aws_eks_cluster.main", "Amazon EKS secrets", "customer-managed"),
        ("azure.tf", "azurerm_storage_account.plain", "Azure storage account", "provider-managed"),
        ("azure.tf", "azurerm_storage_account.cmk", "Azure storage account", "customer-managed"),
        ("azure.tf", "azurerm_storage_account.separate", "Azure storage account", "customer-managed"),
        ("azure.tf", "azurerm_managed_disk.data", "Azure managed disk", "customer-managed"),
        ("azure.tf", "azurerm_cosmosdb_account.db", "Azure Cosmos DB account", "provider-managed"),
        ("azure.tf", "azurerm_mssql_server.sql", "Azure SQL server (TDE)", "customer-managed"),
        ("google.tf", "google_storage_bucket.assets", "Cloud Storage bucket", "provider-managed"),
        ("google.tf", "google_storage_bucket.records", "Cloud Storage bucket", "external"),
        ("google.tf", "google_sql_database_instance.main", "Cloud SQL instance", "customer-managed"),
        ("google.tf", "google_bigquery_dataset.analytics", "BigQuery dataset", "customer-managed"),
        ("google.tf", "google_pubsub_topic.orders", "Pub/Sub topic", "provider-managed"),
        ("google.tf", "google_pubsub_topic.audit", "Pub/Sub topic", "unknown"),
        ("google.tf", "google_container_cluster.gke", "GKE secrets (application-layer encryption)", "external"),
    ]


def test_cloudformation():
    assert judged("custody-cloudformation") == [
        ("stores.yaml", "PlainBucket", "Amazon S3 bucket", "provider-managed"),
        ("stores.yaml", "KeyedBucket", "Amazon S3 bucket", "customer-managed"),
        ("stores.yaml", "Database", "Amazon RDS / Aurora database", "external"),
        ("stores.yaml", "Table", "Amazon DynamoDB table", "customer-managed"),
        ("stores.yaml", "Queue", "Amazon SQS queue", "provider-managed"),
        ("stores.yaml", "KeyedQueue", "Amazon SQS queue", "provider-managed"),
        ("stores.yaml", "Volume", "Amazon EBS volume", "customer-managed"),
    ]


def test_arm():
    assert judged("custody-arm") == [
        ("stores.json", "custodyplain", "Azure storage account", "provider-managed"),
        ("stores.json", "custodycmk", "Azure storage account", "customer-managed"),
        ("stores.json", "custody-db", "Azure Cosmos DB account", "customer-managed"),
        ("stores.json", "data", "Azure managed disk", "provider-managed"),
    ]


def test_bicep():
    assert judged("custody-bicep") == [
        ("main.bicep", "plain", "Azure storage account", "provider-managed"),
        ("main.bicep", "cmk", "Azure storage account", "customer-managed"),
        ("main.bicep", "cosmos", "Azure Cosmos DB account", "provider-managed"),
    ]


def test_pulumi():
    assert judged("custody-pulumi") == [
        ("Pulumi.yaml", "queue", "Amazon SQS queue", "external"),
        ("Pulumi.yaml", "disk", "Amazon EBS volume", "customer-managed"),
        ("Pulumi.yaml", "assets", "Cloud Storage bucket", "provider-managed"),
        ("Pulumi.yaml", "account", "Azure storage account", "customer-managed"),
    ]


def test_evidence_names_the_attribute_and_the_external_key():
    by_address = {k.resource.address: k for k in stores("custody-terraform")}
    vault = by_address["aws_ebs_volume.vault"]
    assert vault.attribute == "kms_key_id"
    assert "aws_kms_key.held" in vault.evidence and "xks_key_id" in vault.evidence
    data = by_address["aws_s3_bucket.data"]
    assert data.evidence.startswith("aws_s3_bucket_server_side_encryption_configuration.data: ")
    assert by_address["aws_sqs_queue.jobs"].attribute == ""


def _resource(type_: str, address: str, **attributes) -> Resource:
    location = Location("main.tf", 1)
    return Resource("terraform", "resource", "aws", type_, address, location, (Signal("terraform", type_, location, address),), attributes)


def test_a_key_in_an_external_custom_key_store_is_external():
    resources = [
        _resource("aws_kms_custom_key_store", "aws_kms_custom_key_store.xks", custom_key_store_type="EXTERNAL_KEY_STORE"),
        _resource("aws_kms_custom_key_store", "aws_kms_custom_key_store.hsm", custom_key_store_type="AWS_CLOUDHSM"),
        _resource("aws_kms_key", "aws_kms_key.xks", custom_key_store_id=Unresolved("${aws_kms_custom_key_store.xks.id}")),
        _resource("aws_kms_key", "aws_kms_key.hsm", custom_key_store_id=Unresolved("${aws_kms_custom_key_store.hsm.id}")),
        _resource("aws_sqs_queue", "aws_sqs_queue.a", kms_master_key_id=Unresolved("${aws_kms_key.xks.arn}")),
        _resource("aws_sqs_queue", "aws_sqs_queue.b", kms_master_key_id=Unresolved("${aws_kms_key.hsm.arn}")),
        _resource("aws_sqs_queue", "aws_sqs_queue.c", kms_master_key_id=Unresolved("${var.key}")),
        _resource("aws_sqs_queue", "aws_sqs_queue.d", kms_master_key_id="alias/aws/sqs"),
        _resource("aws_dynamodb_table", "aws_dynamodb_table.e", server_side_encryption=Unresolved("${local.sse}")),
    ]
    result = [(k.resource.address, k.custody) for k in custody.judge(resources, custody.load())]
    assert result == [
        ("aws_sqs_queue.a", "external"),
        ("aws_sqs_queue.b", "customer-managed"),
        ("aws_sqs_queue.c", "customer-managed"),
        ("aws_sqs_queue.d", "provider-managed"),
        ("aws_dynamodb_table.e", "unknown"),  # the block holding the key cannot be read
    ]


def test_attributes_are_the_top_level_names():
    names = custody.attributes(custody.load())
    assert {"kms_key_id", "server_side_encryption", "rule", "bucket", "encryption", "customer_managed_key", "key_vault_key_uri"} <= names
    assert not any("." in name for name in names)


def test_every_store_of_the_brief_is_covered():
    stores = {e.store for e in custody.load() if e.kind == "store"}
    assert {
        "Amazon S3 bucket", "Amazon EBS volume", "Amazon RDS / Aurora database", "Amazon DynamoDB table", "Amazon SQS queue",
        "Amazon SNS topic", "AWS Secrets Manager secret", "Amazon EKS secrets", "Cloud Storage bucket", "Cloud SQL instance",
        "BigQuery dataset", "Pub/Sub topic", "GKE secrets (application-layer encryption)", "Azure storage account",
        "Azure managed disk", "Azure Cosmos DB account", "Azure SQL server (TDE)",
    } <= stores


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []\n", "{path}:1: expected a mapping with `key_custody:` at the top"),
        ("key_custody: {}\n", "{path}:1: key_custody: expected a list of entries"),
        ("key_custody:\n  - 3\n", "{path}:1: key_custody[0]: expected a mapping"),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: [aws_s3_bucket]}\n    colour: blue\n",
            "{path}:4: key_custody[0] (S3): colour: unknown field (allowed: customer_managed, default, external, kind, match, part_of, provider_managed, store)",
        ),
        ("key_custody:\n  - match: {terraform: [aws_s3_bucket]}\n", "{path}:2: key_custody[0]: missing required field 'store'"),
        ("key_custody:\n  - store: S3\n", "{path}:2: key_custody[0] (S3): missing required field 'match'"),
        (
            "key_custody:\n  - store: S3\n    match: {helm: [x]}\n",
            "{path}:3: key_custody[0] (S3): match: helm: unknown match kind (allowed: terraform, cloudformation, arm)",
        ),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: ['*']}\n",
            "{path}:3: key_custody[0] (S3): match: terraform: expected a list of resource type globs (none matching everything)",
        ),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: [aws_s3_bucket]}\n    default: mine\n",
            "{path}:4: key_custody[0] (S3): default: 'mine' is not one of provider-managed, customer-managed, external",
        ),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: [aws_s3_bucket]}\n    customer_managed: [KmsKeyId]\n",
            "{path}:4: key_custody[0] (S3): customer_managed: item 0: 'KmsKeyId' is not a dotted path of snake_case attribute names",
        ),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: [aws_s3_bucket]}\n    external:\n      - {attribute: origin}\n",
            "{path}:5: key_custody[0] (S3): external[0]: values: expected a non-empty list of text",
        ),
        (
            "key_custody:\n  - store: S3\n    match: {terraform: [aws_s3_bucket]}\n    external:\n      - {attribute: origin, value: [X]}\n",
            "{path}:5: key_custody[0] (S3): external[0]: value: unknown field (allowed: attribute, values)",
        ),
        (
            "key_custody:\n  - store: K\n    kind: key\n    part_of: bucket\n    match: {terraform: [aws_kms_key]}\n",
            "{path}:4: key_custody[0] (K): part_of: a key entry cannot be part of a store",
        ),
        ("key_custody: [\n", "{path}:2: invalid YAML: "),  # the rest is the YAML parser's own words
    ],
)
def test_load_errors_name_file_line_and_field(tmp_path, text, message):
    path = tmp_path / "custody.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        custody.load(path)
    expected = message.format(path=path)
    if expected.endswith(": "):
        assert str(caught.value).startswith(expected)
    else:
        assert str(caught.value) == expected


def test_the_bundled_file_loads_and_the_catalogue_ignores_it(catalogue):
    entries = custody.load()
    assert entries and all(e.source.startswith("rules/custody.yaml:") for e in entries)
    assert not any(r.source_file == "rules/custody.yaml" for r in catalogue.rules)


def test_missing_file(tmp_path):
    with pytest.raises(RuleError, match="cannot read key custody file"):
        custody.load(tmp_path / "none.yaml")


def test_a_dynamic_block_makes_custody_unknown_not_provider_managed(tmp_path):
    """`dynamic "encryption_config"` may or may not set a key: nothing the code shows says provider-managed."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_eks_cluster" "this" {\n'
        '  name = "c"\n'
        '  dynamic "encryption_config" {\n'
        "    for_each = var.key == null ? [] : [var.key]\n"
        "    content {\n"
        "      provider {\n"
        "        key_arn = encryption_config.value\n"
        "      }\n"
        '      resources = ["secrets"]\n'
        "    }\n"
        "  }\n"
        "}\n"
        'variable "key" {\n  default = null\n}\n'
    )
    found = run([str(tmp_path)], Config(sovereignty="broad")).sovereignty.custody
    assert [(k.resource.address, k.custody) for k in found] == [("aws_eks_cluster.this", "unknown")]
    assert found[0].evidence == 'encryption_config.provider.key_arn: dynamic "encryption_config" block could not be read'
