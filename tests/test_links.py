"""Workload-to-code links: which code a workload's image is built from, and how each link was made.

A link decides which SDK findings count for a workload, so a wrong one ties a service to a
provider it never calls, and a missing one hides a tie. Each test scans a small tree and asserts
the links (directory, way, the file that made it), the ties they bring and the exact figures.
"""

from __future__ import annotations

import json
import shutil

from portacheck.config import Config

from helpers import FIXTURES


def links(assessment) -> dict[str, list[str]]:
    return {f"{v.resource.address} {v.resource.location.path}": [str(link) for link in v.links] for v in assessment.workloads.workloads}


def ties(assessment) -> dict[str, list[tuple[str, str]]]:
    return {v.resource.address: [(t.finding.rule.id, t.finding.location.path) for t in v.ties] for v in assessment.workloads.workloads}


def figures(assessment):
    """(distinct workloads, definitions, variants, effort low, effort high, definitions costed, code definitions)."""
    view, effort = assessment.workloads, assessment.effort
    return (view.total, view.definitions, len(view.variants), effort.low, effort.high, effort.definitions, len(assessment.code))


def test_a_jib_artifact_is_built_from_its_project_module_not_from_the_whole_context(scan):
    # skaffold.yaml three levels down, `context: ../../../`: the repository root holds both modules
    assessment = scan(FIXTURES / "links-jib", Config(fail_on=None))
    assert links(assessment) == {
        "Deployment/adservice k8s/adservice.yaml": ["adservice (jib project, tools/skaffold/dev/skaffold.yaml:9)"],
        "Deployment/cartservice k8s/cartservice.yaml": ["cartservice (jib project, tools/skaffold/dev/skaffold.yaml:5)"],
    }
    assert ties(assessment) == {  # before: both SDKs on both workloads
        "Deployment/adservice": [("GCP-PUBSUB", "adservice/pom.xml")],
        "Deployment/cartservice": [("GCP-SPANNER", "cartservice/pom.xml")],
    }
    assert figures(assessment) == (2, 2, 1, 25.0, 80.2, 4, 2)
    assert assessment.workloads.notes == ()


def test_a_chart_beside_a_dockerfile_is_built_from_it_but_not_the_images_it_only_runs(scan):
    assessment = scan(FIXTURES / "links-chart", Config(fail_on=None))
    assert links(assessment) == {
        "Deployment/billing billing/charts/billing/templates/deployment.yaml": ["billing (Dockerfile beside chart, billing/Dockerfile)"],
        "Deployment/orders orders/chart/templates/deployment.yaml": ["orders (Dockerfile beside chart, orders/Dockerfile)"],
        "Deployment/orders-cache orders/chart/templates/deployment.yaml": [],  # redis:7-alpine is not built here
    }
    assert ties(assessment) == {
        "Deployment/billing": [("AWS-SQS", "billing/go.mod")],
        "Deployment/orders": [("GCP-FIRESTORE", "orders/requirements.txt")],
        "Deployment/orders-cache": [],
    }
    assert figures(assessment) == (3, 3, 2, 6.0, 25.3, 5, 2)
    assert assessment.workloads.notes == (
        "1 workload could not be tied to the code its image is built from (no skaffold or Compose build names the image, "
        "no Dockerfile beside the manifest or chart, no one directory named like the image), so SDKs in that code are "
        "not counted for it: Deployment/orders-cache (orders/chart/templates/deployment.yaml)",
    )


def test_an_image_name_links_to_the_one_directory_of_that_name_and_an_ambiguous_name_to_none(scan):
    assessment = scan(FIXTURES / "links-name", Config(fail_on=None))
    assert links(assessment) == {
        "Deployment/billing deploy/billing.yaml": [],  # billing/ and legacy/billing/: either could be it
        "Deployment/orders deploy/orders.yaml": ["src/orders (image name = directory, src/orders/Dockerfile)"],
        "Deployment/web deploy/web.yaml": ["web (compose build, compose.yaml:2)"],
    }
    assert ties(assessment) == {
        "Deployment/billing": [],
        "Deployment/orders": [("AWS-DYNAMODB", "src/orders/package.json")],
        "Deployment/web": [("AZURE-STORAGE", "web/requirements.txt")],
    }
    assert figures(assessment) == (3, 3, 1, 6.0, 25.3, 5, 2)
    assert assessment.workloads.notes == (
        "ambiguous link not made: directories named billing are billing, legacy/billing; which one the image is built "
        "from is not assumed, so 1 workload is tied to none: Deployment/billing (deploy/billing.yaml)",
    )


