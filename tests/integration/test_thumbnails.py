"""ThumbnailsFunction on moto: an upload's S3 event in, the image record and its thumbnails
out; duplicates, retries, name clashes, bad files and vanished uploads."""

from __future__ import annotations

import io
import re
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from botocore.exceptions import ClientError
from PIL import Image

from functions.thumbnails.app import lambda_handler
from portfolio.data import media as media_store
from portfolio.data.media import load_upload_record
from portfolio.data.models import MediaModel, SequenceModel
from portfolio.domain import media as media_domain
from portfolio.domain.media import UploadsFailed
from tests.support import media as support
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

DAY_FOLDER = "core_media/2026/05/01/"  # the sample event's eventTime


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    return support.create_template_buckets()


def handle(event: dict[str, Any]) -> list[dict[str, Any]]:
    result = lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))
    return result["uploads"]


def upload(
    bucket: str, key: str, data: bytes, metadata: dict[str, str] | None = None, **event: Any
) -> dict[str, Any]:
    """Put an upload and return the event S3 sends for it."""
    etag = support.put_upload(bucket, key, data, metadata)
    return support.s3_event(bucket, key, etag, size=len(data), **event)


def media_items() -> list[MediaModel]:
    return list(MediaModel.scan())


def sequence(name: str) -> int:
    try:
        return int(SequenceModel.get(name).value)
    except SequenceModel.DoesNotExist:
        return 0


def decoded(bucket: str, key: str) -> Image.Image:
    return Image.open(io.BytesIO(support.read_object(bucket, key)))


def test_a_rotated_jpeg_becomes_an_image_record_with_four_upright_thumbnails(bucket: str) -> None:
    # Given a photo stored landscape whose EXIF says "rotate 90°", uploaded with a Persian name
    data = support.jpeg((1600, 1200), orientation=6)
    event = upload(
        bucket,
        "uploads/k1/Summer photo.jpg",
        data,
        {"name": "%D8%B9%DA%A9%D8%B3 %D8%AA%D8%A7%D8%A8%D8%B3%D8%AA%D8%A7%D9%86"},
    )

    # When S3's event reaches the function
    (outcome,) = handle(event)

    # Then the image record says what the contract shows
    assert outcome["status"] == "ready"
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    record = stored.record
    assert stored.status == "ready"
    assert stored.failure_reason is None
    assert (record.type, record.name, record.size) == ("image", "عکس تابستان", len(data))
    assert (record.width, record.height, record.mode) == (1200, 1600, "RGB")
    assert record.key == DAY_FOLDER + "Summer_photo.jpg"
    assert [thumb.size for thumb in record.thumbnails] == [64, 128, 512, 1080]
    assert [thumb.id for thumb in record.thumbnails] == [1, 2, 3, 4]
    assert record.id == 1
    assert stored.source is not None
    assert (stored.source.key, stored.source.etag) == (
        "uploads/k1/Summer photo.jpg",
        event["Records"][0]["s3"]["object"]["eTag"],
    )
    # And the bucket holds the original, unchanged, and upright thumbnails, longest edge N
    assert support.read_object(bucket, record.key) == data
    expected_sizes = {64: (48, 64), 128: (96, 128), 512: (384, 512), 1080: (810, 1080)}
    for thumb in record.thumbnails:
        assert thumb.key == f"{DAY_FOLDER}thumbnails/Summer_photo_thumbnail_{thumb.size}x{thumb.size}.jpg"
        image = decoded(bucket, thumb.key)
        assert (image.format, image.size) == ("JPEG", expected_sizes[thumb.size])
        head = boto3.client("s3").head_object(Bucket=bucket, Key=thumb.key)
        assert head["ContentType"] == "image/jpeg"
    assert support.object_keys(bucket, "core_media/") == sorted(
        [record.key, *(thumb.key for thumb in record.thumbnails)]
    )


def test_the_file_name_is_the_name_when_the_editor_gives_none(bucket: str) -> None:
    # Given an upload without metadata
    event = upload(bucket, "uploads/k2/logo (final).png", support.png((300, 100), "RGBA"))
    # When it is processed
    (outcome,) = handle(event)
    # Then the name is the file's, and the key is the cleaned file name
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert stored.record.name == "logo (final).png"
    assert stored.record.key == DAY_FOLDER + "logo_final.png"
    assert stored.record.mode == "RGBA"
    assert decoded(bucket, stored.record.thumbnails[0].key).mode == "RGBA"


