"""Expressions evaluated from tree-sitter's syntax nodes: what resolves, and what stays unresolved."""

from __future__ import annotations

import pytest

from portacheck.model import Unresolved
from portacheck.parse.terraform.expr import evaluate, literal_string, string_leaves
from portacheck.parse.terraform.hcl import parse_text

VARS = {"engine": "postgres", "replica": None, "create": True, "n": 3, "tags": {"team": "a"}, "zones": ["a", "b"]}


def resolve(name, path):
    if name == "var":
        value = VARS.get(path[0], Unresolved(f"var.{path[0]}"))
        for step in path[1:]:
            value = value[step]
        return value
    return Unresolved(name)


def value_of(source: str):
    """The syntax node of `x = <source>`."""
    hcl = parse_text(f"x = {source}\n", "t.tf", is_json=False)
    assert hcl.error is None, hcl.error
    return hcl.attrs["x"].value


@pytest.mark.parametrize(
    "expression,expected",
    [
        ('"postgres"', "postgres"),
        ('"a\\"b\\n\\u00e9"', 'a"b\né'),
        ('"$${literal} %%{x}"', "${literal} %{x}"),
        ("var.engine", "postgres"),
        ('"db-${var.engine}-${var.n}"', "db-postgres-3"),
        ("var.tags.team", "a"),
        ('var.tags["team"]', "a"),
        ("var.zones[1]", "b"),
        ("var.zones.1", "b"),
        ("var.replica != null ? var.replica : var.engine", "postgres"),
        ("var.create ? 1 : 0", 1),
        ("!var.create", False),
        ("var.n >= 3 && var.create", True),
        ("(var.n + 1) * 2 - 1", 7),
        ("var.n / 2", 1.5),
        ("-var.n % 2", 1),
        ('lower("AURORA-MySQL")', "aurora-mysql"),
        ('coalesce(var.replica, "mysql")', "mysql"),
        ('try(var.missing, "fallback")', "fallback"),
        ('lookup(var.tags, "team", "none")', "a"),
        ("length(var.zones)", 2),
        ('toset(["a", "b", "a"])', ["a", "b", "a"]),
        ('format("%s.%s.amazonaws.com", "sqs", var.engine)', "sqs.postgres.amazonaws.com"),
        ('join("-", var.zones, ["c"])', "a-b-c"),
        ("merge(var.tags, { env = \"prod\" })", {"team": "a", "env": "prod"}),
        ("var.create ? var.engine : var.missing", "postgres"),  # the branch not taken may be unknown
        ("[for z in var.zones : upper(z)]", ["A", "B"]),
        ('[for i, z in var.zones : "${i}${z}" if z != "a"]', ["1b"]),
        ("{for k, v in var.tags : v => k}", {"a": "team"}),
        ('{for z in ["x", "y", "x"] : z => z...}', {"x": ["x", "x"], "y": ["y"]}),
        ('[{ id = "a" }, { id = "b" }][*].id', ["a", "b"]),
        ('[{ id = "a" }].*.id', ["a"]),
        ("<<EOT\nplain ${var.engine}\nEOT", "plain postgres"),
        ("<<-EOT\n    line one\n      indented\n  EOT", "line one\n  indented"),
        ("3", 3),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('["a", var.engine]', ["a", "postgres"]),
        ('{ "k" = var.n, j = 1 }', {"k": 3, "j": 1}),
    ],
)
def test_resolves(expression, expected):
    assert evaluate(value_of(expression), resolve) == expected


@pytest.mark.parametrize(
    "expression,text",
    [
        ("var.missing", "${var.missing}"),
        ("var.replica == null ? var.missing : 1", "${var.replica == null ? var.missing : 1}"),
        ("each.value", "${each.value}"),
        ("aws_db_instance.x.endpoint", "${aws_db_instance.x.endpoint}"),
        ('"${var.missing}-x"', '"${var.missing}-x"'),
        ('"%{ if var.create }x%{ endif }"', '"%{ if var.create }x%{ endif }"'),
        ('regex("^a", var.engine)', '${regex("^a", var.engine)}'),
        ("var.n +\n  var.missing", "${var.n + var.missing}"),  # one line, whatever the layout
    ],
)
def test_stays_unresolved_and_keeps_the_expression(expression, text):
    assert evaluate(value_of(expression), resolve) == Unresolved(text)


def test_one_unknown_element_leaves_the_others_resolved():
    assert evaluate(value_of('["a", var.missing]'), resolve) == ["a", Unresolved("${var.missing}")]


def test_json_strings_are_templates():
    assert evaluate("db-${var.engine}", resolve) == "db-postgres"
    assert evaluate("$${kept}", resolve) == "${kept}"
    assert evaluate('say "${var.n}"', resolve) == 'say "3"'
    assert evaluate("${var.missing}", resolve) == Unresolved("${var.missing}")
    assert evaluate({"a": ["x.${var.engine}"]}, resolve) == {"a": ["x.postgres"]}


def test_literal_strings():
    assert literal_string(value_of('"./modules/db"')) == "./modules/db"
    assert literal_string(value_of("<<EOT\n./db\nEOT")) == "./db"
    assert literal_string(value_of('"./${var.engine}"')) is None
    assert literal_string(value_of("var.engine")) is None


def test_string_leaves_with_their_lines():
    node = parse_text('x = {\n  a = "https://a.example.com"\n  b = [lookup(m, "k", "s3.amazonaws.com")]\n  c = <<EOT\n  arn:aws:s3:::b\n  EOT\n}\n', "t.tf", False).attrs["x"].value
    assert [(raw, line) for raw, line, _ in string_leaves(node)] == [
        ("https://a.example.com", 2),
        ("k", 3),
        ("s3.amazonaws.com", 3),
        ("  arn:aws:s3:::b", 5),
    ]
