"""Pulumi tokens to the types the rules know, mechanically, with the bridge's renames."""

from __future__ import annotations

import pytest

from portacheck.parse.pulumi.imports import package_of
from portacheck.parse.pulumi.tokens import Mapped, map_resource, parse_token


@pytest.mark.parametrize(
    ("token", "kind", "value", "provider"),
    [
        ("aws:dynamodb/table:Table", "terraform", "aws_dynamodb_table", "aws"),
        ("aws:dynamodb:Table", "terraform", "aws_dynamodb_table", "aws"),
        ("aws:rds/instance:Instance", "terraform", "aws_db_instance", "aws"),
        ("aws:rds/cluster:Cluster", "terraform", "aws_rds_cluster", "aws"),
        ("aws:s3/bucketV2:BucketV2", "terraform", "aws_s3_bucket", "aws"),
        ("aws:ec2/instance:Instance", "terraform", "aws_instance", "aws"),
        ("aws:apigateway/restApi:RestApi", "terraform", "aws_api_gateway_rest_api", "aws"),
        ("aws:ec2transitgateway/transitGateway:TransitGateway", "terraform", "aws_ec2_transit_gateway", "aws"),
        ("gcp:storage/bucket:Bucket", "terraform", "google_storage_bucket", "google"),
        ("gcp:cloudrun/service:Service", "terraform", "google_cloud_run_service", "google"),
        ("gcp:organizations/folder:Folder", "terraform", "google_folder", "google"),
        ("azure:core/resourceGroup:ResourceGroup", "terraform", "azurerm_resource_group", "azurerm"),
        ("azure:appservice/plan:Plan", "terraform", "azurerm_app_service_plan", "azurerm"),
        ("azure-native:documentdb:DatabaseAccount", "arm", "microsoft.documentdb/databaseaccounts", "azurerm"),
        ("azure-native:web:WebApp", "arm", "microsoft.web/sites", "azurerm"),
        ("azure-native:keyvault:Vault", "arm", "microsoft.keyvault/vaults", "azurerm"),
        ("azure-native:network:PublicIPAddress", "arm", "microsoft.network/publicipaddresses", "azurerm"),
        ("kubernetes:apps/v1:Deployment", "k8s_kind", "apps/Deployment", "kubernetes"),
        ("kubernetes:core/v1:Service", "k8s_kind", "core/Service", "kubernetes"),
        ("kubernetes:networking.k8s.io/v1:Ingress", "k8s_kind", "networking.k8s.io/Ingress", "kubernetes"),
        ("random:index/randomId:RandomId", "terraform", "random_id", "terraform"),
        ("random:RandomPassword", "terraform", "random_password", "terraform"),
        ("tls:index/privateKey:PrivateKey", "terraform", "tls_private_key", "terraform"),
        ("command:local:Command", "terraform", "terraform_data", "terraform"),
        ("cloudflare:index/record:Record", "terraform", "cloudflare_record", "cloudflare"),
        ("awsx:ec2:Vpc", "terraform", "aws_vpc", "aws"),
        ("awsx:ecs:Made", "terraform", "awsx:ecs:Made", "aws"),  # a component the table does not know stays itself: U
    ],
)
def test_tokens_map_to_known_types(token, kind, value, provider):
    parsed = parse_token(token)
    assert parsed is not None
    assert map_resource(*parsed) == Mapped(kind, value, provider)


def test_kubernetes_module_names_and_custom_resources():
    assert map_resource("kubernetes", "networking/v1", "Ingress") == Mapped("k8s_kind", "networking.k8s.io/Ingress", "kubernetes")
    assert map_resource("kubernetes", "rbac/v1", "Role") == Mapped("k8s_kind", "rbac.authorization.k8s.io/Role", "kubernetes")
    custom = map_resource("kubernetes", "apiextensions", "CustomResource", {"apiVersion": "s3.services.k8s.aws/v1alpha1", "kind": "Bucket"})
    assert custom == Mapped("k8s_kind", "s3.services.k8s.aws/Bucket", "kubernetes")


@pytest.mark.parametrize("name", ["Provider", "TableArgs", "getAmi", "ComponentResource"])
def test_what_is_no_resource(name):
    package = "pulumi" if name == "ComponentResource" else "aws"
    assert map_resource(package, "index", name) is None


@pytest.mark.parametrize(
    ("module", "package"),
    [
        ("@pulumi/aws", ("aws", ())),
        ("@pulumi/azure-native/documentdb", ("azure-native", ("documentdb",))),
        ("pulumi_gcp", ("gcp", ())),
        ("pulumi_azure_native.storage", ("azure-native", ("storage",))),
        ("pulumi_kubernetes.apps.v1", ("kubernetes", ("apps", "v1"))),
        ("github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb", ("aws", ("dynamodb",))),
        ("github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1", ("kubernetes", ("apps", "v1"))),
        ("github.com/pulumi/pulumi-azure-native-sdk/documentdb/v2", ("azure-native", ("documentdb",))),
        ("github.com/pulumi/pulumi/sdk/v3/go/pulumi", ("pulumi", ())),
        ("boto3", None),
    ],
)
def test_imports_name_pulumi_packages(module, package):
    assert package_of(module) == package
