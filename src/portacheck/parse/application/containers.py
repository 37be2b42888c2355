"""Containers outside Kubernetes: what Compose services and Dockerfile base images tie to a provider.

    docker-compose.yml   services.<name>: image, `x-aws-*`/`x-azure-*` keys, every string value
                         (environment, volumes' driver options, ...); top level: extensions,
                         networks, volumes, secrets
    Dockerfile           every FROM image: multi-stage, `--platform`, `ARG` defaults substituted

Images become `k8s_image` signals (repository without tag, registry explicit, normalised as the
Kubernetes analyser does), so one rule judges an image wherever it runs, and `text` signals at the
same place, so registry hosts (ECR, ACR, Artifact Registry) reach the endpoint matcher. Extension
keys become `compose_extension` signals (`x-aws-cluster`): Docker's ECS and ACI integrations.

Kind: everything here is a "reference", a coupling that is reported and gates the exit code but is
not counted among deployed resources. Why not count a Compose service as a workload:
- a Compose file in a repository is mostly the local stack of services that Kubernetes manifests
  or Terraform deploy (the same image, built from the same context): counted, each would be
  counted twice, and the shares of the resource view would follow the local stack;
- a service has no kind signal a neutral rule judges, so only tied services would be counted;
- the cluster, VPC and load balancer that `x-aws-*` keys name are created elsewhere (Terraform,
  CloudFormation) and counted there.
A Kubernetes workload built from a Dockerfile (the workload view's build links) takes that
Dockerfile's base-image findings as ties, so an ECR base image shows in the workload's verdict,
through the link, without a second deployed resource.
"""

from __future__ import annotations

import re
from typing import Any

from portacheck._yaml import Document, YMap
from portacheck.model import Directive, Location, Resource, Signal
from portacheck.parse.application import config
from portacheck.parse.kubernetes.objects import image_repository

SOURCE = "application"
EXTENSION_PREFIXES = ("x-aws-", "x-azure-")
_SECTIONS = ("networks", "volumes", "secrets", "configs")  # top-level sections whose entries may carry extensions


# --- Compose ----------------------------------------------------------------------------------


def compose(rel: str, documents: list[Document]) -> list[Resource]:
    """One resource per service, and one for the project's top-level extensions and sections."""
    result = []
    for document in documents:
        root = document.root
        if not isinstance(root, YMap):
            continue
        project = _extensions(root, "", rel) + [
            signal
            for section in _SECTIONS
            if isinstance(root.get(section), YMap)
            for name, entry in root[section].items()
            if isinstance(entry, YMap)
            for signal in _extensions(entry, f"{section}.{name}.", rel)
        ]
        project += [s for s in _texts(rel, root, "") if _top(s.context) != "services"]
        if project:
            result.append(_reference(rel, root.line, "compose project", "project", project))
        services = root.get("services")
        if not isinstance(services, YMap):
            continue
        for name, service in services.items():
            if not isinstance(service, YMap):
                continue
            path = f"services.{name}."
            signals = _extensions(service, path, rel)
            image = service.get("image")
            attributes = {}
            if isinstance(image, str) and image:
                attributes["image"] = image
                if "$" not in image:  # `${REGISTRY}/app`: interpolated by Compose from the environment; not guessed
                    line = service.value_lines.get("image", service.line)
                    signals.append(Signal("k8s_image", image_repository(image), Location(rel, line), path + "image"))
            signals += _texts(rel, service, path)
            line = services.key_lines.get(name, service.line)
            result.append(_reference(rel, line, "compose service", f"services.{name}", signals, attributes))
    return result


def _extensions(node: YMap, path: str, rel: str) -> list[Signal]:
    """`x-aws-*` and `x-azure-*` keys of a mapping, lower case, at their key's line."""
    return [
        Signal("compose_extension", key.lower(), Location(rel, node.key_lines.get(key, node.line)), path + key)
        for key in node
        if isinstance(key, str) and key.lower().startswith(EXTENSION_PREFIXES)
    ]


def _texts(rel: str, node: YMap, path: str) -> list[Signal]:
    """Every string value that could hold an endpoint, credentials in URIs blanked."""
    return [Signal("text", text, Location(rel, line), path + key) for line, key, text in config.yaml_values([node])]


def _top(context: str) -> str:
    return re.split(r"[.\[]", context, maxsplit=1)[0]


# --- Dockerfiles ------------------------------------------------------------------------------

_ESCAPE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.I)
_DIRECTIVE = re.compile(r"^#\s*[a-z]+\s*=", re.I)
_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+(.*))?$", re.S)
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_MARKER = "portacheck:ignore"


