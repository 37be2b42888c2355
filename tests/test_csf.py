"""The EU Cloud Sovereignty Framework view: per layer, proposed SEAL answers with their evidence."""

from __future__ import annotations

import json

from helpers import FIXTURES, write_tree

SHOP = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "main.tf": """\
provider "aws" {
  region = "eu-central-1"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}

resource "aws_sfn_state_machine" "checkout" {
  name       = "checkout"
  role_arn   = var.role
  definition = "{}"
}

variable "role" {
  type = string
}
""",
}


def _answers(doc):
    return {(layer["layer"], c["id"]): c["seal"] for layer in doc["layers"] for c in layer["criteria"]}


def test_the_view_per_layer(fast_cli, tmp_path):
    root = write_tree(tmp_path / "shop", SHOP)
    doc = json.loads(fast_cli("scan", str(root), "--sovereignty", "broad", "-f", "csf-json", "--fail-on", "never").out)
    assert doc["disclaimer"].startswith("Proposed answers for a person to confirm, not a certification")
    assert [layer["layer"] for layer in doc["layers"]] == ["storage", "databases", "platform"]
    assert _answers(doc) == {
        ("storage", "SOV-4.1"): 4, ("storage", "SOV-6.1"): 4, ("storage", "SOV-6.2"): 4, ("storage", "SOV-6.3"): 4,
        ("storage", "SOV-3.4"): 3,  # eu-central-1; 4 would need no third-country fallback, which code does not show
        ("storage", "SOV-3.1"): 0,  # the bucket's keys are provider-managed
        ("storage", "SOV-5.6"): 4,
        ("databases", "SOV-4.1"): 2, ("databases", "SOV-6.1"): 1, ("databases", "SOV-6.2"): 1, ("databases", "SOV-6.3"): 4,
        ("databases", "SOV-3.4"): 3, ("databases", "SOV-3.1"): 0, ("databases", "SOV-5.6"): 4,
        ("platform", "SOV-4.1"): 1, ("platform", "SOV-6.1"): 1, ("platform", "SOV-6.2"): 4, ("platform", "SOV-6.3"): 4,
        ("platform", "SOV-5.6"): 1,  # Step Functions: no functional equivalent anywhere
        ("platform", "SOV-4.2"): None,  # no backend, required_providers or module call: nothing to answer from
    }
    dependency = next(c for layer in doc["layers"] if layer["layer"] == "platform" for c in layer["criteria"] if c["id"] == "SOV-5.6")
    assert dependency["evidence"] == [{"rule_id": "AWS-STEP-FUNCTIONS", "file": "main.tf", "line": 14, "detail": "AWS Step Functions: P4"}]


def test_external_keys_raise_the_custody_answer(fast_cli):
    doc = json.loads(fast_cli("scan", str(FIXTURES / "custody-terraform"), "--sovereignty", "broad", "-f", "json", "--fail-on", "never").out)
    custody = {c["address"]: c["custody"] for c in doc["summary"]["sovereignty"]["key_custody"]}
    assert custody["aws_ebs_volume.vault"] == "external" and custody["aws_s3_bucket.logs"] == "provider-managed"
    storage = next(layer for layer in doc["csf"]["layers"] if layer["layer"] == "storage")
    answer = next(c for c in storage["criteria"] if c["id"] == "SOV-3.1")
    assert answer["seal"] == 0 and answer["why"].startswith("4 of 10 stores use provider-managed keys")


def test_markdown_says_it_is_a_proposal(fast_cli, tmp_path):
    root = write_tree(tmp_path / "shop", SHOP)
    out = fast_cli("scan", str(root), "-f", "csf", "--fail-on", "never").out
    assert out.startswith("## EU Cloud Sovereignty Framework: what the infrastructure code shows\n\n*Proposed answers for a person to confirm")
    assert "| SOV-3.4 Data location strictly in the EU/EEA | not answerable from code | data location is judged with --sovereignty (regions by provider) | – |" in out