def test_skaffold_artifacts_and_a_dockerfile_beside_the_manifest_say_so(tree, scan):
    root = tree({
        "skaffold.yaml": "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: cart\n      context: cart\n",
        "cart/go.mod": "module example.com/cart\n\ngo 1.22\n\nrequire cloud.google.com/go/spanner v1.60.0\n",
        "cart/k8s/deploy.yaml": _deployment("cart", "ghcr.io/acme/cart:1"),
        "svc/Dockerfile": "FROM python:3.12\n",
        "svc/requirements.txt": "google-cloud-firestore\n",
        "svc/k8s/deploy.yaml": _deployment("svc", "registry.example.com/team/api:1"),
    })
    assessment = scan(root, Config(fail_on=None))
    assert links(assessment) == {  # a build naming the image comes first
        "Deployment/cart cart/k8s/deploy.yaml": ["cart (skaffold artifact, skaffold.yaml:5)"],
        "Deployment/svc svc/k8s/deploy.yaml": ["svc (Dockerfile beside manifest, svc/Dockerfile)"],
    }
    assert ties(assessment) == {
        "Deployment/cart": [("GCP-SPANNER", "cart/go.mod")],
        "Deployment/svc": [("GCP-FIRESTORE", "svc/requirements.txt")],
    }


def test_a_second_workload_copy_linked_to_the_same_code_costs_no_more_than_the_repeat_factor(scan, tmp_path):
    before = scan(FIXTURES / "links-name", Config(fail_on=None))
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "links-name", root)
    (root / "deploy" / "eu").mkdir()
    shutil.copy(root / "deploy" / "orders.yaml", root / "deploy" / "eu" / "orders.yaml")  # a variant
    canary = (root / "deploy" / "orders.yaml").read_text().replace("name: orders\n", "name: orders-canary\n", 1)
    (root / "deploy" / "orders-canary.yaml").write_text(canary)  # a second workload, same image
    after = scan(root, Config(fail_on=None))
    assert [found for key, found in links(after).items() if "orders" in key] == [["src/orders (image name = directory, src/orders/Dockerfile)"]] * 3
    assert [str(v.resource.location) for v in after.code] == ["src/orders/package.json:5", "web/requirements.txt:1"]
    assert figures(after) == (4, 5, 2, 6.0, 25.43, 7, 2)  # two plain Deployments more, the DynamoDB code once
    assert after.effort.high <= before.effort.high * (1 + 0.3)


def test_a_second_chart_beside_the_same_dockerfile_costs_no_more_than_the_repeat_factor(scan, tmp_path):
    before = scan(FIXTURES / "links-chart", Config(fail_on=None))
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "links-chart", root)
    shutil.copytree(root / "orders" / "chart", root / "orders" / "helm")
    after = scan(root, Config(fail_on=None))
    assert links(after)["Deployment/orders orders/helm/templates/deployment.yaml"] == ["orders (Dockerfile beside chart, orders/Dockerfile)"]
    assert figures(after) == (3, 5, 2, 6.0, 25.36, 7, 2)
    assert after.effort.high <= before.effort.high * (1 + 0.3)


def test_the_reports_say_how_each_link_was_made(cli):
    out = cli("scan", str(FIXTURES / "links-name"), "--fail-on", "never", "--color", "never").out
    assert "          built from: src/orders (image name = directory, src/orders/Dockerfile)\n" in out
    assert "    note: ambiguous link not made: directories named billing are billing, legacy/billing;" in out
    markdown = cli("scan", str(FIXTURES / "links-name"), "--fail-on", "never", "--format", "markdown").out
    assert "<br>built from web (compose build, compose.yaml:2) |" in markdown
    data = json.loads(cli("scan", str(FIXTURES / "links-name"), "--fail-on", "never", "--format", "json").out)
    assert {w["address"]: w["links"] for w in data["workloads"]} == {
        "Deployment/billing": [],
        "Deployment/orders": [{"context": "src/orders", "via": "image name = directory", "source": "src/orders/Dockerfile", "build": "dockerfile:Dockerfile"}],
        "Deployment/web": [{"context": "web", "via": "compose build", "source": "compose.yaml:2", "build": "compose:web"}],
    }


def _deployment(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: app\n          image: {image}\n"
    )
