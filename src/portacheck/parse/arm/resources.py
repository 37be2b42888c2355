"""What Bicep and ARM templates share: a declared resource becomes a Resource with its ARM type as
signal, its properties as the attributes the azurerm rules' conditions test, its strings as text.

Conditions were written for Terraform's azurerm attributes (snake_case, `kind`, `capabilities.name`,
`account_kind`); ARM names them in camelCase, partly under `properties`. So keys are snake-cased,
`properties` is merged into the top level (top-level keys win), and a few types get aliases to the
azurerm names (a storage account's `kind` is `account_kind` there).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from portacheck.model import Location, Resource, Signal, Unresolved

PROVIDER = "azurerm"

# ARM type -> {azurerm attribute name: dotted path in the snake-cased, merged attributes}
_ALIASES: Mapping[str, Mapping[str, str]] = {
    "microsoft.storage/storageaccounts": {"account_kind": "kind"},
    "microsoft.eventhub/namespaces": {"sku": "sku.name"},
    "microsoft.compute/virtualmachines": {
        "os_profile_windows_config": "os_profile.windows_configuration",
        "storage_os_disk": "storage_profile.os_disk",
        "source_image_reference": "storage_profile.image_reference",
    },
    "microsoft.compute/virtualmachinescalesets": {
        "os_profile_windows_config": "virtual_machine_profile.os_profile.windows_configuration",
        "storage_os_disk": "virtual_machine_profile.storage_profile.os_disk",
        "source_image_reference": "virtual_machine_profile.storage_profile.image_reference",
    },
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# What is the declaration, not the resource: no attribute, no text.
DECLARATION_KEYS = frozenset({"dependsOn", "scope", "parent", "apiVersion", "type", "copy", "condition", "resources", "comments", "metadata"})


def arm_type(declared: str) -> str:
    """`Microsoft.DocumentDB/databaseAccounts@2023-04-15` -> `microsoft.documentdb/databaseaccounts`."""
    return declared.split("@", 1)[0].strip().lower()


def child_type(parent: str, declared: str) -> str:
    """A nested resource's full type: `blobServices` under a storage account, or a full type as written."""
    child = arm_type(declared)
    return child if "." in child.split("/", 1)[0] else f"{parent}/{child}"


@functools.lru_cache(maxsize=4096)
def snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


def wanted(type_: str, keep: frozenset[str]) -> frozenset[str]:
    """The snake-cased keys `attributes` needs to give `keep`: those, and the sources of this type's aliases in it."""
    aliases = _ALIASES.get(type_)
    if not aliases:
        return keep
    return keep | {path.split(".", 1)[0] for name, path in aliases.items() if name in keep}


def attributes(type_: str, body: Mapping[str, Any], keep: frozenset[str] | None = None) -> dict[str, Any]:
    """The resource's values for rule conditions (only those named in `keep`, when given); `Unresolved`
    stays where a value was not computed."""
    merged: dict[str, Any] = {}
    properties = body.get("properties")
    if isinstance(properties, Mapping):
        merged.update((snake(k), _snake_keys(v)) for k, v in properties.items())
    merged.update((snake(k), _snake_keys(v)) for k, v in body.items() if k not in DECLARATION_KEYS and k != "properties")
    for name, path in _ALIASES.get(type_, {}).items():
        value = _dig(merged, path)
        if value is not None:
            merged[name] = value
    return merged if keep is None else {key: value for key, value in merged.items() if key in keep}


def _snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {snake(str(k)): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def _dig(values: Mapping[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if isinstance(current, Unresolved):
            return current
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def make_resource(
    source: str,
    kind: str,
    type_: str,
    address: str,
    location: Location,
    body: Mapping[str, Any],
    texts: list[Signal],
    instances: int | None = 1,
    keep: frozenset[str] | None = None,
) -> Resource:
    return Resource(
        source=source,
        kind=kind,
        provider=PROVIDER,
        type=type_,
        address=address,
        location=location,
        signals=(Signal("arm", type_, location, address), *texts),
        attributes=attributes(type_, body, keep),
        instances=instances,
    )
