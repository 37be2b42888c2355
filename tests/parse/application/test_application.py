"""Application code: fixture trees in, exact findings out; manifests, boto3 calls, config, build contexts."""

from __future__ import annotations

import ast
import importlib.metadata
import json
from pathlib import Path

import pytest

from portacheck.config import Config
from portacheck.discover import classify, discover
from portacheck.parse import ParseContext
from portacheck.parse.application.analyse import parse
from portacheck.parse.application.manifests import go, javascript, jvm, python, ruby
from portacheck.parse.application.python_code import client_calls
from portacheck.rules.match import Matcher

from conftest import FIXTURES, findings_table

EXPECTED = {
    "app-python": [
        ("GCP-PUBSUB", "api/pyproject.toml", 6, "P3"),  # PEP 621 dependencies
        ("AZURE-SERVICE-BUS", "api/pyproject.toml", 7, "P3"),
        ("AZURE-MONITOR", "api/pyproject.toml", 11, "P3"),  # Application Insights distro: judged like Azure Monitor
        ("GCP-SECRET-MANAGER", "api/pyproject.toml", 15, "P2"),  # Poetry
        ("GCP-CLOUD-STORAGE", "lib/setup.cfg", 6, "P1"),
        ("GCP-BIGQUERY", "lib/setup.cfg", 11, "P3"),  # extras_require
        ("AWS-SDK-PYTHON", "worker/Pipfile", 2, "P1"),
        ("AWS-DYNAMODB", "worker/Pipfile", 3, "P3"),  # pynamodb
        ("AWS-SDK-PYTHON", "worker/requirements.txt", 2, "P1"),  # boto3: its services are judged in the code
        ("AWS-XRAY", "worker/requirements.txt", 3, "P2"),
        ("AWS-SQS", "worker/worker.py", 10, "P2"),  # self.session.client("sqs")
        ("AWS-DYNAMODB", "worker/worker.py", 11, "P3"),  # boto3.resource(TABLE_SERVICE): a module constant
        ("AWS-SECRETS-MANAGER", "worker/worker.py", 14, "P2"),  # service_name= keyword
        ("AWS-SDK-SERVICE-UNKNOWN", "worker/worker.py", 17, "U"),  # boto3.client(service)
    ],
    "app-node": [
        ("AWS-DYNAMODB", "package.json", 4, "P3"),
        ("AWS-DYNAMODB", "package.json", 5, "P3"),  # @aws-sdk/lib-dynamodb
        ("GCP-PUBSUB", "package.json", 6, "P3"),
        ("AZURE-SERVICE-BUS", "package.json", 7, "P3"),
        ("AZURE-SDK-CORE", "package.json", 8, "P0"),  # @azure/identity
        ("AWS-SDK", "package.json", 9, "U"),  # aws-sdk v2 reaches any service
        ("AWS-SDK", "package.json", 13, "U"),  # a client package the catalogue does not map
    ],
    "app-go": [
        ("AWS-SQS", "go.mod", 5, "P2"),
        ("AZURE-SERVICE-BUS", "go.mod", 8, "P3"),
        ("AZURE-SDK-CORE", "go.mod", 9, "P0"),
        ("GCP-CLOUD-STORAGE", "go.mod", 10, "P1"),  # the // indirect aws-sdk-go-v2 core is not a dependency of this code
    ],
    "app-jvm": [
        ("AWS-SQS", "build.gradle", 3, "P2"),  # platform(...) BOM on line 2 is skipped
        ("AWS-S3", "build.gradle", 4, "P1"),  # group:/name: notation, SDK v1
        ("GCP-CLOUD-STORAGE", "build.gradle.kts", 2, "P1"),
        ("GCP-SPANNER", "gradle/libs.versions.toml", 5, "P4"),  # libs.gcp.spanner through the version catalog
        ("AWS-DYNAMODB", "pom.xml", 21, "P3"),  # the BOM in dependencyManagement is skipped
        ("GCP-PUBSUB", "pom.xml", 25, "P3"),
        ("AZURE-SERVICE-BUS", "pom.xml", 35, "P3"),  # in a profile
    ],
    "app-dotnet": [
        ("AWS-DYNAMODB", "Shop.csproj", 6, "P3"),
        ("AZURE-SERVICE-BUS", "Shop.csproj", 7, "P3"),
        ("AZURE-MONITOR", "Shop.csproj", 8, "P3"),  # Application Insights
        ("AZURE-SERVICE-BUS", "appsettings.json", 4, "P3"),  # namespace host in config (with a // comment)
        ("GCP-PUBSUB", "packages.config", 3, "P3"),
    ],
    "app-ruby": [
        ("AWS-S3", "Gemfile", 4, "P1"),
        ("GCP-PUBSUB", "Gemfile", 5, "P3"),
    ],
    "app-rust": [
        ("AWS-DYNAMODB", "Cargo.toml", 7, "P3"),
        ("AZURE-SERVICE-BUS", "Cargo.toml", 10, "P3"),  # renamed: [dependencies.bus] package = ...
        ("AWS-S3", "Cargo.toml", 15, "P1"),
    ],
    "app-php": [
        ("AWS-SDK", "composer.json", 4, "U"),  # the PHP SDK is one package for every service
        ("GCP-PUBSUB", "composer.json", 5, "P3"),
    ],
    "app-config": [
        ("AWS-RDS", ".env", 2, "P1"),
        ("AWS-S3", ".env", 3, "P1"),
        ("GCP-PUBSUB", "application-prod.properties", 2, "P3"),
        ("AZURE-STORAGE", "application-prod.properties", 3, "P2"),
        ("AWS-SQS", "application.yml", 5, "P2"),
        ("K8S-OSS-PLATFORM", "config/argo-app.yaml", 2, "P0"),  # Kubernetes objects go to the Kubernetes analyser
        ("AWS-ELASTICACHE", "config/settings.yaml", 2, "P1"),
    ],
    "app-polyglot": [
        ("IMAGE-DISTROLESS", "checkout/Dockerfile", 6, "P0"),  # a base image on gcr.io that runs anywhere
        ("GCP-PUBSUB", "checkout/go.mod", 6, "P3"),
        ("K8S-CORE", "kubernetes-manifests/checkout.yaml", 2, "P0"),
        ("K8S-CORE", "kubernetes-manifests/checkout.yaml", 20, "P0"),
        ("K8S-CORE", "kubernetes-manifests/orders.yaml", 2, "P0"),
        ("K8S-CORE", "kubernetes-manifests/web.yaml", 2, "P0"),
        ("AWS-DYNAMODB", "orders/app.py", 7, "P3"),
        ("AWS-SQS", "orders/app.py", 8, "P2"),
        ("AWS-SDK-PYTHON", "orders/requirements.txt", 2, "P1"),
        ("AWS-S3", "web/package.json", 6, "P1"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name, scan):
    assessment = scan(FIXTURES / name, Config(fail_on=None))
    assert findings_table(assessment) == EXPECTED[name]
    assert assessment.errors == ()


def test_polyglot_workload_view_ties_portable_deployments_to_their_code(scan):
    assessment = scan(FIXTURES / "app-polyglot", Config(fail_on=None))
    view = {v.resource.address: v for v in assessment.workloads.workloads}
    checkout = view["Deployment/checkout"]
    assert checkout.level.value == "P3"  # a plain Deployment, tied to Pub/Sub through its Go code
    assert [(t.finding.rule.id, t.finding.location.path, t.via) for t in checkout.ties] == [
        ("GCP-PUBSUB", "checkout/go.mod", "skaffold:checkout, built from checkout"),
    ]
    orders = view["Deployment/orders"]  # ghcr.io/example/orders:2.0.1 is the skaffold image `orders`
    assert [(t.finding.rule.id, t.finding.level.value) for t in orders.ties] == [
        ("AWS-DYNAMODB", "P3"), ("AWS-SQS", "P2"), ("AWS-SDK-PYTHON", "P1"),
    ]
    # no build names ghcr.io/example/web, but one directory web/ holds a Dockerfile: linked, and said how
    assert [str(link) for link in view["Deployment/web"].links] == ["web (image name = directory, web/Dockerfile)"]
    assert view["Deployment/web"].level.value == "P1"
    assert assessment.workloads.notes == ()


def test_dockerfile_next_to_the_manifest_and_compose_builds_link_workloads(tree, scan):
    root = tree({
        "svc/Dockerfile": "FROM python:3.12\n",
        "svc/k8s/deploy.yaml": _deployment("svc", "registry.example.com/team/svc:1"),
        "svc/requirements.txt": "google-cloud-firestore\n",
        "api/package.json": '{"dependencies": {"@azure/service-bus": "7"}}\n',
        "compose.yaml": "services:\n  api:\n    image: shop/api\n    build: ./api\n",
        "deploy/api.yaml": _deployment("api", "docker.io/shop/api:3"),
    })
    view = {v.resource.address: v for v in scan(root, Config(fail_on=None)).workloads.workloads}
    ties = {name: [(t.finding.rule.id, t.via) for t in view[name].ties] for name in view}
    assert ties["Deployment/svc"] == [("GCP-FIRESTORE", "dockerfile:Dockerfile, built from svc")]
    assert ties["Deployment/api"] == [("AZURE-SERVICE-BUS", "compose:api, built from api")]


def _deployment(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n        - name: app\n          image: {image}\n"
    )


def test_boto3_declared_without_client_calls_is_an_unknown_at_the_manifest(tree, scan):
    root = tree({"lambda/requirements.txt": "boto3\n", "lambda/handler.py": "import json\n"})
    assert findings_table(scan(root, Config(fail_on=None))) == [
        ("AWS-SDK-PYTHON", "lambda/requirements.txt", 1, "P1"),
        ("AWS-SDK-SERVICE-UNKNOWN", "lambda/requirements.txt", 1, "U"),
    ]


def test_a_manifest_named_alone_is_not_blamed_for_code_outside_the_scan(tree, scan):
    root = tree({"svc/requirements.txt": "boto3\n", "svc/app.py": "import boto3\nboto3.client('s3')\n"})
    assessment = scan(root, Config(fail_on=None), paths=[root / "svc/requirements.txt"])  # as pre-commit runs it
    assert findings_table(assessment) == [("AWS-SDK-PYTHON", "requirements.txt", 1, "P1")]


def test_bad_input_gets_one_line_each_and_vendored_trees_are_skipped(cli):
    result = cli("scan", str(FIXTURES / "app-broken"), "--fail-on", "never", "--format", "json")
    assert result.code == 3
    document = json.loads(result.out)
    assert [(e["file"], e["line"], e["message"]) for e in document["errors"]] == [
        ("bad.py", 3, "cannot parse Python: invalid syntax"),
        ("go.mod", 4, "go.mod: a `(` block is not closed"),
        ("package.json", 6, "invalid JSON: Expecting ',' delimiter"),
        ("pom.xml", 3, "invalid XML: mismatched tag"),
        ("pyproject.toml", 2, "invalid TOML: Unclosed array (at end of document)"),
        ("requirements.txt", None, "binary file (contains NUL bytes); not analysed"),
    ]
    assert document["findings"] == []  # node_modules/ and target/ hold manifests that are not this project's


# --- discovery -------------------------------------------------------------------------------


@pytest.mark.parametrize("rel,kind", [
    ("requirements.txt", "application"),
    ("requirements/prod.txt", "application"),
    ("requirements-dev.in", "application"),
    ("svc/pyproject.toml", "application"),
    ("web/package.json", "application"),
    ("src/Shop.Api/Shop.Api.csproj", "application"),
    ("gradle/libs.versions.toml", "application"),
    ("app/main.py", "application"),
    ("Dockerfile", "application"),
    ("docker/api.Dockerfile", "application"),
    ("build/package/Dockerfile", "application"),  # the Go project layout keeps Dockerfiles under build/
    ("skaffold.yaml", "application"),
    ("docker-compose.override.yml", "application"),
    ("compose.yaml", "application"),
    (".env.production", "application"),
    ("src/main/resources/application-prod.yml", "application"),
    ("appsettings.Development.json", "application"),
    ("config/settings.yaml", "application"),
    ("web/node_modules/x/package.json", "kubernetes"),  # not the application analyser's (and never walked into)
    ("vendor/github.com/x/go.mod", None),
    ("target/classes/application.yml", "kubernetes"),  # not the application analyser's: generated copies
    ("dist/lib/app.py", None),
    ("build/main.tf", "terraform"),  # a directory named build is skipped by the application analyser only
    ("build/deploy.yaml", "kubernetes"),
    (".envrc", None),
    ("k8s/deployment.yaml", "kubernetes"),
])
def test_classify(rel, kind):
    assert classify(rel) == kind


# --- manifests -------------------------------------------------------------------------------


def test_requirements_lines():
    text = "Boto3==1.34 ; python_version>'3'\n-r base.txt\n-e git+https://x/y.git#egg=z\nhttps://x/pkg.whl\n" \
           "google_cloud.PubSub[grpc] \\\n  --hash=sha256:00\nazure-identity @ https://x/a.whl\n"
    assert [(d.name, d.line, d.version) for d in python.requirements(text, "requirements.txt")] == [
        ("boto3", 1, "==1.34"), ("google-cloud-pubsub", 5, ""), ("azure-identity", 7, ""),
    ]


def test_npm_alias_counts_as_the_package_it_installs():
    deps = javascript.package_json('{"dependencies": {\n"s3": "npm:@aws-sdk/client-s3@^3.1"\n}}', "package.json")
    assert [(d.name, d.line, d.version) for d in deps] == [("@aws-sdk/client-s3", 2, "^3.1")]


def test_go_mod_skips_indirect_and_other_blocks():
    text = "module x\nrequire a.b/c v1 // indirect\nreplace (\n  d.e/f => ../f\n)\nrequire (\n  g.h/I v2\n)\n"
    assert [(d.name, d.line) for d in go.go_mod(text, "go.mod")] == [("g.h/I", 7)]


def test_gradle_skips_platforms_and_build_plugins():
    text = 'classpath "com.google.cloud.tools:jib-gradle-plugin:3.4"\napi(platform("a:bom:1"))\nkapt("g:a:1")\n'
    assert [(d.name, d.section) for d in jvm.gradle(text, "build.gradle")] == [("g:a", "kapt")]


def test_gemspec():
    text = 'Gem::Specification.new do |s|\n  s.add_dependency "aws-sdk-sqs", "~> 1"\n' \
           '  s.add_development_dependency("rspec")\nend\n'
    assert [(d.name, d.line, d.section) for d in ruby.gemspec(text, "x.gemspec")] == [
        ("aws-sdk-sqs", 2, "add_dependency"), ("rspec", 3, "add_development_dependency"),
    ]


def test_only_dependencies_the_catalogue_knows_as_sdks_become_resources(tree, scan):
    root = tree({"requirements.txt": "flask\nrequests\ngoogle-cloud-pubsub\n"})
    assessment = scan(root, Config(fail_on=None))
    assert findings_table(assessment) == [("GCP-PUBSUB", "requirements.txt", 3, "P3")]


def test_without_catalogue_facts_every_dependency_is_kept(tree):
    root = tree({"requirements.txt": "flask\nboto3\n"})
    files = discover([str(root)]).files
    result = parse(files, ParseContext(root=str(root)))
    assert [(r.address, r.provider) for r in result.resources if r.kind == "package"] == [("pypi:flask", ""), ("pypi:boto3", "")]


# --- Python code -----------------------------------------------------------------------------


@pytest.mark.parametrize("code,expected", [
    ("import boto3\nboto3.client('s3')\n", [("s3", 2)]),
    ("import boto3 as b\nb.resource('dynamodb')\n", [("dynamodb", 2)]),
    ("from boto3 import client\nclient('sqs')\n", [("sqs", 2)]),
    ("from boto3.session import Session\nSession().client('kms')\n", [("kms", 2)]),
    ("import boto3\ns = boto3.Session()\nx = s.client(service_name='sns')\n", [("sns", 3)]),
    ("import botocore.session\nbotocore.session.get_session().create_client('sts')\n", [("sts", 2)]),
    ("import aioboto3\nasync def f(session):\n    async with session.client('s3') as s3:\n        pass\n", [("s3", 3)]),
    ("import boto3\ndef f(name):\n    return boto3.client(name)\n", [("", 3)]),
    ("import boto3\nclass Docker:\n    def client(self, x): ...\nDocker().client('local')\n", []),
    ("import requests\nrequests.Session().get('x')\n", []),
])
def test_boto3_client_calls(code, expected):
    assert [(c.service, c.line) for c in client_calls(code)] == expected


def test_config_values_never_carry_credentials(tree):
    root = tree({".env": "DB=postgres://user:secret@db.example.com/x\n"})
    result = parse(discover([str(root)]).files, ParseContext(root=str(root)))
    assert [s.value for r in result.resources for s in r.signals] == ["postgres://***@db.example.com/x"]


# --- rules -----------------------------------------------------------------------------------


def boto3_service_names() -> list[str]:
    """The service names boto3 accepts, as boto3-stubs publishes them (a test dependency)."""
    try:
        dist = importlib.metadata.distribution("boto3-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("boto3-stubs is a test dependency: pip install -e '.[test]'")
    literals = Path(dist.locate_file("boto3-stubs/literals.pyi"))
    if literals.is_file():  # older stubs: ServiceName = Literal[...]
        for node in ast.parse(literals.read_text()).body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ServiceName":
                return [e.value for e in node.value.slice.elts]
    stubs = Path(dist.locate_file("boto3-stubs/__init__.pyi"))  # newer: one client() overload per service
    names = []
    for node in ast.parse(stubs.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name == "client" and node.args.args:
            annotation = node.args.args[0].annotation
            if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Constant):
                names.append(annotation.slice.value)
    return names


def test_every_boto3_service_maps_to_an_aws_rule(catalogue):
    names = boto3_service_names()
    assert len(names) > 400
    matcher = Matcher(catalogue)
    unmapped = [name for name in names if [r.provider for r in matcher.rules_for("sdk_client", f"boto3:{name}")] != ["aws"]]
    assert not unmapped, f"boto3 services without exactly one AWS rule (map them in rules/sdk/aws.yaml): {unmapped}"


def test_sdk_patterns_are_claimed_by_exactly_one_rule(catalogue):
    matcher = Matcher(catalogue)
    overlaps = []
    for rule in catalogue.rules:
        for kind in ("sdk_package", "sdk_client"):
            for pattern in rule.match.get(kind, ()):
                claimed = matcher.rules_for(kind, pattern.replace("*", "x"))
                if len(claimed) != 1:
                    overlaps.append((pattern, [r.id for r in claimed]))
    assert not overlaps, overlaps


def test_the_code_an_image_is_built_from_counts_in_that_workloads_level_and_effort(scan, cli):
    """The resource and effort views agree with the workload view: a Deployment whose Go code
    uses Pub/Sub is P3, and the Pub/Sub code costs what a P3 costs, once, at its own place."""
    assessment = scan(FIXTURES / "app-polyglot")
    levels = {v.resource.address: v.level.value for v in assessment.verdicts if v.resource.kind == "workload"}
    assert levels == {"Deployment/checkout": "P3", "Deployment/orders": "P3", "Deployment/web": "P1"}
    code = {(str(v.resource.location), v.level.value, v.effort_low, v.effort_high) for v in assessment.code}
    assert code == {
        ("checkout/go.mod:6", "P3", 5.0, 20.0), ("orders/app.py:7", "P3", 5.0, 20.0),
        ("orders/requirements.txt:2", "P1", 0.25, 1.0), ("web/package.json:6", "P1", 0.25, 1.0),
    }
    assert (assessment.effort.low, assessment.effort.high, assessment.effort.definitions) == (10.5, 42.4, 8)
    result = cli("scan", str(FIXTURES / "app-polyglot"), "--fail-on", "never", "--color", "never")
    assert "5 provider dependencies in application code (SDKs, clients, config), up to P3; those in the code a workload's image is built from set that workload's level and count once in the effort." in result.out
