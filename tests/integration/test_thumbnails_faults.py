"""ThumbnailsFunction when S3 misbehaves: a transient failure fails the invocation (so that
Lambda retries it, then sends it to ThumbnailsFailureQueue) and leaves nothing a retry would
duplicate; the retry, once the fault clears, makes exactly one of everything. A deleted
upload is a logged skip.

Faults are injected in botocore itself, under the data layer: a ``before-send`` hook on the
function's S3 client answers the request as S3 would (503 SlowDown, 500 InternalError, 404),
raises the timeout botocore would raise, or hands back a body that breaks off mid-way. (moto
still runs a request the hook answers: an answered write is one that landed, its answer lost.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeoutError

from functions.thumbnails.app import lambda_handler
from portfolio.config import settings
from portfolio.data import media as media_store
from portfolio.data.models import MediaModel, SequenceModel
from portfolio.domain.media import UploadsFailed
from portfolio.infra.template import async_invoke_config, load_template
from portfolio.observability import logger
from tests.support import media as support
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

DAY_FOLDER = "core_media/2026/05/01/"  # the sample event's eventTime
KEY = "uploads/f1/photo.jpg"
ONE_UPLOAD_OBJECTS = [DAY_FOLDER + "photo.jpg"] + [
    f"{DAY_FOLDER}thumbnails/photo_thumbnail_{n}x{n}.jpg" for n in (1080, 128, 512, 64)
]

Fault = Callable[[Any], Any]  # the request -> a response, or raises; None lets it through


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    return support.create_template_buckets()


@pytest.fixture
def s3_fault(bucket: str) -> Iterator[Callable[[str, Fault], list[str]]]:
    """Install ``fault`` on an operation of the function's S3 client; returns the URL of
    every request it saw (botocore's attempts included). Gone with ``clear_faults()``."""
    client = media_store.s3_client()
    installed: list[tuple[str, Callable[..., Any]]] = []

    def install(operation: str, fault: Fault) -> list[str]:
        seen: list[str] = []

        def handler(request: Any, **_: Any) -> Any:
            seen.append(request.url)
            return fault(request)

        event_name = f"before-send.s3.{operation}"
        client.meta.events.register_first(event_name, handler)
        installed.append((event_name, handler))
        return seen

    yield install
    for event_name, handler in installed:
        client.meta.events.unregister(event_name, handler)


def clear_faults() -> None:
    media_store.reset_clients()  # a new client, without the hooks (as a new attempt's process)


class _Body:
    """A response body as urllib3 gives it to botocore: ``read`` and ``stream``."""

    def __init__(self, chunks: list[bytes | Exception]) -> None:
        self._chunks = chunks

    def read(self, amt: int | None = None) -> bytes:
        if not self._chunks:
            return b""
        if amt is None:
            data = b""
            while self._chunks:
                data += self.read(1 << 20)
            return data
        chunk = self._chunks.pop(0)
        if isinstance(chunk, Exception):
            raise chunk
        return chunk

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def s3_error(status: int, code: str | None, message: str = "") -> Fault:
    """S3's error response: an XML body with the code (none for a bare 404, as HEAD gets)."""
    body = b""
    if code is not None:
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"
        ).encode()
    return lambda request: AWSResponse(
        request.url,
        status,
        {"Content-Type": "application/xml", "Content-Length": str(len(body))},
        _Body([body]),
    )


def read_timeout(request: Any) -> Any:
    raise ReadTimeoutError(endpoint_url=request.url)


