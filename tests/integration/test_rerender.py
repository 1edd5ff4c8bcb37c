"""A shared record's new image reaches every portfolio that shows it without the upload's
invocation growing with them (issue 11): the thumbnails function queues bounded batches,
RerenderFunction renders one per invocation, idempotently, and SQS retries a failed one. The
record's portfolios are kept in ReferencesTable, in chunks, with no limit on their number."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.client import BaseClient

from functions.rerender.app import lambda_handler as rerender_handler
from functions.thumbnails.app import lambda_handler as thumbnails_handler
from portfolio.data import catalogue as store
from portfolio.data import rerender_queue as queue_data
from portfolio.data.models import EmployerModel, ReferenceModel
from portfolio.domain import catalogue
from portfolio.domain.catalogue import AttachTarget, attach_media, import_catalogue, rerender_batch
from portfolio.domain.demo import demo_catalogue, with_one_employer
from portfolio.domain.import_format import parse_import
from portfolio.domain.records import EmployerRecord, TagRecord
from portfolio.local.queue_events import sqs_event
from tests.integration.support import call
from tests.support import iam
from tests.support import media as support
from tests.support.context import FakeLambdaContext
from tests.support.rerender import RERENDER_QUEUE, queued_batches, run_batches

pytestmark = pytest.mark.integration


def _catalogue_with_one_employer(count: int) -> tuple[int, int]:
    """``count`` demo portfolios all showing one employer: its id, and the id of a stored image
    that is not its own (the first portfolio's cover) to give it."""
    items = demo_catalogue(count)
    employer = with_one_employer(items)
    import_catalogue(parse_import(items))
    other_image = int(items[0]["image_data"]["id"])
    assert other_image != employer["image_data"]["id"]
    return int(employer["id"]), other_image


def _employer_image(portfolio_id: int) -> int | None:
    reply = call(f"/api/portfolios/{portfolio_id}/")
    assert reply.status == 200
    image = reply.body["employer_data"]["image_data"]
    return None if image is None else int(image["id"])


def _upload_for(bucket: str, employer_id: int) -> dict[str, Any]:
    etag = support.put_upload(
        bucket, "uploads/logo.png", support.png((200, 200)), {"attach": f"employer:{employer_id}"}
    )
    return support.s3_event(bucket, "uploads/logo.png", etag)


@pytest.mark.slow
@pytest.mark.xdist_group("scale")
def test_an_employer_shown_on_20000_portfolios_costs_the_upload_a_bounded_number_of_calls(
    rerender_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 20,000 portfolios that all show one employer
    employer_id, _ = _catalogue_with_one_employer(20_000)
    bucket = support.create_template_buckets()
    event = _upload_for(bucket, employer_id)
    recorder = iam.CallRecorder()
    monkeypatch.setattr(BaseClient, "_make_api_call", recorder(BaseClient._make_api_call))
    # When an upload makes a new image that employer's
    started = time.perf_counter()
    (outcome,) = thumbnails_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]
    elapsed = time.perf_counter() - started
    monkeypatch.undo()
    assert outcome["status"] == "ready"
    assert outcome["attached"] == [f"employer:{employer_id}"]
    # Then the invocation rendered none of them: it queued 200 batches of 100, in 20 calls
    calls = [(service, operation) for service, operation, _ in recorder.calls]
    assert calls.count(("sqs", "SendMessageBatch")) == 20
    assert ("dynamodb", "TransactWriteItems") not in calls
    assert len(calls) < 60, calls
    batches = queued_batches(rerender_queue)
    assert len(batches) == 200
    assert all(len(batch["portfolio_ids"]) <= queue_data.BATCH_SIZE for batch in batches)
    assert sorted(pid for batch in batches for pid in batch["portfolio_ids"]) == list(range(1, 20_001))
    # And within a few seconds even on moto (it was a 20,000-portfolio render inside the
    # upload's 60 s invocation before)
    assert elapsed < 20


def test_the_queued_batches_show_the_new_image_everywhere(rerender_queue: str) -> None:
    # Given 250 portfolios showing one employer, and another image attached to it
    employer_id, new_image = _catalogue_with_one_employer(250)
    affected = attach_media(new_image, AttachTarget.EMPLOYER, employer_id)
    assert affected == list(range(1, 251))
    # (queued, not rendered yet)
    assert _employer_image(250) != new_image
    # When RerenderFunction has run on every batch (3 of them)
    assert [batch["portfolio_ids"][:1] for batch in queued_batches(rerender_queue)] == [[1], [101], [201]]
    answers = run_batches(rerender_queue)
    # Then each succeeded, and every portfolio shows the employer as it is now
    assert answers == [{"batchItemFailures": []}] * 3
    assert {_employer_image(pid) for pid in (1, 100, 101, 250)} == {new_image}
    assert queued_batches(rerender_queue) == []


def test_a_batch_delivered_again_writes_nothing(rerender_queue: str) -> None:
    # Given a batch that has been rendered
    employer_id, new_image = _catalogue_with_one_employer(20)
    attach_media(new_image, AttachTarget.EMPLOYER, employer_id)
    (batch,) = queued_batches(rerender_queue)
    body = queue_data.RerenderBatch(tuple(batch["portfolio_ids"]), batch["reason"]).body()
    assert rerender_batch(body) == list(range(1, 21))
    # When SQS delivers it again, Then nothing is written (documents render as stored)
    assert rerender_batch(body) == []


def _one_message_event(body: str) -> dict[str, Any]:
    message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body, "Attributes": {}, "MD5OfBody": ""}
    return sqs_event([message], queue_arn=iam.queue_arn(RERENDER_QUEUE), region="us-east-1")


