"""Which CloudFormation type a CDK construct synthesises, from its module and class name alone.

The module names the namespace: `aws-dynamodb` (`aws_dynamodb` in Python) is `AWS::DynamoDB`,
found by comparing lower-cased with the namespaces of the CloudFormation type list shipped in
`catalog/cloudformation/`; a module that extends a service (`aws-lambda-nodejs`, `aws-ecs-patterns`)
falls back to its first word. Then the class:

- an L1 construct `CfnTable` is `AWS::DynamoDB::Table`, exactly;
- an L2 construct is the type of its name (`Table`), or the type its name ends with
  (`DockerImageFunction` is a `Function`, `ApplicationLoadBalancer` a `LoadBalancer`), or the
  shortest type ending with its last word (`ServerlessCluster` is a `DBCluster`); `Database`
  reads as `DB` (`DatabaseInstance` is `AWS::RDS::DBInstance`);
- else `AWS::<Namespace>::*`, which the service rules' namespace globs match.

Modules and classes that synthesise nothing (states of a state machine, event targets and
sources, which take no scope and id) are not resources; the caller only asks about constructs.
"""

from __future__ import annotations

import functools
import re

# Modules whose first word is not their namespace, or that declare no resources at all (None).
MODULE_NAMESPACES: dict[str, str | None] = {
    "pipelines": "CodePipeline",
    "stepfunctions-tasks": None,  # tasks are states of a state machine
    "customresources": None,
    "assertions": None,
    "region-info": None,
    "cx-api": None,
    "cloud-assembly-schema": None,
}
# Classes of a namespace module that are not deployed resources.
NOT_RESOURCES = {
    "StepFunctions": frozenset({"Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "DistributedMap", "CustomState", "Chain"}),
}
# Names the suffix rules would get wrong.
OVERRIDES = {("DynamoDB", "TableV2"): "GlobalTable", ("Route53", "ARecord"): "RecordSet", ("Route53", "AaaaRecord"): "RecordSet",
             ("Route53", "CnameRecord"): "RecordSet", ("Route53", "TxtRecord"): "RecordSet", ("Route53", "MxRecord"): "RecordSet"}

_WORDS = re.compile(r"[A-Z]+(?![a-z])\d*|[A-Z][a-z]+\d*|\d+")


@functools.cache
def catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Lower-cased namespace -> (namespace, its type names), from the shipped CloudFormation type list."""
    from portacheck.rules.coverage import bundled_catalog_dirs

    found: dict[str, tuple[str, list[str]]] = {}
    for directory in bundled_catalog_dirs():
        path = directory / "aws.resource-types.txt"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.strip().split("::")
            if len(parts) == 3 and parts[0] == "AWS":
                found.setdefault(parts[1].lower(), (parts[1], []))[1].append(parts[2])
    return {key: (namespace, tuple(names)) for key, (namespace, names) in found.items()}


def namespace_of(module: str) -> str | None:
    """`aws-dynamodb` -> `DynamoDB`; `aws-lambda-nodejs` -> `Lambda`; None for core and helper modules."""
    name = module.removeprefix("aws-").removesuffix("-alpha")
    if name in MODULE_NAMESPACES:
        return MODULE_NAMESPACES[name]
    known = catalogue()
    words = name.split("-")
    for end in range(len(words), 0, -1):
        found = known.get("".join(words[:end]))
        if found is not None:
            return found[0]
    return None


def cloudformation_type(namespace: str, construct: str) -> str | None:
    """The CloudFormation type of a construct class of a namespace, or None when it deploys nothing."""
    if construct in NOT_RESOURCES.get(namespace, ()):
        return None
    names = catalogue().get(namespace.lower(), (namespace, ()))[1]
    if construct.startswith("Cfn") and len(construct) > 3 and construct[3].isupper():
        return f"AWS::{namespace}::{construct[3:]}"
    override = OVERRIDES.get((namespace, construct))
    if override:
        return f"AWS::{namespace}::{override}"
    return f"AWS::{namespace}::{_l2_type(construct, names) or '*'}"


def _l2_type(construct: str, names: tuple[str, ...]) -> str | None:
    lowered = {name.lower(): name for name in names}
    for candidate in dict.fromkeys((construct, construct.replace("Database", "DB"))):
        key = candidate.lower()
        if key in lowered:
            return lowered[key]
        endings = [name for name in names if key.endswith(name.lower()) and len(name) >= 3]
        if endings:
            return max(endings, key=len)
    words = _WORDS.findall(construct)
    if words:
        last = words[-1].lower()
        endings = [name for name in names if name.lower().endswith(last)]
        if endings:
            return min(endings, key=lambda name: (len(name), name))
    return None
