"""Edge cases of the tree-sitter HCL reader: valid HCL python-hcl2 could not read, syntax errors
that cost one line and not the file, suppression comments read from the syntax tree, heredocs."""

from __future__ import annotations

import os

from portacheck.model import Directive, SourceFile
from portacheck.parse import ParseContext
from portacheck.parse.terraform.analyse import module_sources, parse

from conftest import FIXTURES, findings_table

EDGE = FIXTURES / "terraform-edge"


def test_a_for_expression_in_a_list_does_not_cost_the_file(scan):
    assessment = scan(EDGE / "for-expression")
    assert [str(e) for e in assessment.errors] == []
    assert findings_table(assessment) == [("AWS-DYNAMODB", "main.tf", 10, "P3")]


def test_a_syntax_error_is_one_line_and_the_table_after_it_is_still_reported(scan):
    assessment = scan(EDGE / "syntax-error")
    assert [str(e) for e in assessment.errors] == ["main.tf:4:1: error: cannot parse HCL: unexpected '}'"]
    assert findings_table(assessment) == [("AWS-DYNAMODB", "main.tf", 6, "P3")]


def test_an_unclosed_block_keeps_the_blocks_recovery_nested_in_it(tree, scan):
    root = tree({"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'})
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == ["main.tf:7:1: error: cannot parse HCL: unexpected end of file (unclosed block or string?)"]
    assert findings_table(assessment) == [("AWS-S3", "main.tf", 1, "P1"), ("AWS-SQS", "main.tf", 4, "P2")]


def test_a_url_in_a_heredoc_inside_a_map_is_reported_at_its_line(scan):
    assert findings_table(scan(EDGE / "heredoc")) == [("AWS-S3", "main.tf", 7, "P1")]


def _directives(directory):
    root = os.path.abspath(directory)
    files = [
        SourceFile(os.path.join(root, name), name, "terraform") for name in sorted(os.listdir(root)) if name.endswith((".tf", ".tfvars"))
    ]
    return parse(files, ParseContext(root=root)).directives


def test_suppression_comments_become_directives_with_their_scope():
    assert _directives(EDGE / "directives") == (
        # above a block: the block
        Directive("main.tf", 1, "[AWS-DYNAMODB] reason: replaced by Scylla in Q3, until: 2027-06-30", 2, 5, True),
        # inside a module block: the block, and what the call creates
        Directive("main.tf", 8, "[AWS-SQS] reason: the queues move with the service", 7, 10, True, "queues"),
        # a /* */ comment above a block, a blank line between
        Directive("main.tf", 12, "[AWS-SNS] reason: one topic, kept on purpose", 14, 16, True),
        # deep inside a block, or at the end of a line in one: the block
        Directive("main.tf", 20, "[AWS-S3] reason: read-only archive", 18, 23, True),
        Directive("main.tf", 26, "[AWS-SQS] reason: legacy bus", 25, 27, True),
        # outside blocks: the next line of code, or the comment's own line
        Directive("terraform.tfvars", 1, "[AWS-SQS] reason: a test queue", 3, 3),
        Directive("terraform.tfvars", 4, "[AWS-S3] reason: end of line", 4, 4),
        # a local module's files are read, and so are their comments
        Directive("queues/main.tf", 2, "[AWS-SQS] reason: inside the module", 1, 3, True),
    )


def test_module_sources_are_read_from_the_syntax_tree(tmp_path):
    hcl = b'module "a" {\n  source = "./a"\n}\nmodule "b" {\n  source = "git::https://example.com/b.git"\n}\nmodule "c" {\n  source = "${path.module}/c"\n}\n'
    assert module_sources(hcl) == ["./a", "git::https://example.com/b.git"]
    assert module_sources(b'{"module": {"db": {"source": "../db"}}}', is_json=True) == ["../db"]
    (tmp_path / "main.tf").write_bytes(b'# source = "./not-a-call"\nmodule "x" { source = "../x" }\n')
    assert module_sources(str(tmp_path / "main.tf")) == ["../x"]
