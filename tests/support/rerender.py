"""RerenderFunction run as Lambda's SQS poller runs it, over what RerenderQueue holds (moto)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from portfolio.local.queue_events import failed_message_ids, sqs_event
from tests.support.context import FakeLambdaContext

RERENDER_QUEUE = "RerenderQueue"


def queued_batches(queue_url: str) -> list[dict[str, Any]]:
    """Every message on the queue, in the order sent, their bodies parsed; left on the queue
    (received, then made visible again)."""
    sqs = boto3.client("sqs")
    received: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
            "Messages", []
        )
        if not messages:
            break
        received.extend(messages)
    for message in received:
        sqs.change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return [json.loads(message["Body"]) for message in received]


def run_batches(queue_url: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Invoke RerenderFunction once per message (its BatchSize is 1), deleting each message it
    did not report as failed; its answers."""
    from functions.rerender.app import lambda_handler

    sqs = boto3.client("sqs")
    answers: list[dict[str, Any]] = []
    while limit is None or len(answers) < limit:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1).get("Messages", [])
        if not messages:
            return answers
        event = sqs_event(
            messages, queue_arn=f"arn:aws:sqs:us-east-1:123456789012:{RERENDER_QUEUE}", region="us-east-1"
        )
        answer = lambda_handler(event, FakeLambdaContext(function_name="RerenderFunction"))
        answers.append(answer)
        if not failed_message_ids(answer, event, reports_item_failures=True):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return answers
