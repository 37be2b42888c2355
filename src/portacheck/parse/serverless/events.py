"""What a Serverless Framework function, event or plugin couples a service to, as signals the rules know.

AWS functions are `AWS::Lambda::Function` and their events are the SAM event types they are the
same thing as (an `sqs` event is SAM's `SQS`), so the rules that judge a SAM template judge them;
events SAM has no type for are the CloudFormation type they wire the function to. Azure and
Google functions are the Terraform types of their function services, their triggers the type of
the service that fires them. Plugins that deploy or wire a provider service map to its type;
build tools and unknown plugins are not findings.
"""

from __future__ import annotations

from typing import Any

# provider.name -> (Resource provider, signal kind, the function's type)
FUNCTIONS = {
    "aws": ("aws", "cloudformation", "AWS::Lambda::Function"),
    "azure": ("azurerm", "terraform", "azurerm_function_app"),
    "google": ("google", "terraform", "google_cloudfunctions_function"),
}

AWS_EVENTS = {
    "http": ("sam_event", "Api"),
    "httpApi": ("sam_event", "HttpApi"),
    "sqs": ("sam_event", "SQS"),
    "s3": ("sam_event", "S3"),
    "schedule": ("sam_event", "Schedule"),
    "sns": ("sam_event", "SNS"),
    "eventBridge": ("sam_event", "EventBridgeRule"),
    "cloudwatchEvent": ("sam_event", "CloudWatchEvent"),
    "cloudwatchLog": ("sam_event", "CloudWatchLogs"),
    "cognitoUserPool": ("sam_event", "Cognito"),
    "iot": ("sam_event", "IoTRule"),
    "msk": ("sam_event", "MSK"),
    "kafka": ("sam_event", "SelfManagedKafka"),
    "activemq": ("sam_event", "MQ"),
    "rabbitmq": ("sam_event", "MQ"),
    "websocket": ("cloudformation", "AWS::ApiGatewayV2::Api"),
    "alb": ("cloudformation", "AWS::ElasticLoadBalancingV2::ListenerRule"),
    "cloudFront": ("cloudformation", "AWS::CloudFront::Distribution"),
    "alexaSkill": ("cloudformation", "Alexa::ASK::Skill"),
    "alexaSmartHome": ("cloudformation", "Alexa::ASK::Skill"),
    "iotFleetProvisioning": ("cloudformation", "AWS::IoT::ProvisioningTemplate"),
}
_STREAMS = {"dynamodb": "DynamoDB", "kinesis": "Kinesis"}

AZURE_EVENTS = {
    "queue": "azurerm_storage_queue",
    "blob": "azurerm_storage_blob",
    "serviceBus": "azurerm_servicebus_queue",
    "eventHub": "azurerm_eventhub",
    "cosmosDB": "azurerm_cosmosdb_account",
    "eventGrid": "azurerm_eventgrid_topic",
}
# Google events name their trigger by eventType: providers/cloud.pubsub/eventTypes/topic.publish
GOOGLE_EVENTS = {"cloud.pubsub": "google_pubsub_topic", "cloud.storage": "google_storage_bucket", "cloud.firestore": "google_firestore_database"}

PLUGINS = {
    "serverless-step-functions": "AWS::StepFunctions::StateMachine",
    "serverless-appsync-plugin": "AWS::AppSync::GraphQLApi",
    "serverless-iam-roles-per-function": "AWS::IAM::Role",
    "serverless-domain-manager": "AWS::ApiGateway::DomainName",
    "serverless-plugin-aws-alerts": "AWS::CloudWatch::Alarm",
    "serverless-dynamodb": "AWS::DynamoDB::Table",
    "serverless-dynamodb-local": "AWS::DynamoDB::Table",
    "serverless-create-global-dynamodb-table": "AWS::DynamoDB::GlobalTable",
    "serverless-offline-sqs": "AWS::SQS::Queue",
    "serverless-s3-sync": "AWS::S3::Bucket",
    "serverless-finch": "AWS::S3::Bucket",
    "serverless-cloudfront-invalidate": "AWS::CloudFront::Distribution",
    "serverless-associate-waf": "AWS::WAFv2::WebACLAssociation",
    "serverless-plugin-canary-deployments": "AWS::CodeDeploy::DeploymentGroup",
    "serverless-api-gateway-caching": "AWS::ApiGateway::Stage",
    "serverless-kms-secrets": "AWS::KMS::Key",
}


def aws_event(kind: str, body: Any, types: dict[str, str]) -> tuple[str, str] | None:
    """The signal (kind, value) of an AWS event, or None when the file does not say what it is.

    `types` are the CloudFormation types of the file's own `resources`, for a stream whose ARN is
    `!GetAtt Table.StreamArn`.
    """
    if kind == "stream":
        return _stream(body, types)
    if kind == "schedule" and isinstance(body, dict) and body.get("method") == "scheduler":
        return "sam_event", "ScheduleV2"
    return AWS_EVENTS.get(kind)


def _stream(body: Any, types: dict[str, str]) -> tuple[str, str] | None:
    """A stream is DynamoDB's or Kinesis's: by its `type`, else by its ARN."""
    arn = body.get("arn") if isinstance(body, dict) else body
    declared = body.get("type") if isinstance(body, dict) else None
    target = arn.get("Fn::GetAtt") if isinstance(arn, dict) else None
    if isinstance(target, list) and target and isinstance(target[0], str):
        declared = {"AWS::DynamoDB::Table": "dynamodb", "AWS::Kinesis::Stream": "kinesis"}.get(types.get(target[0], ""), declared)
    if isinstance(declared, str) and declared in _STREAMS:
        return "sam_event", _STREAMS[declared]
    if isinstance(arn, str):
        for service, event in _STREAMS.items():
            if arn.startswith("arn:") and f":{service}:" in arn:
                return "sam_event", event
    return None


def azure_event(kind: str, body: Any, types: dict[str, str]) -> tuple[str, str] | None:
    found = AZURE_EVENTS.get(kind)
    return ("terraform", found) if found else None


def google_event(kind: str, body: Any, types: dict[str, str]) -> tuple[str, str] | None:
    event_type = body.get("eventType") if isinstance(body, dict) else None
    if kind != "event" or not isinstance(event_type, str):
        return None
    found = next((value for key, value in GOOGLE_EVENTS.items() if key in event_type), None)
    return ("terraform", found) if found else None


EVENTS = {"aws": aws_event, "azure": azure_event, "google": google_event}
