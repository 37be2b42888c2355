"""Python code: the AWS services boto3 clients are created for, found with `ast`, never run.

    import boto3
    table = boto3.resource("dynamodb").Table("orders")      -> boto3:dynamodb
    queue = boto3.client("sqs", region_name="eu-west-1")    -> boto3:sqs
    session = boto3.Session(profile_name="ci")
    s3 = session.client(service_name="s3")                  -> boto3:s3
    botocore.session.get_session().create_client("kms")     -> boto3:kms

A call counts when its receiver is the boto3 (or aioboto3) module, a name imported from it, a
session made by `Session()` / `get_session()`, or a variable, attribute or parameter that holds
one (assigned from those calls, annotated as a Session, or named like `*session*`). The service
name must be a string literal or a module-level string constant; anything else is counted as an
unresolved client, so the report can say that the services are not all known.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

PREFILTER = (b"boto3", b"botocore")
_MODULES = frozenset({"boto3", "aioboto3"})  # modules with client() and resource() functions
_SESSION_MODULES = frozenset({
    "boto3", "boto3.session", "aioboto3", "aioboto3.session", "botocore.session", "aiobotocore.session",
})
_SESSION_FACTORIES = frozenset({"Session", "get_session"})
_CLIENT_METHODS = frozenset({"client", "resource", "create_client"})
_SESSION_NAME = re.compile(r"session", re.I)


@dataclass(frozen=True, slots=True)
class ClientCall:
    service: str  # "" when the service name is not a literal
    line: int
    column: int
    expression: str  # the call as written, shortened, for the report's context


@dataclass
class _Scope:
    modules: set[str] = field(default_factory=set)  # local names bound to boto3 / aioboto3
    session_modules: set[str] = field(default_factory=set)  # local names bound to modules with Session()
    functions: set[str] = field(default_factory=set)  # client / resource imported from boto3
    factories: set[str] = field(default_factory=set)  # Session / get_session imported by name
    sessions: set[str] = field(default_factory=set)  # names and attributes that hold a session
    constants: dict[str, str] = field(default_factory=dict)  # module-level NAME = "text"


def mentions_sdk(data: bytes) -> bool:
    return any(marker in data for marker in PREFILTER)


def client_calls(text: str, filename: str = "<code>") -> list[ClientCall]:
    """Every boto3 client or resource creation in the module; SyntaxError propagates."""
    tree = ast.parse(text, filename=filename)
    scope = _Scope()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    scope.constants[target.id] = statement.value.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is None:  # `import boto3.session` binds `boto3`
                    if alias.name.split(".", 1)[0] in _MODULES:
                        scope.modules.add(alias.name.split(".", 1)[0])
                    if alias.name in _SESSION_MODULES:
                        scope.session_modules.add(alias.name)
                else:
                    if alias.name in _MODULES:
                        scope.modules.add(alias.asname)
                    if alias.name in _SESSION_MODULES:
                        scope.session_modules.add(alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module in _MODULES and alias.name in ("client", "resource"):
                    scope.functions.add(bound)
                if node.module in _SESSION_MODULES and alias.name in _SESSION_FACTORIES:
                    scope.factories.add(bound)
                if node.module in ("boto3", "botocore", "aioboto3", "aiobotocore") and alias.name == "session":
                    scope.session_modules.add(bound)
    for node in ast.walk(tree):  # variables and attributes that are given a session
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.withitem)):
            value: ast.expr | None
            if isinstance(node, ast.withitem):
                value, targets = node.context_expr, [node.optional_vars]
            else:
                value, targets = node.value, getattr(node, "targets", [getattr(node, "target", None)])
            if value is not None and _is_session_call(value, scope):
                for assigned in targets:
                    name = _last_name(assigned)
                    if name:
                        scope.sessions.add(name)
        elif isinstance(node, ast.arg) and node.annotation is not None and "Session" in ast.unparse(node.annotation):
            scope.sessions.add(node.arg)
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            call = _client_call(node, scope)
            if call is not None:
                calls.append(call)
    return sorted(calls, key=lambda c: (c.line, c.column))


def _client_call(node: ast.Call, scope: _Scope) -> ClientCall | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in scope.functions:
        pass
    elif isinstance(func, ast.Attribute) and func.attr in _CLIENT_METHODS:
        receiver = func.value
        if func.attr == "create_client":
            if not _is_session(receiver, scope):
                return None
        elif not (_is_module(receiver, scope) or _is_session(receiver, scope)):
            return None
    else:
        return None
    argument = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"), None)
    service = ""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        service = argument.value
    elif isinstance(argument, ast.Name) and argument.id in scope.constants:
        service = scope.constants[argument.id]
    expression = ast.unparse(node)
    if len(expression) > 80:
        expression = expression[:77] + "..."
    return ClientCall(service.strip().lower(), node.lineno, node.col_offset + 1, expression)


def _is_module(node: ast.expr, scope: _Scope) -> bool:
    return isinstance(node, ast.Name) and node.id in scope.modules


def _is_session(node: ast.expr, scope: _Scope) -> bool:
    if _is_session_call(node, scope):
        return True
    name = _last_name(node)
    return bool(name) and (name in scope.sessions or bool(_SESSION_NAME.search(name)))


def _is_session_call(node: ast.expr, scope: _Scope) -> bool:
    """Session(...), boto3.Session(...), boto3.session.Session(...), botocore.session.get_session()."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in scope.factories
    if isinstance(func, ast.Attribute) and func.attr in _SESSION_FACTORIES:
        owner = _dotted(func.value)
        return owner in scope.session_modules or owner in scope.modules or owner.split(".", 1)[0] in scope.modules
    return False


def _last_name(node: ast.AST | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""
