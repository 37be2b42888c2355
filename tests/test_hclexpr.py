"""The expression subset that decides verdicts: what resolves, and what stays unresolved."""

from __future__ import annotations

import pytest

from portacheck.model import Unresolved
from portacheck.parse.hclexpr import evaluate, unquote

VARS = {"engine": "postgres", "replica": None, "create": True, "n": 3, "tags": {"team": "a"}, "zones": ["a", "b"]}


def resolve(name, path):
    if name == "var":
        value = VARS.get(path[0], Unresolved(f"var.{path[0]}"))
        for step in path[1:]:
            value = value[step]
        return value
    return Unresolved(name)


@pytest.mark.parametrize(
    "expression,expected",
    [
        ('"postgres"', "postgres"),
        ('"a\\"b"', 'a"b'),
        ('"$${literal}"', "${literal}"),
        ("${var.engine}", "postgres"),
        ('"db-${var.engine}-${var.n}"', "db-postgres-3"),
        ("${var.tags.team}", "a"),
        ('${var.tags["team"]}', "a"),
        ("${var.zones[1]}", "b"),
        ("${var.replica != null ? var.replica : var.engine}", "postgres"),
        ("${var.create ? 1 : 0}", 1),
        ("${!var.create}", False),
        ("${var.n >= 3 && var.create}", True),
        ('${lower("AURORA-MySQL")}', "aurora-mysql"),
        ('${coalesce(var.replica, "mysql")}', "mysql"),
        ('${try(var.missing, "fallback")}', "fallback"),
        ('${lookup(var.tags, "team", "none")}', "a"),
        ('${length(var.zones)}', 2),
        ('${toset(["a", "b", "a"])}', ["a", "b", "a"]),
        ("${var.create ? var.engine : var.missing}", "postgres"),  # the branch not taken may be unknown
        (3, 3),
        (True, True),
        (['"a"', "${var.engine}"], ["a", "postgres"]),
        ({'"k"': "${var.n}"}, {"k": 3}),
    ],
)
def test_resolves(expression, expected):
    assert evaluate(expression, resolve) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "${var.missing}",
        "${var.replica == null ? var.missing : 1}",
        "${each.value}",
        "${aws_db_instance.x.endpoint}",
        "${[for z in var.zones : upper(z)]}",
        "${var.n + 1}",
        '"${var.missing}-x"',
        "${format(\"%s\", var.engine)}",
    ],
)
def test_stays_unresolved_and_keeps_the_expression(expression):
    value = evaluate(expression, resolve)
    assert isinstance(value, Unresolved)


def test_heredoc_text():
    assert unquote('"<<-EOT\n    line one\n      indented\n  EOT"') == "line one\n  indented"
    assert unquote('"<<EOT\nplain\nEOT"') == "plain"
