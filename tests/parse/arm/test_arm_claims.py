"""Which files the Bicep and ARM frontends take: by name, and for ARM by the `$schema` in the head."""

from __future__ import annotations

import pytest

from portacheck.parse import registry

from conftest import FIXTURES, findings_table

ARM = '{{\n  "$schema": "https://schema.management.azure.com/schemas/{}.json#",\n  "resources": []\n}}\n'


@pytest.mark.parametrize(
    "relpath, content, kind",
    [
        ("Main.Bicep", "param x string\n", "bicep"),
        ("env/prod.bicepparam", "using 'main.bicep'\n", "bicep"),
        ("arm/rg.json", ARM.format("2019-04-01/deploymentTemplate"), "arm"),
        ("arm/sub.json", ARM.format("2018-05-01/subscriptionDeploymentTemplate"), "arm"),
        ("arm/mg.json", ARM.format("2019-08-01/managementGroupDeploymentTemplate"), "arm"),
        ("arm/tenant.json", ARM.format("2019-08-01/tenantDeploymentTemplate"), "arm"),
        ("arm/old.json", ARM.format("2015-01-01/deploymentTemplate"), "arm"),
        ("arm/params.json", ARM.format("2019-04-01/deploymentParameters"), "arm"),
        ("arm/other.json", '{"$schema": "https://json-schema.org/draft/2020-12/schema"}', "kubernetes"),
    ],
)
def test_claims(relpath, content, kind):
    assert registry.classify(relpath, content.encode()).name == kind


def test_the_quickstart_pair_and_a_plain_bicep_file_scan_cleanly(scan):
    arm = scan(FIXTURES / "arm-quickstart")
    assert findings_table(arm) == [("AZURE-SERVICE-BUS", "azuredeploy.json", 10, "P3")]
    assert arm.errors == ()
    bicep = scan(FIXTURES / "bicep-storage")
    assert findings_table(bicep) == [("AZURE-STORAGE", "main.bicep", 7, "P2")]
    assert bicep.errors == ()