@pytest.mark.parametrize(
    ("file_name", "data", "thumbnail_format", "extension"),
    [
        ("scan.bmp", support.encoded(support.picture((700, 500)), "BMP"), "PNG", "png"),
        ("print.tiff", support.encoded(support.picture((700, 500), "CMYK"), "TIFF"), "PNG", "png"),
        ("photo.jpeg", support.jpeg((700, 500), mode="CMYK"), "JPEG", "jpeg"),
        ("IMG_0001.JPG", support.jpeg((700, 500)), "JPEG", "JPG"),
        ("anim.gif", support.animated("GIF"), "GIF", "gif"),
        ("anim.webp", support.animated("WEBP"), "WEBP", "webp"),
    ],
)
def test_thumbnails_keep_web_formats_and_turn_others_into_png(
    bucket: str, file_name: str, data: bytes, thumbnail_format: str, extension: str
) -> None:
    # Given an upload in some format
    event = upload(bucket, f"uploads/k3/{file_name}", data)
    # When it is processed
    (outcome,) = handle(event)
    # Then the thumbnails are in the original's format where it is a web format, else PNG
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert stored.record.key == DAY_FOLDER + file_name
    for thumb in stored.record.thumbnails:
        assert thumb.key.endswith(f"_thumbnail_{thumb.size}x{thumb.size}.{extension}")
        assert decoded(bucket, thumb.key).format == thumbnail_format


def test_the_same_event_delivered_twice_gives_one_record_and_one_set_of_thumbnails(bucket: str) -> None:
    # Given an upload whose event S3 delivers twice (at-least-once delivery)
    event = upload(bucket, "uploads/k4/twice.jpg", support.jpeg())
    first = handle(event)
    # When the duplicate arrives
    second = handle(event)
    # Then it answers the first outcome and writes nothing more
    assert second == first
    assert len(media_items()) == 1
    assert len(support.object_keys(bucket, "core_media/")) == 5
    assert (sequence("media"), sequence("thumbnail")) == (1, 4)


def test_a_new_object_under_the_same_key_is_a_new_upload_with_its_own_names(bucket: str) -> None:
    # Given an upload already processed
    handle(upload(bucket, "uploads/k5/cover.jpg", support.jpeg((400, 300))))
    # When an editor uploads different bytes under the same key the same day
    (outcome,) = handle(upload(bucket, "uploads/k5/cover.jpg", support.jpeg((300, 400))))
    # Then a second record is made, under a unique name, and nothing is overwritten
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert outcome["media_id"] == 2
    assert stored.record.key.startswith(DAY_FOLDER + "cover_")
    assert len(support.object_keys(bucket, "core_media/")) == 10
    assert decoded(bucket, DAY_FOLDER + "cover.jpg").size == (400, 300)


def test_a_key_taken_by_another_file_gets_a_unique_suffix_and_is_left_alone(bucket: str) -> None:
    # Given a file already stored where the upload's original would go
    boto3.client("s3").put_object(Bucket=bucket, Key=DAY_FOLDER + "team.png", Body=b"someone else's")
    # When the upload is processed
    (outcome,) = handle(upload(bucket, "uploads/k6/team.png", support.png()))
    # Then the original gets Django's kind of suffix, its thumbnails follow its stem
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    key = stored.record.key
    assert re.fullmatch(re.escape(DAY_FOLDER) + r"team_[A-Za-z0-9]{7}\.png", key)
    suffix = key.removeprefix(DAY_FOLDER + "team_").removesuffix(".png")
    assert stored.record.thumbnails[0].key == f"{DAY_FOLDER}thumbnails/team_{suffix}_thumbnail_64x64.png"
    # And the other file is untouched
    assert support.read_object(bucket, DAY_FOLDER + "team.png") == b"someone else's"


