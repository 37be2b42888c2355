"""Evidence strength: what a resource deploys costs its rule's band, what it only mentions costs S.

A service principal, ARN or endpoint in a string is a coupling: the finding keeps the service's
level (the resource's level is still the highest of its findings) but is priced at the coupling
band, so one `events.amazonaws.com` in a log policy is not an EventBridge migration. EventBridge
itself is split: schedules and rules of the default bus are P2, custom buses with content-based
routing, pipes and schemas P4. Bedrock is P4 only for proprietary models.
"""

from __future__ import annotations

import json

import pytest

from portacheck.model import Level
from portacheck.report.common import describe_finding
from portacheck.report.json import document

from helpers import GIT

LOG_POLICY = """\
resource "aws_cloudwatch_log_resource_policy" "events" {
  policy_name = "events-to-logs"
  policy_document = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["events.amazonaws.com"] }
      Action    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource  = "*"
    }]
  })
}
"""
CRON = """\
resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "nightly-report"
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs"
}
"""
ROUTING = """\
resource "aws_cloudwatch_event_bus" "orders" {
  name = "orders"
}

resource "aws_cloudwatch_event_rule" "placed" {
  name           = "order-placed"
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  event_pattern  = jsonencode({ source = ["shop.orders"], detail-type = ["OrderPlaced"] })
}

resource "aws_cloudwatch_event_target" "placed" {
  rule           = aws_cloudwatch_event_rule.placed.name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  arn            = "arn:aws:states:eu-west-1:123456789012:stateMachine:fulfil"
}
"""
PIPE = """\
resource "aws_pipes_pipe" "orders" {
  name     = "orders-to-stream"
  role_arn = "arn:aws:iam::123456789012:role/pipe"
  source   = "arn:aws:sqs:eu-west-1:123456789012:orders"
  target   = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
}
"""
CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: job
          Arn: arn:aws:lambda:eu-west-1:123456789012:function:report
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
  Placed:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [shop.orders]
      Targets:
        - Id: fulfil
          Arn: arn:aws:lambda:eu-west-1:123456789012:function:fulfil
"""


def bedrock(model: str) -> str:
    return f"""\
resource "aws_bedrock_provisioned_model_throughput" "chat" {{
  provisioned_model_name = "chat"
  model_arn              = "arn:aws:bedrock:eu-central-1::foundation-model/{model}"
  model_units            = 1
}}
"""


def verdicts(assessment):
    """(address, level, deciding rule, effort low, effort high, multipliers) per deployed resource."""
    return sorted((v.resource.address, v.level.value, v.rule.id, v.effort_low, v.effort_high, v.multipliers) for v in assessment.verdicts)


def test_a_service_principal_in_a_log_policy_mentions_eventbridge_and_costs_band_s(scan, tree):
    assessment = scan(tree({"main.tf": LOG_POLICY}))
    findings = sorted((f.rule.id, f.level.value, f.coupling, f.band, describe_finding(f)) for f in assessment.findings)
    assert findings == [
        ("AWS-CLOUDWATCH-LOGS", "P2", False, "M", "aws_cloudwatch_log_resource_policy.events"),
        (
            "AWS-EVENTBRIDGE-RULES", "P2", True, "S",
            "aws_cloudwatch_log_resource_policy.events mentions Amazon EventBridge rules (events.amazonaws.com)",
        ),
    ]
    # The policy is priced by what it deploys (a CloudWatch Logs policy, M); the mention adds nothing.
    assert verdicts(assessment) == [("aws_cloudwatch_log_resource_policy.events", "P2", "AWS-CLOUDWATCH-LOGS", 1.0, 5.0, ())]


def test_a_resource_that_only_mentions_a_service_keeps_its_level_and_costs_the_coupling_band(scan, tree):
    """A neutral resource whose only finding is a mention: the level is the service's, the price S."""
    root = tree({
        "main.tf": 'resource "terraform_data" "notify" {\n  input = "arn:aws:events:eu-west-1:123456789012:event-bus/orders"\n}\n',
    })
    assessment = scan(root)
    assert verdicts(assessment) == [
        ("terraform_data.notify", "P4", "AWS-EVENTBRIDGE", 0.25, 1.0,
         ("only mentions Amazon EventBridge buses, pipes and schemas: priced as a coupling, band S",)),
    ]
    assert assessment.effort.by_level == {Level.P4: (0.25, 1.0)}
    [mention] = [f for f in assessment.findings if f.coupling]
    assert mention.why == "Mentions Amazon EventBridge buses, pipes and schemas without deploying it: a coupling, at the service's level, priced at band S."


