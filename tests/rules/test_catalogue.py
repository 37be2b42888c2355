"""The catalogue is complete, consistent and checked: every Terraform type of every listed provider."""

from __future__ import annotations

import os
import re

import pytest

from portacheck.model import Level
from portacheck.rules import coverage
from portacheck.rules.loader import load_catalogue

from helpers import EUROPEAN, HYPERSCALERS, NEUTRAL, VENDORED

TYPE_NAME = re.compile(r"^[a-z0-9]+_[a-z0-9_]+$")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_vendored_lists_are_present():
    assert VENDORED.is_dir(), "catalog/terraform (snapshot of the shared lists) is missing"


@pytest.mark.parametrize("provider", HYPERSCALERS + EUROPEAN + NEUTRAL)
def test_every_listed_type_is_classified_by_exactly_one_rule(catalogue, provider):
    files = [VENDORED / f"{provider}.resources.txt", VENDORED / f"{provider}.data-sources.txt"]
    assert all(f.is_file() for f in files), files
    for result in coverage.measure(catalogue, files):
        assert result.complete, coverage.render([result], verbose=True)


def test_coverage_command_reports_complete(cli):
    result = cli("rules", "coverage", "--catalog", str(VENDORED))
    assert result.code == 0, result.out
    assert "INCOMPLETE" not in result.out


def test_coverage_command_fails_on_an_unclassified_name(cli, tmp_path):
    listing = tmp_path / "aws.resources.txt"
    listing.write_text("aws_dynamodb_table\naws_made_up_service_thing\n")
    result = cli("rules", "coverage", "--catalog", str(listing))
    assert result.code == 1
    assert "aws_made_up_service_thing" in result.out
    assert "1/2" in result.out


def test_managed_evidence_names_a_real_terraform_type(catalogue):
    known = set()
    for path in VENDORED.glob("*.txt"):
        known.update(line.strip() for line in path.read_text().splitlines())
    bad = [
        (rule.id, offer.evidence)
        for rule in catalogue.rules
        for offer in rule.managed
        if TYPE_NAME.match(offer.evidence.split()[0]) and offer.evidence.split()[0] not in known
    ]
    assert not bad, bad


def test_rules_say_what_to_use_instead(catalogue):
    vague = [
        rule.id
        for rule in catalogue.rules
        if rule.level not in (Level.P0, Level.U) and not (rule.open_source or rule.managed or rule.standard)
    ]
    assert not vague, f"rules above P0 without a standard, open-source or managed alternative: {vague}"


def test_rationales_are_sentences(catalogue):
    short = [rule.id for rule in catalogue.rules if len(rule.why) < 40 or not rule.why[0].isupper()]
    assert not short, short


def test_the_cached_catalogue_is_the_catalogue_and_a_rule_edit_invalidates_it(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "mine.yaml"
    rule_file.write_text(
        "rules:\n  - id: MY-QUEUE\n    provider: aws\n    service: My queue\n    category: messaging\n    level: P2\n"
        "    why: Our own wrapper around SQS, judged by the platform team.\n    standard: AMQP\n"
        "    match: {terraform: [aws_sqs_queue]}\n"
    )
    cache = tmp_path / "cache"
    first = load_catalogue([rules], cache_dir=str(cache))
    assert len(list(cache.glob("catalogue/*"))) == 1
    second = load_catalogue([rules], cache_dir=str(cache))
    assert second == first and second.by_id["MY-QUEUE"].level is Level.P2
    rule_file.write_text(rule_file.read_text().replace("level: P2", "level: P3"))
    os.utime(rule_file, ns=(1, 1))  # a different modification time, even within one clock tick
    assert load_catalogue([rules], cache_dir=str(cache)).by_id["MY-QUEUE"].level is Level.P3
    (cache / "garbage").mkdir()
    for stale in cache.glob("catalogue/*"):
        stale.write_bytes(stale.read_bytes()[:-1] + b"x")  # corrupt: fails its digest
    assert load_catalogue([rules], cache_dir=str(cache)).by_id["MY-QUEUE"].level is Level.P3  # unreadable: rebuilt
