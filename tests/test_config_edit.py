"""Editing a user's YAML configuration: values change, their comments, order, quotes and blank lines do not."""

from __future__ import annotations

from portacheck.config import STARTER
from portacheck.config_edit import set_keys

USER = """\
# our policy, agreed with the platform team (see ADR-12)
fail-on: P3   # raise once the queues have moved

exclude:
  - "legacy/**"    # decommissioned in Q3
# min-coverage: 50
#   (an example, with an indented note)

overrides: {AWS-S3: P1}
"""


def test_the_starter_round_trips_unchanged():
    assert set_keys(STARTER, {}) == STARTER


def test_a_key_that_is_there_changes_in_place_with_its_comment():
    assert set_keys(USER, {"fail-on": "P2"}) == USER.replace("fail-on: P3   #", "fail-on: P2   #")


def test_a_commented_example_becomes_the_key_where_it_stood():
    assert set_keys(USER, {"min-coverage": 60}) == USER.replace("# min-coverage: 50\n#   (an example, with an indented note)\n", "min-coverage: 60\n")


def test_any_other_key_is_added_at_the_end():
    assert set_keys(USER, {"baseline": ".portacheck-baseline.json"}) == USER + "baseline: .portacheck-baseline.json\n"
