"""Read Pulumi projects: the program of each `Pulumi.yaml`, in YAML or in code, as Resources.

A YAML program lists its resources (`resources: {name: {type: aws:dynamodb:Table, properties: …}}`)
in `Pulumi.yaml` or in `Main.yaml` (beside it or in its `main:` directory). A program in code is
every source file of the runtime's language under the project (or its `main:` directory), bounded
and without dependency or build directories: resources are the constructor calls of classes from
a Pulumi package the file imports (`new aws.dynamodb.Table("t", {...})`, `gcp.storage.Bucket("b", …)`,
`sqs.NewQueue(ctx, "q", &sqs.QueueArgs{…})`). Literal arguments become attributes under their
Terraform names (`instanceClass` is `instance_class`); anything computed stays Unresolved.
Programs in C#, F#, Java or other runtimes are reported as not analysed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from portacheck import _yaml
from portacheck.errors import InputError
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_source, relpath, yaml_directives
from portacheck.parse.program import Call, Program, language_of, read_program, string_leaves
from portacheck.parse.pulumi import imports as pulumi_imports
from portacheck.parse.pulumi.tokens import TERRAFORM, Mapped, map_resource, parse_token, snake_case

MAX_PROGRAM_FILES = 500  # source files read per project; more are reported, not read
SKIPPED_DIRS = frozenset({
    "node_modules", "bin", "obj", "dist", "build", "out", "vendor", "venv", ".venv", "__pycache__",
    ".git", ".pulumi", "test", "tests", "__tests__", "cdk.out",
})
_LANGUAGES = {"nodejs": ("typescript", "tsx", "javascript"), "python": ("python",), "go": ("go",)}


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    reader = _Reader(context)
    for source in files:
        reader.file(source)
    return ParseResult(tuple(reader.resources), tuple(reader.errors), tuple(reader.directives))


class _Reader:
    def __init__(self, context: ParseContext):
        self.context = context
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.directives: list[Directive] = []

    def file(self, source: SourceFile) -> None:
        documents = self.yaml(source.path, source.relpath)
        name = source.relpath.rsplit("/", 1)[-1]
        if documents is None or name not in ("Pulumi.yaml", "Pulumi.yml"):
            return  # a stack's configuration: read for its syntax and suppressions
        project = documents[0].root if documents and isinstance(documents[0].root, dict) else {}
        runtime = project.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        directory = os.path.dirname(source.path)
        main = project.get("main")
        program_dir = os.path.normpath(os.path.join(directory, main)) if isinstance(main, str) else directory
        if runtime_name == "yaml":
            self.yaml_resources(source.relpath, project)
            for main_yaml in _main_yaml(directory, program_dir):
                rel = relpath(main_yaml, self.context.root)
                if not self.context.excluded(rel):
                    more = self.yaml(main_yaml, rel)
                    if more and isinstance(more[0].root, dict):
                        self.yaml_resources(rel, more[0].root)
        elif runtime_name in _LANGUAGES:
            self.program(source.relpath, program_dir if os.path.isdir(program_dir) else directory, _LANGUAGES[runtime_name])
        elif isinstance(runtime_name, str):
            line = project.key_lines.get("runtime", 0) if isinstance(project, _yaml.YMap) else 0
            self.errors.append(ScanError(source.relpath, f"not analysed: Pulumi program in {runtime_name} (no reader for this runtime)", line))

    # -- YAML --

    def yaml(self, path: str, rel: str) -> list[_yaml.Document] | None:
        try:
            text = read_source(path, self.context.max_file_bytes)
            documents = _yaml.load_documents(text)
        except InputError as exc:
            self.errors.append(ScanError(rel, str(exc), getattr(exc, "line", 0), getattr(exc, "column", 0)))
            return None
        except _yaml.DataError as exc:
            self.errors.append(ScanError(rel, exc.message, exc.line, exc.column))
            return None
        self.directives.extend(yaml_directives.read(rel, text, [d.node for d in documents]))
        return documents

    def yaml_resources(self, rel: str, program: dict) -> None:
        resources = program.get("resources")
        if not isinstance(resources, dict):
            return
        for name, body in resources.items():
            if not isinstance(body, dict) or not isinstance(body.get("type"), str):
                continue
            line = resources.key_lines.get(name, 0) if isinstance(resources, _yaml.YMap) else 0
            token = parse_token(body["type"])
            properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
            if token is None:
                self.errors.append(ScanError(rel, f"resource {name!r}: {body['type']!r} is not a Pulumi type token", line, severity=_warning()))
                continue
            mapped = map_resource(*token, _plain(properties))
            if mapped is not None:
                self.add(rel, line, str(name), mapped, _plain(properties))

    # -- programs in code --

    def program(self, project_rel: str, directory: str, languages: tuple[str, ...]) -> None:
        paths = list(_sources(directory, languages, self.context))
        if len(paths) > MAX_PROGRAM_FILES:
            self.errors.append(
                ScanError(project_rel, f"program has {len(paths)} source files; the first {MAX_PROGRAM_FILES} were read", severity=_warning())
            )
        for path in paths[:MAX_PROGRAM_FILES]:
            rel = relpath(path, self.context.root)
            language = language_of(path)
            try:
                text = read_source(path, self.context.max_file_bytes)
            except InputError as exc:
                self.errors.append(ScanError(rel, str(exc), getattr(exc, "line", 0), getattr(exc, "column", 0)))
                continue
            if language is None or not pulumi_imports.mentions_pulumi(text):
                continue
            program = read_program(text, language, yaml_directives.MARKER)
            if program.error is not None:
                message, line, column = program.error
                self.errors.append(ScanError(rel, message, line, column))
            self.directives.extend(Directive(rel, c.line, c.text, c.start, c.end, c.block) for c in program.comments)
            self.calls(rel, program)

    def calls(self, rel: str, program: Program) -> None:
        bindings = pulumi_imports.bindings(program.imports)
        core = {alias for alias, (package, _path) in bindings.items() if package == "pulumi"}
        for call in program.calls:
            resolved = pulumi_imports.resolve(call.callee, bindings, program.language)
            if resolved is None:
                continue
            package, module, name = resolved
            name_arg, properties = _arguments(call, program.language, core)
            mapped = map_resource(package, module, name, properties)
            if mapped is None:
                continue
            address = name_arg if isinstance(name_arg, str) else f"{'.'.join(call.callee)}@{call.line}"
            self.add(rel, call.line, address, mapped, properties)

    # -- resources --

    def add(self, rel: str, line: int, address: str, mapped: Mapped, properties: dict[str, Any]) -> None:
        location = Location(rel, line)
        attributes = _terraform_names(properties) if mapped.kind == TERRAFORM else dict(properties)
        signals = [Signal(mapped.kind, mapped.value, location, address)]
        signals += [Signal("text", text, location, f"{address}.{path}") for path, text in string_leaves(properties)]
        self.resources.append(
            Resource(
                source="pulumi", kind="resource", provider=mapped.provider, type=mapped.value, address=address,
                location=location, signals=tuple(signals), attributes=attributes,
            )
        )


def _warning():
    from portacheck.model import Severity

    return Severity.WARNING


def _main_yaml(directory: str, program_dir: str) -> list[str]:
    found = []
    for folder in dict.fromkeys((directory, program_dir)):
        for name in ("Main.yaml", "Main.yml"):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                found.append(path)
    return found


def _sources(directory: str, languages: tuple[str, ...], context: ParseContext) -> Iterable[str]:
    """The program's source files in a stable order, without dependency, build and test directories."""
    for folder, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if language_of(name) not in languages or name.endswith(("_test.go", ".d.ts", ".test.ts", ".spec.ts")):
                continue
            if os.path.islink(path) or context.excluded(relpath(path, context.root)):
                continue
            yield path


