"""CloudFormation, SAM and CDK templates in, exact findings out: rule, file, line and level."""

from __future__ import annotations

import pytest

from portacheck.config import Config
from portacheck.model import Level, Unresolved
from portacheck.parse.cloudformation import claims
from portacheck.parse.cloudformation.template import load

from conftest import FIXTURES, findings_table

EXPECTED = {
    "sam-app": [
        ("AWS-DYNAMODB", "template.yaml", 14, "P3"),  # SimpleTable
        ("AWS-S3", "template.yaml", 21, "P1"),
        ("AWS-SQS", "template.yaml", 24, "P2"),
        ("AWS-API-GATEWAY", "template.yaml", 27, "P3"),  # HttpApi
        ("AWS-LAMBDA", "template.yaml", 30, "P3"),
        ("AWS-SQS", "template.yaml", 36, "P2"),  # the function's events, each at its own line
        ("AWS-S3-EVENTS", "template.yaml", 40, "P3"),  # raised: the bucket invokes a function
        ("AWS-DYNAMODB", "template.yaml", 45, "P3"),
        ("AWS-EVENTBRIDGE-SCHEDULER", "template.yaml", 50, "P2"),
        ("AWS-API-GATEWAY", "template.yaml", 54, "P3"),
        ("AWS-S3", "template.yaml", 68, "P1"),  # an ARN in the suppressed function's environment
        ("AWS-API-GATEWAY", "template.yaml", 72, "P3"),  # an output's URL, `${Api}.execute-api.${AWS::Region}`: a mention
    ],
    "cloudformation-yaml": [
        ("AWS-VPC", "database.yaml", 18, "P1"),
        ("AWS-VPC", "database.yaml", 23, "P1"),
        ("AWS-RDS", "database.yaml", 29, "P1"),  # Engine: !Ref DbEngine, default postgres
        ("AWS-RDS", "database.yaml", 35, "U"),  # Engine from a parameter without a default
        ("AWS-S3", "database.yaml", 40, "P1"),
        ("AWS-CLOUDFORMATION", "database.yaml", 45, "P2"),  # a custom resource
    ],
    "cloudformation-json": [
        ("AWS-SQS", "queue.json", 4, "P2"),
        ("AWS-SNS", "queue.json", 10, "P2"),
        ("AWS-LAMBDA", "queue.json", 18, "P3"),
        ("AWS-SECRETS-MANAGER", "queue.json", 23, "P2"),  # an ARN in the environment, at its line
    ],
    "cdk-app": [
        ("AWS-DYNAMODB", "cdk.out/ShopStack.template.json", 3, "P3"),
        ("AWS-ECS", "cdk.out/ShopStack.template.json", 11, "P3"),
        ("AWS-PROVIDER-METADATA", "cdk.out/ShopStack.template.json", 15, "P0"),  # AWS::CDK::Metadata
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name, scan):
    assessment = scan(FIXTURES / name, Config())
    assert findings_table(assessment) == EXPECTED[name]
    assert assessment.errors == ()


def test_sam_globals_apply_and_a_comment_suppresses_the_function_below_it(scan):
    assessment = scan(FIXTURES / "sam-app")
    function = next(f.resource for f in assessment.findings if f.resource.address == "ProcessOrder")
    assert function.attributes["runtime"] == "python3.12"
    assert function.attributes["environment"] == {"variables": {"table_name": Unresolved("!Ref OrdersTable")}}
    assert [(f.rule.id, f.resource.address) for f, _why in assessment.suppressed] == [("AWS-LAMBDA", "Report")]


def test_unresolved_engine_says_which_expression(scan):
    assessment = scan(FIXTURES / "cloudformation-yaml")
    (finding,) = [f for f in assessment.findings if f.resource.address == "Warehouse"]
    assert finding.level is Level.U
    assert "!Ref WarehouseEngine" in finding.why


def test_cdk_path_is_the_address(scan):
    assessment = scan(FIXTURES / "cdk-app")
    assert [f.resource.address for f in assessment.findings] == ["ShopStack/OrdersTable", "ShopStack/Cluster", "ShopStack/CDKMetadata/Default"]


def test_bad_input_is_one_located_error_each_and_the_rest_is_scanned(scan):
    assessment = scan(FIXTURES / "cloudformation-broken")
    assert [str(e) for e in assessment.errors] == [
        "bad-tag.yaml:6:18: error: unknown tag !Reff; its value is read as if untagged",
        "broken.yaml:5:16: error: invalid YAML: mapping values are not allowed in this context",
        "no-type.yaml:3: error: resource Table: expected a mapping with a Type (a string)",
    ]
    assert findings_table(assessment) == [
        ("AWS-SNS", "bad-tag.yaml", 3, "P2"),
        ("AWS-SQS", "bad-tag.yaml", 7, "P2"),
        ("AWS-KMS", "no-type.yaml", 5, "P3"),
    ]


def test_short_form_tags_read_as_their_long_form():
    text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      Name: !Sub ['${X}-a', {X: !Ref Env}]\n      Arn: !GetAtt B.Arn\n"
    properties = load(text).root["Resources"]["A"]["Properties"]
    assert properties == {"Name": {"Fn::Sub": ["${X}-a", {"X": {"Ref": "Env"}}]}, "Arn": {"Fn::GetAtt": ["B", "Arn"]}}


# --- which files are templates -----------------------------------------------------------------

RECOGNISED = FIXTURES / "cloudformation-recognised"
SAM_IN_A_LIST = """\
Transform:
  - AWS::LanguageExtensions
  - AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
"""
SAM_JSON = '{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": {"Type": "AWS::Serverless::Function"}}}'
CFN_WITHOUT_VERSION = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
CFN_CUSTOM_AND_ALEXA = "Resources:\n  Seed:\n    Type: Custom::SeedData\n  Skill:\n    Type: Alexa::ASK::Skill\n"
CFN_SHORT_TAGS_ONLY = "Resources:\n  Queue:\n    Type: !FindInMap [Types, !Ref Env, queue]\n"
CFN_TEMPLATE_SUFFIX = '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {}\n}\n'
CFN_JSON_WITHOUT_VERSION = '{"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}}'
CFN_WITH_BOM_AND_CRLF = b"\xef\xbb\xbf" + CFN_WITHOUT_VERSION.replace("\n", "\r\n").encode()
CFN_PARAMETERS_FIRST = "Parameters:\n  Key:\n    Type: AWS::EC2::KeyPair::KeyName\n"



@pytest.mark.parametrize(
    "relpath, content",
    [(rel, content) for rel, content, _ in [
        ("infra/template.yml", SAM_IN_A_LIST, "sam"),
        ("template.json", SAM_JSON, "sam"),
        ("stacks/topic.yaml", CFN_WITHOUT_VERSION, "cloudformation"),
        ("stacks/seed.yaml", CFN_CUSTOM_AND_ALEXA, "cloudformation"),
        ("stacks/queue.yaml", CFN_SHORT_TAGS_ONLY, "cloudformation"),
        ("stacks/bucket.template", CFN_TEMPLATE_SUFFIX, "cloudformation"),
        ("stacks/key.json", CFN_JSON_WITHOUT_VERSION, "cloudformation"),
        ("stacks/bastion.yaml", CFN_PARAMETERS_FIRST, "cloudformation"),
        ("stacks/saved-on-windows.yaml", CFN_WITH_BOM_AND_CRLF, "cloudformation"),
        ("copilot/api/addons/table.yml", CFN_WITHOUT_VERSION, "cloudformation"),
    ]] + [
        ("cdk.out/AppStack.template.json", "{}"),
        ("infra/cdk.out/assembly-Prod/ProdStack.template.json", "{}"),  # wherever the scan root is
    ],
)
def test_claims_templates(relpath, content):
    assert claims(relpath, content.encode() if isinstance(content, str) else content)


@pytest.mark.parametrize(
    "relpath, content",
    [
        ("cdk.out/manifest.json", '{"version": "36.0.0", "artifacts": {}}'),
        ("cdk.out/AppStack.assets.json", '{"version": "36.0.0", "files": {}}'),
        ("deploy.yaml", "apiVersion: v1\nkind: ConfigMap\n"),
        ("serverless.yml", "service: api\nprovider:\n  name: aws\n"),
    ],
)
def test_leaves_other_files(relpath, content):
    assert not claims(relpath, content.encode())


def test_claims_every_recognised_fixture_file():
    files = sorted(p for p in RECOGNISED.rglob("*") if p.is_file())
    rels = [p.relative_to(RECOGNISED).as_posix() for p in files]
    assert [rel for rel, p in zip(rels, files, strict=True) if claims(rel, p.read_bytes()[:8192])] == [
        "cdk/cdk.out/AppStack.template.json", "cloudformation/network.json", "cloudformation/stack.yaml", "sam/template.yaml",
    ]


def test_arns_built_with_sub_or_join_are_matched_on_their_literal_parts(tree, scan):
    root = tree({"template.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: es:ESHttpGet
            Resource: !Sub "arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/x"
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !Join ["", ["arn:aws:sqs:", !Ref AWS::Region, ":111122223333:jobs"]]
"""})
    assert [(f.rule.id, f.location.line, f.signal.value, f.coupling) for f in scan(root).findings if f.coupling] == [
        ("AWS-OPENSEARCH", 10, "arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/x", True),
        ("AWS-SQS", 13, "arn:aws:sqs:${…}:111122223333:jobs", True),
    ]
