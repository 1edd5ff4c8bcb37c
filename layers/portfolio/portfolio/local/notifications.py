"""S3 events for the functions that subscribe to them, delivered through SQS.

In AWS, S3 invokes the function asynchronously. moto would invoke it only in a Docker
container (and silently drops the event without Docker), but it does deliver the same
notification to an SQS queue. One poller per S3 event of the template long-polls its queue
and invokes the function in this process with the event S3 would have sent, retrying a
failed event as Lambda retries an asynchronous invocation, then handing it to the function's
on-failure destination.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from portfolio.infra.template import AsyncInvokeConfig
from portfolio.local.functions import LocalFunction
from portfolio.local.queue_events import QueuePoller
from portfolio.local.resources import NotificationQueue
from portfolio.observability import logger

# Lambda waits 1 and then 2 minutes between attempts of an asynchronous invocation; locally
# the same number of attempts happens within seconds.
RETRY_DELAYS_S = (1.0, 2.0)


def _moment(raw: str, received: dt.datetime) -> dt.datetime:
    """When S3 (moto) made the event. moto writes its host's local time, with microseconds
    and without an offset."""
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        parsed = received
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # naive: the local time of the machine moto runs on
    return parsed.astimezone(dt.UTC)


def _event_time(moment: dt.datetime) -> str:
    """``eventTime`` as S3 writes it (UTC, milliseconds, ``Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _sequencer(moment: dt.datetime) -> str:
    """The object's ``sequencer``, which moto leaves out: taken from the event's own time (to the
    microsecond), so that it grows with each upload of a key, as S3's does, and stays the same
    when the same message is delivered twice."""
    micros = (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    return f"{micros:016X}"


def s3_event(notification: dict[str, Any], *, source_ip: str = "127.0.0.1") -> dict[str, Any] | None:
    """The event S3 sends to a function for a notification body delivered to SQS, with every
    field S3 sets (moto leaves out userIdentity, requestParameters, responseElements, the
    bucket's ownerIdentity and the object's sequencer, and encodes the key's slashes). None for
    S3's test event."""
    records = notification.get("Records")
    if not isinstance(records, list):
        return None
    received = dt.datetime.now(dt.UTC)
    complete = []
    for record in records:
        s3 = dict(record.get("s3", {}))
        bucket = {"ownerIdentity": {"principalId": "LOCAL"}, **s3.get("bucket", {})}
        moment = _moment(record.get("eventTime", ""), received)
        obj = {"sequencer": _sequencer(moment), **s3.get("object", {})}
        if isinstance(obj.get("key"), str):
            # S3 URL-encodes the key with "+" for spaces but keeps its slashes; moto encodes
            # the slashes too.
            obj["key"] = quote_plus(unquote_plus(obj["key"]), safe="/")
        request_id = uuid.uuid4().hex[:16].upper()
        complete.append(
            {
                **record,
                "eventTime": _event_time(moment),
                "userIdentity": record.get("userIdentity") or {"principalId": "AWS:LOCAL"},
                "requestParameters": record.get("requestParameters") or {"sourceIPAddress": source_ip},
                "responseElements": record.get("responseElements")
                or {"x-amz-request-id": request_id, "x-amz-id-2": uuid.uuid4().hex},
                "s3": {**s3, "bucket": bucket, "object": obj},
            }
        )
    return {"Records": complete}


def _failure_record(
    event: dict[str, Any], function: LocalFunction, error: BaseException, attempts: int
) -> dict[str, Any]:
    """The record Lambda sends to an on-failure destination after the last attempt."""
    return {
        "version": "1.0",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function.arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "stackTrace": traceback.format_exception(error),
        },
    }


class NotificationPoller(QueuePoller):
    """Long-polls one function's queue and invokes the function for every S3 event."""

    def __init__(
        self,
        queue: NotificationQueue,
        function: LocalFunction,
        *,
        sqs: Any,
        invoke_config: AsyncInvokeConfig,
        on_failure_queue_url: str | None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sqs=sqs, queue_url=queue.queue_url, name=f"s3-events-{queue.function}")
        self.queue = queue
        self.function = function
        self._invoke_config = invoke_config
        self._on_failure_queue_url = on_failure_queue_url
        self._sleep = sleep

    def handle(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.deliver(message.get("Body", ""))
            self._sqs.delete_message(QueueUrl=self.queue.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def deliver(self, body: str) -> None:
        """Invoke the function with the S3 event in ``body`` (an SQS message's body), with
        Lambda's retries; an event that still fails goes to the on-failure destination."""
        try:
            event = s3_event(json.loads(body))
        except (json.JSONDecodeError, AttributeError, TypeError):
            logger.warning("not an S3 notification", extra={"queue": self.queue.queue_url})
            return
        if event is None:
            return  # S3's test event, sent when the notification was configured
        attempts = self._invoke_config.maximum_retry_attempts + 1
        for attempt in range(1, attempts + 1):
            try:
                self.function.invoke(event)
                return
            except Exception as error:  # noqa: BLE001 (any function error is retried, as Lambda does)
                logger.exception(
                    "function error on an S3 event",
                    extra={"function": self.function.name, "attempt": attempt, "of": attempts},
                )
                if attempt == attempts:
                    self._send_to_on_failure(event, error, attempts)
                else:
                    self._sleep(RETRY_DELAYS_S[min(attempt - 1, len(RETRY_DELAYS_S) - 1)])

    def _send_to_on_failure(self, event: dict[str, Any], error: BaseException, attempts: int) -> None:
        if self._on_failure_queue_url is None:
            return
        record = _failure_record(event, self.function, error, attempts)
        self._sqs.send_message(QueueUrl=self._on_failure_queue_url, MessageBody=json.dumps(record))
