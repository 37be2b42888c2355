"""Application configuration: every string value, with its key and line, for the shared endpoint matcher.

    .env                   DYNAMO_ENDPOINT=https://dynamodb.eu-west-1.amazonaws.com
    application.properties spring.cloud.gcp.pubsub.project-id=shop
    application.yml        spring: {cloud: {aws: {sqs: {endpoint: https://sqs.eu-west-1.amazonaws.com}}}}
    appsettings.json       {"ServiceBus": {"Namespace": "shop.servicebus.windows.net"}}
    config/*.yaml          any YAML

The analyser only collects text; what is an endpoint is decided by rules/endpoints.py, the one
matcher every analyser uses. Credentials inside URIs (`postgres://user:secret@host`) are
blanked before a value leaves this module. A YAML file's inline suppressions are read from the
documents its values came from (`directives`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from portacheck._yaml import Document, YList, YMap
from portacheck.model import Directive
from portacheck.parse import yaml_directives
from portacheck.parse.application.formats import line_of, load_json

_TEXT_HINT = re.compile(r"[.:/]")
_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")
_PROPERTY = re.compile(r"^\s*((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$")

Value = tuple[int, str, str]  # (line, key path, text)


def env_values(text: str) -> list[Value]:
    result = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        found = _ENV_LINE.match(line)
        if found:
            value = found.group(2).strip()
            if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
                value = value[1:-1]
            else:
                value = re.sub(r"\s+#.*$", "", value)
            result.append((number, found.group(1), value))
    return _useful(result)


def properties_values(text: str) -> list[Value]:
    result = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith(("#", "!")):
            continue
        while line.endswith("\\") and index < len(lines):  # a value continued on the next line
            line = line[:-1] + lines[index].lstrip()
            index += 1
        found = _PROPERTY.match(line)
        if found:
            result.append((number, found.group(1).replace("\\", ""), found.group(2).strip()))
    return _useful(result)


def yaml_values(documents: list[Any]) -> list[Value]:
    result: list[Value] = []
    for root in documents:
        result.extend(_leaves(root, "", getattr(root, "line", 0)))
    return _useful(result)


def directives(rel: str, text: str, documents: list[Document]) -> tuple[Directive, ...]:
    """The inline suppressions of a YAML file, with extents from its composed documents."""
    return yaml_directives.read(rel, text, [document.node for document in documents])


def json_values(text: str) -> list[Value]:
    return _useful(list(_leaves(load_json(text, comments=True), "", 1)))


def _leaves(node: Any, path: str, line: int) -> Iterator[Value]:
    if isinstance(node, YMap):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key), node.value_lines.get(key, line))
    elif isinstance(node, YList):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]", node.item_lines[i] if i < len(node.item_lines) else line)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key), line_of(value, line))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]", line_of(value, line))
    elif isinstance(node, str):
        yield line_of(node, line), path, str(node)


def _useful(values: list[Value]) -> list[Value]:
    """Values that could hold a hostname, ARN or URI, with credentials in URIs blanked."""
    return [(line, key, _USERINFO.sub("***@", value)) for line, key, value in values if value and _TEXT_HINT.search(value)]
