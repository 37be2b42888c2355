"""Read `serverless.yml` (or `.yaml`, `.json`): functions, their events, embedded CloudFormation, plugins.

- Each function is a Resource at its line: `AWS::Lambda::Function` for AWS, the Functions and Cloud
  Functions types for Azure and Google (see `events.py`); any other `provider.name` is an unknown
  (U) finding, never a silent pass. `runtime` (the function's, else the provider's), `image` and
  `handler` are its attributes, variables resolved (`variables.py`).
- Each event of a function is a signal on it at the event's line: `sqs` couples it to SQS.
- `resources.Resources` is CloudFormation and read by the CloudFormation reader (the same findings
  as in a template); `resources.Outputs` deploys nothing.
- Plugins that deploy or wire a provider service are references to it at their line.
- A `${ssm:…}` (`${cf:…}`, `${s3:…}`) anywhere couples the function (or, outside functions, the
  section) holding it to the service it reads; every string is also read for endpoints and ARNs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from portacheck._yaml import YList, YMap
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_each
from portacheck.parse.cloudformation.analyse import TemplateReader, read_template
from portacheck.parse.cloudformation.template import Loaded
from portacheck.parse.serverless.events import EVENTS, FUNCTIONS, PLUGINS
from portacheck.parse.serverless.variables import COUPLINGS, Resolver, sources

SOURCE = "serverless"
_OWN_SECTIONS = frozenset({"functions", "resources", "plugins", "service", "frameworkVersion", "useDotenv", "configValidationMode"})


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    return read_each(files, lambda source: analyse_file(source, context.max_file_bytes))


def analyse_file(source: SourceFile, max_bytes: int) -> tuple[list[Resource], list[ScanError], tuple[Directive, ...]]:
    loaded, errors, directives = read_template(source, max_bytes)
    if loaded is None:
        return [], errors, directives
    if not isinstance(loaded.root, dict):
        errors.append(ScanError(source.relpath, "expected a mapping with `service` and `provider` at the top", 1))
        return [], errors, directives
    reader = _Reader(source.relpath, loaded, errors)
    return reader.resources(), errors, directives


def _line(mapping: Any, key: Any, default: int = 0) -> int:
    return mapping.key_lines.get(key, default) if isinstance(mapping, YMap) else default


def _items(node: Any) -> Iterator[tuple[int, Any, int]]:
    """(index, item, line) of a list, lines where known."""
    if isinstance(node, list):
        lines = node.item_lines if isinstance(node, YList) else []
        for index, item in enumerate(node):
            yield index, item, lines[index] if index < len(lines) else 0


class _Reader:
    def __init__(self, rel: str, loaded: Loaded, errors: list[ScanError]):
        self.rel = rel
        self.loaded = loaded
        self.raw = loaded.root
        self.root = Resolver(loaded.root).value(loaded.root)
        self.errors = errors
        provider = self.root.get("provider")
        self.provider = provider if isinstance(provider, dict) else {}
        name = self.provider.get("name")
        self.provider_name = name if isinstance(name, str) else "aws"  # the framework's default
        self.embedded = self.unread_files(self.root.get("resources"))
        self.types = {str(k): v["Type"] for k, v in self.embedded.items() if isinstance(v, dict) and isinstance(v.get("Type"), str)}

    def unread_files(self, section: Any) -> dict:
        """`resources.Resources`, less what `${file(...)}` brings in: each such file is said not read, never passed over."""
        if isinstance(section, list):  # `resources: [${file(a.yml)}, {Resources: ...}]`
            for _index, item, line in _items(section):
                if isinstance(item, Unresolved):
                    self.errors.append(ScanError(self.rel, f"resources: {item} is not read (variables in file paths are not followed)", line))
            section = next((item for item in section if isinstance(item, dict) and "Resources" in item), None)
        embedded = section.get("Resources") if isinstance(section, dict) else None
        if not isinstance(embedded, dict):
            return {}
        for name, body in list(embedded.items()):
            if isinstance(body, Unresolved):
                self.errors.append(ScanError(self.rel, f"resource {name}: {body} is not read", _line(embedded, name)))
                del embedded[name]
        return embedded

    def resources(self) -> list[Resource]:
        found = list(self.functions())
        found.extend(self.cloudformation())
        found.extend(self.plugins())
        for key, value in self.root.items():
            if key not in _OWN_SECTIONS:
                found.extend(self.section(str(key), value))
        return found

    # -- functions --

    def functions(self) -> Iterable[Resource]:
        functions = self.root.get("functions")
        if not isinstance(functions, dict):
            return
        mapped = FUNCTIONS.get(self.provider_name)
        for name, body in functions.items():
            line = _line(functions, name)
            location = Location(self.rel, line)
            address = f"functions.{name}"
            body = body if isinstance(body, dict) else {}
            if mapped is None:
                provider, type_name = "", f"{self.provider_name} function"
                signals = [Signal("serverless_provider", self.provider_name, location, address)]
            else:
                provider, kind, type_name = mapped
                signals = [Signal(kind, type_name, location, address)]
                signals.extend(self.events(body.get("events"), address, line))
            signals.extend(self.couplings(self.raw_function(name), address, line))
            attributes = {key: body.get(key, self.provider.get(key)) for key in ("runtime", "image", "handler")}
            attributes = {key: value for key, value in attributes.items() if value is not None}
            yield Resource(SOURCE, "resource", provider, type_name, address, location, tuple(signals), attributes)

    def raw_function(self, name: Any) -> Any:
        functions = self.raw.get("functions")
        return functions.get(name) if isinstance(functions, dict) else None

    def events(self, events: Any, address: str, line: int) -> Iterable[Signal]:
        event_of = EVENTS[self.provider_name]
        for index, event, event_line in _items(events):
            if not isinstance(event, dict) or len(event) != 1:
                continue
            kind, body = next(iter(event.items()))
            signal = event_of(str(kind), body, self.types)
            if signal is not None:
                yield Signal(signal[0], signal[1], Location(self.rel, event_line or line), f"{address}.events[{index}].{kind}")

    # -- embedded CloudFormation, plugins, other sections --

    def cloudformation(self) -> list[Resource]:
        if not self.embedded:
            return []
        template: dict = {"Resources": self.embedded}
        loaded = Loaded(template, [], self.loaded.document, self.loaded.text)
        return [r for r in TemplateReader(self.rel, loaded, template, self.errors).resources() if r.kind == "resource"]

    def plugins(self) -> Iterable[Resource]:
        plugins = self.root.get("plugins")
        if isinstance(plugins, dict):
            plugins = plugins.get("modules")
        for _index, name, line in _items(plugins):
            type_name = PLUGINS.get(name) if isinstance(name, str) else None
            if type_name is not None:
                location = Location(self.rel, line)
                address = f"plugins.{name}"
                signal = Signal("cloudformation", type_name, location, address)
                yield Resource(SOURCE, "reference", "aws", "plugin", address, location, (signal,))

    def section(self, key: str, value: Any) -> Iterable[Resource]:
        """Outside functions, `provider.environment` and `custom` hold couplings and endpoints too."""
        line = _line(self.root, key)
        signals = list(self.couplings(self.raw.get(key), key, line))
        if signals:
            location = Location(self.rel, line)
            yield Resource(SOURCE, "reference", "aws" if self.provider_name == "aws" else "", "section", key, location, tuple(signals))

    def couplings(self, node: Any, path: str, line: int) -> Iterable[Signal]:
        """Variables that read an AWS service, and strings that may be endpoints, at their lines (unresolved text)."""
        for where, text, at in _leaves(node, path, line):
            location = Location(self.rel, at)
            for source in dict.fromkeys(sources(text)):
                if source in COUPLINGS and self.provider_name == "aws":
                    yield Signal("cloudformation", COUPLINGS[source], location, where)
            if any(mark in text for mark in ".:/"):
                yield Signal("text", text, location, where)


def _leaves(node: Any, path: str, line: int) -> Iterator[tuple[str, str, int]]:
    if isinstance(node, str):
        yield path, node, line
    elif isinstance(node, dict):
        lines = node.value_lines if isinstance(node, YMap) else {}
        for key, child in node.items():
            yield from _leaves(child, f"{path}.{key}", lines.get(key, line))
    elif isinstance(node, list):
        for index, child, at in _items(node):
            yield from _leaves(child, f"{path}[{index}]", at or line)
