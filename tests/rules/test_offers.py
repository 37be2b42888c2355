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


# What issue 13 found wrong or missing: rule id -> (target, evidence) pairs that must be offered.
EXPECTED_OFFERS = {
    "AWS-S3": [
        ("upcloud", "upcloud_managed_object_storage"),
        ("hetzner", "https://docs.hetzner.com/storage/object-storage/overview"),
        ("exoscale", "https://community.exoscale.com/product/storage/object-storage/overview"),
    ],
    "AWS-EKS": [("upcloud", "upcloud_kubernetes_cluster")],
    "AWS-KMS": [("stackit", "stackit_kms_key")],
    "AWS-API-GATEWAY": [("ionos", "https://api.ionos.com/docs/apigateway/v1")],
    "AWS-SAGEMAKER": [("ovh", "https://docs.ovhcloud.com/fr/guides/public-cloud/ai-machine-learning/ai-deploy-apps")],
    "AWS-BEDROCK": [
        ("scaleway", "https://www.scaleway.com/en/developers/api/generative-apis/"),
        ("ionos", "https://api.ionos.com/docs/inference-openai/v1"),
        ("ovh", "https://www.ovhcloud.com/en/public-cloud/ai-endpoints/"),
    ],
    "GCP-VERTEX-AI": [
        ("scaleway", "https://www.scaleway.com/en/developers/api/generative-apis/"),
        ("ionos", "https://api.ionos.com/docs/inference-openai/v1"),
        ("ovh", "https://www.ovhcloud.com/en/public-cloud/ai-endpoints/"),
        ("ovh", "https://docs.ovhcloud.com/fr/guides/public-cloud/ai-machine-learning/ai-deploy-apps"),
    ],
    "GCP-GKE": [("upcloud", "upcloud_kubernetes_cluster")],
    "AZURE-AKS": [("upcloud", "upcloud_kubernetes_cluster")],
    "AZURE-OPENAI-DEPLOYMENT": [
        ("scaleway", "https://www.scaleway.com/en/developers/api/generative-apis/"),
        ("ionos", "https://api.ionos.com/docs/inference-openai/v1"),
        ("ovh", "https://www.ovhcloud.com/en/public-cloud/ai-endpoints/"),
        ("stackit", "stackit_modelserving_token"),
    ],
}


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_OFFERS))
def test_the_offers_found_missing_are_there(catalogue, rule_id):
    offered = {(m.target, m.evidence) for m in catalogue.rule(rule_id).managed}
    assert set(EXPECTED_OFFERS[rule_id]) <= offered


def test_a_bucket_policy_is_no_evidence_of_object_storage(catalogue):
    wrong = [rule.id for rule in catalogue.rules for m in rule.managed if m.evidence == "exoscale_sos_bucket_policy"]
    assert not wrong, wrong

