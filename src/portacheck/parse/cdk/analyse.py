"""Read CDK apps: every construct a source file creates becomes a Resource with the `cloudformation`
signal of the type it synthesises.

A construct is a call of a class from a CDK service module with a scope and an id:
`new dynamodb.Table(this, "Orders", {...})`, `dynamodb.Table(self, "Orders", ...)`. Calls without
them (`new iam.PolicyStatement({...})`, `rds.DatabaseInstanceEngine.postgres(...)`, event targets)
create helpers, not resources; classes of the core module (`App`, `Stack`, `CfnOutput`) deploy
nothing of a service. Literal props become attributes under their snake_case names (`instanceType`
is `instance_type`, as CloudFormation's `InstanceType` reads); the engine factories of RDS are
read as the engine they name (`DatabaseInstanceEngine.postgres(...)` is `postgres`); anything
computed stays Unresolved.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from portacheck.errors import InputError
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, read_source, yaml_directives
from portacheck.parse.cdk.types import cloudformation_type, namespace_of
from portacheck.parse.program import Call, Import, Program, language_of, read_program, string_leaves
from portacheck.parse.pulumi.tokens import snake_case

SOURCE = "cdk"


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    resources: list[Resource] = []
    errors: list[ScanError] = []
    directives: list[Directive] = []
    apps = {os.path.dirname(f.path) for f in files if os.path.basename(f.path) == "cdk.json"}
    read_apps = {app for app in apps if any(_under(f.path, app) and language_of(f.path) for f in files)}
    templates = []
    for source in files:
        name = os.path.basename(source.path)
        if name == "cdk.json":
            errors.extend(_check_cdk_json(source, context))
        elif language_of(name) is not None:
            found, problems, marked = read_source_file(source, context)
            resources.extend(found)
            errors.extend(problems)
            directives.extend(marked)
        elif _app_of_synth_output(source.path) not in read_apps:
            templates.append(source)
    if templates:
        from portacheck.parse.cloudformation.analyse import parse as parse_templates

        result = parse_templates(templates, context)
        resources.extend(result.resources)
        errors.extend(result.errors)
        directives.extend(result.directives)
    return ParseResult(tuple(resources), tuple(errors), tuple(directives))


def _under(path: str, directory: str) -> bool:
    return path.startswith(directory + os.sep)


def _app_of_synth_output(path: str) -> str:
    """The directory holding the `cdk.out` a template is in: where the app's cdk.json would be."""
    parts = path.split(os.sep)
    index = len(parts) - 1 - parts[::-1].index("cdk.out")
    return os.sep.join(parts[:index])


