"""Helpers and sample inputs that several test modules share (not a test module: nothing here runs)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
SMALL_RULES = DATA / "rules-small"  # a catalogue of a few rules, for tests that assert counts

# The Terraform lists vendored in the repository, and the providers they cover.
VENDORED = ROOT / "catalog" / "terraform"
HYPERSCALERS = ("aws", "azurerm", "google", "google-beta")
EUROPEAN = ("ovh", "scaleway", "hcloud", "ionoscloud", "stackit", "openstack", "exoscale", "upcloud", "opentelekomcloud")
NEUTRAL = ("kubernetes", "helm")

DYNAMO = """\
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
}
"""
BUCKET = """\
resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}
"""
QUEUE = """\
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
"""
RANDOM = """\
resource "random_id" "suffix" {
  byte_length = 4
}
"""
GIT = {".git/HEAD": "ref: refs/heads/main\n"}  # stops the configuration search at the tree

SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate_sarif(document: dict) -> None:
    """Fail with the first schema errors, by path, if `document` is not valid SARIF 2.1.0."""
    jsonschema.Draft7Validator.check_schema(SARIF_SCHEMA)
    errors = sorted(jsonschema.Draft7Validator(SARIF_SCHEMA).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def write_tree(base: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return base


def findings_table(assessment) -> list[tuple[str, str, int, str]]:
    """(rule id, file, line, level) of every finding, in report order."""
    return [(f.rule.id, f.location.path, f.location.line, f.level.value) for f in assessment.findings]
