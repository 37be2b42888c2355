"""Intrinsic functions evaluated where the template itself gives the answer, never guessed.

`Ref` to a parameter with a `Default`, `Fn::FindInMap` with literal keys, `Fn::Sub`, `Fn::Join`,
`Fn::Select` and `Fn::Split` of resolvable parts resolve; anything that depends on a deployed
resource, a pseudo parameter, a condition or an import stays `Unresolved("!Ref DbEngine")`,
which makes a rule condition that needs it say so (level U) instead of passing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portacheck.model import Unresolved

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def intrinsic(value: Any) -> str | None:
    """The function name of `{"Ref": ...}` / `{"Fn::X": ...}`, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return key
    return None


def shown(name: str, argument: Any) -> str:
    """How a person writes the expression: `!Ref DbEngine`, `!Sub ${Prefix}-db`."""
    short = name.removeprefix("Fn::")
    if isinstance(argument, str):
        return f"!{short} {argument}"
    if isinstance(argument, list) and all(isinstance(a, str) for a in argument):
        return f"!{short} [{', '.join(argument)}]"
    return f"!{short} ..."


class Evaluator:
    """Evaluates one template's intrinsics from its Parameters defaults and Mappings."""

    def __init__(self, root: Mapping[str, Any]):
        parameters = root.get("Parameters")
        self.defaults: dict[str, Any] = {}
        if isinstance(parameters, dict):
            for name, spec in parameters.items():
                if isinstance(spec, dict) and "Default" in spec and not isinstance(spec["Default"], dict):
                    self.defaults[name] = spec["Default"]
        mappings = root.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}

    def value(self, node: Any, depth: int = 0) -> Any:
        """The node with every intrinsic evaluated: resolved values, or Unresolved where not."""
        if depth > 64:
            return Unresolved("nested too deeply")
        name = intrinsic(node)
        if name is not None:
            return self.call(name, node[name], depth)
        if isinstance(node, dict):
            return {key: self.value(child, depth + 1) for key, child in node.items()}
        if isinstance(node, list):
            return [self.value(child, depth + 1) for child in node]
        return node

    def call(self, name: str, argument: Any, depth: int) -> Any:
        unresolved = Unresolved(shown(name, argument))
        if name == "Ref":
            if isinstance(argument, str) and argument in self.defaults:
                return self.defaults[argument]
            return unresolved
        if name == "Fn::Base64":
            return self.value(argument, depth + 1)
        if not isinstance(argument, list) and name != "Fn::Sub":
            return unresolved
        parts = self.value(argument, depth + 1) if name != "Fn::Sub" else argument
        if name == "Fn::Sub":
            return self._sub(argument, depth, unresolved)
        if any(isinstance(p, Unresolved) for p in _flat(parts)):
            return unresolved
        if name == "Fn::FindInMap" and len(parts) >= 3:
            found = self.mappings.get(parts[0], {})
            for key in parts[1:3]:
                found = found.get(str(key), _MISSING) if isinstance(found, dict) else _MISSING
            return unresolved if found is _MISSING else self.value(found, depth + 1)
        if name == "Fn::Join" and len(parts) == 2 and isinstance(parts[1], list) and all(isinstance(p, (str, int, float)) for p in parts[1]):
            return str(parts[0]).join(str(p) for p in parts[1])
        if name == "Fn::Select" and len(parts) == 2 and isinstance(parts[1], list):
            try:
                return parts[1][int(parts[0])]
            except (ValueError, IndexError, TypeError):
                return unresolved
        if name == "Fn::Split" and len(parts) == 2 and isinstance(parts[1], str) and parts[0]:
            return parts[1].split(str(parts[0]))
        return unresolved

    def _sub(self, argument: Any, depth: int, unresolved: Unresolved) -> Any:
        variables: dict[str, Any] = {}
        template = argument
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template = argument[0]
            variables = {key: self.value(child, depth + 1) for key, child in argument[1].items()}
        if not isinstance(template, str):
            return unresolved
        missing = False

        def replace(match: re.Match) -> str:
            nonlocal missing
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            found = variables.get(name, self.defaults.get(name, _MISSING))
            if found is _MISSING or isinstance(found, (Unresolved, dict, list)):
                missing = True
                return match.group(0)
            return str(found)

        text = _SUB_VARIABLE.sub(replace, template)
        return Unresolved(shown("Fn::Sub", template)) if missing else text


_MISSING = object()


def _flat(value: Any):
    if isinstance(value, list):
        for item in value:
            yield from _flat(item)
    else:
        yield value
