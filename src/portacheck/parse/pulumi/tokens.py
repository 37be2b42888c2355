"""Pulumi resource tokens to the types portacheck's rules already know, mechanically.

Pulumi's aws, gcp and azure (classic) providers are bridged from the Terraform providers, so a
token names a Terraform type: `aws:dynamodb/table:Table` (or `aws.dynamodb.Table` in code) is
`aws_dynamodb_table`: the provider's prefix, the module, the resource name in snake_case. Where the
bridge renamed (`aws:rds/instance:Instance` is `aws_db_instance`, `gcp:cloudrun/service:Service` is
`google_cloud_run_service`), `bridged.tsv` says so. Any other bridged package (cloudflare, datadog…)
follows the same rule. azure-native tokens name ARM types (`azure-native:documentdb:DatabaseAccount`
is `microsoft.documentdb/databaseaccounts`), kubernetes tokens Kubernetes kinds, and the utility
packages (random, tls, command…) the neutral Terraform utility types. A token the tables do not
know still maps mechanically; a type no rule claims is an unknown (U) finding, never dropped.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

# Signal kinds: the Terraform frontend's, the ARM match key (rules gain `arm:` patterns with the Bicep/ARM
# frontend), the Kubernetes frontend's.
TERRAFORM, ARM, K8S_KIND = "terraform", "arm", "k8s_kind"

# Terraform type prefix of the bridged packages whose prefix is not their name.
_PREFIX = {"gcp": "google", "azure": "azurerm"}
# Rule provider of each package (others: the package name itself).
_PROVIDER = {
    "aws": "aws", "awsx": "aws", "eks": "aws", "aws-apigateway": "aws", "aws-native": "aws",
    "gcp": "google", "google-native": "google",
    "azure": "azurerm", "azure-native": "azurerm", "azuread": "azuread",
    "kubernetes": "kubernetes",
}
# Utility packages: run where Pulumi runs, create nothing at a cloud (Terraform's own utility providers).
_UTILITY = frozenset({"random", "tls", "command", "null", "time", "archive", "local", "external", "http", "cloudinit"})
# Packages that are not bridged Terraform providers: their unknown tokens stay tokens.
_NATIVE = frozenset({"aws-native", "google-native", "awsx", "eks", "aws-apigateway", "kubernetes", "command"})
# Pulumi itself, not a provider: its classes (ComponentResource, StackReference, Config) deploy nothing.
CORE = frozenset({"pulumi", "policy", "automation"})
# Kubernetes API groups as Pulumi modules name them, when the group is not `<module>.k8s.io`.
_K8S_PLAIN_GROUPS = frozenset({"core", "apps", "batch", "autoscaling", "policy", "extensions"})
_K8S_GROUPS = {"rbac": "rbac.authorization.k8s.io"}


@dataclass(frozen=True, slots=True)
class Mapped:
    """A resource token as a signal rules match: kind (`terraform`, `arm`, `k8s_kind`), value, rule provider."""

    kind: str
    value: str
    provider: str


def provider_of(package: str) -> str:
    if package in _UTILITY:
        return "terraform"
    return _PROVIDER.get(package, package)


def parse_token(token: str) -> tuple[str, str, str] | None:
    """`aws:dynamodb/table:Table` -> ("aws", "dynamodb", "Table"); `kubernetes:apps/v1:Deployment` keeps "apps/v1";
    `random:RandomId` is in the package's index module."""
    parts = token.split(":")
    if len(parts) == 2:
        parts = [parts[0], "index", parts[1]]
    if len(parts) != 3 or not all(parts):
        return None
    package, module, name = parts
    if package != "kubernetes":
        module = module.split("/", 1)[0]
    return package, module, name


def is_resource_class(name: str, module: str = "index") -> bool:
    """A class a program instantiates to declare a resource: not an Args bag, not a function, not the provider."""
    if not name or not name[0].isupper() or name.endswith(("Args", "ArgsDict")):
        return False
    return not (name == "Provider" and module in ("", "index"))


