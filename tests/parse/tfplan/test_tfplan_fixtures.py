"""Plans and states in, exact findings out: every instance with its values, grouped by the block
it comes from, pointing at that block when the configuration is in the scanned tree."""

from __future__ import annotations

import pytest

from portacheck.parse.tfplan import is_terraform_plan, is_terraform_state

from conftest import FIXTURES, findings_table


def test_a_plan_beside_its_configuration_points_at_the_blocks_with_exact_values(scan):
    assessment = scan(FIXTURES / "tfplan-plan")
    assert findings_table(assessment) == [
        ("AWS-PROVIDER-METADATA", "main.tf", 1, "P0"),  # data source, read while planning (prior_state)
        ("AWS-RDS", "main.tf", 3, "P1"),  # engine = var.engine: postgres in the plan
        ("AWS-SQS", "modules/queue/main.tf", 5, "P2"),  # module.queues, count = 3
        ("AWS-S3", "plan.json", 121, "P1"),  # inside a registry module: only the plan has it
    ]
    assert assessment.errors == ()


def test_a_plan_replaces_the_configurations_counts_for_its_root(scan):
    assessment = scan(FIXTURES / "tfplan-plan")
    deployed = [(v.resource.source, v.resource.address, v.resource.instances) for v in assessment.verdicts]
    assert sorted(deployed) == [
        ("terraform-json", "aws_db_instance.orders", 1),  # aws_db_instance.legacy is only deleted: not counted
        ("terraform-json", "module.bucket.aws_s3_bucket.this", 1),
        ("terraform-json", "module.queues.aws_sqs_queue.this", 3),
    ]
    rds = next(v.resource for v in assessment.verdicts if v.resource.type == "aws_db_instance")
    assert rds.attributes["engine"] == "postgres"
    assert [(d.resource.address, d.resource.kind) for d in assessment.data_sources] == [("data.aws_caller_identity.current", "data")]


def test_states_without_their_configuration_point_at_the_json(scan):
    assessment = scan(FIXTURES / "tfplan-state")
    assert findings_table(assessment) == [
        ("AWS-PROVIDER-METADATA", "raw/terraform.tfstate", 10, "P0"),
        ("AWS-RDS", "raw/terraform.tfstate", 25, "P1"),  # for_each eu and us: postgres
        ("AWS-RDS", "raw/terraform.tfstate", 25, "P2"),  # for_each legacy: oracle-se2
        ("AWS-ROUTE53", "raw/terraform.tfstate", 58, "P1"),
        ("AWS-DYNAMODB", "shown/state.json", 8, "P3"),
        ("AWS-ELASTICACHE", "shown/state.json", 27, "P1"),
    ]
    assert [(f.resource.address, f.resource.instances) for f in assessment.findings[1:3]] == [
        ('aws_db_instance.reporting["eu"]', 2),
        ('aws_db_instance.reporting["legacy"]', 1),
    ]


def test_an_unknown_format_and_broken_json_are_one_error_line_each(scan):
    assessment = scan(FIXTURES / "tfplan-broken")
    assert [str(e) for e in assessment.errors] == [
        "future.json: error: unsupported format_version 2.0 (portacheck reads format 1.x of `terraform show -json`); not analysed",
        "truncated.json:6:1: error: cannot parse JSON: unexpected end of file (truncated?)",
    ]
    assert findings_table(assessment) == []


PLAN_WITH_VARIABLES_FIRST = '{"format_version":"1.2","terraform_version":"1.7.0","variables":{"blob":{"value":"' + "x" * 9000
STATE_SHOWN = '{"format_version":"1.0","terraform_version":"1.7.0","values":{"root_module":{}}}'
STATE_JSON = '{"version": 4, "terraform_version": "1.7.0", "serial": 1, "lineage": "0b5c", "resources": []}'
VALIDATE_JSON = '{"format_version": "1.0", "valid": true, "error_count": 0, "diagnostics": []}'


@pytest.mark.parametrize(
    "relpath, content, plan, state",
    [
        ("plans/tfplan.json", PLAN_WITH_VARIABLES_FIRST[:8192], True, False),
        ("plans/changes.json", '{"format_version": "1.2", "resource_changes": []}', True, False),
        ("state/prod.tfstate.backup", "", False, True),
        ("terraform.tfstate", "", False, True),
        ("state/shown.json", STATE_SHOWN, False, True),
        ("state/pulled.json", STATE_JSON, False, True),
        ("validate.json", VALIDATE_JSON, False, False),
        ("package.json", '{"name": "api", "version": "1.0.0"}', False, False),
    ],
)
def test_claims(relpath, content, plan, state):
    assert (is_terraform_plan(relpath, content.encode()), is_terraform_state(relpath, content.encode())) == (plan, state)
