"""Bicep fixture trees in, exact findings out: rule, file, line and level of every finding."""

from __future__ import annotations

from portacheck.model import Origin

from conftest import FIXTURES, findings_table


def test_an_app_with_modules_params_children_existing_conditions_and_loops(scan):
    assessment = scan(FIXTURES / "bicep-app")
    assert findings_table(assessment) == [
        ("AZURE-COSMOSDB", "main.bicep", 11, "P2"),  # kind MongoDB from main.bicepparam
        ("AZURE-COSMOSDB-MONGO", "main.bicep", 22, "P2"),  # nested: databaseaccounts/mongodbdatabases
        ("AZURE-MONITOR", "main.bicep", 30, "P3"),  # `existing`: a coupling, not deployed
        ("AZURE-REDIS", "main.bicep", 34, "P1"),  # conditional
        ("AZURE-VNET", "main.bicep", 42, "P1"),  # loop over a literal array: two instances
        ("AZURE-KEY-VAULT", "main.bicep", 56, "P3"),  # br/public:avm/res/key-vault/vault
        ("AZURERM-UNKNOWN-MODULE", "main.bicep", 63, "U"),  # a private registry module
        ("AZURE-APP-SERVICE", "main.bicep", 69, "P3"),  # kind functionapp: a function app
    ]
    assert [str(e) for e in assessment.errors] == [
        "modules/loop.bicep:1: warning: module back: call cycle "
        "(main.bicep -> modules/messaging.bicep -> modules/loop.bicep -> modules/messaging.bicep); not followed"
    ]
    # The local module's resources: suppressed by the comment on the module declaration.
    assert sorted((f.rule.id, f.location.path, f.location.line, f.resource.address) for f, _ in assessment.suppressed) == [
        ("AZURE-SERVICE-BUS", "modules/messaging.bicep", 4, "module.messaging.bus"),
        ("AZURE-SERVICE-BUS", "modules/messaging.bicep", 10, "module.messaging.queue"),
    ]
    assert {f.location.origin for f, _ in assessment.suppressed} == {Origin(".", ("messaging",))}


def test_what_the_reader_makes_of_each_declaration(scan):
    assessment = scan(FIXTURES / "bicep-app")
    resources = {f.resource.address: f.resource for f in assessment.findings}
    assert resources["cosmos"].attributes["kind"] == "MongoDB"
    assert resources["cosmos"].attributes["capabilities"] == [{"name": "EnableServerless"}]
    assert resources["cosmos::orders"].type == "microsoft.documentdb/databaseaccounts/mongodbdatabases"
    assert resources["logs"].kind == "data"
    assert resources["ips"].instances == 2
    assert resources["module.vault"].type == "br/public:avm/res/keyvault/vault"


def test_half_written_bicep_gives_one_located_error_and_the_rest(scan):
    assessment = scan(FIXTURES / "bicep-broken")
    assert findings_table(assessment) == [
        ("AZURE-APP-SERVICE", "main.bicep", 9, "P2"),
        ("AZURE-KEY-VAULT", "main.bicep", 14, "P3"),
    ]
    assert [str(e) for e in assessment.errors] == [
        "main.bicep:3:1: error: Bicep not understood here (unexpected \"resource site 'Microsoft.Web/s\"): "
        "a syntax error, or syntax newer than the grammar; the declarations before and after it are read"
    ]


def test_interpolated_hosts_and_resource_ids_are_mentions(tree, scan):
    root = tree({"main.bicep": """\
param name string
resource site 'Microsoft.Web/sites@2022-03-01' = {
  name: name
  location: 'westeurope'
  properties: {
    siteConfig: {
      appSettings: [
        { name: 'BUS', value: 'sb-${name}.servicebus.windows.net' }
        { name: 'VNET', value: '/subscriptions/${subscription().subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/${name}' }
      ]
    }
  }
}
"""})
    assert [(f.rule.id, f.location.line, f.signal.value) for f in scan(root).findings if f.coupling] == [
        ("AZURE-SERVICE-BUS", 8, "sb-${name}.servicebus.windows.net"),
        ("AZURE-VNET", 9, "/providers/Microsoft.Network/virtualNetworks/${name}"),
    ]
