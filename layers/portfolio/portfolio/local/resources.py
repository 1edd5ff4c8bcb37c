"""The template's resources, created on an AWS endpoint (moto, or whatever ``AWS_ENDPOINT_URL``
names): tables with their indexes, buckets, queues, and the S3 notifications that stand in
for the template's S3 events.

Everything is read from template.yaml and created only when missing, so running this twice,
or against an endpoint that already holds some of it, is safe. Names are what CloudFormation
would resolve with the parameters' defaults, except tables, which are named by their logical
id (the names ``portfolio.config`` falls back to).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from portfolio.infra.template import (
    S3Trigger,
    StackContext,
    TemplateError,
    bucket_cors_rules,
    create_buckets,
    create_tables,
    functions,
    parameter_defaults,
    resolve,
    resources,
    s3_triggers,
)

# moto's default account, and the one its server answers for any dummy credentials.
DEFAULT_ACCOUNT_ID = "123456789012"
STACK_NAME = "portfolio-local"

# Queue properties of AWS::SQS::Queue that are CreateQueue attributes of the same name.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
)


@dataclass(frozen=True, slots=True)
class NotificationQueue:
    """The local queue that receives a function's S3 notifications: one queue per function,
    subscribed once per S3 event of it (each event has its own filter)."""

    function: str
    triggers: tuple[S3Trigger, ...]
    bucket_names: dict[str, str]
    queue_url: str
    queue_arn: str


@dataclass(frozen=True, slots=True)
class Provisioned:
    """What exists on the endpoint, with the names the functions' environment resolves to."""

    stack: StackContext
    buckets: dict[str, str]
    queues: dict[str, str]
    notification_queues: list[NotificationQueue]


def api_id(logical_id: str) -> str:
    """A stable, execute-api-like id (10 lowercase characters) for an API of the template."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


def _bucket_name(template: dict[str, Any], logical_id: str, stack: StackContext) -> str:
    name = template["Resources"][logical_id].get("Properties", {}).get("BucketName")
    return str(resolve(name, template, stack)) if name is not None else logical_id.lower()


def _queue_name(template: dict[str, Any], logical_id: str, stack: StackContext) -> str:
    name = template["Resources"][logical_id].get("Properties", {}).get("QueueName")
    return str(resolve(name, template, stack)) if name is not None else logical_id


def _base_context(template: dict[str, Any], *, region: str, account_id: str) -> StackContext:
    """Refs and attributes of everything but queues (whose URL the endpoint decides)."""
    refs: dict[str, str] = {}
    attributes: dict[str, dict[str, str]] = {}
    partial = StackContext(
        region=region,
        account_id=account_id,
        stack_name=STACK_NAME,
        parameters=parameter_defaults(template),
        refs=refs,
        attributes=attributes,
    )
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        if kind == "AWS::DynamoDB::Table":
            refs[logical_id] = logical_id
            attributes[logical_id] = {
                "Arn": f"arn:aws:dynamodb:{region}:{account_id}:table/{logical_id}",
            }
        elif kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            refs[logical_id] = logical_id
            attributes[logical_id] = {"Arn": f"arn:aws:lambda:{region}:{account_id}:function:{logical_id}"}
        elif kind in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            refs[logical_id] = api_id(logical_id)
            attributes[logical_id] = {"RootResourceId": "root"}
        elif kind in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            refs[logical_id] = f"arn:aws:lambda:{region}:{account_id}:layer:{logical_id}:1"
        elif kind in ("AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl"):
            # Not emulated: the local stack serves media from its S3 endpoint (MEDIA_BASE_URL).
            distribution_id = "E" + hashlib.sha256(logical_id.encode()).hexdigest()[:13].upper()
            refs[logical_id] = distribution_id
            attributes[logical_id] = {
                "Id": distribution_id,
                "DomainName": f"{distribution_id.lower()}.cloudfront.net",
            }
        else:
            refs[logical_id] = logical_id
    # Bucket names may themselves refer to parameters and pseudo parameters (not to buckets).
    for logical_id in resources(template, "AWS::S3::Bucket"):
        name = _bucket_name(template, logical_id, partial)
        refs[logical_id] = name
        attributes[logical_id] = {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        }
    return partial


def _create_queue(sqs: Any, name: str, attributes: dict[str, str]) -> tuple[str, str]:
    """Create (or find) a queue; its URL and ARN."""
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as error:
        # It exists with other attributes (an earlier run against the same endpoint): use it.
        if error.response.get("Error", {}).get("Code") not in ("QueueAlreadyExists", "QueueNameExists"):
            raise
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _notification_id(trigger: S3Trigger) -> str:
    return f"{trigger.function}-{trigger.event}"


def _allow_s3_to_send(sqs: Any, queue_url: str, queue_arn: str, bucket_names: list[str]) -> None:
    # What a deployed stack's bucket needs to deliver to a queue; moto does not check it,
    # other local endpoints (LocalStack) may.
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": [f"arn:aws:s3:::{name}" for name in bucket_names]}
                },
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


def _queue_configuration(trigger: S3Trigger, queue_arn: str) -> dict[str, Any]:
    """The bucket notification that sends the event's uploads to the queue; the filter is the
    template's, so S3 itself decides which uploads reach the function."""
    configuration: dict[str, Any] = {
        "Id": _notification_id(trigger),
        "QueueArn": queue_arn,
        "Events": list(trigger.events),
    }
    if trigger.filter_rules:
        rules = [{"Name": name, "Value": value} for name, value in trigger.filter_rules]
        configuration["Filter"] = {"Key": {"FilterRules": rules}}
    return configuration