def _arguments(call: Call, language: str, core: set[str]) -> tuple[Any, dict[str, Any]]:
    """The resource name and its properties, as each language passes them."""
    args = [_unwrap(a, core) for a in call.args]
    if language == "go":  # NewTable(ctx, "name", &TableArgs{...}, opts...)
        name = args[1] if len(args) > 1 else None
        properties = args[2] if len(args) > 2 else {}
    elif language == "python":  # Table("name", args=TableArgs(...)) or Table("name", engine=...)
        name = args[0] if args else _unwrap(call.keyword("resource_name"), core)
        given = args[1] if len(args) > 1 else _unwrap(call.keyword("args"), core)
        properties = dict(given) if isinstance(given, dict) else {}
        properties.update({k: _unwrap(v, core) for k, v in call.kwargs if k not in ("resource_name", "args", "opts")})
    else:  # new Table("name", {...}, opts)
        name = args[0] if args else None
        properties = args[1] if len(args) > 1 else {}
    return name, properties if isinstance(properties, dict) else {}


def _unwrap(value: Any, core: set[str]) -> Any:
    """Literal values inside calls: `pulumi.String("x")` is "x", `aws.rds.InstanceArgs(engine="x")` a dict."""
    if isinstance(value, Call):
        if len(value.callee) == 2 and value.callee[0] in core and len(value.args) == 1 and not value.kwargs:
            return _unwrap(value.args[0], core)
        if value.callee[-1].endswith("Args") and not value.args:
            return {k: _unwrap(v, core) for k, v in value.kwargs}
        return Unresolved(".".join(value.callee) + "(…)")
    if isinstance(value, dict):
        return {k: _unwrap(v, core) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, core) for v in value]
    return value


def _plain(value: Any) -> Any:
    """A YAML value as plain data; `${res.prop}` interpolations and `fn::` calls stay Unresolved."""
    if isinstance(value, dict):
        if len(value) == 1 and str(next(iter(value))).startswith("fn::"):
            return Unresolved(str(next(iter(value))))
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and "${" in value:
        return Unresolved(value)
    return value


def _terraform_names(value: Any) -> Any:
    """Properties under the Terraform provider's names: `instanceClass` is `instance_class`."""
    if isinstance(value, dict):
        return {snake_case(k) if isinstance(k, str) else k: _terraform_names(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_terraform_names(v) for v in value]
    return value
