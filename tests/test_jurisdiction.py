"""Jurisdiction is a separate axis: regions are classified EU, EEA or outside the EU, never as a level."""

from __future__ import annotations

import json

import pytest

TF = 'provider "{provider}" {{\n  {key} = "{region}"\n}}\nresource "{type}" "x" {{\n}}\n'


@pytest.mark.parametrize(
    "provider,key,region,type_,expected",
    [
        ("aws", "region", "eu-west-1", "aws_s3_bucket", "eu"),
        ("aws", "region", "eu-west-2", "aws_s3_bucket", "outside-eu"),  # London
        ("aws", "region", "eu-central-2", "aws_s3_bucket", "outside-eu"),  # Zurich
        ("google", "region", "europe-west6", "google_storage_bucket", "outside-eu"),  # Zurich
        ("google", "region", "europe-west4", "google_storage_bucket", "eu"),
        ("azurerm", "location", "norwayeast", "azurerm_resource_group", "eea"),
    ],
)
def test_regions_are_classified(provider, key, region, type_, expected, tree, cli):
    root = tree({"main.tf": TF.format(provider=provider, key=key, region=region, type=type_)})
    if provider == "azurerm":
        (root / "main.tf").write_text(f'resource "azurerm_resource_group" "x" {{\n  location = "{region}"\n}}\n')
    result = cli("scan", str(root), "--format", "json", "--fail-on", "never")
    providers = {p["key"]: p for p in json.loads(result.out)["providers"]}
    assert providers[provider]["region_jurisdiction"] == {region: expected}


def test_the_headline_names_regions_outside_the_eu(tree, cli):
    root = tree({"main.tf": TF.format(provider="aws", key="region", region="eu-west-2", type="aws_s3_bucket")})
    result = cli("scan", str(root), "--fail-on", "never", "--color", "never")
    assert "Jurisdiction: 1 region in use outside the EU (eu-west-2); that changes legal risk, not the effort." in result.out
    assert "regions: eu-west-2 (outside the EU)" in result.out
