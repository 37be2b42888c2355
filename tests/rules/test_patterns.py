"""How patterns rank: exact beats glob, priority beats length, longer literal beats shorter."""

from __future__ import annotations

from portacheck.rules.patterns import PatternIndex


def test_exact_beats_any_glob():
    index = PatternIndex([("google_compute_*", "vm"), ("google_compute_url_map", "lb")])
    assert index.lookup("google_compute_url_map") == [("google_compute_url_map", "lb")]
    assert index.lookup("google_compute_instance") == [("google_compute_*", "vm")]


def test_longer_literal_glob_wins():
    index = PatternIndex([("aws_cloudwatch_*", "cw"), ("aws_cloudwatch_event_*", "events")])
    assert [t for _, t in index.lookup("aws_cloudwatch_event_rule")] == ["events"]
    assert [t for _, t in index.lookup("aws_cloudwatch_metric_alarm")] == ["cw"]


def test_priority_beats_length():
    index = PatternIndex(
        [("google_compute_region_*", "compute"), ("google_*_iam_member", "iam")],
        priority=lambda target: 1 if target == "iam" else 0,
    )
    assert [t for _, t in index.lookup("google_compute_region_disk_iam_member")] == ["iam"]


def test_ties_are_overlaps():
    index = PatternIndex([("aws_x*", "a"), ("aws_*y", "b")])
    assert sorted(t for _, t in index.lookup("aws_xy")) == ["a", "b"]


def test_suffix_globs_for_hostnames():
    index = PatternIndex([("*.amazonaws.com", "aws"), ("dynamodb.*.amazonaws.com", "ddb")])
    assert [t for _, t in index.lookup("dynamodb.eu-west-1.amazonaws.com")] == ["ddb"]
    assert [t for _, t in index.lookup("DYNAMODB.EU-WEST-1.AMAZONAWS.COM")] == ["ddb"]
    assert index.lookup("example.org") == []
