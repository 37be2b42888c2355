"""CDK apps in, exact findings out: TypeScript and Python source, and synth output read only without source."""

from __future__ import annotations

import pytest

from portacheck.parse.cdk import FRONTEND
from portacheck.parse.cdk.types import cloudformation_type, namespace_of

from conftest import FIXTURES, findings_table

EXPECTED = {
    "cdk-src-ts": [
        ("AWS-DYNAMODB", "lib/stack.ts", 14, "P3"),
        ("AWS-SQS", "lib/stack.ts", 20, "P2"),
        ("AWS-LAMBDA", "lib/stack.ts", 22, "P3"),
        ("AWS-VPC", "lib/stack.ts", 31, "P1"),
        ("AWS-RDS", "lib/stack.ts", 33, "P1"),  # DatabaseInstanceEngine.postgres(...) is engine postgres
    ],  # the Aurora cluster (line 40) is suppressed; cdk.out/ is the same app synthesised, not counted again
    "cdk-src-py": [
        ("AWS-DYNAMODB", "lambda/index.py", 5, "P3"),  # the handler's boto3 client: application code
        ("AWS-DYNAMODB", "orders/orders_stack.py", 14, "P3"),
        ("AWS-SQS", "orders/orders_stack.py", 19, "P2"),  # `from aws_cdk.aws_sqs import Queue`
        ("AWS-SNS", "orders/orders_stack.py", 20, "P2"),  # `import aws_cdk.aws_sns as sns`
        ("AWS-S3", "orders/orders_stack.py", 21, "P1"),
        ("AWS-LAMBDA", "orders/orders_stack.py", 23, "P3"),
        ("AWS-S3", "orders/orders_stack.py", 31, "P1"),  # L1: CfnBucket
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name, scan):
    assessment = scan(FIXTURES / name)
    assert findings_table(assessment) == EXPECTED[name]
    assert assessment.errors == ()


def test_constructs_are_resources_with_their_cloudformation_type_and_props(scan):
    assessment = scan(FIXTURES / "cdk-src-ts")
    resources = {v.resource.address: v.resource for v in assessment.verdicts}
    assert sorted(resources) == ["Legacy", "Network", "OrderEvents", "Orders", "Processor", "Reporting"]
    assert {r.source for r in resources.values()} == {"cdk"}
    assert resources["Reporting"].type == "AWS::RDS::DBInstance"
    assert resources["Legacy"].attributes["engine"] == "aurora-mysql"
    assert resources["Network"].attributes == {"max_azs": 2}
    assert [(f.rule.id, f.location.line) for f, _why in assessment.suppressed] == [("AWS-RDS-CLUSTER", 40)]


def test_synth_output_is_read_when_the_app_has_no_source_in_the_scan(scan):
    assessment = scan(FIXTURES / "cdk-src-ts" / "cdk.out")
    assert [row[:3] for row in findings_table(assessment)] == [
        ("AWS-DYNAMODB", "OrdersStack.template.json", 3),
        ("AWS-SQS", "OrdersStack.template.json", 11),
    ]


@pytest.mark.parametrize(
    "module, construct, expected",
    [
        ("aws-dynamodb", "Table", "AWS::DynamoDB::Table"),
        ("aws-dynamodb", "CfnGlobalTable", "AWS::DynamoDB::GlobalTable"),
        ("aws-lambda-nodejs", "NodejsFunction", "AWS::Lambda::Function"),
        ("aws-rds", "DatabaseInstance", "AWS::RDS::DBInstance"),
        ("aws-rds", "ServerlessCluster", "AWS::RDS::DBCluster"),
        ("aws-ec2", "Vpc", "AWS::EC2::VPC"),
        ("aws-ecs-patterns", "ApplicationLoadBalancedFargateService", "AWS::ECS::Service"),
        ("aws-apigatewayv2", "HttpApi", "AWS::ApiGatewayV2::Api"),
        ("aws-appsync", "GraphqlApi", "AWS::AppSync::GraphQLApi"),
        ("aws-s3-deployment", "BucketDeployment", "AWS::S3::*"),  # no such type: the namespace
        ("aws-stepfunctions", "Pass", None),  # a state, not a resource
    ],
)
def test_construct_types(module, construct, expected):
    namespace = namespace_of(module)
    assert (cloudformation_type(namespace, construct) if namespace else None) == expected


def test_namespace_of_core_and_helper_modules():
    assert [namespace_of(m) for m in ("aws-stepfunctions-tasks", "pipelines", "aws-lambda-event-sources")] == [
        None, "CodePipeline", "Lambda",
    ]


@pytest.mark.parametrize(
    "relpath, head, claimed",
    [
        ("infra/cdk.json", b"{}", True),
        ("lib/stack.ts", b"import * as s3 from 'aws-cdk-lib/aws-s3';\n", True),
        ("lib/stack.js", b"const cdk = require('aws-cdk-lib');\n", True),
        ("lib/v1.ts", b"import * as sqs from '@aws-cdk/aws-sqs';\n", True),
        ("stacks/app.py", b"from aws_cdk import (\n    aws_s3 as s3,\n)\n", True),
        ("stacks/app.py", b"import aws_cdk.aws_sqs as sqs\n", True),
        ("test/stack.test.ts", b"import * as cdk from 'aws-cdk-lib';\n", False),
        ("tests/test_stack.py", b"import aws_cdk as cdk\n", False),
        ("lib/types.d.ts", b"import * as cdk from 'aws-cdk-lib';\n", False),
        ("src/handler.ts", b"import { DynamoDB } from '@aws-sdk/client-dynamodb';\n", False),
        ("app.py", b"# uses aws_cdk later\nimport boto3\n", False),
        ("cdk.out/asset.1234/index.py", b"import aws_cdk\n", False),
        ("cdk.out/OrdersStack.template.json", b"", True),
        ("cdk.out/manifest.json", b"{}", False),
    ],
)
def test_claims(relpath, head, claimed):
    assert FRONTEND.claims(relpath, head) is claimed


def test_source_that_does_not_parse_is_one_located_error_and_the_rest_is_read(tree, scan):
    root = tree(
        {
            "cdk.json": '{"app": "npx ts-node bin/app.ts"}',
            "lib/stack.ts": "import * as sqs from 'aws-cdk-lib/aws-sqs';\n"
            "new sqs.Queue(this, 'Jobs');\n"
            "const broken = new sqs.Queue(this, 'Dead', {;\n",
            "lib/other.ts": "import { aws_sns as sns } from 'aws-cdk-lib';\nnew sns.Topic(this, 'Alerts');\n",
        }
    )
    assessment = scan(root)
    assert [str(e) for e in assessment.errors] == ["lib/stack.ts:3:29: error: cannot parse TypeScript: unexpected \"(this, 'Dead', {\""]
    assert [row[:3] for row in findings_table(assessment)] == [("AWS-SNS", "lib/other.ts", 2), ("AWS-SQS", "lib/stack.ts", 2)]


def test_a_broken_cdk_json_is_said(tree, scan):
    root = tree({"cdk.json": '{"app": "python3 app.py",}', "app.py": "import aws_cdk as cdk\napp = cdk.App()\n"})
    assert [str(e) for e in scan(root).errors] == ["cdk.json:1:26: error: invalid JSON: Expecting property name enclosed in double quotes"]