class Instruction:
    """One Dockerfile instruction, continuation lines joined: keyword, arguments, first and last line."""

    __slots__ = ("arguments", "end", "keyword", "line")

    def __init__(self, keyword: str, arguments: str, line: int, end: int):
        self.keyword, self.arguments, self.line, self.end = keyword, arguments, line, end


def instructions(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, as BuildKit's parser splits them (comments and blank lines skipped)."""
    lines = text.splitlines()
    escape = "\\"
    for line in lines:  # parser directives: only at the very top, before any comment or instruction
        if not _DIRECTIVE.match(line.strip()):
            break
        found = _ESCAPE.match(line.strip())
        if found:
            escape = found.group(1)
    result: list[Instruction] = []
    parts: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not parts and (not stripped or stripped.startswith("#")):
            continue
        if parts and (not stripped or stripped.startswith("#")):
            continue  # comments and empty lines inside a continued instruction are skipped
        if not parts:
            start = number
        continued = stripped.endswith(escape)
        parts.append(stripped[: -len(escape)] if continued else stripped)
        if not continued:
            _append(result, " ".join(parts), start, number)
            parts = []
    if parts:
        _append(result, " ".join(parts), start, len(lines))
    return result


def _append(result: list[Instruction], text: str, line: int, end: int) -> None:
    found = _INSTRUCTION.match(text)
    if found:
        result.append(Instruction(found.group(1).upper(), (found.group(2) or "").strip(), line, end))


def dockerfile(rel: str, text: str) -> Resource | None:
    """The base images of a Dockerfile, each a signal at its FROM line; None when it names none."""
    arguments: dict[str, str | None] = {}  # ARGs before the first FROM: the only ones FROM can use
    stages: set[str] = set()
    signals: list[Signal] = []
    images: list[str] = []
    seen_from = 0
    for instruction in instructions(text):
        if instruction.keyword == "ARG" and not seen_from:
            for name, value in _declared(instruction.arguments):
                arguments[name] = None if value is None else _substituted(value, arguments)
        if instruction.keyword != "FROM":
            continue
        seen_from += 1
        context = f"FROM[{seen_from - 1}]"
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        if not words:
            continue
        image = _substituted(words[0], arguments)
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if image is None or image.lower() in stages or image.lower() == "scratch":
            continue  # an earlier stage, no base image, or an ARG without a literal default
        images.append(image)
        location = Location(rel, instruction.line)
        signals.append(Signal("k8s_image", image_repository(image), location, context))
        signals.append(Signal("text", image, location, context))
    if not signals:
        return None
    name = rel.rsplit("/", 1)[-1]
    return _reference(
        rel, signals[0].location.line, "Dockerfile base images", f"dockerfile:{name} FROM", signals, {"images": images}
    )


def _declared(arguments: str) -> list[tuple[str, str | None]]:
    result = []
    for word in arguments.split():
        name, equals, value = word.partition("=")
        if len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        result.append((name, value if equals and value else None))
    return result


def _substituted(word: str, arguments: dict[str, str | None]) -> str | None:
    """The image with `$VAR`, `${VAR}` and `${VAR:-default}` replaced; None when a value is unknown."""
    unknown = False

    def replace(found: re.Match[str]) -> str:
        nonlocal unknown
        name = found.group(1) or found.group(3)
        value = arguments.get(name)
        if value is None and found.group(2) is not None and found.group(1):
            value = found.group(2)
        if value is None:
            unknown = True
            return ""
        return value

    image = _VARIABLE.sub(replace, word)
    return None if unknown or not image else image


def dockerfile_directives(rel: str, text: str) -> tuple[Directive, ...]:
    """`# portacheck:ignore[...]` comments: each covers the next instruction, continuation lines included."""
    if _MARKER not in text:
        return ()
    following = instructions(text)
    result = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("#") or _MARKER not in stripped:
            continue
        rest = stripped.split(_MARKER, 1)[1]
        target = next((i for i in following if i.line > number), None)
        start, end = (target.line, target.end) if target else (number, number)
        result.append(Directive(rel, number, rest, start, end))
    return tuple(result)


def _reference(
    rel: str, line: int, type_: str, address: str, signals: list[Signal], attributes: dict[str, Any] | None = None
) -> Resource:
    return Resource(
        source=SOURCE,
        kind="reference",
        provider="",
        type=type_,
        address=address,
        location=Location(rel, line),
        signals=tuple(signals),
        attributes=attributes or {},
    )