def test_a_run_that_failed_midway_is_completed_by_the_retry_without_orphans(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3 failing the third write of the first attempt (after the original and one thumbnail)
    real_put = media_store.put_new_object
    calls = {"count": 0}

    def flaky_put(*args: Any, **kwargs: Any) -> media_store.Placement:
        calls["count"] += 1
        if calls["count"] == 3:
            raise ClientError(
                {"Error": {"Code": "SlowDown", "Message": "Reduce your request rate."}}, "PutObject"
            )
        return real_put(*args, **kwargs)

    monkeypatch.setattr(media_store, "put_new_object", flaky_put)
    event = upload(bucket, "uploads/k7/retry.jpg", support.jpeg())
    with pytest.raises(UploadsFailed):
        handle(event)
    assert media_items() == []
    # When Lambda retries the event
    (outcome,) = handle(event)
    # Then the retry reuses the ids and the objects of the first attempt: one of everything
    assert outcome["status"] == "ready"
    assert (outcome["media_id"], sequence("media"), sequence("thumbnail")) == (1, 1, 4)
    assert len(media_items()) == 1
    assert support.object_keys(bucket, "core_media/") == sorted(
        [DAY_FOLDER + "retry.jpg"]
        + [f"{DAY_FOLDER}thumbnails/retry_thumbnail_{n}x{n}.jpg" for n in (64, 128, 512, 1080)]
    )


def test_a_delivery_while_the_same_upload_is_in_progress_is_refused_for_a_later_retry(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an upload whose processing is under way when its duplicate event is handled
    event = upload(bucket, "uploads/k8/busy.jpg", support.jpeg())
    upload_ref = media_domain.Upload.from_record(media_domain.S3EventRecord(event["Records"][0]))
    real_place = media_domain._place
    seen: list[BaseException] = []

    def place_and_meet_a_duplicate(*args: Any, **kwargs: Any) -> str:
        if not seen:
            with pytest.raises(IdempotencyAlreadyInProgressError) as refused:
                media_domain.process_upload(upload_ref)
            seen.append(refused.value)
        return real_place(*args, **kwargs)

    monkeypatch.setattr(media_domain, "_place", place_and_meet_a_duplicate)
    # When the first run completes
    (outcome,) = handle(event)
    # Then the duplicate was refused (Lambda retries it later) and did no work of its own
    assert seen
    assert outcome["status"] == "ready"
    assert len(media_items()) == 1
    assert len(support.object_keys(bucket, "core_media/")) == 5


@pytest.mark.parametrize(
    ("key", "data", "reason"),
    [
        ("uploads/f/empty.jpg", b"", "empty: "),
        ("uploads/f/notes.jpg", b"meeting notes, not a photo\n" * 20, "not_an_image: "),
        ("uploads/f/half.jpg", support.truncated(support.jpeg((800, 600))), "corrupt: "),
        ("uploads/f/half.png", support.truncated(support.png((800, 600))), "corrupt: "),
        ("uploads/f/bomb.png", support.png_header_only(10_000, 10_000), "decompression_bomb: "),
        ("uploads/f/report.png", b"%PDF-1.7\n" + b"0" * 200, "disallowed_format: "),
        ("uploads/f/iphone.jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200, "disallowed_format: "),
    ],
)
def test_a_bad_file_becomes_a_failed_record_with_the_reason_and_is_not_retried(
    bucket: str, key: str, data: bytes, reason: str
) -> None:
    # Given an upload that is not an accepted image
    event = upload(bucket, key, data, {"attach": "cover:1"})
    # When it is processed, twice (a redelivery)
    (outcome,) = handle(event)
    again = handle(event)
    # Then one failed record keeps the reason; nothing is served or attached; no exception
    assert outcome["status"] == "failed"
    assert outcome["reason"].startswith(reason)
    assert again == [outcome]
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert stored.status == "failed"
    assert stored.failure_reason == outcome["reason"]
    assert (stored.record.key, stored.record.size, stored.record.thumbnails) == (key, len(data), ())
    assert stored.record.width is None
    assert support.object_keys(bucket, "core_media/") == []
    assert sequence("thumbnail") == 0


def test_an_upload_larger_than_the_limit_is_failed_without_being_read(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a limit below the upload's size
    data = support.jpeg()
    monkeypatch.setattr(media_domain, "MAX_UPLOAD_BYTES", len(data) - 1)
    # When it is processed
    (outcome,) = handle(upload(bucket, "uploads/big/huge.jpg", data))
    # Then it is a failed record saying so
    assert outcome["status"] == "failed"
    assert outcome["reason"] == f"too_large: {len(data)} bytes; the limit is {len(data) - 1} bytes"


def test_an_upload_deleted_before_processing_is_a_logged_skip(bucket: str) -> None:
    # Given an upload deleted before its event is handled
    event = upload(bucket, "uploads/gone/photo.jpg", support.jpeg())
    boto3.client("s3").delete_object(Bucket=bucket, Key="uploads/gone/photo.jpg")
    # When the event arrives
    (outcome,) = handle(event)
    # Then nothing is recorded or written
    assert (outcome["status"], outcome["reason"]) == ("skipped", "deleted")
    assert media_items() == []
    assert support.object_keys(bucket, "core_media/") == []


def test_an_upload_replaced_before_processing_is_left_to_its_own_event(bucket: str) -> None:
    # Given an upload overwritten before its first event is handled
    first = upload(bucket, "uploads/swap/photo.jpg", support.jpeg((400, 300)))
    second = upload(bucket, "uploads/swap/photo.jpg", support.jpeg((300, 400)))
    # When both events arrive
    (skipped,) = handle(first)
    (processed,) = handle(second)
    # Then only the object that is there is processed, once
    assert (skipped["status"], skipped["reason"]) == ("skipped", "replaced")
    assert processed["status"] == "ready"
    assert len(media_items()) == 1


def test_every_record_of_an_event_has_its_own_key_decoded(bucket: str) -> None:
    # Given one event with two uploads whose keys S3 URL-encoded (a space, a literal plus,
    # Persian letters)
    first = upload(bucket, "uploads/m/a b+c.png", support.png((200, 100)))
    second = upload(bucket, "uploads/m/لوگوی همراه اول.png", support.png((100, 200)))
    event = support.combined(first, second)
    assert event["Records"][1]["s3"]["object"]["key"].startswith("uploads/m/%D9%84")
    # When it is processed
    outcomes = handle(event)
    # Then each record was read under its own decoded key
    assert [o["upload_key"] for o in outcomes] == ["uploads/m/a b+c.png", "uploads/m/لوگوی همراه اول.png"]
    names = {load_upload_record(o["media_id"]).record.name for o in outcomes}  # type: ignore[union-attr]
    assert names == {"a b+c.png", "لوگوی همراه اول.png"}
    assert DAY_FOLDER + "لوگوی_همراه_اول.png" in support.object_keys(bucket, DAY_FOLDER)


def test_objects_outside_uploads_are_never_processed(bucket: str) -> None:
    # Given events for the function's own outputs and for another bucket (which the
    # template's filters never send; a misconfiguration must still not loop)
    own_output = upload(bucket, DAY_FOLDER + "thumbnails/x_thumbnail_64x64.jpg", support.jpeg())
    elsewhere = support.s3_event("another-bucket", "uploads/x.jpg", "0" * 32)
    # When they arrive
    outcomes = handle(support.combined(own_output, elsewhere))
    # Then nothing is read or written
    assert [o["status"] for o in outcomes] == ["ignored", "ignored"]
    assert media_items() == []
    assert support.object_keys(bucket, "core_media/") == [DAY_FOLDER + "thumbnails/x_thumbnail_64x64.jpg"]


def test_a_transient_error_fails_the_event_for_a_retry_after_the_other_records(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two uploads in one event and S3 failing to read the first one, once
    failing = upload(bucket, "uploads/t/first.jpg", support.jpeg())
    fine = upload(bucket, "uploads/t/second.jpg", support.jpeg())
    real_fetch = media_store.fetch_upload
    failures = iter([True])

    def flaky_fetch(bucket_name: str, key: str, *args: Any, **kwargs: Any) -> Any:
        if key.endswith("first.jpg") and next(failures, False):
            raise ClientError({"Error": {"Code": "InternalError", "Message": "retry"}}, "GetObject")
        return real_fetch(bucket_name, key, *args, **kwargs)

    monkeypatch.setattr(media_store, "fetch_upload", flaky_fetch)
    event = support.combined(failing, fine)
    # When the event is handled, then retried by Lambda
    with pytest.raises(UploadsFailed):
        handle(event)
    assert len(media_items()) == 1  # the second upload was processed anyway
    outcomes = handle(event)
    # Then the retry processes the first and only answers for the second
    assert [o["status"] for o in outcomes] == ["ready", "ready"]
    assert len(media_items()) == 2


def test_an_event_without_records_does_nothing(bucket: str) -> None:
    # Given S3's test event (sent when a notification is configured)
    event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": bucket}
    # When it arrives
    outcomes = handle(event)
    # Then nothing happens
    assert outcomes == []