def map_resource(package: str, module: str, name: str, args: dict[str, Any] | None = None) -> Mapped | None:
    """The signal of a resource class of a package, or None when it is no resource (the provider, core classes)."""
    module = module.lower() or "index"
    if package in CORE or not is_resource_class(name, module):
        return None
    provider = provider_of(package)
    if package == "kubernetes":
        kind = _k8s_kind(module, name, args or {})
        return Mapped(K8S_KIND, kind, provider) if kind else None
    if package == "azure-native":
        return Mapped(ARM, arm_type(module.split("/", 1)[0], name), provider)
    if package == "command":
        return Mapped(TERRAFORM, "terraform_data", provider)  # a command run by the deployment, like local-exec
    table = _tables()
    exact = table.types.get((package, module, name))
    if exact:
        return Mapped(TERRAFORM, exact, provider)
    if package in _NATIVE:
        return Mapped(TERRAFORM, f"{package}:{module}:{name}", provider)
    return Mapped(TERRAFORM, terraform_type(package, module, name), provider)


def terraform_type(package: str, module: str, name: str) -> str:
    """The mechanical Terraform type of a bridged token (no table lookup for renamed resources)."""
    table = _tables()
    prefix = _PREFIX.get(package, package.replace("-", "_"))
    if package == "aws" and module == "s3" and name.lower().endswith("v2"):
        name = name[:-2]  # BucketV2, BucketVersioningV2: the bridge's second mapping of aws_s3_bucket*
    snake = snake_case(name)
    infix = table.modules.get((package, module), "" if module == "index" else module)
    if snake.startswith(prefix + "_"):  # random:index/randomId:RandomId is random_id
        snake = snake[len(prefix) + 1 :]
    if infix.endswith("_" + snake):  # ec2transitgateway:TransitGateway is aws_ec2_transit_gateway
        return f"{prefix}_{infix}"
    if not infix or snake == infix or snake.startswith(infix + "_"):
        return f"{prefix}_{snake}"
    return f"{prefix}_{infix}_{snake}"


def arm_type(module: str, name: str) -> str:
    """`documentdb`, `DatabaseAccount` -> `microsoft.documentdb/databaseaccounts` (lower case, as ARM compares)."""
    known = _tables().arm.get((module, name))
    if known:
        return known
    return f"microsoft.{module}/{_plural(name)}".lower()


def snake_case(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name).lower()


def _plural(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith("y") and not lowered.endswith(("ay", "ey", "oy", "uy")):
        return name[:-1] + "ies"
    if lowered.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    return name + "s"


def _k8s_kind(module: str, name: str, args: dict[str, Any]) -> str:
    """`apps/v1`, `Deployment` -> `apps/Deployment`; a CustomResource by its literal apiVersion and kind."""
    group = module.split("/", 1)[0]
    if name in ("CustomResource", "CustomResourcePatch") or group in ("apiextensions.k8s.io",):
        api_version, kind = args.get("apiVersion"), args.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str) or "CustomResourceDefinition" in name:
            return "" if name != "CustomResourceDefinition" else "apiextensions.k8s.io/CustomResourceDefinition"
        return f"{api_version.rsplit('/', 1)[0] if '/' in api_version else 'core'}/{kind}"
    if group in ("helm.sh", "helm", "yaml", "kustomize", "index"):
        return ""  # charts, manifests and overlays the program applies: read where they are, not here
    if name.endswith("Patch"):
        name = name[: -len("Patch")]
    if group not in _K8S_PLAIN_GROUPS and "." not in group:
        group = _K8S_GROUPS.get(group, f"{group}.k8s.io")
    return f"{group}/{name}"


@dataclass(frozen=True)
class _Tables:
    modules: dict[tuple[str, str], str]
    types: dict[tuple[str, str, str], str]
    arm: dict[tuple[str, str], str]


@functools.cache
def _tables() -> _Tables:
    """The data files beside this module, read once per process."""
    here = os.path.dirname(__file__)
    modules: dict[tuple[str, str], str] = {}
    types: dict[tuple[str, str, str], str] = {}
    arm: dict[tuple[str, str], str] = {}
    for fields in _rows(os.path.join(here, "bridged.tsv")):
        if fields[0] == "module" and len(fields) == 4:
            modules[(fields[1], fields[2])] = "" if fields[3] == "-" else fields[3]
        elif fields[0] == "type" and len(fields) == 5:
            types[(fields[1], fields[2], fields[3])] = fields[4]
    for fields in _rows(os.path.join(here, "arm.tsv")):
        arm[(fields[0], fields[1])] = fields[2]
    return _Tables(modules, types, arm)


def _rows(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip() and not line.startswith("#")]
