"""Strings from the repository are escaped for the output they go into (report/escape.py)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from helpers import BUCKET, DYNAMO, GIT, QUEUE, validate_sarif, write_tree

INJECTION = "x\\n::error file=README.md,line=1::INJECTED"  # YAML escapes: a newline, then a workflow command
CONFIG_MAP = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: "{INJECTION}"
data:
  url: "https://sqs.eu-west-1.amazonaws.com/123/q"
"""
FORMATS = ("text", "json", "sarif", "gitlab", "junit", "markdown", "html")
COMMAND = re.compile(r"^\s*::", re.MULTILINE)


@pytest.mark.parametrize("name", FORMATS)
def test_no_workflow_command_reaches_the_log(fast_cli, tmp_path, name):
    write_tree(tmp_path, {**GIT, "cm.yaml": CONFIG_MAP, "main.tf": DYNAMO})

    result = fast_cli("scan", ".", "--verbose", "--format", name, "--fail-on", "P4", cwd=tmp_path)

    assert result.code == 0
    assert "INJECTED" in result.out  # the name is reported...
    assert not COMMAND.search(result.out + result.err)  # ...but no line starts a workflow command
    assert "aws_dynamodb_table.orders" in result.out  # and the sibling file was scanned


@pytest.mark.parametrize("name", ["csf", "csf-json"])
def test_the_csf_view_escapes_the_names_it_cites(fast_cli, tmp_path, name):
    write_tree(tmp_path, {**GIT, "x\n::error::INJECTED.tf": DYNAMO})

    result = fast_cli("scan", ".", "--format", name, "--fail-on", "never", cwd=tmp_path)

    assert result.code == 0, result
    assert "INJECTED" in result.out  # the evidence cites the file...
    assert not COMMAND.search(result.out + result.err)  # ...on no line of its own


def test_a_newline_in_a_name_stays_on_its_line(fast_cli, tmp_path):
    write_tree(tmp_path, {**GIT, "cm.yaml": CONFIG_MAP})

    out = fast_cli("scan", ".", "--verbose", "--fail-on", "never", cwd=tmp_path).out

    assert "    cm.yaml:6  ConfigMap/x\\x0a::error file=README.md,line=1::INJECTED mentions Amazon SQS (sqs.eu-west-1.amazonaws.com)" in out.splitlines()


def test_escape_sequences_in_file_names_are_shown_not_run(fast_cli, tmp_path):
    write_tree(tmp_path, {**GIT, "\x1b]0;pwned\x07\x1b[2Jq.tf": QUEUE, "main.tf": DYNAMO})

    result = fast_cli("scan", ".", "--fail-on", "never", cwd=tmp_path)

    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "    \\x1b]0;pwned\\x07\\x1b[2Jq.tf:1  aws_sqs_queue.jobs" in result.out.splitlines()
    assert "    main.tf:1  aws_dynamodb_table.orders" in result.out.splitlines()


def test_colours_stay_while_names_are_escaped(fast_cli, tmp_path):
    write_tree(tmp_path, {**GIT, "\x1b[31mq.tf": QUEUE})

    out = fast_cli("scan", ".", "--fail-on", "never", "--color", "always", cwd=tmp_path).out

    assert "\x1b[1m" in out  # our own colours
    assert "\\x1b[31mq.tf:1" in out and "\x1b[31mq" not in out


def test_error_lines_on_standard_error_are_escaped(fast_cli, tmp_path):
    write_tree(tmp_path, {**GIT, "bad\n::error::x.tf": 'resource "aws_s3_bucket" "b" {\n', "main.tf": DYNAMO})

    result = fast_cli("scan", ".", "--format", "json", "--fail-on", "never", cwd=tmp_path)

    assert result.code == 3
    errors = [line for line in result.err.splitlines() if "bad" in line]
    assert len(errors) == 1 and errors[0].startswith("portacheck: bad\\x0a::error::x.tf:")
    assert not COMMAND.search(result.err)


NON_UTF8 = os.fsdecode(b"caf\xe9.tf")


@pytest.fixture
def non_utf8_tree(tmp_path):
    write_tree(tmp_path, {**GIT, "main.tf": BUCKET})
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.tf"), "w", encoding="utf-8") as handle:
        handle.write(DYNAMO)
    return tmp_path


@pytest.mark.parametrize("name", FORMATS)
def test_non_utf8_file_names_in_every_format(fast_cli, non_utf8_tree, name):
    result = fast_cli("scan", ".", "--format", f"{name}:report", "--fail-on", "never", cwd=non_utf8_tree)

    assert result.code == 0, result
    text = (non_utf8_tree / "report").read_text(encoding="utf-8")  # valid UTF-8, whatever the names
    if name in ("json", "sarif", "gitlab"):
        document = json.loads(text)
        if name == "json":
            assert {f["file"] for f in document["findings"]} == {NON_UTF8, "main.tf"}  # the name os.fsdecode gives
        if name == "sarif":
            validate_sarif(document)
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
            assert uris == {"caf%E9.tf", "main.tf"}
        if name == "gitlab":
            assert {i["location"]["path"] for i in document} == {NON_UTF8, "main.tf"}
    elif name == "junit":
        files = {case.get("file") for case in ET.fromstring(text).iter("testcase")} - {None}
        assert files == {"caf\\xe9.tf", "main.tf"}
    else:
        assert "caf\\xe9.tf" in text


def test_non_utf8_file_names_in_the_baseline(fast_cli, non_utf8_tree):
    assert fast_cli("baseline", "create", ".", cwd=non_utf8_tree).code == 0
    document = json.loads((non_utf8_tree / ".portacheck-baseline.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in document["findings"]) == [NON_UTF8, "main.tf"]
    assert fast_cli("scan", ".", "--baseline", ".portacheck-baseline.json", cwd=non_utf8_tree).code == 0  # every finding known