@pytest.mark.parametrize("body", ["not json", '{"portfolio_ids": ["1"]}', '{"portfolio_ids": [0]}', "[]"])
def test_a_malformed_batch_is_dropped_not_retried(body: str) -> None:
    answer = rerender_handler(_one_message_event(body), FakeLambdaContext(function_name="RerenderFunction"))

    assert answer == {"batchItemFailures": []}


def test_a_batch_that_keeps_meeting_other_writers_fails_the_invocation_for_sqs_to_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given portfolios that change under every attempt to write them
    def always_conflicting(*_: Any, **__: Any) -> list[int]:
        raise catalogue.ConcurrentWrites("portfolios [1] changed under 25 attempts")

    monkeypatch.setattr(catalogue, "refresh_portfolios", always_conflicting)
    body = queue_data.RerenderBatch((1, 2), "employer 1 image 2").body()
    # When RerenderFunction gets their batch, Then the invocation fails (a Lambda error, which
    # RerenderErrorsAlarm counts): SQS delivers the batch again, then keeps it in the failure queue
    with pytest.raises(BatchProcessingError, match="All records failed"):
        rerender_handler(_one_message_event(body), FakeLambdaContext(function_name="RerenderFunction"))


# Packing the card snapshot again happens every 50 catalogue changes, not on this batch.
_GRANTED_FOR_OTHER_PATHS = {
    ("dynamodb:Scan", iam.table_arn("PortfoliosTable")),
    ("dynamodb:BatchWriteItem", iam.table_arn("SequencesTable")),
}


def test_every_call_the_rerender_function_makes_is_allowed_by_its_role(
    rerender_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queued batch of portfolios whose employer, tags and links all render
    employer_id, new_image = _catalogue_with_one_employer(30)
    attach_media(new_image, AttachTarget.EMPLOYER, employer_id)
    (batch,) = queued_batches(rerender_queue)
    recorder = iam.CallRecorder()
    monkeypatch.setattr(BaseClient, "_make_api_call", recorder(BaseClient._make_api_call))
    # When RerenderFunction renders it (receiving and deleting are the event source's)
    answer = rerender_handler(
        _one_message_event(queue_data.RerenderBatch(tuple(batch["portfolio_ids"]), "x").body()),
        FakeLambdaContext(function_name="RerenderFunction"),
    )
    monkeypatch.undo()
    assert answer == {"batchItemFailures": []}
    # Then its role allows every call, and every grant is used
    allowed = iam.allowed("RerenderFunction", bucket="portfolio-media-test")
    assert not iam.refused(allowed, recorder.needed())
    assert not iam.unused(allowed, recorder.needed(), for_other_paths=_GRANTED_FOR_OTHER_PATHS)


def test_a_tag_shown_on_more_portfolios_than_one_item_could_hold_keeps_them_all() -> None:
    # Given a tag, and 150,000 portfolios recorded as showing it (a single item would have
    # stopped near 100,000 ids: DynamoDB's 400 KB)
    store.save_tags([TagRecord(id=2, name="Python", image_id=None)], {})
    store.add_references("tag", {2: range(1, 150_001)})
    # When an image is set on it, Then every one of them is found to re-render
    assert store.set_record_image("tag", 2, 77) == set(range(1, 150_001))
    # And no item of ReferencesTable comes near the limit
    items = list(ReferenceModel.query("tag#2"))
    assert len(items) == 16
    assert max(len(item.portfolio_ids or ()) for item in items) <= store.REFERENCE_CHUNK


def test_references_stored_on_the_record_itself_are_still_used_and_moved_by_the_next_import() -> None:
    # Given an employer stored before ReferencesTable, its portfolios on the record itself
    EmployerModel(id=3, name="Acme", portfolio_ids={5, 6}).save()
    # When an image is set on it, Then those portfolios are found
    assert store.set_record_image("employer", 3, 77) == {5, 6}
    # And an import of it (now shown on portfolio 9) moves them to ReferencesTable
    store.save_employers([EmployerRecord(id=3, name="Acme", description=None, image_id=77)], {3: {9}})
    assert EmployerModel.get(3).portfolio_ids is None
    assert store.referencing_portfolios("employer", 3) == {5, 6, 9}