def subscribe_notifications(s3: Any, queues: list[NotificationQueue]) -> None:
    """Point each S3 event's bucket at its function's queue, keeping the bucket's other
    notifications. From then on an upload that passes a filter is a message on the queue."""
    by_bucket: dict[str, list[tuple[S3Trigger, str]]] = {}
    for queue in queues:
        for trigger in queue.triggers:
            by_bucket.setdefault(queue.bucket_names[trigger.bucket], []).append((trigger, queue.queue_arn))
    for bucket_name, subscriptions in by_bucket.items():
        ours = {_notification_id(trigger) for trigger, _ in subscriptions}
        config = s3.get_bucket_notification_configuration(Bucket=bucket_name)
        config.pop("ResponseMetadata", None)
        kept = [item for item in config.get("QueueConfigurations", []) if item.get("Id") not in ours]
        config["QueueConfigurations"] = kept + [
            _queue_configuration(trigger, arn) for trigger, arn in subscriptions
        ]
        s3.put_bucket_notification_configuration(Bucket=bucket_name, NotificationConfiguration=config)


def provision(
    template: dict[str, Any], *, dynamodb: Any, s3: Any, sqs: Any, region: str, account_id: str
) -> Provisioned:
    """Create what is missing of the template's tables, buckets and queues, and a local queue
    for each S3 event (moto cannot invoke a function without Docker, but it does deliver
    notifications to SQS); ``subscribe_notifications`` then points the buckets at them."""
    stack = _base_context(template, region=region, account_id=account_id)
    create_tables(dynamodb, names={}, template=template)  # named by their logical ids

    buckets = {logical_id: stack.refs[logical_id] for logical_id in resources(template, "AWS::S3::Bucket")}
    create_buckets(s3, buckets, template)
    for logical_id, rules in bucket_cors_rules(template, stack).items():
        s3.put_bucket_cors(Bucket=buckets[logical_id], CORSConfiguration={"CORSRules": rules})

    queues: dict[str, str] = {}
    for logical_id, resource in resources(template, "AWS::SQS::Queue").items():
        props = resource.get("Properties", {})
        attributes = {name: str(props[name]) for name in _QUEUE_ATTRIBUTES if name in props}
        name = _queue_name(template, logical_id, stack)
        url, arn = _create_queue(sqs, name, attributes)
        queues[logical_id] = url
        stack.refs[logical_id] = url
        stack.attributes[logical_id] = {"Arn": arn, "QueueName": name, "QueueUrl": url}
    # Redrive policies name other queues: set once every queue exists.
    for logical_id, resource in resources(template, "AWS::SQS::Queue").items():
        redrive = resource.get("Properties", {}).get("RedrivePolicy")
        if redrive is not None:
            policy = json.dumps(resolve(redrive, template, stack))
            sqs.set_queue_attributes(QueueUrl=queues[logical_id], Attributes={"RedrivePolicy": policy})

    specs = functions(template)
    by_function: dict[str, list[S3Trigger]] = {}
    for trigger in s3_triggers(template):
        if trigger.bucket not in buckets:
            raise TemplateError(f"{trigger.function}.{trigger.event}: {trigger.bucket} is not a bucket")
        by_function.setdefault(trigger.function, []).append(trigger)
    notification_queues = []
    for function, triggers in by_function.items():
        # A message stays invisible while the function works on it, as Lambda's poller keeps it.
        visibility = str(specs[function].timeout_s + 10)
        url, arn = _create_queue(sqs, f"local-{function}-s3-events", {"VisibilityTimeout": visibility})
        bucket_names = {trigger.bucket: buckets[trigger.bucket] for trigger in triggers}
        _allow_s3_to_send(sqs, url, arn, sorted(set(bucket_names.values())))
        notification_queues.append(
            NotificationQueue(
                function=function,
                triggers=tuple(triggers),
                bucket_names=bucket_names,
                queue_url=url,
                queue_arn=arn,
            )
        )
    return Provisioned(stack=stack, buckets=buckets, queues=queues, notification_queues=notification_queues)


def function_environment(template: dict[str, Any], stack: StackContext) -> dict[str, str]:
    """The environment of every function, resolved. The local stack runs them all in one
    process, so a variable two functions set differently cannot be honoured: that is an error."""
    merged: dict[str, str] = {}
    for spec in functions(template).values():
        for name, value in spec.environment.items():
            resolved = str(resolve(value, template, stack))
            if merged.get(name, resolved) != resolved:
                raise TemplateError(
                    f"{spec.logical_id} sets {name}={resolved!r}, another function {merged[name]!r}: "
                    "the local stack runs every function in one process"
                )
            merged[name] = resolved
    return merged


def allow_public_read(s3: Any, bucket_name: str) -> None:
    """Let anyone GET the bucket's objects, so a browser loads the ``f`` URLs the local API
    lists (moto refuses unsigned requests otherwise, as S3 does). In AWS the files reach
    browsers however MEDIA_BASE_URL says (a CDN, or the bucket's own URL)."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LocalStackPublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket_name}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket_name, Policy=json.dumps(policy))
