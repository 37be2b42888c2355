"""Serverless Framework variables, `${source:address, fallback}`, resolved where the file alone says.

`${self:custom.stage}` is read from the same file (nested variables inside out, bounded);
`${opt:stage, 'dev'}` takes its literal fallback, as `serverless deploy` without `--stage` would.
Anything else (`${env:…}`, `${ssm:…}`, `${cf:…}`, `${file(…)}`, `${sls:…}`, `${aws:…}`) depends on
the deploying machine or account: the value stays Unresolved with its text. `${ssm:…}`, `${cf:…}`
and `${s3:…}` also couple the service to the AWS service they read (see `COUPLINGS`).
"""

from __future__ import annotations

import re
from typing import Any

from portacheck._yaml import YList, YMap
from portacheck.model import Unresolved

MAX_DEPTH = 16  # self-references followed; deeper (or a cycle) stays Unresolved
_VARIABLE = re.compile(r"\$\{([^${}]*)\}")
_LITERAL = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?|true|false))\s*$""")
_SOURCE = re.compile(r"^\s*([\w-]+)\s*:")

# Variable sources that read an AWS service at deploy time: the CloudFormation type they couple to.
COUPLINGS = {"ssm": "AWS::SSM::Parameter", "cf": "AWS::CloudFormation::Stack", "s3": "AWS::S3::Bucket"}


def sources(text: str) -> list[str]:
    """The sources of the variables in a string, outermost last: `${ssm:/a}` -> ["ssm"]."""
    return [found.group(1) for found in (_SOURCE.match(body) for body in re.findall(r"\$\{([^{}]*)", text)) if found]


class Resolver:
    def __init__(self, root: Any):
        self.root = root

    def value(self, node: Any, depth: int = 0) -> Any:
        """The node with its variables resolved: values, or Unresolved where a string cannot be."""
        if isinstance(node, str):
            return self.text(node, depth) if "${" in node else node
        if isinstance(node, dict):
            result = YMap(node.line) if isinstance(node, YMap) else {}
            if isinstance(node, YMap):
                assert isinstance(result, YMap)
                result.key_lines.update(node.key_lines)
                result.value_lines.update(node.value_lines)
            for key, child in node.items():
                result[key] = self.value(child, depth)
            return result
        if isinstance(node, list):
            items = YList(node.line) if isinstance(node, YList) else []
            if isinstance(node, YList):
                assert isinstance(items, YList)
                items.item_lines.extend(node.item_lines)
            items.extend(self.value(child, depth) for child in node)
            return items
        return node

    def text(self, text: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Unresolved(text)
        current = text
        while True:
            found = _VARIABLE.search(current)
            if found is None:
                return current
            resolved = self.variable(found.group(1), depth)
            if isinstance(resolved, Unresolved):
                return Unresolved(text)
            if found.span() == (0, len(current)):
                return resolved  # the whole string: a number, a list, a mapping stay what they are
            if isinstance(resolved, (dict, list)):
                return Unresolved(text)
            current = current[: found.start()] + _scalar(resolved) + current[found.end() :]

    def variable(self, body: str, depth: int) -> Any:
        primary, _, fallback = body.partition(",")
        value = self.lookup(primary.strip(), depth)
        if isinstance(value, Unresolved) and fallback:
            literal = _LITERAL.match(fallback)
            if literal:
                return next(group for group in literal.groups() if group is not None)
            return self.lookup(fallback.strip(), depth)
        return value

    def lookup(self, reference: str, depth: int) -> Any:
        if not reference.startswith("self:"):
            return Unresolved(reference)
        node: Any = self.root
        for step in (s for s in reference[len("self:") :].split(".") if s):
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                return Unresolved(reference)
        resolved = self.value(node, depth + 1)
        return resolved if resolved is not None else Unresolved(reference)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
