"""Terraform roots: alternative roots over one lib/ count each definition once, a root scanned
alone follows ../lib inside the repository, and count = 0 resources are not deployed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from portacheck.assess import REPEAT_FACTOR
from portacheck.config import Config
from portacheck.model import Level
from portacheck.parse.terraform import TerraformOptions

FIXTURE = Path(__file__).parents[3] / "fixtures" / "terraform-roots"
ROOT_ONLY_CALLS = (
    'terraform {\n  backend "s3" {\n    bucket = "shop-state"\n    key    = "apprunner.tfstate"\n  }\n}\n\n'
    'module "db" {\n  source = "../../lib/db"\n  name   = "orders-apprunner"\n}\n\n'
    'module "queue" {\n  source = "../../lib/queue"\n}\n'
)


@pytest.fixture
def repo(tmp_path) -> Path:
    """The fixture as a repository of its own: a `.git` at its top."""
    target = tmp_path / "repo"
    shutil.copytree(FIXTURE, target)
    (target / ".git").mkdir()
    return target


def figures(assessment):
    effort = assessment.effort
    return assessment.resources_total, (effort.low, effort.high), effort.definitions, effort.deployments


def roots(assessment):
    return [
        (r.root, r.resources, {lv.value: n for lv, n in r.level_counts.items() if n}, (r.effort.low, r.effort.high), r.effort.definitions, r.undeployed)
        for r in assessment.roots
    ]


def test_alternative_roots_count_a_shared_definition_once_with_its_deployments(repo, scan):
    assessment = scan(repo)
    # dynamodb 5-20 + 0.3 x 5-20, s3 0.25-1 + 0.3 x 0.25-1, ecs 5-20, eks 0.25-1
    assert figures(assessment) == (6, (12.07, 48.3), 4, 6)
    assert roots(assessment) == [
        ("roots/ecs", 3, {"P1": 1, "P3": 2}, (10.25, 41.0), 3, 1),
        ("roots/eks", 3, {"P1": 2, "P3": 1}, (5.5, 22.0), 3, 1),
    ]
    table = sorted((v.resource.location.path, v.resource.location.line, str(v.resource.location.origin), v.effort_low, v.effort_high) for v in assessment.verdicts)
    assert table == [
        ("lib/db/main.tf", 5, "module.db (from roots/ecs)", 5.0, 20.0),
        ("lib/db/main.tf", 5, "module.db (from roots/eks)", 1.5, 6.0),
        ("lib/queue/main.tf", 12, "module.queue (from roots/ecs)", 0.25, 1.0),
        ("lib/queue/main.tf", 12, "module.queue (from roots/eks)", 0.07, 0.3),
        ("roots/ecs/main.tf", 27, "", 5.0, 20.0),
        ("roots/eks/main.tf", 27, "", 0.25, 1.0),
    ]


def test_one_root_scanned_alone_follows_lib_inside_the_repository(repo, scan):
    assessment = scan(repo / "roots" / "ecs")
    assert [e for e in assessment.errors] == []
    assert sorted((f.rule.id, f.location.path, f.location.line) for f in assessment.findings) == [
        ("AWS-DYNAMODB", "../../lib/db/main.tf", 5),
        ("AWS-ECS", "main.tf", 27),
        ("AWS-S3", "../../lib/queue/main.tf", 12),
        ("AWS-SQS", "../../lib/queue/main.tf", 7),
        ("TF-STATE-S3", "main.tf", 2),
    ]
    # the same figures as that root's view in the scan of the whole repository
    assert figures(assessment) == (3, (10.25, 41.0), 3, 3)
    assert roots(assessment) == [(".", 3, {"P1": 1, "P3": 2}, (10.25, 41.0), 3, 1)]


def test_a_module_outside_the_repository_is_not_followed(tmp_path, scan):
    (tmp_path / "lib" / "db").mkdir(parents=True)
    shutil.copy(FIXTURE / "lib" / "db" / "main.tf", tmp_path / "lib" / "db" / "main.tf")
    stack = tmp_path / "repo" / "stack"
    stack.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (stack / "main.tf").write_text('module "db" {\n  source = "../../lib/db"\n  name   = "x"\n}\n')
    assessment = scan(stack)
    assert [str(e) for e in assessment.errors] == ["main.tf:1: warning: module db: module source ../../lib/db leaves the repository (..); not followed"]
    assert [(f.rule.id, f.level) for f in assessment.findings] == [("UNKNOWN-MODULE", Level.U)]


def test_adding_a_second_root_that_calls_the_same_modules_adds_at_most_the_repeat_factor(repo, scan):
    shutil.rmtree(repo / "roots" / "eks")
    before = scan(repo)
    assert figures(before) == (3, (10.25, 41.0), 3, 3)
    (repo / "roots" / "apprunner").mkdir()
    (repo / "roots" / "apprunner" / "main.tf").write_text(ROOT_ONLY_CALLS)
    after = scan(repo)
    assert figures(after) == (5, (11.82, 47.3), 3, 5)
    assert after.effort.high <= before.effort.high * (1 + REPEAT_FACTOR)
    assert [r[0] for r in roots(after)] == ["roots/apprunner", "roots/ecs"]


def test_adding_a_count_zero_resource_changes_nothing_counted(repo, scan):
    before = scan(repo)
    main = repo / "roots" / "ecs" / "main.tf"
    main.write_text(main.read_text() + '\nresource "aws_sfn_state_machine" "flow" {\n  count      = 0\n  name       = "flow"\n  definition = "{}"\n  role_arn   = "x"\n}\n')
    after = scan(repo)
    assert figures(after) == figures(before) == (6, (12.07, 48.3), 4, 6)
    assert [(v.resource.address, v.resource.location.path, v.level) for v in after.undeployed][-1] == (
        "aws_sfn_state_machine.flow", "roots/ecs/main.tf", Level.P4
    )
    assert len(after.undeployed) == 3
    assert len(after.failing_findings()) == len(before.failing_findings()) == 3


def test_a_module_with_a_backend_or_provider_block_is_a_root_even_when_called(tree, scan):
    root = tree(
        {
            "main.tf": 'module "app" {\n  source = "./app"\n}\n',
            "app/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\nresource "aws_sqs_queue" "q" {}\n',
            "lib/main.tf": 'resource "aws_sqs_queue" "l" {}\n',
            "caller/main.tf": 'module "lib" {\n  source = "../lib"\n}\n',
        }
    )
    assessment = scan(root)
    assert [(r[0], r[1]) for r in roots(assessment)] == [(".", 1), ("app", 1), ("caller", 1)]


def test_include_undeployed_audits_count_zero_resources_as_deployed(repo, scan):
    assessment = scan(repo, Config(frontends={"terraform": TerraformOptions(include_undeployed=True)}))
    assert assessment.undeployed == ()
    assert figures(assessment) == (8, (13.37, 54.8), 5, 8)  # + SQS 1-5 and 0.3 x 1-5
    assert sorted(f.resource.address for f in assessment.failing_findings()) == [
        "aws_ecs_cluster.main", "module.db.aws_dynamodb_table.orders", "module.db.aws_dynamodb_table.orders"
    ]


def test_undeployed_findings_are_marked_in_every_format_and_never_fail(repo, cli):
    cmd = ("scan", str(repo), "--fail-on", "P2", "--no-progress", "--no-config")
    data = json.loads(cli(*cmd, "--format", "json").out)
    assert data["summary"]["undeployed"] == 2
    assert [(u["address"], u["origin"], u["deployed"]) for u in data["undeployed"]] == [
        ("module.queue.aws_sqs_queue.jobs", "module.queue (from roots/ecs)", False),
        ("module.queue.aws_sqs_queue.jobs", "module.queue (from roots/eks)", False),
    ]
    assert {(f["rule_id"], f["deployed"]) for f in data["findings"]} >= {("AWS-SQS", False), ("AWS-DYNAMODB", True)}
    assert [r["root"] for r in data["summary"]["roots"]] == ["roots/ecs", "roots/eks"]
    assert data["summary"]["roots"][0]["effort"] == {"low": 10.25, "high": 41.0, "display": "10–41 person-days", "definitions": 3, "deployments": 3}

    sarif = json.loads(cli(*cmd, "--format", "sarif").out)
    levels = {(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]}
    assert ("AWS-SQS", "note") in levels and ("AWS-DYNAMODB", "error") in levels
    junit = cli(*cmd, "--format", "junit").out
    assert 'failures="2"' in junit  # dynamodb (one case for both roots) and ecs; not the undeployed queues
    gitlab = json.loads(cli(*cmd, "--format", "gitlab").out)
    assert {i["severity"] for i in gitlab if i["check_name"] == "AWS-SQS"} == {"info"}

    text = cli(*cmd).out
    assert "lib/queue/main.tf:7  module.queue.aws_sqs_queue.jobs  (via module.queue (from roots/ecs)) (not deployed with these inputs)" in text
    assert "    roots/ecs: 3 deployed resources (P1 1, P3 2), 10–41 person-days for 3 definitions; 1 not deployed with these inputs\n" in text
    markdown = cli(*cmd, "--format", "markdown").out
    assert "- roots/eks: 3 deployed resources (P1 2, P3 1), 5.5–22 person-days for 3 definitions; 1 not deployed with these inputs" in markdown


def test_suppressions_and_the_baseline_apply_in_a_module_outside_the_scanned_directory(repo, cli):
    db = repo / "lib" / "db" / "main.tf"
    db.write_text(db.read_text().replace('resource "aws_dynamodb_table"', '# portacheck:ignore[AWS-DYNAMODB] reason: replaced in Q3\nresource "aws_dynamodb_table"'))
    ecs = repo / "roots" / "ecs"
    data = json.loads(cli("scan", ".", "--format", "json", "--no-progress", cwd=ecs).out)
    assert [(f["rule_id"], f["file"]) for f in data["suppressed"]] == [("AWS-DYNAMODB", "../../lib/db/main.tf")]
    assert cli("baseline", "create", ".", "--no-progress", cwd=ecs).code == 0
    again = json.loads(cli("scan", ".", "--format", "json", "--no-progress", "--baseline", ".portacheck-baseline.json", cwd=ecs).out)
    assert again["findings"] == []
