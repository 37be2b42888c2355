"""Which local names of a program file are Pulumi packages, and what a dotted callee declares.

`import * as aws from "@pulumi/aws"` binds `aws` to the package aws; `from pulumi_gcp import storage`
binds `storage` to gcp's module storage; a Go import of
`github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb` binds `dynamodb` to aws's module dynamodb.
A callee is then package, module and class: `("aws", "dynamodb", "Table")` is aws, dynamodb, Table;
Go's `dynamodb.NewTable` is aws, dynamodb, Table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from portacheck.parse.program import Import

_GO_SDK = re.compile(r"^github\.com/pulumi/pulumi-([\w-]+?)(?:/sdk)?(?:/v\d+)?/go/([\w-]+)((?:/[\w.-]+)*)$")
_GO_AZURE_NATIVE = re.compile(r"^github\.com/pulumi/pulumi-azure-native-sdk/(?:v\d+/)?([\w]+)(?:/v\d+)?$")
_GO_CORE = re.compile(r"^github\.com/pulumi/pulumi/sdk(?:/v\d+)?/go/pulumi$")
_HINTS = ("@pulumi/", "pulumi", "github.com/pulumi/")


def mentions_pulumi(text: str) -> bool:
    """The cheap test before a parse: files that import nothing of Pulumi declare no resources."""
    return any(hint in text for hint in _HINTS)


def package_of(module: str) -> tuple[str, tuple[str, ...]] | None:
    """The Pulumi package and module path an import names, or None: "@pulumi/aws/s3" -> ("aws", ("s3",))."""
    if module.startswith("@pulumi/"):
        parts = module[len("@pulumi/") :].split("/")
        return parts[0], tuple(p for p in parts[1:] if p)
    if module == "pulumi" or module.startswith("pulumi."):
        return "pulumi", ()
    if module.startswith("pulumi_"):
        parts = module.split(".")
        return parts[0][len("pulumi_") :].replace("_", "-"), tuple(parts[1:])
    if _GO_CORE.match(module):
        return "pulumi", ()
    native = _GO_AZURE_NATIVE.match(module)
    if native:
        return "azure-native", (native.group(1),)
    sdk = _GO_SDK.match(module)
    if sdk:
        return sdk.group(2), tuple(p for p in sdk.group(3).split("/") if p)
    return None


def bindings(imports: Iterable[Import]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Local name -> (package, module path) for every import of a Pulumi package."""
    bound: dict[str, tuple[str, tuple[str, ...]]] = {}
    for item in imports:
        found = package_of(item.module)
        if found is None:
            continue
        package, path = found
        if item.name == "*":
            bound[item.alias.split(".", 1)[0]] = (package, path) if "." not in item.alias else (package, ())
        else:
            bound[item.alias] = (package, (*path, item.name))
    return bound


def resolve(callee: tuple[str, ...], bound: dict[str, tuple[str, tuple[str, ...]]], language: str) -> tuple[str, str, str] | None:
    """(package, module, class) of a call through the file's Pulumi imports, or None."""
    if not callee or callee[0] not in bound:
        return None
    package, path = bound[callee[0]]
    parts = (*path, *callee[1:])
    if not parts:
        return None
    name = parts[-1]
    if language == "go":
        if not name.startswith("New") or len(name) <= 3:
            return None
        name = name[3:]
    module_parts = parts[:-1]
    if package == "kubernetes":
        module = "/".join(module_parts)
    else:
        module = module_parts[0] if module_parts else "index"
    return package, module, name
