"""Issue 17: a .tf just under the 5 MiB limit is read whole, in time and memory the bounded child
allows (it took 138 s and 1.4 GB when reported); its siblings are still scanned."""

from __future__ import annotations

import json

from adversarial.large_terraform import large_terraform
from adversarial.reader_harness import bounded_scan, write

SNS = 'resource "aws_sns_topic" "t" {}\n'


def test_a_terraform_file_of_4_9_mb_is_read_whole(tmp_path):
    text = large_terraform(4_900_000)
    assert 4_900_000 <= len(text) < 5 * 2**20  # under the default --max-file-size: analysed, not refused
    root = write(tmp_path / "repo", {"main.tf": text, "other/sns.tf": SNS})
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (1, [], ["main.tf", "other/sns.tf"])
    summary = json.loads((tmp_path / "repo-report.json").read_text())["summary"]
    units = text.count('resource "aws_sqs_queue"')  # four resources each
    assert (units, summary["resources"], summary["levels"]["U"]) == (3287, 4 * units + 1, 0)
