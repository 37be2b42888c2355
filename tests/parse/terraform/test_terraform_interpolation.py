"""Strings with interpolations: hostnames, ARNs and resource IDs matched on their literal parts,
in every branch of a conditional, as mentions (couplings) of the service they name."""

from __future__ import annotations

MENTIONS = """\
variable "n" {}
variable "id" {}
variable "region" {}
variable "account" {}
variable "project" {}
locals {
  name = "x${var.n}"
}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = "arn:aws:es:${var.region}:${var.account}:domain/x"
}
resource "azurerm_role_assignment" "bus" {
  scope                = "/subscriptions/${var.id}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"
  principal_id         = "sb-${local.name}.servicebus.windows.net"
  role_definition_name = "Reader"
}
resource "google_project_iam_member" "wi" {
  project = var.project
  role    = "roles/iam.workloadIdentityUser"
  member  = "serviceAccount:${var.project}.svc.id.goog[ns/app]"
}
resource "google_container_node_pool" "pool" {
  node_config {
    service_account = "${var.n}-compute@developer.gserviceaccount.com"
  }
}
"""


def test_interpolated_strings_are_matched_on_their_literal_parts(tree, scan):
    assessment = scan(tree({"main.tf": MENTIONS}))
    mentions = [
        (f.rule.id, f.location.line, f.signal.value, f.resource.address)
        for f in assessment.findings if f.coupling
    ]
    assert sorted(mentions) == [
        ("AWS-OPENSEARCH", 11, "arn:aws:es:${var.region}:${var.account}:domain/x", "aws_iam_policy.p"),
        ("AZURE-SERVICE-BUS", 15, "sb-${local.name}.servicebus.windows.net", "azurerm_role_assignment.bus"),
        ("AZURE-VNET", 14, "/providers/Microsoft.Network/virtualNetworks/hub", "azurerm_role_assignment.bus"),
        ("GCP-GKE-WORKLOAD-IDENTITY", 21, "${var.project}.svc.id.goog", "google_project_iam_member.wi"),
        ("GCP-IAM", 25, "developer.gserviceaccount.com", "google_container_node_pool.pool"),
    ]
    assert all(f.coupling for f in assessment.findings if f.signal.kind == "text")  # mentions, priced at band S


def test_an_unknown_part_names_no_service(tree, scan):
    root = tree({"main.tf": 'variable "x" {}\nlocals {\n  host = "${var.x}.amazonaws.com"\n  other = "pre-${var.x}.amazonaws.com"\n}\n'})
    assert scan(root).findings == ()


def test_both_branches_of_a_conditional_are_read_taken_or_not(tree, scan):
    root = tree({"main.tf": """\
variable "prod" { default = true }
variable "n" {}
locals {
  plain  = var.prod ? "${var.n}.servicebus.windows.net" : "${var.n}.blob.core.windows.net"
  nested = "https://${var.prod ? "bus.servicebus.windows.net" : "${var.n}.dfs.core.windows.net"}/x"
}
"""})
    assert sorted((f.rule.id, f.location.line, f.signal.value) for f in scan(root).findings) == [
        ("AZURE-SERVICE-BUS", 4, "${var.n}.servicebus.windows.net"),
        ("AZURE-SERVICE-BUS", 5, "bus.servicebus.windows.net"),
        ("AZURE-STORAGE", 4, "${var.n}.blob.core.windows.net"),
        ("AZURE-STORAGE", 5, "${var.n}.dfs.core.windows.net"),
    ]


def test_the_parts_that_resolve_are_filled_in(tree, scan):
    root = tree({"main.tf": 'variable "svc" { default = "sqs" }\nvariable "region" {}\nlocals {\n  url = "https://${var.svc}.${var.region}.amazonaws.com"\n}\n'})
    assert [(f.rule.id, f.signal.value) for f in scan(root).findings] == [("AWS-SQS", "sqs.${var.region}.amazonaws.com")]


def test_an_interpolation_that_comes_out_empty_stays_as_written(tree, scan):
    root = tree({"main.tf": 'locals {\n  partition = try(data.aws_partition.current.partition, "")\n  policy = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"\n}\n'})
    assert [(f.rule.id, f.signal.value) for f in scan(root).findings] == [("AWS-IAM", "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess")]
