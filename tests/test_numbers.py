"""Numbers a decision can rest on: effort per definition, variants as deployments, code once.

Each invariance test scans a small tree, changes it the way real repositories grow (another
variant of the same manifests, a copied deployment directory, a second workload built from the
same code) and asserts the exact figures before and after: the distinct workloads stay, and the
effort grows by no more than the repeat factor (0.3 of what the copies cost once).
"""

from __future__ import annotations

import shutil

import pytest

from portacheck.report.common import days, headline

from helpers import FIXTURES

SHOP = FIXTURES / "numbers-shop"


def figures(assessment):
    """(distinct workloads, definitions, variants, effort low, effort high, definitions costed, code definitions)."""
    view, effort = assessment.workloads, assessment.effort
    return (view.total, view.definitions, len(view.variants), effort.low, effort.high, effort.definitions, len(assessment.code))


def shop(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    return root


def test_the_shop_counts_one_workload_in_two_variants_and_its_spanner_code_once(scan):
    assessment = scan(SHOP)
    assert figures(assessment) == (1, 2, 2, 21.55, 67.53, 5, 1)
    assert headline(assessment)[1:3] == [
        "Estimated effort: 22–68 person-days for 5 definitions, plus 20–60 person-days of one-off platform work per target.",
        "1 distinct workload (2 definitions in 2 variants): 0 run elsewhere as they are (P0), 0 with re-pointing only (P1), "
        "1 tied to the provider by what they use (P2 and above, or unknown).",
    ]
    costs = sorted((str(v.resource.location), v.effort_low, v.effort_high, v.multipliers) for v in (*assessment.verdicts, *assessment.code))
    assert costs == [
        ("cart/go.mod:5", 20.0, 60.0, ()),
        ("kubernetes-manifests/cart.yaml:1", 0.0, 0.03, (
            "application code priced once, as its own definition",
            "variant of Deployment/cart (kustomize/base/cart.yaml:1): x0.3",
        )),
        ("kubernetes-manifests/cart.yaml:17", 1.0, 5.0, ()),
        ("kustomize/base/cart.yaml:1", 0.25, 1.0, ("application code priced once, as its own definition",)),
        ("kustomize/base/cart.yaml:17", 0.3, 1.5, ("variant of ServiceAccount/cart (kubernetes-manifests/cart.yaml:17): x0.3",)),
    ]


def test_a_rendered_release_file_is_one_more_variant_not_one_more_workload(scan, tmp_path):
    root = shop(tmp_path)
    (root / "release").mkdir()
    (root / "release" / "kubernetes-manifests.yaml").write_text((root / "kustomize" / "base" / "cart.yaml").read_text())
    # +0.3 x (Artifact Registry image 0.25-1 + workload identity 1-5); the Spanner code is not charged again
    assert figures(scan(root)) == (1, 3, 3, 21.92, 69.33, 7, 1)


def test_copying_a_kustomize_directory_adds_deployments_not_workloads(scan, tmp_path):
    before = scan(FIXTURES / "k8s-kustomize")
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "k8s-kustomize", root / "eu")
    shutil.copytree(FIXTURES / "k8s-kustomize", root / "us")
    after = scan(root)
    assert figures(before) == (1, 1, 1, 2.0, 10.0, 2, 0)
    assert figures(after) == (1, 2, 2, 2.6, 13.0, 4, 0)  # eu/base and us/base: two variants of one workload
    assert after.effort.high <= before.effort.high * (1 + 0.3)


def test_a_second_workload_built_from_the_same_code_does_not_pay_for_the_code_again(scan, tmp_path):
    root = shop(tmp_path)
    canary = (root / "kubernetes-manifests" / "cart.yaml").read_text().split("---")[0].replace("name: cart\n", "name: cart-canary\n", 1)
    (root / "kubernetes-manifests" / "cart-canary.yaml").write_text(canary)
    after = scan(root)
    assert [str(v.resource.location) for v in after.code] == ["cart/go.mod:5"]
    assert figures(after) == (2, 3, 2, 21.55, 67.63, 6, 1)  # a new plain Deployment: 0-0.1 days


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        (23.25, 96.1, "23–96 person-days"),
        (2.5, 10.0, "2.5–10 person-days"),
        (0.3, 1.5, "0.5–1.5 person-days"),
        (9.8, 10.4, "10–10 person-days"),
        (0.0, 0.1, "under 0.5 person-days"),
        (0.0, 0.0, "0 person-days"),
        (148.25, 574.7, "148–575 person-days"),
    ],
)
def test_ranges_are_shown_with_the_precision_an_estimate_has(low, high, shown):
    assert days(low, high) == shown
