"""Terragrunt live trees in, exact findings out: units merged with their includes, local modules
evaluated with the units' inputs, registry modules classified by their source."""

from __future__ import annotations

import pytest

from portacheck.parse.terragrunt import FRONTEND, is_terragrunt

from conftest import FIXTURES, findings_table


def test_a_live_tree_gives_each_unit_its_module_with_its_inputs(scan):
    assessment = scan(FIXTURES / "terragrunt-live")
    assert findings_table(assessment) == [
        ("AWS-VPC", "live/prod/vpc/terragrunt.hcl", 6, "P1"),  # tfr:///terraform-aws-modules/vpc/aws
        ("AWS-RDS", "modules/app/main.tf", 1, "P2"),  # prod: engine sqlserver-ex from the unit's inputs
        ("AWS-RDS", "modules/app/main.tf", 1, "P1"),  # stage: engine postgres from _envcommon/app.hcl
        ("AWS-SQS", "modules/app/main.tf", 7, "P2"),
        ("AWS-SQS", "modules/app/main.tf", 7, "P2"),
    ]
    assert [str(f.location.origin) for f in assessment.findings] == [
        "terragrunt unit live/prod/vpc",
        "terragrunt unit live/prod/app",
        "terragrunt unit live/stage/app",
        "terragrunt unit live/prod/app",
        "terragrunt unit live/stage/app",
    ]
    # remote_state in root.hcl, reported once for all the units including it, suppressed there
    assert [(f.rule.id, f.location.path, f.location.line) for f, _why in assessment.suppressed] == [("TF-STATE-S3", "root.hcl", 8)]
    assert assessment.errors == ()


def test_a_module_deployed_by_units_is_counted_per_unit_and_not_again_by_the_terraform_reader(scan):
    assessment = scan(FIXTURES / "terragrunt-live")
    deployed = sorted((v.resource.type, str(v.resource.location.origin), v.resource.instances) for v in assessment.verdicts)
    assert deployed == [
        ("aws_db_instance", "terragrunt unit live/prod/app", 1),
        ("aws_db_instance", "terragrunt unit live/stage/app", 1),
        ("aws_sqs_queue", "terragrunt unit live/prod/app", 1),
        ("aws_sqs_queue", "terragrunt unit live/stage/app", 1),
        ("module", "terragrunt unit live/prod/vpc", 1),
    ]


def test_the_generated_provider_the_backend_and_the_dependency_are_read():
    from portacheck.discover import discover
    from portacheck.parse import ParseContext

    root = FIXTURES / "terragrunt-live"
    files = [f for f in discover([str(root)]).files if f.kind == "terragrunt"]
    result = FRONTEND.parse(files, ParseContext(str(root)), None)
    couplings = [(r.kind, r.provider, r.address, str(r.location)) for r in result.resources if r.kind in ("provider", "backend")]
    assert couplings == [("backend", "", "remote_state.s3", "root.hcl:8"), ("provider", "aws", "provider.aws", "root.hcl:21")]
    links = {r.location.path: r.links for r in result.resources if r.type == "terragrunt_unit"}
    assert links == {
        "live/prod/app/terragrunt.hcl": ("live/prod/vpc/terragrunt.hcl#terragrunt_unit",),
        "live/prod/vpc/terragrunt.hcl": (),
        "live/stage/app/terragrunt.hcl": (),
    }
    assert result.supersedes == (("modules/app", ()),)


def test_a_half_written_unit_costs_one_error_line_and_the_rest_is_read(scan):
    assessment = scan(FIXTURES / "terragrunt-broken")
    assert [str(e) for e in assessment.errors] == ["live/app/terragrunt.hcl:1:1: error: cannot parse HCL: unexpected 'terraform'"]
    assert findings_table(assessment) == [("UNKNOWN-MODULE", "live/app/terragrunt.hcl", 2, "U")]
    assert assessment.findings[0].signal.value == "github.com/acme/infrastructure-modules//queue"


TERRAGRUNT_ENV = 'locals {\n  common = read_terragrunt_config(find_in_parent_folders("common.hcl"))\n}\n'


@pytest.mark.parametrize(
    "relpath, content, claimed",
    [
        ("live/prod/terragrunt.hcl", "", True),
        ("terragrunt.stack.hcl", 'unit "vpc" {\n  source = "../units/vpc"\n  path = "vpc"\n}\n', True),
        ("live/terragrunt.hcl.json", "{}", True),
        ("live/env.hcl", TERRAGRUNT_ENV, True),
        ("live/module.hcl", 'terraform {\n  source = "../../modules//vpc"\n}\n', True),
        ("live/deps.hcl", 'dependency "vpc" {\n  config_path = "../vpc"\n}\n', True),
        ("live/inputs.hcl", 'inputs = {\n  env = "prod"\n}\n', True),
        ("live/account.hcl", 'locals {\n  account_id = "123456789012"\n}\n', False),  # plain locals: read by the units
        ("images/base.pkr.hcl", 'source "amazon-ebs" "base" {\n}\n', False),
        ("nomad/web.hcl", 'job "web" {\n  datacenters = ["dc1"]\n}\n', False),
        (".terraform.lock.hcl", 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.31.0"\n}\n', False),
    ],
)
def test_claims(relpath, content, claimed):
    assert is_terragrunt(relpath, content.encode()) is claimed
