"""Duplicate and out-of-order S3 events: the latest upload of a key wins.

S3 delivers events at least once and in any order; each carries a ``sequencer`` that orders
the events of one key (hexadecimal, compared after left-padding the shorter with zeros). An
upload whose key has seen a later one is skipped (``superseded``), so an older upload never
replaces or duplicates a newer one: not its record, not where it is shown. Here each upload
asks to be portfolio 4's cover, and the read API says which one is.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.thumbnails.app import lambda_handler
from portfolio.data import media as media_store
from portfolio.data.media import load_upload_record
from portfolio.data.models import MediaModel
from portfolio.observability import logger
from tests.integration.support import call
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

PORTFOLIO = 4
KEY = "uploads/cover/photo.jpg"
COVER = {"attach": f"cover:{PORTFOLIO}"}
# Three uploads of one key, in the order S3 received them.
FIRST, SECOND, THIRD = "0066320A49A8E5B2C1", "0066320A49A8E5B2D7", "0066320A49A8E5B3F0"
# Sequencers of different lengths: S3 compares them after left-padding the shorter with zeros.
OLDER_SHORT, NEWER_LONG = "FFFFFFFFFFFFFFFF", "10000000000000000"


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    import_portfolios([item for item in fixture_portfolios() if item["id"] == PORTFOLIO])
    return support.create_template_buckets()


def handle(event: dict[str, Any]) -> list[dict[str, Any]]:
    return lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]


def put(bucket: str, data: bytes, sequencer: str) -> dict[str, Any]:
    """Upload ``data`` under KEY (asking to be the cover); return its event."""
    etag = support.put_upload(bucket, KEY, data, COVER)
    return support.s3_event(bucket, KEY, etag, size=len(data), sequencer=sequencer)


def cover_id() -> int | None:
    reply = call(f"/api/portfolios/{PORTFOLIO}/")
    assert reply.status == 200
    image = reply.body["image_data"]
    return None if image is None else int(image["id"])


def record_ids() -> list[int]:
    """The image records made from uploads of KEY (the catalogue has images of its own)."""
    return sorted(item.id for item in MediaModel.scan() if item.source is not None and item.source.key == KEY)


def test_the_same_event_delivered_again_after_a_later_upload_changes_nothing(bucket: str) -> None:
    # Given two uploads of one key, each processed in turn
    first = put(bucket, support.jpeg((400, 300)), FIRST)
    (first_outcome,) = handle(first)
    second = put(bucket, support.jpeg((300, 400)), SECOND)
    (second_outcome,) = handle(second)
    assert cover_id() == second_outcome["media_id"]
    # When S3 delivers the first upload's event again
    again = handle(first)
    # Then it gets its first answer, and nothing moves: two records, the later one the cover
    assert again == [first_outcome]
    assert record_ids() == sorted([first_outcome["media_id"], second_outcome["media_id"]])
    assert cover_id() == second_outcome["media_id"]


def test_an_older_upload_delivered_after_a_newer_one_is_skipped(bucket: str) -> None:
    # Given an upload overwritten by another before either event arrives
    older = put(bucket, support.jpeg((400, 300)), FIRST)
    newer = put(bucket, support.jpeg((300, 400)), SECOND)
    # When the newer event arrives first, then the older
    (newer_outcome,) = handle(newer)
    (older_outcome,) = handle(older)
    # Then the older is skipped: one record (the newer's), the cover, and only its objects
    assert newer_outcome["status"] == "ready"
    assert (older_outcome["status"], older_outcome["reason"]) == ("skipped", "superseded")
    assert record_ids() == [newer_outcome["media_id"]]
    assert cover_id() == newer_outcome["media_id"]
    assert len(support.object_keys(bucket, "core_media/")) == 5


def test_an_older_upload_with_the_same_bytes_as_the_newest_does_not_duplicate_it(bucket: str) -> None:
    # Given uploads A, B, then A's bytes again (the key now holds A's bytes and ETag)
    a_bytes = support.jpeg((400, 300))
    first = put(bucket, a_bytes, FIRST)
    second = put(bucket, support.jpeg((300, 400)), SECOND)
    third = put(bucket, a_bytes, THIRD)
    assert first["Records"][0]["s3"]["object"]["eTag"] == third["Records"][0]["s3"]["object"]["eTag"]
    # When their events arrive newest first
    outcomes = [handle(event)[0] for event in (third, second, first)]
    # Then only the newest is processed, although the oldest names the object S3 holds
    assert [(o["status"], o["reason"]) for o in outcomes] == [
        ("ready", None),
        ("skipped", "superseded"),
        ("skipped", "superseded"),
    ]
    assert record_ids() == [outcomes[0]["media_id"]]
    assert cover_id() == outcomes[0]["media_id"]


def test_the_same_bytes_uploaded_again_later_are_a_new_upload_that_wins(bucket: str) -> None:
    # Given uploads A, B, then A's bytes again, each processed in turn
    a_bytes = support.jpeg((400, 300))
    outcomes = []
    for data, sequencer in ((a_bytes, FIRST), (support.jpeg((300, 400)), SECOND), (a_bytes, THIRD)):
        (outcome,) = handle(put(bucket, data, sequencer))
        outcomes.append(outcome)
    # Then the last is an upload of its own (not an answer remembered from the first): it has
    # its own record and is the cover the editor asked for last
    assert [o["status"] for o in outcomes] == ["ready", "ready", "ready"]
    assert len(set(record_ids())) == 3
    assert cover_id() == outcomes[2]["media_id"]


def test_sequencers_of_different_lengths_compare_as_padded_hexadecimal_newer_first(bucket: str) -> None:
    # Given an older upload whose short sequencer is the greater as plain text ("F..." >
    # "1..."), overwritten by a newer one with a longer sequencer
    assert OLDER_SHORT > NEWER_LONG
    older = put(bucket, support.jpeg((400, 300)), OLDER_SHORT)
    newer = put(bucket, support.jpeg((300, 400)), NEWER_LONG)
    # When the newer event arrives first
    (newer_outcome,) = handle(newer)
    (older_outcome,) = handle(older)
    # Then the older is the one skipped
    assert newer_outcome["status"] == "ready"
    assert (older_outcome["status"], older_outcome["reason"]) == ("skipped", "superseded")
    assert record_ids() == [newer_outcome["media_id"]]
    assert cover_id() == newer_outcome["media_id"]


def test_sequencers_of_different_lengths_compare_as_padded_hexadecimal_in_order(bucket: str) -> None:
    # Given an upload with a short sequencer, processed
    (older_outcome,) = handle(put(bucket, support.jpeg((400, 300)), OLDER_SHORT))
    # When the editor uploads again, and S3 gives the new event a longer sequencer
    (newer_outcome,) = handle(put(bucket, support.jpeg((300, 400)), NEWER_LONG))
    # Then the new upload is the newer one (not skipped as older): it is the cover
    assert [older_outcome["status"], newer_outcome["status"]] == ["ready", "ready"]
    assert cover_id() == newer_outcome["media_id"]


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The function's JSON log lines (warnings and above, the tests' level)."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous_stream = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    handler.setStream(previous_stream)


def test_an_older_upload_still_running_when_a_newer_one_finishes_does_not_replace_it(
    bucket: str, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    # Given an upload whose run has read its object when the editor uploads again, and the
    # new upload is processed entirely while the first run is still decoding
    older = put(bucket, support.jpeg((400, 300)), FIRST)
    newer_outcomes: list[dict[str, Any]] = []

    def newer_upload_processed_meanwhile(**_: Any) -> None:
        if newer_outcomes:
            return  # the newer run's own read
        newer_outcomes.append({})
        newer_outcomes[:] = handle(put(bucket, support.jpeg((300, 400)), SECOND))

    client = media_store.s3_client()
    client.meta.events.register("after-call.s3.GetObject", newer_upload_processed_meanwhile)
    try:
        # When the older run goes on
        (older_outcome,) = handle(older)
    finally:
        client.meta.events.unregister("after-call.s3.GetObject", newer_upload_processed_meanwhile)
    (newer_outcome,) = newer_outcomes
    # Then it records nothing and attaches nothing: the newer upload stays the record and the cover
    assert newer_outcome["status"] == "ready"
    assert (older_outcome["status"], older_outcome["reason"]) == ("skipped", "superseded")
    assert record_ids() == [newer_outcome["media_id"]]
    assert cover_id() == newer_outcome["media_id"]
    # And the objects it wrote meanwhile are named in the log, referenced by no record
    stored = load_upload_record(newer_outcome["media_id"])
    assert stored is not None
    referenced = {stored.record.key, *(thumbnail.key for thumbnail in stored.record.thumbnails)}
    unreferenced = set(support.object_keys(bucket, "core_media/")) - referenced
    (warning,) = [line for line in log_lines() if line.get("upload_key") == KEY and "objects" in line]
    assert set(warning["objects"]) == unreferenced
    assert len(unreferenced) == 5
