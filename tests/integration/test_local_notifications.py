"""The local stack's stand-in for S3 invoking a function: the template's resources created
on moto, bucket notifications to a queue with the template's filters, and the poller that
turns them into the function's S3 event with Lambda's retries and on-failure destination."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from portfolio.infra.template import async_invoke_config
from portfolio.local.notifications import NotificationPoller, s3_event
from portfolio.local.resources import Provisioned, provision, subscribe_notifications

pytestmark = pytest.mark.integration

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Prefix": {"Type": "String", "Default": "media"}},
    "Globals": {"Function": {"Timeout": 5, "Environment": {"Variables": {"BUCKET": {"Ref": "Bucket"}}}}},
    "Resources": {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": {"Fn::Sub": "${Prefix}-${AWS::AccountId}-${AWS::Region}"}},
        },
        "FailureQueue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
        "Worker": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/worker/",
                "Handler": "app.handler",
                "EventInvokeConfig": {
                    "MaximumRetryAttempts": 1,
                    "DestinationConfig": {
                        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": "FailureQueue.Arn"}}
                    },
                },
                "Events": {
                    suffix.upper(): {
                        "Type": "S3",
                        "Properties": {
                            "Bucket": {"Ref": "Bucket"},
                            "Events": "s3:ObjectCreated:*",
                            "Filter": {
                                "S3Key": {
                                    "Rules": [
                                        {"Name": "prefix", "Value": "uploads/"},
                                        {"Name": "suffix", "Value": f".{suffix}"},
                                    ]
                                }
                            },
                        },
                    }
                    for suffix in ("png", "jpg")
                },
            },
        },
    },
}
REGION = "us-east-1"
ACCOUNT = "123456789012"


class FakeFunction:
    """A function that records its events and fails the first ``failures`` times."""

    name = "Worker"
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Worker"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if len(self.events) <= self.failures:
            raise RuntimeError("cannot decode the image")


def _provision() -> Provisioned:
    return provision(
        TEMPLATE,
        dynamodb=boto3.client("dynamodb"),
        s3=boto3.client("s3"),
        sqs=boto3.client("sqs"),
        region=REGION,
        account_id=ACCOUNT,
    )


@pytest.fixture
def provisioned() -> Provisioned:
    created = _provision()
    subscribe_notifications(boto3.client("s3"), created.notification_queues)
    return created


def _messages(queue_url: str) -> list[dict[str, Any]]:
    reply = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(message["Body"]) for message in reply.get("Messages", [])]


def _poller(provisioned: Provisioned, function: FakeFunction) -> NotificationPoller:
    return NotificationPoller(
        provisioned.notification_queues[0],
        function,  # type: ignore[arg-type]
        sqs=boto3.client("sqs"),
        invoke_config=async_invoke_config(TEMPLATE, "Worker"),
        on_failure_queue_url=provisioned.queues["FailureQueue"],
        sleep=lambda _: None,
    )


def test_the_templates_bucket_and_queue_exist_with_the_names_cloudformation_would_give(
    provisioned: Provisioned,
) -> None:
    assert provisioned.buckets == {"Bucket": f"media-{ACCOUNT}-{REGION}"}
    assert boto3.client("s3").head_bucket(Bucket=f"media-{ACCOUNT}-{REGION}")
    assert provisioned.queues["FailureQueue"].endswith("/FailureQueue")
    (queue,) = provisioned.notification_queues
    assert queue.function == "Worker"
    assert [trigger.event for trigger in queue.triggers] == ["PNG", "JPG"]


def test_provisioning_twice_changes_nothing(provisioned: Provisioned) -> None:
    again = _provision()
    assert again.buckets == provisioned.buckets
    assert again.queues == provisioned.queues
    assert again.notification_queues[0].queue_url == provisioned.notification_queues[0].queue_url


def test_only_uploads_that_pass_one_of_the_templates_filters_reach_the_queue(
    provisioned: Provisioned,
) -> None:
    # Given the notifications are on (S3 first sends its test event)
    queue_url = provisioned.notification_queues[0].queue_url
    assert [message.get("Event") for message in _messages(queue_url)] == ["s3:TestEvent"]
    s3 = boto3.client("s3")
    bucket = provisioned.buckets["Bucket"]
    # When objects are put inside and outside the filters
    for key in ("uploads/a photo.png", "uploads/b.jpg", "core_media/c.png", "uploads/d.gif", "uploads/e.PNG"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    # Then only the matching uploads are notified
    keys = sorted(
        record["s3"]["object"]["key"] for message in _messages(queue_url) for record in message["Records"]
    )
    assert [unquote_plus(key) for key in keys] == ["uploads/a photo.png", "uploads/b.jpg"]


def test_the_function_gets_the_event_s3_sends_with_every_field(provisioned: Provisioned) -> None:
    # Given an upload
    queue_url = provisioned.notification_queues[0].queue_url
    _messages(queue_url)  # the test event
    boto3.client("s3").put_object(Bucket=provisioned.buckets["Bucket"], Key="uploads/سبز x.png", Body=b"x")
    (notification,) = _messages(queue_url)
    # When it becomes the function's event
    event = s3_event(notification)
    # Then it has what S3 puts in a record (Powertools' S3Event reads these)
    assert event is not None
    (record,) = event["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"].endswith("Z")
    assert set(record) >= {
        "userIdentity",
        "requestParameters",
        "responseElements",
        "awsRegion",
        "eventSource",
    }
    assert record["s3"]["bucket"]["name"] == provisioned.buckets["Bucket"]
    assert set(record["s3"]["object"]) >= {"key", "size", "eTag", "sequencer"}
    # And the key URL-encoded as S3 does it: "+" for a space, slashes kept
    assert record["s3"]["object"]["key"] == "uploads/%D8%B3%D8%A8%D8%B2+x.png"


def test_an_event_the_function_keeps_failing_is_retried_then_sent_to_the_on_failure_queue(
    provisioned: Provisioned,
) -> None:
    # Given a function that always fails, with one retry configured
    function = FakeFunction(failures=99)
    notification = {
        "Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "uploads/x.png"}}}]
    }
    # When the poller delivers the event
    _poller(provisioned, function).deliver(json.dumps(notification))
    # Then the function ran twice (the first attempt and one retry)
    assert len(function.events) == 2
    # And the failure queue holds Lambda's destination record for it
    (record,) = _messages(provisioned.queues["FailureQueue"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "uploads/x.png"
    assert record["responsePayload"]["errorMessage"] == "cannot decode the image"


def test_an_event_that_succeeds_on_retry_is_not_sent_anywhere(provisioned: Provisioned) -> None:
    function = FakeFunction(failures=1)
    notification = {
        "Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "uploads/y.png"}}}]
    }
    _poller(provisioned, function).deliver(json.dumps(notification))
    assert len(function.events) == 2
    assert _messages(provisioned.queues["FailureQueue"]) == []


@pytest.mark.parametrize("body", ["not json", "[]", '{"Service": "Amazon S3", "Event": "s3:TestEvent"}'])
def test_what_is_not_an_upload_notification_is_dropped_without_invoking(
    provisioned: Provisioned, body: str
) -> None:
    function = FakeFunction()
    _poller(provisioned, function).deliver(body)
    assert function.events == []