def test_a_mention_above_what_a_resource_deploys_sets_its_level_but_not_its_price(scan, tree):
    root = tree({"main.tf": 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n  tags = { bus = "arn:aws:events:eu-west-1:123456789012:event-bus/orders" }\n}\n'})
    assert verdicts(scan(root)) == [
        ("aws_sqs_queue.jobs", "P4", "AWS-EVENTBRIDGE", 1.0, 5.0,
         ("mentions Amazon EventBridge buses, pipes and schemas: priced by what it deploys (AWS-SQS, band M)",)),
    ]


def test_a_cron_rule_with_one_target_is_p2(scan, tree):
    assessment = scan(tree({"main.tf": CRON}))
    assert sorted((f.resource.address, f.rule.id, f.level.value, f.coupling) for f in assessment.findings) == [
        ("aws_cloudwatch_event_rule.nightly", "AWS-EVENTBRIDGE-RULES", "P2", False),
        ("aws_cloudwatch_event_target.nightly", "AWS-ECS", "P3", True),
        ("aws_cloudwatch_event_target.nightly", "AWS-EVENTBRIDGE-RULES", "P2", False),
    ]
    # The target's ECS cluster ARN is a mention: it raises the target's level, not its price.
    assert verdicts(assessment) == [
        ("aws_cloudwatch_event_rule.nightly", "P2", "AWS-EVENTBRIDGE-RULES", 1.0, 5.0, ()),
        ("aws_cloudwatch_event_target.nightly", "P3", "AWS-ECS", 1.0, 5.0,
         ("mentions Amazon ECS / Fargate: priced by what it deploys (AWS-EVENTBRIDGE-RULES, band M)",)),
    ]
    assert (assessment.effort.low, assessment.effort.high) == (2.0, 10.0)  # was 40-120 when every event rule was P4


def test_a_rule_with_an_event_pattern_on_a_custom_bus_is_p4(scan, tree):
    assert verdicts(scan(tree({"main.tf": ROUTING}))) == [
        ("aws_cloudwatch_event_bus.orders", "P4", "AWS-EVENTBRIDGE", 20.0, 60.0, ()),
        ("aws_cloudwatch_event_rule.placed", "P4", "AWS-EVENTBRIDGE-RULES", 20.0, 60.0, ()),
        ("aws_cloudwatch_event_target.placed", "P4", "AWS-EVENTBRIDGE-RULES", 20.0, 60.0, ()),
    ]


def test_a_pipe_is_p4(scan, tree):
    # The pipe deploys EventBridge Pipes; its SQS source and Kinesis target are mentions of their own.
    assessment = scan(tree({"main.tf": PIPE}))
    assert verdicts(assessment) == [("aws_pipes_pipe.orders", "P4", "AWS-EVENTBRIDGE", 20.0, 60.0, ())]
    assert sorted((f.rule.id, f.level.value, f.coupling) for f in assessment.findings) == [
        ("AWS-EKS-IRSA", "P2", True),  # the role ARN
        ("AWS-EVENTBRIDGE", "P4", False),
        ("AWS-KINESIS", "P3", True),
        ("AWS-SQS", "P2", True),
    ]


def test_cloudformation_schedules_are_p2_and_rules_of_a_custom_bus_p4(scan, tree):
    assessment = scan(tree({"template.yaml": CFN}))
    assert sorted((f.resource.address, f.rule.id, f.level.value) for f in assessment.findings if not f.coupling) == [
        ("Bus", "AWS-EVENTBRIDGE", "P4"),
        ("Nightly", "AWS-EVENTBRIDGE-RULES", "P2"),
        ("Placed", "AWS-EVENTBRIDGE-RULES", "P4"),  # EventBusName: !Ref Bus, a custom bus
    ]
    [placed] = [f for f in assessment.findings if f.resource.address == "Placed" and not f.coupling]
    assert placed.why.endswith("(event_bus_name = !Ref Bus)")


@pytest.mark.parametrize(
    "model,level",
    [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "P4"),
        ("amazon.nova-pro-v1:0", "P4"),
        ("amazon.titan-text-express-v1", "P4"),
        ("cohere.command-r-plus-v1:0", "P4"),
        ("meta.llama3-1-70b-instruct-v1:0", "P3"),
        ("mistral.mistral-large-2407-v1:0", "P3"),
    ],
)
def test_bedrock_is_p4_for_a_proprietary_model_and_p3_for_an_open_weight_one(scan, tree, model, level):
    assert [(v.resource.address, v.level.value) for v in scan(tree({"main.tf": bedrock(model)})).verdicts] == [
        ("aws_bedrock_provisioned_model_throughput.chat", level)
    ]


@pytest.mark.parametrize("base", [CRON, ROUTING, PIPE, 'resource "random_id" "suffix" {\n  byte_length = 4\n}\n'])
def test_adding_a_mention_raises_effort_by_at_most_the_coupling_band(scan, tmp_path, base):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "main.tf").write_text(base)
    mentioned = tmp_path / "mentioned"
    mentioned.mkdir()
    # every resource of the file gets a tag naming an EventBridge bus ARN: a P4 service, mentioned
    tagged = base.replace("\n}\n", '\n  tags = { bus = "arn:aws:events:eu-west-1:123456789012:event-bus/orders" }\n}\n')
    (mentioned / "main.tf").write_text(tagged)
    before, after = scan(plain), scan(mentioned)
    resources = len(before.verdicts)
    assert resources == len(after.verdicts)
    assert 0 <= after.effort.low - before.effort.low <= 0.25 * resources
    assert 0 <= after.effort.high - before.effort.high <= 1.0 * resources


def test_the_json_report_marks_a_mention_as_a_coupling_at_band_s(scan, tree):
    data = json.loads(json.dumps(document(scan(tree({**GIT, "main.tf": LOG_POLICY}))), default=str))
    assert sorted((f["rule_id"], f["coupling"], f["effort_band"]) for f in data["findings"]) == [
        ("AWS-CLOUDWATCH-LOGS", False, "M"),
        ("AWS-EVENTBRIDGE-RULES", True, "S"),
    ]
    assert any(a.startswith("what a resource deploys (its type or kind) costs its rule's band") for a in data["summary"]["effort"]["assumptions"])
