"""Write the `arm:` and `bicep_module:` patterns of the Azure rules from one table.

Every ARM resource type (catalog/arm/azure.resource-types.txt) is claimed by exactly one rule:
a namespace goes to the rule of its service (`microsoft.sql/*` -> AZURE-SQL), and longer patterns
carve out the types of other services (`microsoft.network/dnszones*` -> AZURE-DNS). Bicep public
registry modules (Azure Verified Modules, `br/public:avm/res/<namespace>/<type>`) follow the
same table: `microsoft.network/dnszones*` gives `br/public:avm/res/network/dnszone*`.

    python scripts/arm_rules.py          # rewrite the rules files
    python scripts/arm_rules.py --check  # exit 1 when a file would change
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "rules" / "azurerm"

# rule id -> ARM type patterns (lower case; `ns/*` is the whole namespace).
TABLE: dict[str, list[str]] = {
    # compute
    "AZURE-VM": ["microsoft.compute/*", "microsoft.azurefleet/*", "microsoft.computeschedule/*", "microsoft.computebulkactions/*",
                 "microsoft.standbypool/*", "microsoft.virtualmachineimages/*", "microsoft.serialconsole/*"],
    "AZURE-MANAGED-DISK": ["microsoft.compute/disks*", "microsoft.compute/snapshots*", "microsoft.compute/diskaccesses*",
                           "microsoft.compute/diskencryptionsets*", "microsoft.storagepool/*", "microsoft.containerstorage/*"],
    "AZURE-DEDICATED-HOST": ["microsoft.compute/hostgroups*"],
    "AZURE-AUTOSCALE": ["microsoft.insights/autoscalesettings*"],
    "AZURE-BATCH": ["microsoft.batch/*"],
    "AZURE-SERVICE-FABRIC": ["microsoft.servicefabric/*", "microsoft.servicefabricmesh/*"],
    "AZURE-SAP-WORKLOADS": ["microsoft.workloads/*", "microsoft.hanaonazure/*", "microsoft.azurelargeinstance/*",
                            "microsoft.baremetalinfrastructure/*"],
    "AZURE-VMWARE-SOLUTION": ["microsoft.avs/*", "microsoft.vmwarecloudsimple/*"],
    "AZURE-VIRTUAL-DESKTOP": ["microsoft.desktopvirtualization/*"],
    # containers and app hosting
    "AZURE-AKS": ["microsoft.containerservice/*", "microsoft.devspaces/*", "microsoft.applink/*"],
    "AZURE-OPENSHIFT": ["microsoft.containerservice/openshiftmanagedclusters*", "microsoft.redhatopenshift/*"],
    "AZURE-ACR": ["microsoft.containerregistry/*"],
    "AZURE-CONTAINER-INSTANCES": ["microsoft.containerinstance/*"],
    "AZURE-CONTAINER-APPS": ["microsoft.app/*", "microsoft.web/containerapps*"],
    "AZURE-APP-SERVICE": ["microsoft.web/*"],
    "AZURE-FUNCTIONS": ["microsoft.web/sites/functions*", "microsoft.web/sites/slots/functions*", "microsoft.durabletask/*"],
    "AZURE-SPRING-APPS": ["microsoft.appplatform/*"],
    # databases
    "AZURE-SQL": ["microsoft.sql/*", "microsoft.sqlvirtualmachine/*", "microsoft.databasefleetmanager/*"],
    "AZURE-MYSQL": ["microsoft.dbformysql/*", "microsoft.dbformariadb/*"],
    "AZURE-POSTGRESQL": ["microsoft.dbforpostgresql/*", "microsoft.horizondb/*"],
    "AZURE-COSMOSDB-POSTGRESQL": ["microsoft.dbforpostgresql/servergroupsv2*"],
    "AZURE-COSMOSDB": ["microsoft.documentdb/*"],
    "AZURE-COSMOSDB-NOSQL": ["microsoft.documentdb/databaseaccounts/sqldatabases*", "microsoft.documentdb/databaseaccounts/sqlrole*"],
    "AZURE-COSMOSDB-MONGO": ["microsoft.documentdb/databaseaccounts/mongo*"],
    "AZURE-COSMOSDB-CASSANDRA": ["microsoft.documentdb/databaseaccounts/cassandra*", "microsoft.documentdb/cassandraclusters*"],
    "AZURE-COSMOSDB-GRAPH-TABLE": ["microsoft.documentdb/databaseaccounts/gremlin*", "microsoft.documentdb/databaseaccounts/graphs*",
                                   "microsoft.documentdb/databaseaccounts/tables*", "microsoft.documentdb/databaseaccounts/tablerole*"],
    "AZURE-COSMOSDB-MONGO-VCORE": ["microsoft.documentdb/mongoclusters*"],
    "AZURE-REDIS": ["microsoft.cache/*", "microsoft.documentdb/garnetclusters*"],
    "AZURE-ORACLE-DATABASE": ["oracle.database/*"],
    "AZURE-DATABASE-MIGRATION": ["microsoft.datamigration/*"],
    "AZURE-TABLE-STORAGE": ["microsoft.storage/storageaccounts/tableservices*"],
    # storage and backup
    "AZURE-STORAGE": ["microsoft.storage/*", "microsoft.storageactions/*", "microsoft.storagediscovery/*", "microsoft.datalakestore/*"],
    "AZURE-FILES": ["microsoft.storage/storageaccounts/fileservices*", "microsoft.storagesync/*", "microsoft.fileshares/*"],
    "AZURE-STORAGE-QUEUE": ["microsoft.storage/storageaccounts/queueservices*"],
    "AZURE-MANAGED-LUSTRE": ["microsoft.storagecache/*"],
    "AZURE-STORAGE-MOVER": ["microsoft.storagemover/*", "microsoft.databox/*", "microsoft.importexport/*", "microsoft.azuredatatransfer/*"],
    "AZURE-ELASTIC-SAN": ["microsoft.elasticsan/*"],
    "AZURE-NETAPP-FILES": ["microsoft.netapp/*"],
    "AZURE-NATIVE-QUMULO": ["qumulo.storage/*"],
    "AZURE-BACKUP": ["microsoft.recoveryservices/*", "microsoft.dataprotection/*", "microsoft.compute/restorepointcollections*",
                     "microsoft.azureresiliencemanagement/*"],
    "AZURE-SITE-RECOVERY": ["microsoft.recoveryservices/vaults/replication*", "microsoft.recoveryservices/replication*",
                            "microsoft.datareplication/*"],
    # networking
    "AZURE-VNET": ["microsoft.network/*", "microsoft.delegatednetwork/*", "github.network/*"],
    "AZURE-LOAD-BALANCER": ["microsoft.network/loadbalancers*", "microsoft.network/applicationgateway*"],
    "AZURE-APP-GATEWAY-FOR-CONTAINERS": ["microsoft.servicenetworking/*"],
    "AZURE-FIREWALL": ["microsoft.network/azurefirewalls*", "microsoft.network/firewallpolicies*", "microsoft.network/ipgroups*",
                       "microsoft.network/azurewebcategories*"],
    "AZURE-BASTION": ["microsoft.network/bastionhosts*"],
    "AZURE-DDOS-PROTECTION": ["microsoft.network/ddos*"],
    "AZURE-DNS": ["microsoft.network/dnszones*", "microsoft.network/privatednszones*", "microsoft.network/dnsresolver*",
                  "microsoft.network/dnsforwardingrulesets*", "microsoft.domainregistration/*"],
    "AZURE-EXPRESSROUTE": ["microsoft.network/expressroute*", "microsoft.network/routefilters*", "microsoft.network/interconnectgroups*",
                           "microsoft.peering/*"],
    "AZURE-FRONT-DOOR": ["microsoft.network/frontdoor*", "microsoft.network/networkexperimentprofiles*", "microsoft.cdn/*"],
    "AZURE-TRAFFIC-MANAGER": ["microsoft.network/trafficmanager*"],
    "AZURE-NETWORK-MANAGER": ["microsoft.network/networkmanager*", "microsoft.network/managementgroups*", "microsoft.managednetwork/*"],
    "AZURE-NETWORK-SECURITY-PERIMETER": ["microsoft.network/networksecurityperimeters*"],
    "AZURE-NETWORK-WATCHER": ["microsoft.network/networkwatchers*", "microsoft.network/virtualnetworktaps*", "microsoft.networkfunction/*"],
    "AZURE-PRIVATE-LINK-SERVICE": ["microsoft.network/privatelinkservices*"],
    "AZURE-VIRTUAL-WAN": ["microsoft.network/virtualhubs*", "microsoft.network/virtualwans*", "microsoft.network/vpngateways*",
                          "microsoft.network/vpnsites*", "microsoft.network/vpnserverconfigurations*", "microsoft.network/p2svpngateways*",
                          "microsoft.network/securitypartnerproviders*", "microsoft.network/networkvirtualappliance*"],
    "AZURE-VPN-GATEWAY": ["microsoft.network/virtualnetworkgateways*", "microsoft.network/localnetworkgateways*",
                          "microsoft.network/connections*"],
    "AZURE-ROUTE-SERVER": ["microsoft.network/virtualrouters*"],
    "AZURE-NGINX": ["nginx.nginxplus/*"],
    "AZURE-PALO-ALTO-NGFW": ["paloaltonetworks.cloudngfw/*"],
    # identity and governance
    "AZURE-RBAC": ["microsoft.authorization/*"],
    "AZURE-POLICY": ["microsoft.authorization/policy*", "microsoft.authorization/datapolicymanifests*", "microsoft.authorization/variables*",
                     "microsoft.policyinsights/*", "microsoft.guestconfiguration/*"],
    "AZURE-RESOURCE-GROUP": ["microsoft.resources/resourcegroups*", "microsoft.resources/tags*", "microsoft.authorization/locks*"],
    "AZURE-RESOURCE-MANAGER-API": ["microsoft.authorization/privatelinkassociations*", "microsoft.authorization/resourcemanagementprivatelinks*",
                                   "microsoft.resources/changes*", "microsoft.resources/databoundaries*", "microsoft.resources/snapshots*",
                                   "microsoft.resourcegraph/*"],
    "AZURE-ARM-TEMPLATES": ["microsoft.resources/*", "microsoft.solutions/*"],
    "AZURE-CUSTOM-PROVIDERS": ["microsoft.customproviders/*", "microsoft.providerhub/*"],
    "AZURE-MANAGEMENT-GROUPS": ["microsoft.management/*"],
    "AZURE-SUBSCRIPTION": ["microsoft.subscription/*"],
    "AZURE-LIGHTHOUSE": ["microsoft.managedservices/*"],
    "AZURE-MANAGED-IDENTITY": ["microsoft.managedidentity/*"],
    "AZURE-ENTRA-DOMAIN-SERVICES": ["microsoft.aad/*"],
    "AZURE-AD-B2C": ["microsoft.azureactivedirectory/*", "microsoft.verifiedid/*"],
    "AZURE-GRAPH-SERVICES": ["microsoft.graphservices/*"],
    "AZURE-BLUEPRINTS": ["microsoft.blueprint/*"],
    "AZURE-COST-MANAGEMENT": ["microsoft.costmanagement/*", "microsoft.consumption/*"],
    "AZURE-BILLING": ["microsoft.billing/*", "microsoft.billingbenefits/*", "microsoft.billingtrust/*", "microsoft.capacity/*",
                      "microsoft.quota/*", "microsoft.computelimit/*", "microsoft.support/*", "microsoft.help/*", "microsoft.features/*",
                      "microsoft.marketplace/*", "microsoft.marketplaceordering/*", "microsoft.softwareplan/*",
                      "microsoft.programenrollment/*", "microsoft.windowsesu/*", "microsoft.managementpartner/*", "microsoft.addons/*",
                      "microsoft.professionalservice/*"],
    "AZURE-ADVISOR": ["microsoft.advisor/*"],
    "AZURE-AUTOMATION": ["microsoft.automation/*"],
    "AZURE-AUTOMANAGE": ["microsoft.automanage/*"],
    "AZURE-MAINTENANCE": ["microsoft.maintenance/*"],
    "AZURE-PORTAL-DASHBOARD": ["microsoft.portal/*", "microsoft.portalservices/*"],
    "AZURE-MIGRATE": ["microsoft.migrate/*", "microsoft.offazure/*", "microsoft.offazurespringboot/*", "microsoft.mysqldiscovery/*"],
    # hybrid
    "AZURE-ARC": ["microsoft.hybridcompute/*", "microsoft.hybridconnectivity/*", "microsoft.connectedvmwarevsphere/*", "microsoft.scvmm/*",
                  "microsoft.resourceconnector/*", "microsoft.extendedlocation/*", "microsoft.awsconnector/*", "microsoft.hybridcloud/*",
                  "microsoft.azurearcdata/*", "microsoft.azuredata/*", "microsoft.edge/*", "microsoft.edgezones/*",
                  "microsoft.connectedcache/*", "microsoft.kubernetes/*", "microsoft.kubernetesconfiguration/*",
                  "microsoft.kubernetesruntime/*", "microsoft.hybridcontainerservice/*"],
    "AZURE-STACK-HCI": ["microsoft.azurestackhci/*", "microsoft.databoxedge/*", "microsoft.azurestack/*", "microsoft.edgeorder/*",
                        "microsoft.edgemarketplace/*", "microsoft.azurebridge.admin/*", "microsoft.backup.admin/*", "microsoft.compute.admin/*",
                        "microsoft.containerregistry.admin/*", "microsoft.deployment.admin/*", "microsoft.fabric.admin/*",
                        "microsoft.gallery.admin/*", "microsoft.infrastructureinsights.admin/*", "microsoft.network.admin/*",
                        "microsoft.storage.admin/*", "microsoft.subscriptions.admin/*", "microsoft.update.admin/*"],
    # observability
    "AZURE-MONITOR": ["microsoft.insights/*", "microsoft.alertsmanagement/*", "microsoft.monitor/*", "microsoft.operationalinsights/*",
                      "microsoft.operationsmanagement/*", "microsoft.workloadmonitor/*", "microsoft.databasewatcher/*",
                      "microsoft.cloudhealth/*", "microsoft.dependencymap/*", "microsoft.resourcehealth/*", "microsoft.scom/*",
                      "microsoft.managedops/*"],
    "AZURE-MONITOR-PROMETHEUS": ["microsoft.monitor/accounts*", "microsoft.alertsmanagement/prometheusrulegroups*"],
    "AZURE-DIAGNOSTIC-SETTINGS": ["microsoft.insights/diagnosticsettings*", "microsoft.insights/guestdiagnosticsettings*", "microsoft.aadiam/*"],
    "AZURE-MANAGED-GRAFANA": ["microsoft.dashboard/*"],
    "AZURE-NATIVE-OBSERVABILITY-PARTNERS": ["microsoft.datadog/*", "microsoft.elastic/*", "dynatrace.observability/*",
                                            "newrelic.observability/*", "arizeai.observabilityeval/*"],
    # security
    "AZURE-KEY-VAULT": ["microsoft.keyvault/*"],
    "AZURE-KEY-VAULT-SECRETS": ["microsoft.keyvault/vaults/secrets*", "microsoft.certificateregistration/*", "microsoft.secretsynccontroller/*"],
    "AZURE-DEDICATED-HSM": ["microsoft.hardwaresecuritymodules/*"],
    "AZURE-DEFENDER-FOR-CLOUD": ["microsoft.security/*", "microsoft.m365securityandcompliance/*", "microsoft.securityandcompliance/*",
                                 "microsoft.easm/*", "microsoft.iotfirmwaredefense/*", "microsoft.appcomplianceautomation/*"],
    "AZURE-SENTINEL": ["microsoft.securityinsights/*"],
    "AZURE-ATTESTATION": ["microsoft.attestation/*"],
    "AZURE-CONFIDENTIAL-LEDGER": ["microsoft.confidentialledger/*"],
    "AZURE-TRUSTED-SIGNING": ["microsoft.codesigning/*"],
    # messaging and integration
    "AZURE-EVENT-GRID": ["microsoft.eventgrid/*"],
    "AZURE-EVENT-GRID-SYSTEM-TOPICS": ["microsoft.eventgrid/systemtopics*"],
    "AZURE-EVENT-HUBS": ["microsoft.eventhub/*"],
    "AZURE-SERVICE-BUS": ["microsoft.servicebus/*"],
    "AZURE-RELAY": ["microsoft.relay/*"],
    "AZURE-NOTIFICATION-HUBS": ["microsoft.notificationhubs/*"],
    "AZURE-SIGNALR": ["microsoft.signalrservice/*"],
    "AZURE-WEB-PUBSUB": ["microsoft.signalrservice/webpubsub*"],
    "AZURE-COMMUNICATION-EMAIL": ["microsoft.communication/*"],
    "AZURE-FLUID-RELAY": ["microsoft.fluidrelay/*"],
    "AZURE-API-MANAGEMENT": ["microsoft.apimanagement/*", "microsoft.apicenter/*"],
    "AZURE-APP-CONFIGURATION": ["microsoft.appconfiguration/*", "microsoft.servicelinker/*", "microsoft.onlineexperimentation/*"],
    "AZURE-LOGIC-APPS": ["microsoft.logic/*", "microsoft.integrationspaces/*", "microsoft.scheduler/*", "microsoft.app/logicapps*",
                         "microsoft.web/connections*", "microsoft.web/customapis*", "microsoft.web/connectiongateways*",
                         "microsoft.web/sites/hostruntime*"],
    # analytics and AI
    "AZURE-ANALYSIS-SERVICES": ["microsoft.analysisservices/*"],
    "AZURE-DATA-FACTORY": ["microsoft.datafactory/*"],
    "AZURE-DATA-SHARE": ["microsoft.datashare/*"],
    "AZURE-DATABRICKS": ["microsoft.databricks/*"],
    "AZURE-HDINSIGHT": ["microsoft.hdinsight/*"],
    "AZURE-DATA-EXPLORER": ["microsoft.kusto/*", "microsoft.timeseriesinsights/*"],
    "AZURE-PURVIEW": ["microsoft.purview/*", "microsoft.datacatalog/*"],
    "AZURE-SYNAPSE": ["microsoft.synapse/*", "microsoft.datalakeanalytics/*"],
    "AZURE-STREAM-ANALYTICS": ["microsoft.streamanalytics/*"],
    "AZURE-FABRIC": ["microsoft.fabric/*", "microsoft.powerbi/*", "microsoft.powerbidedicated/*"],
    "AZURE-AI-SERVICES": ["microsoft.cognitiveservices/*"],
    "AZURE-OPENAI-DEPLOYMENT": ["microsoft.cognitiveservices/accounts/deployments*"],
    "AZURE-AI-FOUNDRY": ["microsoft.cognitiveservices/accounts/projects*", "microsoft.cognitiveservices/accounts/capabilityhosts*"],
    "AZURE-MACHINE-LEARNING": ["microsoft.machinelearningservices/*", "microsoft.machinelearning/*"],
    "AZURE-AI-SEARCH": ["microsoft.search/*"],
    "AZURE-BOT-SERVICE": ["microsoft.botservice/*", "microsoft.healthbot/*"],
    "AZURE-VIDEO-INDEXER": ["microsoft.videoindexer/*"],
    # devtools
    "AZURE-DEV-CENTER": ["microsoft.devcenter/*", "microsoft.devhub/*", "microsoft.devops/*"],
    "AZURE-DEVTEST-LABS": ["microsoft.devtestlab/*", "microsoft.labservices/*"],
    "AZURE-LOAD-TESTING": ["microsoft.loadtestservice/*", "microsoft.azureplaywrightservice/*"],
    "AZURE-CHAOS-STUDIO": ["microsoft.chaos/*"],
    "AZURE-MANAGED-DEVOPS-POOLS": ["microsoft.devopsinfrastructure/*"],
    # IoT and industry
    "AZURE-IOT-HUB": ["microsoft.devices/*", "microsoft.deviceupdate/*", "microsoft.deviceregistry/*", "microsoft.iotoperations/*",
                      "microsoft.iotoperationsdataprocessor/*", "microsoft.iotoperationsmq/*", "microsoft.iotoperationsorchestrator/*",
                      "microsoft.windowsiot/*"],
    "AZURE-IOT-CENTRAL": ["microsoft.iotcentral/*"],
    "AZURE-DIGITAL-TWINS": ["microsoft.digitaltwins/*"],
    "AZURE-MAPS": ["microsoft.maps/*"],
    "AZURE-HEALTH-DATA-SERVICES": ["microsoft.healthcareapis/*", "microsoft.healthdataaiservices/*"],
    "AZURE-HEALTH-DATA-MEDTECH": ["microsoft.healthcareapis/workspaces/iotconnectors*", "microsoft.healthcareapis/services/iomtconnectors*"],
    "AZURE-SPECIALISED-SERVICES": [
        "microsoft.agfoodplatform/*", "microsoft.agricultureplatform/*", "microsoft.manufacturingplatform/*", "microsoft.openenergyplatform/*",
        "microsoft.orbital/*", "microsoft.quantum/*", "microsoft.mission/*", "microsoft.sovereign/*", "microsoft.impact/*",
        "microsoft.discovery/*", "microsoft.education/*", "microsoft.intune/*", "microsoft.testbase/*", "microsoft.customerinsights/*",
        "microsoft.engagementfabric/*", "microsoft.enterpriseknowledgegraph/*", "microsoft.dynamics365fraudprotection/*",
        "microsoft.syntex/*", "microsoft.recommendationsservice/*", "microsoft.powerplatform/*", "microsoft.community/*",
        "microsoft.relationships/*", "microsoft.hybridnetwork/*", "microsoft.networkcloud/*", "microsoft.managednetworkfabric/*",
        "microsoft.programmableconnectivity/*", "microsoft.contoso/*", "microsoft.widget/*",
    ],
    "AZURE-MARKETPLACE-PARTNERS": [
        "microsoft.confluent/*", "microsoft.weightsandbiases/*", "mongodb.atlas/*", "astronomer.astro/*", "commvault.contentstore/*",
        "dell.storage/*", "informatica.datamanagement/*", "lambdatest.hyperexecute/*", "napster.companionapi/*", "pinecone.vectordb/*",
        "purestorage.block/*", "splitio.experimentation/*",
    ],
}

_AVM = "br/public:avm/res/"
# Azure Verified Module patterns (`avm/ptn/...`) whose service is plain from the name.
PATTERN_MODULES: dict[str, list[str]] = {
    "AZURE-MONITOR": ["br/public:avm/ptn/azd/monitoring*"],
    "AZURE-PORTAL-DASHBOARD": ["br/public:avm/ptn/azd/insightsdashboard*"],
    "AZURE-API-MANAGEMENT": ["br/public:avm/ptn/azd/apimapi*"],
    "AZURE-CONTAINER-APPS": ["br/public:avm/ptn/azd/acrcontainerapp*", "br/public:avm/ptn/azd/containerapp*"],
    "AZURE-AKS": ["br/public:avm/ptn/azd/aks*"],
    "AZURE-MACHINE-LEARNING": ["br/public:avm/ptn/azd/mlworkspace*", "br/public:avm/ptn/azd/mlproject*", "br/public:avm/ptn/azd/mlhubdependencies*"],
    "AZURE-RBAC": ["br/public:avm/ptn/authorization/roleassignment*", "br/public:avm/ptn/authorization/resourceroleassignment*"],
    "AZURE-POLICY": ["br/public:avm/ptn/authorization/policy*"],
}


def module_patterns(arm_patterns: list[str], rule: str = "") -> list[str]:
    """Azure Verified Module names for a rule's ARM patterns: `microsoft.network/dnszones*` ->
    `br/public:avm/res/network/dnszone*` (modules are singular; the trailing `*` takes both)."""
    found = []
    for pattern in arm_patterns:
        namespace, _, rest = pattern.partition("/")
        if not namespace.startswith("microsoft.") or "." in namespace[len("microsoft."):] or "/" in rest:
            continue
        area = namespace[len("microsoft."):]
        if rest == "*":
            found.append(f"{_AVM}{area}/*")
        else:
            stem = rest.rstrip("*")
            found.append(f"{_AVM}{area}/{stem[:-1] if stem.endswith('s') else stem}*")
    return found + PATTERN_MODULES.get(rule, [])


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def rewrite(text: str, patterns: dict[str, list[str]]) -> tuple[str, set[str]]:
    """The file with `arm:`/`bicep_module:` lines of its rules replaced; the rule ids it holds."""
    lines = text.split("\n")
    out: list[str] = []
    seen: set[str] = set()
    current = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        found = re.match(r"\s*- id: (\S+)", line)
        if found:
            current = found.group(1)
        out.append(line)
        match = re.match(r"(\s*)match:\s*$", line)
        if match and current in patterns:
            indent = match.group(1) + "  "
            i += 1
            while i < len(lines) and re.match(rf"{indent}(arm|bicep_module):", lines[i]):
                i += 1  # the previous generation
            out.append(f"{indent}arm: {_flow(patterns[current])}")
            modules = module_patterns(patterns[current], current)
            if modules:
                out.append(f"{indent}bicep_module: {_flow(modules)}")
            seen.add(current)
            continue
        i += 1
    return "\n".join(out), seen


def main(argv: list[str]) -> int:
    check = "--check" in argv
    done: set[str] = set()
    changed = []
    for path in sorted(RULES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        new, seen = rewrite(text, TABLE)
        done |= seen
        if new != text:
            changed.append(path.name)
            if not check:
                path.write_text(new, encoding="utf-8")
    missing = sorted(set(TABLE) - done)
    if missing:
        print("rules not found (or without match:):", ", ".join(missing), file=sys.stderr)
        return 1
    if check and changed:
        print("would change:", ", ".join(changed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
