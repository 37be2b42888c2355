"""Bad input gives one clear line naming the file, the rest is analysed, and the exit code says so."""

from __future__ import annotations

import os

from conftest import FIXTURES, findings_table

BROKEN = FIXTURES / "broken-files"


def test_each_broken_file_gets_one_line_and_the_good_file_is_scanned(scan):
    assessment = scan(BROKEN)
    assert [str(e) for e in assessment.errors] == [
        "binary.tf: error: binary file (contains NUL bytes); not analysed",
        "broken.tf:6:1: error: cannot parse HCL: unexpected '}'",
        "empty.tf: warning: empty file, nothing to analyse",
        "latin1.tf:2:16: error: not valid UTF-8 (byte 0xe9)",
        "truncated.tf.json:1:54: error: invalid JSON: Expecting ',' delimiter",
    ]
    # what the broken file still holds is analysed, wherever error recovery put it
    assert findings_table(assessment) == [("AWS-S3", "broken.tf", 1, "P1"), ("AWS-SQS", "broken.tf", 4, "P2"), ("AWS-SQS", "good.tf", 1, "P2")]


def test_exit_code_says_input_was_not_analysed(cli):
    result = cli("scan", str(BROKEN), "--fail-on", "P2")
    assert result.code == 4  # the policy failed (SQS is P2) and input was not analysed
    result = cli("scan", str(BROKEN), "--fail-on", "P3")
    assert result.code == 3  # the policy passed, but the scan is incomplete: never a clean pass
    assert "INCOMPLETE" in result.out
    assert "Traceback" not in result.out + result.err


def test_errors_go_to_stderr_when_stdout_carries_json(cli):
    result = cli("scan", str(BROKEN), "--format", "json")
    assert result.code == 3
    assert "portacheck: broken.tf:6:1: error: cannot parse HCL: unexpected '}'" in result.err.splitlines()


def test_huge_file_is_refused(tree, scan):
    root = tree({"huge.tf": "# " + "x" * (6 * 1024 * 1024) + "\n", "ok.tf": 'resource "aws_sqs_queue" "q" {}\n'})
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == ["huge.tf: error: file is larger than 5 MiB; not analysed"]
    assert findings_table(assessment) == [("AWS-SQS", "ok.tf", 1, "P2")]


def test_symlink_loop_and_links_leaving_the_root(tmp_path, scan):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    (root / "loop.tf").symlink_to("loop.tf")  # points at itself: ELOOP
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_dynamodb_table" "t" {}\n')
    (root / "elsewhere").symlink_to(outside)
    (root / "again").symlink_to(root)  # a directory link back up the tree
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        "again: warning: symlink loop (points at a directory already scanned); not followed",
        "elsewhere: warning: symlink points outside the scanned root; not followed",
        "loop.tf: error: symlink loop; not followed",
    ]
    assert findings_table(assessment) == [("AWS-SQS", "main.tf", 1, "P2")]


def test_deeply_nested_hcl_does_not_crash(tree, scan):
    depth = 3000
    root = tree({"deep.tf": "locals {\n  x = " + "[" * depth + "1" + "]" * depth + "\n}\n"})
    assessment = scan(root)
    assert len(assessment.errors) == 1
    assert assessment.errors[0].path == "deep.tf"
    assert assessment.errors[0].message.startswith("cannot parse HCL")


def test_internal_error_in_one_module_costs_only_that_module(tree, scan, monkeypatch):
    from portacheck.parse.terraform import evaluate as terraform

    root = tree({"a/main.tf": 'resource "aws_sqs_queue" "q" {}\n', "b/main.tf": 'resource "aws_sns_topic" "t" {}\n'})
    original = terraform._Evaluator.run_root

    def explode(self, directory):
        if directory.endswith("/a"):
            raise RuntimeError("boom")
        return original(self, directory)

    monkeypatch.setattr(terraform._Evaluator, "run_root", explode)
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == [
        "a: error: internal error while evaluating this module (RuntimeError: boom); not analysed; please report this"
    ]
    assert findings_table(assessment) == [("AWS-SNS", "b/main.tf", 1, "P2")]


def test_unreadable_file_whoever_runs_the_tests(tree, scan, monkeypatch):

    root = tree({"secret.tf": 'resource "aws_sqs_queue" "q" {}\n', "ok.tf": 'resource "aws_sns_topic" "t" {}\n'})
    real_open = os.open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("secret.tf"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)  # portacheck.reader opens with os.open
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == ["secret.tf: error: cannot read: permission denied"]
    assert findings_table(assessment) == [("AWS-SNS", "ok.tf", 1, "P2")]