def body_breaking_off(failure: Callable[[str], Exception | None]) -> Fault:
    """A 200 whose body stops a third of the way: with ``failure(url)`` raised (a read
    timeout), or, when it gives None, with the connection closed early."""

    def respond(request: Any) -> AWSResponse:
        data = support.jpeg()
        cut = failure(request.url)
        rest: list[bytes | Exception] = [cut] if cut is not None else []
        headers = {"Content-Length": str(len(data)), "Content-Type": "image/jpeg", "ETag": '"x"'}
        return AWSResponse(request.url, 200, headers, _Body([data[: len(data) // 3], *rest]))

    return respond


# fault -> (how it is injected, how many times botocore sends the request before giving up)
TRANSIENT: dict[str, tuple[Fault, int]] = {
    "throttled (503 SlowDown)": (s3_error(503, "SlowDown", "Please reduce your request rate."), 3),
    "internal error (500 InternalError)": (
        s3_error(500, "InternalError", "We encountered an internal error."),
        3,
    ),
    "read timeout": (read_timeout, 3),
    "read timeout mid-body": (
        body_breaking_off(lambda url: Urllib3ReadTimeoutError(None, url, "Read timed out.")),
        1,
    ),
    "connection closed mid-body": (body_breaking_off(lambda url: None), 1),
}


def handle(event: dict[str, Any]) -> list[dict[str, Any]]:
    return lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]


def sequence(name: str) -> int:
    try:
        return int(SequenceModel.get(name).value)
    except SequenceModel.DoesNotExist:
        return 0


def idempotency_ids() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName=settings().tables.idempotency)["Items"]
    return sorted(item["id"]["S"] for item in items)


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_a_transient_read_failure_fails_the_invocation_and_the_retry_makes_one_of_everything(
    bucket: str, s3_fault: Callable[[str, Fault], list[str]], fault: str
) -> None:
    # Given an upload, and S3 failing to give it this way
    event = support.s3_event(bucket, KEY, support.put_upload(bucket, KEY, support.jpeg()))
    inject, tries = TRANSIENT[fault]
    attempts = s3_fault("GetObject", inject)
    # When Lambda invokes the function
    with pytest.raises(UploadsFailed):
        handle(event)
    # Then the invocation failed (Lambda retries it) after botocore's own attempts...
    assert len(attempts) == tries <= media_store.S3_MAX_ATTEMPTS
    # ...and left nothing behind: no record (failed or not), no object, no id, no idempotency
    # record that would answer the retry (only the key's latest-upload mark, which the retry
    # claims again)
    assert list(MediaModel.scan()) == []
    assert support.object_keys(bucket, "core_media/") == []
    assert (sequence("media"), sequence("thumbnail")) == (0, 0)
    assert idempotency_ids() == [f"{media_store.LATEST_UPLOAD_ID_PREFIX}{bucket}/{KEY}"]

    # When the fault clears and Lambda retries the event, and S3 then delivers it once more
    clear_faults()
    (outcome,) = handle(event)
    duplicate = handle(event)
    # Then there is exactly one image: one record, its five objects, ids used once
    assert outcome["status"] == "ready"
    assert duplicate == [outcome]
    assert [item.id for item in MediaModel.scan()] == [outcome["media_id"]]
    assert support.object_keys(bucket, "core_media/") == sorted(ONE_UPLOAD_OBJECTS)
    assert (sequence("media"), sequence("thumbnail")) == (1, 4)


def connect_timeout(request: Any) -> Any:
    raise ConnectTimeoutError(endpoint_url=request.url)


# How a write fails -> the objects the failed run leaves (moto runs every request a hook lets
# through or answers: a 503 put in place of S3's answer is a write that landed, its answer lost).
WRITE_FAULTS: dict[str, tuple[Fault, list[str]]] = {
    "never sent (connect timeout)": (connect_timeout, []),
    "stored, but answered 503 SlowDown": (
        s3_error(503, "SlowDown", "Please reduce your request rate."),
        [DAY_FOLDER + "thumbnails/photo_thumbnail_128x128.jpg"],
    ),
}


@pytest.mark.parametrize("fault", list(WRITE_FAULTS))
def test_a_failure_halfway_through_the_writes_is_completed_by_the_retry_without_duplicates(
    bucket: str, s3_fault: Callable[[str, Fault], list[str]], fault: str
) -> None:
    # Given an upload, and S3 failing every write after the original's and the first
    # thumbnail's (the 64 px one: thumbnails are written smallest first, with ascending ids)
    event = support.s3_event(bucket, KEY, support.put_upload(bucket, KEY, support.jpeg()))
    inject, landed = WRITE_FAULTS[fault]
    s3_fault(
        "PutObject",
        lambda request: (
            inject(request) if "_thumbnail_" in request.url and "64x64" not in request.url else None
        ),
    )
    # When Lambda invokes the function
    with pytest.raises(UploadsFailed):
        handle(event)
    # Then the invocation fails, with some objects written and no record
    assert list(MediaModel.scan()) == []
    written = [DAY_FOLDER + "photo.jpg", DAY_FOLDER + "thumbnails/photo_thumbnail_64x64.jpg", *landed]
    assert support.object_keys(bucket, "core_media/") == sorted(written)
    # When the fault clears and Lambda retries
    clear_faults()
    (outcome,) = handle(event)
    # Then the retry finds its own objects again (their upload marker): one of everything
    assert outcome["status"] == "ready"
    assert len(list(MediaModel.scan())) == 1
    assert support.object_keys(bucket, "core_media/") == sorted(ONE_UPLOAD_OBJECTS)
    assert (sequence("media"), sequence("thumbnail")) == (1, 4)


def test_an_event_that_failed_every_invocation_is_replayed_from_its_failure_record(
    bucket: str, s3_fault: Callable[[str, Fault], list[str]]
) -> None:
    # Given an upload whose read fails for longer than Lambda's invocations of its event last
    event = support.s3_event(bucket, KEY, support.put_upload(bucket, KEY, support.jpeg()))
    s3_fault("GetObject", s3_error(500, "InternalError", "We encountered an internal error."))
    invocations = 1 + async_invoke_config(load_template(), "ThumbnailsFunction").maximum_retry_attempts
    for _ in range(invocations):
        with pytest.raises(UploadsFailed) as failed:
            handle(event)
    # and the record Lambda then sends to ThumbnailsFailureQueue, as the queue keeps it
    message = json.dumps(
        {
            "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": invocations},
            "requestPayload": event,
            "responsePayload": {"errorType": "UploadsFailed", "errorMessage": str(failed.value)},
        }
    )
    assert list(MediaModel.scan()) == []
    # When the fault is gone and an operator replays the payload (docs/images.md), twice
    clear_faults()
    (outcome,) = handle(json.loads(message)["requestPayload"])
    again = handle(json.loads(message)["requestPayload"])
    # Then the upload is processed once
    assert outcome["status"] == "ready"
    assert again == [outcome]
    assert len(list(MediaModel.scan())) == 1
    assert support.object_keys(bucket, "core_media/") == sorted(ONE_UPLOAD_OBJECTS)


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The function's JSON log lines, at INFO."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous_stream = handler.setStream(stream)
    previous_level = logger.log_level
    logger.setLevel("INFO")
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    logger.setLevel(previous_level)
    handler.setStream(previous_stream)


@pytest.mark.parametrize(
    "how",
    ["deleted from the bucket", "S3 answers NoSuchKey", "S3 answers a bare 404"],
)
def test_an_upload_deleted_before_processing_is_a_logged_skip(
    bucket: str,
    s3_fault: Callable[[str, Fault], list[str]],
    log_lines: Callable[[], list[dict[str, Any]]],
    how: str,
) -> None:
    # Given an upload that is gone when its event is handled
    event = support.s3_event(bucket, KEY, support.put_upload(bucket, KEY, support.jpeg()))
    if how == "deleted from the bucket":
        boto3.client("s3").delete_object(Bucket=bucket, Key=KEY)
    elif how == "S3 answers NoSuchKey":
        s3_fault("GetObject", s3_error(404, "NoSuchKey", "The specified key does not exist."))
    else:
        s3_fault("GetObject", s3_error(404, None))
    # When the event arrives
    (outcome,) = handle(event)
    # Then the function succeeds (no retry) without a record or an object
    assert (outcome["status"], outcome["reason"]) == ("skipped", "deleted")
    assert list(MediaModel.scan()) == []
    assert support.object_keys(bucket, "core_media/") == []
    # And says so in its log
    skips = [line for line in log_lines() if line.get("message") == "upload skipped"]
    assert [(line["level"], line["upload_key"], line["reason"]) for line in skips] == [
        ("INFO", KEY, "deleted")
    ]
