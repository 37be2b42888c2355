"""The catalogue reference (docs/catalogue/, `portacheck rules docs DIR`): an entry per rule that
SARIF's helpUri can point at, committed and kept identical to what the command writes."""

from __future__ import annotations

import dataclasses
import re

import pytest

from portacheck.model import Condition, Level, ManagedOffer
from portacheck.report.sarif import help_uri
from portacheck.rules import reference
from portacheck.rules.loader import load_catalogue

from helpers import ROOT

COMMITTED = ROOT / "docs" / "catalogue"


def test_the_committed_reference_is_what_the_command_writes(cli, tmp_path):
    result = cli("rules", "docs", str(tmp_path / "catalogue"))
    assert (result.code, result.err) == (0, "")
    fresh = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "catalogue").iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.iterdir()}
    assert result.out == f"wrote {len(fresh)} pages to {tmp_path / 'catalogue'}\n"
    stale = sorted(name for name in set(fresh) | set(committed) if fresh.get(name) != committed.get(name))
    assert not stale, (
        f"docs/catalogue/ is out of date ({', '.join(stale[:5])}): run `portacheck rules docs docs/catalogue` "
        "and delete the pages it no longer writes"
    )


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("AWS-SQS", "aws-sqs"),
        ("GCP-CLOUD-RUN-V2", "gcp-cloud-run-v2"),
        ("Catalogue: rules/aws/messaging.yaml", "catalogue-rulesawsmessagingyaml"),
        ("Limits & Retries", "limits--retries"),  # github-slugger drops the ampersand and keeps both hyphens
    ],
)
def test_anchors_are_github_s(heading, anchor):
    assert reference.github_anchor(heading) == anchor


def test_every_bundled_rule_s_help_uri_names_a_heading_of_its_page(catalogue):
    headings: dict[str, list[str]] = {}
    for path in COMMITTED.glob("*.md"):
        headings[path.name] = [reference.github_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)]
    for anchors in headings.values():
        assert len(anchors) == len(set(anchors))  # GitHub would suffix a repeated one
    missing = []
    for rule in catalogue.rules:
        page, anchor = help_uri(rule).removeprefix("https://github.com/portacheck/portacheck/blob/main/docs/catalogue/").split("#")
        if anchor not in headings.get(page, ()):
            missing.append(rule.id)
    assert catalogue.rules and missing == []


def test_links_of_the_reference_resolve():
    broken = []
    for page in sorted(COMMITTED.glob("*.md")):
        for target in set(re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert broken == []


def test_one_entry_in_full(catalogue):
    """Every field of a rule, escaped for a table cell: pipes, HTML and globs stay text, code spans stay code."""
    sqs = catalogue.rule("AWS-SQS")
    rule = dataclasses.replace(
        sqs,
        id="DEMO-QUEUE",
        service="Demo | queue",
        category="messaging",
        level=Level.P2,
        effort="M",
        why="Queue names like <team>-jobs and globs like *.demo.example are Demo's; `a|b` stays code.",
        match={"terraform": ("demo_queue_*",), "endpoints": ("*.queue.demo.example",)},
        standard="AMQP 0-9-1",
        open_source=("RabbitMQ",),
        managed=(
            ManagedOffer("scaleway", "Queues", "scaleway_mnq_sqs_queue", "compatible", "2026-08-21", "Scaleway"),
            ManagedOffer("ovh", "Message queue", "https://example.com/docs?a=1|2", "functional", "2026-08-22", "OVHcloud"),
        ),
        conditions=(Condition("fifo", Level.P3, "FIFO ordering has no equivalent", values=("true",)),),
        notes="See `demo_*` types.",
        effort_why="",
        self_run=Level.P3,
        source_file="rules/demo/queues.yaml",
        extended_in=("rules/sdk/demo.yaml",),
    )
    pages = reference.pages(dataclasses.replace(catalogue, rules=(rule,)))
    assert sorted(pages) == ["README.md", "demo-queues.md"]
    assert pages["demo-queues.md"].splitlines() == [
        "# Catalogue: rules/demo/queues.yaml",
        "",
        "Generated from [`rules/demo/queues.yaml`](../../rules/demo/queues.yaml) by `portacheck rules docs docs/catalogue`; do not edit. "
        "Levels are explained in [the portability model](../model.md), the fields in [Writing rules](../rules.md); [all files](./README.md).",
        "",
        "## DEMO-QUEUE",
        "",
        "| Field | Value |",
        "|---|---|",
        "| Service | Demo \\| queue |",
        "| Provider | Amazon Web Services (`aws`) |",
        "| Level | **P2** (adapt) |",
        "| Category | `messaging` |",
        "| Effort | band M: 1–5 person-days per resource instance |",
        "| Matches | terraform: `demo_queue_*`<br>endpoints: `*.queue.demo.example` |",
        "| Why | Queue names like &lt;team&gt;-jobs and globs like \\*.demo.example are Demo's; `a\\|b` stays code. |",
        "| Level depends on | `fifo` matches `true` → P3: FIFO ordering has no equivalent |",
        "| Use instead | AMQP 0-9-1 |",
        "| Open source | RabbitMQ |",
        "| Managed at Scaleway (FR) | Queues: compatible (P2); evidence `scaleway_mnq_sqs_queue`, as of 2026-08-21 |",
        "| Managed at OVHcloud (FR) | Message queue: functional (P3); evidence <https://example.com/docs?a=1%7C2>, as of 2026-08-22 |",
        "| Self-run | P3 where a target offers nothing managed (set by the rule) |",
        "| Notes | See `demo_*` types. |",
        "| Defined in | [`rules/demo/queues.yaml`](../../rules/demo/queues.yaml), [`rules/sdk/demo.yaml`](../../rules/sdk/demo.yaml) |",
    ]
    assert pages["README.md"].splitlines()[-3:] == [
        "| File | Provider | Rules | P0 | P1 | P2 | P3 | P4 | U |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        "| [rules/demo/queues.yaml](demo-queues.md) | aws | 1 | 0 | 0 | 1 | 0 | 0 | 0 |",
    ]


def test_a_rule_whose_anchor_github_would_suffix_is_refused(catalogue):
    sqs = catalogue.rule("AWS-SQS")
    clash = dataclasses.replace(sqs, id="CATALOGUE-RULESDEMOQUEUESYAML", source_file="rules/demo/queues.yaml", extended_in=())
    with pytest.raises(ValueError, match="rule CATALOGUE-RULESDEMOQUEUESYAML: its anchor 'catalogue-rulesdemoqueuesyaml' is taken"):
        reference.pages(dataclasses.replace(catalogue, rules=(clash,)))


def test_a_relative_rules_directory_named_rules_is_not_taken_for_the_bundled_one(tree, monkeypatch):
    root = tree({"rules/ours.yaml": "rules:\n  - id: OURS-QUEUE\n    provider: aws\n    service: Our queue\n    category: messaging\n"
                 "    level: P2\n    why: Ours.\n    match:\n      terraform: [ours_queue]\n"})
    monkeypatch.chdir(root)
    rule = load_catalogue(["rules"]).rule("OURS-QUEUE")
    assert (rule.source_file, help_uri(rule)) == ("./rules/ours.yaml", "https://github.com/portacheck/portacheck/blob/main/docs/rules.md")


def test_writing_into_a_file_is_one_line(cli, tmp_path):
    (tmp_path / "taken").write_text("x")
    result = cli("rules", "docs", str(tmp_path / "taken"))
    assert (result.code, result.err) == (2, f"portacheck: error: {tmp_path / 'taken'}: not a directory\n")
