"""Every managed offer is keyed by a declared target, dated, and evidenced by a real Terraform type
of that target's own provider (from catalog/) or by a documentation URL."""

from __future__ import annotations

import datetime
import re

import pytest

from portacheck.model import COMPATIBILITIES
from portacheck.rules.loader import load_catalogue

from helpers import VENDORED

REQUIRED_TARGETS = ("ovh", "scaleway", "stackit", "ionos", "otc", "hetzner", "exoscale", "upcloud", "leaseweb", "openstack", "private", "onprem")
URL = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}/\S*$")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _types_of(provider: str) -> set[str]:
    names: set[str] = set()
    for suffix in ("resources", "data-sources"):
        path = VENDORED / f"{provider}.{suffix}.txt"
        if path.is_file():
            names.update(path.read_text(encoding="utf-8").split())
    return names


def test_the_targets_the_issue_names_are_declared(catalogue):
    assert set(REQUIRED_TARGETS) <= set(catalogue.targets)
    assert catalogue.targets["private"].self_run and catalogue.targets["onprem"].self_run
    assert not catalogue.targets["scaleway"].self_run


def test_every_offer_is_keyed_dated_and_evidenced(catalogue):
    today = datetime.date.today().isoformat()
    bad = []
    for rule in catalogue.rules:
        for offer in rule.managed:
            target = catalogue.targets[offer.target]
            known = set().union(*(_types_of(p) for p in target.providers)) if target.providers else set()
            where = f"{rule.id} -> {offer.target} {offer.offer}"
            if offer.compatibility not in COMPATIBILITIES:
                bad.append(f"{where}: compatibility {offer.compatibility!r}")
            if not ("2024-01-01" <= offer.as_of <= today):
                bad.append(f"{where}: as_of {offer.as_of!r}")
            if offer.evidence.startswith("http"):
                if not URL.match(offer.evidence):
                    bad.append(f"{where}: evidence URL {offer.evidence!r}")
            elif offer.evidence not in known:
                bad.append(f"{where}: evidence {offer.evidence!r} is not a Terraform type of {target.providers}")
    assert not bad, "\n".join(bad)


def test_an_offer_per_target_and_rule_is_listed_once(catalogue):
    twice = [
        (rule.id, offer.target, offer.offer)
        for rule in catalogue.rules
        for i, offer in enumerate(rule.managed)
        if any((o.target, o.offer) == (offer.target, offer.offer) for o in rule.managed[:i])
    ]
    assert not twice, twice
