"""Writes never lose each other: uploads attaching to the same portfolio at the same moment
(each its own Lambda invocation on AWS; threads here, against moto) all show, whatever
else changes meanwhile, and a write that keeps meeting others gives up loudly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from functions.thumbnails.app import lambda_handler
from portfolio.data import catalogue as store
from portfolio.domain import catalogue
from portfolio.domain.catalogue import AttachTarget, ConcurrentWrites, attach_media, refresh_portfolios
from portfolio.local.embedded_aws import one_transaction_at_a_time
from tests.integration.support import call
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

# Portfolio 4 of the shared data set has an employer (4), tags (2 first) and a link (1).
PORTFOLIO, EMPLOYER, TAG, LINK = 4, 4, 2, 1
UPLOADS = 8


@pytest.fixture(autouse=True)
def atomic_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """TransactWriteItems one at a time, as DynamoDB makes each atomic (and as the local
    stack's moto runs them: portfolio.local.embedded_aws). What is tested is our code against
    an atomic store, not moto's rollback, which erases concurrent commits."""
    from moto.dynamodb.models import DynamoDBBackend

    monkeypatch.setattr(
        DynamoDBBackend,
        "transact_write_items",
        one_transaction_at_a_time(DynamoDBBackend.transact_write_items),
    )


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    import_portfolios([item for item in fixture_portfolios() if item["id"] == PORTFOLIO])
    return support.create_template_buckets()


def retrieve() -> dict[str, Any]:
    reply = call(f"/api/portfolios/{PORTFOLIO}/")
    assert reply.status == 200
    return reply.body


def process_at_once(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each event handled by its own thread, all started together (one invocation each)."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        (outcome,) = lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]
        return outcome

    with ThreadPoolExecutor(max_workers=len(events)) as pool:
        return list(pool.map(handle, events))


def test_uploads_attaching_to_one_portfolio_at_once_all_show(bucket: str) -> None:
    # Given 8 uploads, each asking to join the portfolio's gallery
    before = retrieve()
    events = []
    for number in range(UPLOADS):
        key = f"uploads/g{number}/photo{number}.jpg"
        etag = support.put_upload(
            bucket, key, support.jpeg((64 + number, 48)), {"attach": f"gallery:{PORTFOLIO}"}
        )
        events.append(support.s3_event(bucket, key, etag))
    # When they are processed at the same moment
    outcomes = process_at_once(events)
    # Then each reports its attachment, and the portfolio shows all 8, none lost
    assert [outcome["attached"] for outcome in outcomes] == [[f"gallery:{PORTFOLIO}"]] * UPLOADS
    after = retrieve()
    shown = [image["id"] for image in after["images_data"]]
    assert shown[: len(before["images_data"])] == [image["id"] for image in before["images_data"]]
    assert sorted(shown[len(before["images_data"]) :]) == sorted(outcome["media_id"] for outcome in outcomes)
    # And the stored source agrees with the document (a later re-render keeps them too)
    stored = store.load_portfolio_records([PORTFOLIO])[PORTFOLIO]
    assert list(stored.gallery_ids) == shown


def test_every_kind_of_attachment_made_at_once_shows(bucket: str) -> None:
    # Given uploads for the cover, the gallery, and the portfolio's employer, tag and link
    targets = [
        f"cover:{PORTFOLIO}",
        f"gallery:{PORTFOLIO}",
        f"employer:{EMPLOYER}",
        f"tag:{TAG}",
        f"link:{LINK}",
    ]
    events = []
    for number, target in enumerate(targets):
        key = f"uploads/k{number}/image{number}.png"
        etag = support.put_upload(bucket, key, support.png((40 + number, 30)), {"attach": target})
        events.append(support.s3_event(bucket, key, etag))
    # When they are processed at the same moment
    outcomes = dict(zip(targets, process_at_once(events), strict=True))
    # Then the document shows every one of them where it was asked
    after = retrieve()
    assert after["image_data"]["id"] == outcomes[f"cover:{PORTFOLIO}"]["media_id"]
    assert after["images_data"][-1]["id"] == outcomes[f"gallery:{PORTFOLIO}"]["media_id"]
    assert after["employer_data"]["image_data"]["id"] == outcomes[f"employer:{EMPLOYER}"]["media_id"]
    tag = next(tag for tag in after["tags_data"] if tag["id"] == TAG)
    assert tag["image_data"]["id"] == outcomes[f"tag:{TAG}"]["media_id"]
    link = next(link for link in after["links_data"] if link["id"] == LINK)
    assert link["image_data"]["id"] == outcomes[f"link:{LINK}"]["media_id"]
    # And the list agrees with the retrieve (the card and the document were written together)
    listed = call("/api/portfolios/?ordering=-updated_at").body["results"]
    assert next(item for item in listed if item["id"] == PORTFOLIO)["updated_at"] == after["updated_at"]


def test_a_write_that_read_an_older_revision_reads_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a writer that, the first time it renders, is overtaken by another write
    image = store.load_portfolio_records([PORTFOLIO])[PORTFOLIO].image_id
    assert image is not None
    original = catalogue._render_stored
    overtaken = []

    def render_then_be_overtaken(*args: Any, **kwargs: Any) -> list[store.PortfolioWrite]:
        writes = original(*args, **kwargs)
        if not overtaken:
            overtaken.append(True)
            attach_media(image, AttachTarget.GALLERY, PORTFOLIO)  # the other writer, first
        return writes

    monkeypatch.setattr(catalogue, "_render_stored", render_then_be_overtaken)
    # When it writes its own change
    refresh_portfolios([PORTFOLIO], change=lambda record: record)
    # Then the other writer's change is kept (it was read again, not overwritten)
    assert image in store.load_portfolio_records([PORTFOLIO])[PORTFOLIO].gallery_ids


def test_a_portfolio_that_keeps_changing_ends_in_an_error_not_a_lost_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a portfolio that another writer changes every time this one has read it
    def always_conflict(writes: Any, *, expected: Any = None) -> None:
        raise store.WriteConflict({PORTFOLIO})

    monkeypatch.setattr(store, "save_portfolios", always_conflict)
    monkeypatch.setattr(catalogue, "_RETRY_PAUSE_S", (0.0, 0.0))
    # When it tries to write, Then it gives up after its attempts with an error that says so
    with pytest.raises(ConcurrentWrites, match=str(PORTFOLIO)):
        refresh_portfolios([PORTFOLIO])
