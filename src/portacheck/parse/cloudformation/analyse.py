"""CloudFormation, SAM and CDK templates: each `Resources` entry in, one Resource with its signals out.

- A resource is reported at the line of its logical ID with a `cloudformation` signal whose value
  is its `Type`; its `Properties`, intrinsics evaluated (evaluate.py), become snake_case
  attributes, so the conditions written for Terraform (`engine` of `aws_db_instance`) apply to
  `Engine` of `AWS::RDS::DBInstance`. Every string that may hold an endpoint, ARN or URI is a
  `text` signal at its own line.
- `Condition` on a resource is not evaluated: the resource counts as deployed.
- SAM (the `AWS::Serverless-2016-10-31` transform): `Globals` apply to the resources of their
  section; the `Events` of a function or state machine are `sam_event` signals at the event's
  line (an `SQS` event couples the function to SQS).
- CDK output (`cdk.out/*.template.json`): the `aws:cdk:path` metadata is the address, without its
  trailing `/Resource`, since that is what the CDK code calls the construct.
- `Parameters` defaults, `Outputs` values and `Globals` deploy nothing: their strings are read
  as references (text signals only).
- A nested stack (`AWS::CloudFormation::Stack`) is a coupling to CloudFormation; a local template
  it names is scanned as a file of its own when it is under the scan root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from portacheck._yaml import DataError, YList, YMap
from portacheck.errors import InputError
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Severity, Signal, SourceFile
from portacheck.parse import ParseContext, read_each, read_source, yaml_directives
from portacheck.parse.cloudformation.evaluate import Evaluator
from portacheck.parse.cloudformation.template import Loaded, load

SOURCE = "cloudformation"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_AWS_PREFIXES = ("AWS::", "Custom::", "Alexa::")
_WITH_EVENTS = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    return read_each(files, lambda source: analyse_file(source, context.max_file_bytes))


def analyse_file(source: SourceFile, max_bytes: int) -> tuple[list[Resource], list[ScanError], tuple[Directive, ...]]:
    loaded, errors, directives = read_template(source, max_bytes)
    if loaded is None:
        return [], errors, directives
    rel = source.relpath
    errors += [ScanError(rel, message, line, severity=Severity.WARNING) for line, message in loaded.warnings]
    root = loaded.root
    if not isinstance(root, dict) or root.get("Resources") in (None, ""):
        return [], errors, directives  # a fragment (a parameters file, a snippet, a skeleton): nothing deployed
    if not isinstance(root["Resources"], dict):
        errors.append(ScanError(rel, "Resources: expected a mapping of logical IDs to resources", _key_line(root, "Resources")))
        return [], errors, directives
    return TemplateReader(rel, loaded, root, errors).resources(), errors, directives


def read_template(source: SourceFile, max_bytes: int) -> tuple[Loaded | None, list[ScanError], tuple[Directive, ...]]:
    """Read and load a YAML or JSON file (a template, a `serverless.yml`): the tree, its located problems and its
    suppressions; None when the file cannot be read or is not YAML or JSON at all (the error says why)."""
    rel = source.relpath
    try:
        text = read_source(source.path, max_bytes)
    except InputError as exc:
        return None, [ScanError(rel, exc.message, exc.line, exc.column)], ()
    try:
        loaded = load(text)
    except DataError as exc:
        return None, [ScanError(rel, exc.message, exc.line, exc.column)], yaml_directives.from_text(rel, text)
    errors = [ScanError(rel, message, line, column) for line, column, message in loaded.problems]
    directives = yaml_directives.read(rel, text, [loaded.document.node]) if loaded.document is not None else ()
    return loaded, errors, directives


def _key_line(mapping: Any, key: str, default: int = 0) -> int:
    return mapping.key_lines.get(key, default) if isinstance(mapping, YMap) else default


class TemplateReader:
    """The resources of one template's `Resources` (and the references in its other sections), errors added to
    `errors`; the Serverless frontend reads its embedded `resources.Resources` with it too."""

    def __init__(self, rel: str, loaded: Loaded, root: dict, errors: list[ScanError]):
        self.rel = rel
        self.loaded = loaded
        self.root = root
        self.errors = errors
        self.evaluator = Evaluator(root)
        transform = root.get("Transform")
        self.sam = SAM_TRANSFORM in (transform if isinstance(transform, list) else [transform])
        globals_ = root.get("Globals") if self.sam else None
        self.globals = globals_ if isinstance(globals_, dict) else {}
        self.offset = 0  # JSON: where the search for the next logical ID starts

    def resources(self) -> list[Resource]:
        result: list[Resource] = []
        section = self.root["Resources"]
        if self.loaded.is_json:
            self.offset = self.loaded.line_of('"Resources"')[1]
        for logical_id, body in section.items():
            line = self._line_of_key(section, logical_id)
            if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
                self.errors.append(ScanError(self.rel, f"resource {logical_id}: expected a mapping with a Type (a string)", line))
                continue
            result.append(self._resource(str(logical_id), body, line))
        for name in ("Parameters", "Outputs", "Globals"):
            result.extend(self._references(name))
        return result

    def _resource(self, logical_id: str, body: dict, line: int) -> Resource:
        type_name = body["Type"]
        location = Location(self.rel, line)
        properties = body.get("Properties")
        properties = properties if isinstance(properties, dict) else {}
        signals = [Signal("cloudformation", type_name, location)]
        signals.extend(self._texts(properties, "Properties", line))
        if type_name in _WITH_EVENTS and isinstance(properties.get("Events"), dict):
            signals.extend(self._events(properties["Events"], line))
        merged = properties
        section = type_name.removeprefix("AWS::Serverless::") if type_name.startswith("AWS::Serverless::") else ""
        if section and isinstance(self.globals.get(section), dict):
            merged = {**self.globals[section], **properties}
        attributes = _snake(self.evaluator.value(merged))
        if any(signal.kind == "sam_event" and signal.value == "S3" for signal in signals):
            attributes["lambda_function"] = logical_id  # the bucket notification's target, as Terraform has it
        metadata = body.get("Metadata")
        cdk_path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        address = cdk_path.removesuffix("/Resource") if isinstance(cdk_path, str) and cdk_path else logical_id
        provider = "aws" if type_name.startswith(_AWS_PREFIXES) else ""
        return Resource(SOURCE, "resource", provider, type_name, address, location, tuple(signals), attributes)

    def _events(self, events: dict, line: int) -> list[Signal]:
        signals = []
        for name, event in events.items():
            event_line = self._line_of_key(events, name, line)
            if isinstance(event, dict) and isinstance(event.get("Type"), str):
                signals.append(Signal("sam_event", event["Type"], Location(self.rel, event_line), f"Events.{name}"))
        return signals

    def _references(self, section_name: str) -> list[Resource]:
        section = self.root.get(section_name)
        if not isinstance(section, dict):
            return []
        result = []
        if self.loaded.is_json:
            self.offset = self.loaded.line_of(f'"{section_name}"')[1]
        for name, body in section.items():
            line = self._line_of_key(section, name)
            if section_name == "Parameters":
                body = {"Default": body.get("Default")} if isinstance(body, dict) else {}
            signals = self._texts(body, f"{section_name}.{name}", line)
            if signals:
                location = Location(self.rel, line)
                kind = section_name.lower().removesuffix("s")
                result.append(Resource(SOURCE, "reference", "aws", kind, f"{section_name}.{name}", location, tuple(signals)))
        return result

    # -- lines and strings --

    def _line_of_key(self, mapping: Any, key: Any, default: int = 0) -> int:
        if isinstance(mapping, YMap):
            return mapping.key_lines.get(key, default)
        if self.loaded.is_json:
            line, self.offset = self.loaded.line_of(json.dumps(str(key), ensure_ascii=False), self.offset)
            return line or default
        return default

    def _texts(self, node: Any, path: str, line: int) -> list[Signal]:
        """A `text` signal for every string that may hold a hostname, ARN or URI, at its line."""
        found: list[Signal] = []
        start = self.offset
        if self.loaded.is_json:
            def line_of(value: str, fallback: int) -> int:
                at, _ = self.loaded.line_of(json.dumps(value, ensure_ascii=False)[1:-1], start)
                return at or fallback
        else:
            def line_of(value: str, fallback: int) -> int:
                return fallback
        _walk(node, path, line, found, self.rel, line_of)
        return found


def _walk(node: Any, path: str, line: int, found: list[Signal], rel: str, line_of: Callable[[str, int], int]) -> None:
    if isinstance(node, str):
        if "." in node or ":" in node or "/" in node:  # a hostname, an ARN or a URI has one
            found.append(Signal("text", node, Location(rel, line_of(node, line)), path))
    elif isinstance(node, dict):
        joined = _joined(node)
        if joined is not None and ("." in joined or ":" in joined or "/" in joined):
            found.append(Signal("text", joined, Location(rel, line), path))
        lines = node.value_lines if isinstance(node, YMap) else None
        for key, child in node.items():
            _walk(child, f"{path}.{key}", lines.get(key, line) if lines else line, found, rel, line_of)
    elif isinstance(node, list):
        items = node.item_lines if isinstance(node, YList) else None
        for index, child in enumerate(node):
            _walk(child, f"{path}[{index}]", items[index] if items else line, found, rel, line_of)


def _joined(node: dict) -> str | None:
    """`Fn::Join` of strings and other expressions, each of those an unknown part (`${…}`), so an
    ARN or hostname built from pieces is matched on its literal parts."""
    argument = node.get("Fn::Join") if len(node) == 1 else None
    if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str) or not isinstance(argument[1], list):
        return None
    return argument[0].join(part if isinstance(part, str) else "${…}" for part in argument[1])


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SNAKE_CACHE: dict[str, str] = {}


def snake_case(name: str) -> str:
    """`EngineVersion` -> `engine_version`, `DBInstanceClass` -> `db_instance_class`."""
    cached = _SNAKE_CACHE.get(name)
    if cached is None:
        cached = _SNAKE_CACHE[name] = _CAMEL.sub("_", name).lower()
    return cached


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake_case(str(key)): _snake(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_snake(child) for child in value]
    return value
