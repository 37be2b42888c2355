"""ARM template fixture trees in, exact findings out: rule, file, line and level of every finding."""

from __future__ import annotations

from portacheck.model import Origin, Unresolved
from portacheck.parse.arm.template import read_template

from conftest import FIXTURES, findings_table


def test_a_template_with_nested_resources_and_an_inline_deployment(scan):
    assessment = scan(FIXTURES / "arm-app")
    assert findings_table(assessment) == [
        ("AZURE-STORAGE", "azuredeploy.json", 22, "P2"),
        ("AZURE-STORAGE", "azuredeploy.json", 30, "P2"),  # nested: storageaccounts/blobservices/containers
        ("AZURE-STORAGE-QUEUE", "azuredeploy.json", 36, "P3"),  # nested: storageaccounts/queueservices
        ("AZURE-COSMOSDB", "azuredeploy.json", 43, "P2"),  # kind MongoDB from azuredeploy.parameters.json
        ("AZURE-EVENT-HUBS", "azuredeploy.json", 71, "P3"),  # Basic: the deployment's parameter value
        ("AZURE-SERVICE-BUS", "azuredeploy.json", 78, "P3"),
        ("AZURE-APP-SERVICE", "azuredeploy.json", 89, "P2"),
        ("AZURE-STORAGE-QUEUE", "azuredeploy.json", 89, "P3"),  # queue endpoint in an app setting: the resource's line
    ]
    assert assessment.errors == ()
    inner = next(f for f in assessment.findings if f.rule.id == "AZURE-SERVICE-BUS")
    assert inner.resource.address == "messaging::orders-bus"
    assert inner.resource.instances == 2
    assert inner.location.origin == Origin(via="deployment messaging")


def test_expressions_without_a_literal_value_are_unresolved():
    text = (FIXTURES / "arm-app" / "azuredeploy.json").read_text()
    resources, _ = read_template("azuredeploy.json", text)
    cosmos = next(r for r in resources if r.type == "microsoft.documentdb/databaseaccounts")
    assert cosmos.attributes["kind"] == Unresolved("[parameters('cosmosKind')]")
    assert cosmos.attributes["location"] == "westeurope"  # a literal default


def test_comments_are_accepted_and_carry_suppressions():
    text = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    // portacheck:ignore[AZURE-SERVICE-BUS] reason: moving to RabbitMQ
    {
      "type": "Microsoft.ServiceBus/namespaces",
      "name": "bus"
    },
    {
      "type": "Microsoft.Cache/redis", /* portacheck:ignore[AZURE-REDIS] reason: a cache */
      "name": "cache"
    }
  ]
}
"""
    resources, directives = read_template("t.json", text)
    assert [(r.type, r.location.line) for r in resources] == [("microsoft.servicebus/namespaces", 6), ("microsoft.cache/redis", 10)]
    assert [(d.line, d.start, d.end, d.block) for d in directives] == [(4, 5, 8, True), (10, 9, 12, True)]


def test_bad_input_is_one_located_error_and_the_scan_goes_on(scan, tmp_path):
    schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    (tmp_path / "broken.json").write_text('{\n  "$schema": "' + schema + '",\n  "resources": [\n    {"type": }\n  ]\n}\n')
    (tmp_path / "good.json").write_text('{"$schema": "' + schema + '", "resources": [{"type": "Microsoft.Cache/redis", "name": "c"}]}')
    assessment = scan(tmp_path)
    assert [str(e) for e in assessment.errors] == ["broken.json:4:14: error: invalid JSON: Expecting value"]
    assert findings_table(assessment) == [("AZURE-REDIS", "good.json", 1, "P1")]