def _check_cdk_json(source: SourceFile, context: ParseContext) -> list[ScanError]:
    """cdk.json deploys nothing; a broken one is still said, since the app cannot be synthesised."""
    try:
        json.loads(read_source(source.path, context.max_file_bytes))
    except InputError as exc:
        return [ScanError(source.relpath, exc.message, exc.line, exc.column)]
    except json.JSONDecodeError as exc:
        return [ScanError(source.relpath, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]
    return []


def read_source_file(source: SourceFile, context: ParseContext) -> tuple[list[Resource], list[ScanError], list[Directive]]:
    rel = source.relpath
    try:
        text = read_source(source.path, context.max_file_bytes)
    except InputError as exc:
        return [], [ScanError(rel, exc.message, exc.line, exc.column)], []
    language = language_of(source.path)
    assert language is not None
    program = read_program(text, language, yaml_directives.MARKER)
    errors = []
    if program.error is not None:
        message, line, column = program.error
        errors.append(ScanError(rel, message, line, column))
    directives = [Directive(rel, c.line, c.text, c.start, c.end, c.block) for c in program.comments]
    return list(_constructs(rel, program)), errors, directives


# --- imports and callees ----------------------------------------------------------------------

_V2_SUBMODULE = re.compile(r"^aws-cdk-lib/([\w-]+)$")
_V1_MODULE = re.compile(r"^@aws-cdk/([\w-]+)$")
_ROOTS = ("aws-cdk-lib", "aws_cdk", "@aws-cdk/core", "monocdk")

# A local name bound to the library root (None), a service module ("aws-dynamodb"), or one class of one ((module, class)).
Binding = tuple[str, str | None]  # (module or "" for the root, class or None)


def module_of(path: str) -> str | None:
    """The CDK module an import path names, `""` for the library root, None when not the CDK's."""
    if path in _ROOTS:
        return ""
    for pattern in (_V2_SUBMODULE, _V1_MODULE):
        found = pattern.match(path)
        if found:
            return "" if found.group(1) == "core" else found.group(1)
    if path.startswith("aws_cdk."):
        return path[len("aws_cdk.") :].replace("_", "-")
    return None


def bindings(imports: Iterable[Import]) -> dict[str, Binding]:
    bound: dict[str, Binding] = {}
    for item in imports:
        module = module_of(item.module)
        if module is None:
            continue
        if item.name == "*":
            bound[item.alias] = (module, None)
        elif module == "" and item.name.startswith("aws_"):  # `import { aws_s3 as s3 } from "aws-cdk-lib"`
            bound[item.alias] = (item.name.replace("_", "-"), None)
        elif module == "" and item.name == "core":  # CDK v1: `from aws_cdk import core`
            bound[item.alias] = ("", None)
        else:
            bound[item.alias] = (module, item.name)
    return bound


def resolve(callee: tuple[str, ...], bound: dict[str, Binding]) -> tuple[str, str] | None:
    """(module, class) of a callee naming a class of a service module, else None."""
    found = bound.get(callee[0])
    if found is None:
        return None
    module, name = found
    rest = list(callee[1:])
    if name is not None:
        rest.insert(0, name)
    if module == "" and rest and rest[0].startswith("aws_"):  # cdk.aws_s3.Bucket
        module = rest.pop(0).replace("_", "-")
    if module == "" or len(rest) != 1 or not rest[0][:1].isupper():
        return None
    return module, rest[0]


# --- constructs -------------------------------------------------------------------------------


def _constructs(rel: str, program: Program) -> Iterable[Resource]:
    bound = bindings(program.imports)
    if not bound:
        return
    for call in program.calls:
        if call.new != (program.language != "python") or not call.args:
            continue
        resolved = resolve(call.callee, bound)
        if resolved is None:
            continue
        construct_id, props = _scope_and_id(call, program.language)
        if construct_id is None:
            continue
        namespace = namespace_of(resolved[0])
        type_name = cloudformation_type(namespace, resolved[1]) if namespace else None
        if type_name is None:
            continue
        yield _resource(rel, call, type_name, construct_id, props)


_STRING_EXPRESSION = re.compile(r"""^(?:[`'"]|f["']|\w+\s*\+|.*\+\s*[`'"])""")


def _scope_and_id(call: Call, language: str) -> tuple[str | None, dict[str, Any]]:
    """The construct id (text) and props of a construct call, or (None, {}) when it is no construct call."""
    args = list(call.args)
    scope = args[0]
    construct_id = args[1] if len(args) > 1 else call.keyword("id")
    if isinstance(scope, (str, int, float, bool, dict, list)) or scope is None:
        return None, {}
    if isinstance(construct_id, Unresolved) and _STRING_EXPRESSION.match(construct_id.expression):
        construct_id = construct_id.expression
    if not isinstance(construct_id, str):
        return None, {}
    if language == "python":
        given = args[2] if len(args) > 2 else call.keyword("props")
        props = dict(given) if isinstance(given, dict) else {}
        props.update({key: value for key, value in call.kwargs if key not in ("id", "scope", "props")})
    else:
        props = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
    return construct_id, props


def _resource(rel: str, call: Call, type_name: str, construct_id: str, props: dict[str, Any]) -> Resource:
    location = Location(rel, call.line)
    attributes = _attributes(props)
    signals = [Signal("cloudformation", type_name, location, construct_id)]
    signals += [Signal("text", text, location, f"{construct_id}.{path}") for path, text in string_leaves(attributes)]
    return Resource(SOURCE, "resource", "aws", type_name, construct_id, location, tuple(signals), attributes)


# RDS engine factories and constants, as the engine names conditions test (`aurora*`, `postgres`).
_ENGINES = {
    "postgres": "postgres", "mysql": "mysql", "mariadb": "mariadb", "mariaDb": "mariadb",
    "auroraPostgres": "aurora-postgresql", "auroraMysql": "aurora-mysql", "aurora": "aurora",
    "oracleSe2": "oracle-se2", "oracleEe": "oracle-ee", "oracleEeCdb": "oracle-ee-cdb", "oracleSe2Cdb": "oracle-se2-cdb",
    "sqlServerEx": "sqlserver-ex", "sqlServerSe": "sqlserver-se", "sqlServerEe": "sqlserver-ee", "sqlServerWeb": "sqlserver-web",
}
_ENGINE_CLASSES = ("DatabaseInstanceEngine", "DatabaseClusterEngine")
_ENGINE_CONSTANT = re.compile(r"(?:DatabaseInstanceEngine|DatabaseClusterEngine)\.([A-Z][A-Z0-9_]*)$")


def _engine(value: Any) -> Any:
    if isinstance(value, Call) and len(value.callee) >= 2 and value.callee[-2] in _ENGINE_CLASSES:
        engine = _ENGINES.get(value.callee[-1])
        if engine:
            return engine
    if isinstance(value, Unresolved):
        constant = _ENGINE_CONSTANT.search(value.expression)
        if constant:
            name = constant.group(1).lower()
            return {"aurora_postgresql": "aurora-postgresql", "aurora_mysql": "aurora-mysql"}.get(name, name.replace("_", "-"))
    return _plain(value)


def _attributes(props: dict[str, Any]) -> dict[str, Any]:
    return {snake_case(key): _engine(value) if key == "engine" else _plain(value) for key, value in props.items()}


def _plain(value: Any) -> Any:
    """Literal values as they are, keys in snake_case; calls Unresolved with their callee."""
    if isinstance(value, Call):
        return Unresolved(".".join(value.callee) + "(…)")
    if isinstance(value, dict):
        return {snake_case(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value

