"""SQS event sources of the local stack's functions, as Lambda's poller runs them.

For each ``SQS`` event of the template (RerenderFunction's RerenderQueue), a thread
long-polls the queue, invokes the function in this process with up to ``BatchSize``
messages in Lambda's SQS event shape, and deletes the messages that succeeded: all of them,
or those not named in the answer's ``batchItemFailures`` (ReportBatchItemFailures). A failed
message stays and comes back after the queue's visibility timeout; the queue's redrive policy
(set by the local stack from the template) moves it to its failure queue, as in AWS.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portfolio.infra.template import SqsTrigger
from portfolio.local.functions import LocalFunction
from portfolio.observability import logger

_POLL_WAIT_S = 1


def sqs_event(messages: list[dict[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    """Lambda's event for a batch of messages received from ``queue_arn``."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message.get("Body", ""),
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def failed_message_ids(answer: Any, event: dict[str, Any], *, reports_item_failures: bool) -> set[str]:
    """The messages Lambda leaves on the queue after this answer: those the answer names as
    failed (ReportBatchItemFailures), every one when the answer cannot be read so."""
    every = {record["messageId"] for record in event["Records"]}
    if not reports_item_failures:
        return set()
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not isinstance(failures, list):
        return every
    named = {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}
    # An identifier that is not in the batch fails the whole batch, as Lambda does.
    return every if not named <= every else named


class QueuePoller:
    """A thread that long-polls one queue and hands each received batch to ``handle``
    (subclasses), until stopped."""

    def __init__(self, *, sqs: Any, queue_url: str, name: str, max_messages: int = 10) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._max_messages = max_messages
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_POLL_WAIT_S + 5)

    def handle(self, messages: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                reply = self._sqs.receive_message(
                    QueueUrl=self._queue_url,
                    MaxNumberOfMessages=self._max_messages,
                    WaitTimeSeconds=_POLL_WAIT_S,
                    AttributeNames=["All"],
                )
            except (BotoCoreError, ClientError) as error:
                if self._stop.is_set():
                    return
                logger.warning("cannot poll a queue", extra={"queue": self._queue_url, "reason": str(error)})
                self._stop.wait(1.0)
                continue
            messages = reply.get("Messages", [])
            if messages:
                self.handle(messages)


class SqsEventPoller(QueuePoller):
    """Lambda's SQS event source for one function: batches of up to its BatchSize."""

    def __init__(
        self,
        trigger: SqsTrigger,
        function: LocalFunction,
        *,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        region: str,
    ) -> None:
        super().__init__(
            sqs=sqs,
            queue_url=queue_url,
            name=f"sqs-events-{trigger.function}",
            max_messages=min(trigger.batch_size, 10),
        )
        self.trigger = trigger
        self.function = function
        self._queue_arn = queue_arn
        self._region = region

    def handle(self, messages: list[dict[str, Any]]) -> None:
        self.deliver(messages)

    def deliver(self, messages: list[dict[str, Any]]) -> set[str]:
        """Invoke the function with these messages; delete those that succeeded. The ids of
        those left on the queue."""
        event = sqs_event(messages, queue_arn=self._queue_arn, region=self._region)
        try:
            answer = self.function.invoke(event)
        except Exception:  # noqa: BLE001 (a function error leaves the whole batch, as in Lambda)
            logger.exception("function error on an SQS batch", extra={"function": self.function.name})
            failed = {record["messageId"] for record in event["Records"]}
        else:
            failed = failed_message_ids(
                answer, event, reports_item_failures=self.trigger.reports_item_failures
            )
        for record in event["Records"]:
            if record["messageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=record["receiptHandle"])
        return failed
