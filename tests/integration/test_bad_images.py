"""The bad-image corpus (tests/support/bad_images.py) through ThumbnailsFunction on moto:
every file ends as docs/images.md says, once, whatever S3 redelivers; nothing hostile is
served. Memory per file: tests/unit/test_bad_images_memory.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import boto3
import pytest
from PIL import Image

from functions.thumbnails.app import lambda_handler
from portfolio.data.media import load_upload_record
from portfolio.data.models import MediaModel
from tests.support import media as support
from tests.support.bad_images import (
    CORPUS,
    GIF_CANVAS,
    GIF_FIRST_FRAME_COLOUR,
    GIF_FRAMES,
    BadUpload,
    gif_with_1000_frames,
    jpeg_with_zip_appended,
)
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

DAY_FOLDER = "core_media/2026/05/01/"  # the sample event's eventTime
FAILED = [bad for bad in CORPUS if bad.status == "failed"]


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    return support.create_template_buckets()


def handle(event: dict[str, Any]) -> list[dict[str, Any]]:
    return lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]


def upload(bucket: str, key: str, data: bytes, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    etag = support.put_upload(bucket, key, data, metadata)
    return support.s3_event(bucket, key, etag, size=len(data))


@pytest.mark.parametrize("bad", FAILED, ids=[bad.name for bad in FAILED])
def test_each_bad_file_ends_as_one_failed_record_with_its_reason(bucket: str, bad: BadUpload) -> None:
    # Given a bad file uploaded as an editor would, asking to be a portfolio's cover
    data = bad.make()
    event = upload(bucket, bad.key, data, {"attach": "cover:1"})
    # When its event is handled, and delivered again
    (outcome,) = handle(event)
    again = handle(event)
    # Then the function answers (no exception, so no retry) with a failed record saying why
    assert outcome["status"] == "failed"
    assert bad.reason is not None
    assert outcome["reason"].startswith(bad.reason), outcome["reason"]
    assert again == [outcome]
    (item,) = MediaModel.scan()
    stored = load_upload_record(item.id)
    assert stored is not None
    assert (stored.status, stored.failure_reason) == ("failed", outcome["reason"])
    assert (stored.record.key, stored.record.size) == (bad.key, len(data))
    assert (stored.record.width, stored.record.height, stored.record.thumbnails) == (None, None, ())
    # And nothing of it is served, nothing attached
    assert support.object_keys(bucket, "core_media/") == []
    assert outcome["attached"] == []


def test_a_gif_of_1000_frames_gets_still_thumbnails_of_its_first_frame_only(bucket: str) -> None:
    # Given a 1,000-frame animation on a 4-MP canvas, red in its first frame
    data = gif_with_1000_frames()
    with Image.open(io.BytesIO(data)) as animation:
        assert (animation.n_frames, animation.size) == (GIF_FRAMES, GIF_CANVAS)
    # When it is processed (which ends: the other 999 frames are never decoded)
    (outcome,) = handle(upload(bucket, "uploads/anim/animation.gif", data))
    # Then it is a ready image; its thumbnails are still GIFs of the first frame
    assert outcome["status"] == "ready"
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert (stored.record.width, stored.record.height) == GIF_CANVAS
    assert [thumbnail.size for thumbnail in stored.record.thumbnails] == [64, 128, 512, 1080]
    for thumbnail in stored.record.thumbnails:
        with Image.open(io.BytesIO(support.read_object(bucket, thumbnail.key))) as image:
            assert (image.format, getattr(image, "n_frames", 1)) == ("GIF", 1)
            assert (
                image.convert("RGB").getpixel((image.width // 2, image.height // 2)) == GIF_FIRST_FRAME_COLOUR
            )
    # And the original keeps its animation, byte for byte
    assert support.read_object(bucket, stored.record.key) == data


def test_a_jpeg_with_a_zip_appended_is_an_image_and_only_the_original_keeps_the_zip(bucket: str) -> None:
    # Given a valid JPEG followed by a ZIP archive (a polyglot file)
    data = jpeg_with_zip_appended()
    assert zipfile.is_zipfile(io.BytesIO(data))
    # When it is processed
    (outcome,) = handle(upload(bucket, "uploads/zip/polyglot.jpg", data))
    # Then it is the JPEG it is: a ready record with the JPEG's size
    assert outcome["status"] == "ready"
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert (stored.record.width, stored.record.height, stored.record.size) == (800, 600, len(data))
    s3 = boto3.client("s3")
    # And the thumbnails are new JPEGs, nothing appended
    for thumbnail in stored.record.thumbnails:
        thumbnail_bytes = support.read_object(bucket, thumbnail.key)
        assert thumbnail_bytes.endswith(b"\xff\xd9")  # ends where its JPEG ends
        assert not zipfile.is_zipfile(io.BytesIO(thumbnail_bytes))
    # And the original is kept byte for byte (docs/images.md: appended data is the editor's,
    # as in phones' motion photos), served as a JPEG, never as an archive
    assert support.read_object(bucket, stored.record.key) == data
    head = s3.head_object(Bucket=bucket, Key=stored.record.key)
    assert head["ContentType"] == "image/jpeg"
