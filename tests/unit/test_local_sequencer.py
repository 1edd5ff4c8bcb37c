"""The local stack's S3 events carry a sequencer as S3's do: it grows with each upload of a
key and is the same when one notification is delivered twice (the thumbnails function uses
it to tell a redelivery from a newer upload)."""

from __future__ import annotations

import pytest

from portfolio.local.notifications import s3_event

pytestmark = pytest.mark.unit


def _notification(event_time: str) -> dict[str, object]:
    # What moto sends to SQS: its host's local time with microseconds, and no sequencer.
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": event_time,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "ThumbnailsFunction",
                    "bucket": {"name": "media", "arn": "arn:aws:s3:::media"},
                    "object": {"key": "uploads/a/photo.jpg", "size": 10, "eTag": "0123"},
                },
            }
        ]
    }


def _sequencer(event: dict[str, object] | None) -> str:
    assert event is not None
    return event["Records"][0]["s3"]["object"]["sequencer"]  # type: ignore[index]


def test_a_redelivered_notification_keeps_its_sequencer_and_a_later_upload_gets_a_greater_one() -> None:
    first = _notification("2026-11-23T17:30:01.123456")
    assert _sequencer(s3_event(first)) == _sequencer(s3_event(first))
    later = _sequencer(s3_event(_notification("2026-11-23T17:30:01.123457")))
    assert int(later, 16) > int(_sequencer(s3_event(first)), 16)
