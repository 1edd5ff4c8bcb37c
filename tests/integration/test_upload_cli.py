"""``portfolio upload``: the upload an editor makes, which ThumbnailsFunction then turns into
an image record where the editor asked for it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest

from functions.thumbnails.app import lambda_handler
from portfolio.cli import main
from portfolio.data.media import load_upload_record
from tests.integration.support import call
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

PORTFOLIO = 4


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    import_portfolios([item for item in fixture_portfolios() if item["id"] == PORTFOLIO])
    return support.create_template_buckets()


def uploads(bucket: str) -> list[str]:
    return support.object_keys(bucket, "uploads/")


def event_for(bucket: str, key: str) -> dict[str, Any]:
    """The event S3 sends for an object the command uploaded."""
    head = boto3.client("s3").head_object(Bucket=bucket, Key=key)
    return support.s3_event(bucket, key, head["ETag"], size=head["ContentLength"])


def test_upload_puts_the_file_where_the_function_picks_it_up_with_the_editors_metadata(
    bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a photo on the editor's disk
    photo = tmp_path / "Team photo.jpg"
    photo.write_bytes(support.jpeg((900, 600)))
    # When the editor uploads it with a Persian name, for the gallery of portfolio 4
    status = main(
        ["upload", str(photo), "--name", "عکس تیم", "--portfolio", str(PORTFOLIO), "--as", "gallery"]
    )
    # Then it is under uploads/, with the metadata the function reads
    assert status == 0
    (key,) = uploads(bucket)
    assert re.fullmatch(r"uploads/[0-9a-f]{12}/Team photo\.jpg", key)
    head = boto3.client("s3").head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "image/jpeg"
    assert unquote(head["Metadata"]["name"]) == "عکس تیم"
    assert head["Metadata"]["attach"] == f"gallery:{PORTFOLIO}"
    # And the output says where the record will appear
    output = capsys.readouterr().out
    assert f"s3://{bucket}/{key}" in output
    assert "/Team_photo.jpg" in output
    assert f"GET /api/portfolios/{PORTFOLIO}/ (images_data)" in output
    # When S3 tells the function
    (outcome,) = lambda_handler(
        event_for(bucket, key), FakeLambdaContext(function_name="ThumbnailsFunction")
    )["uploads"]
    # Then the read API shows the image, named as the editor said
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    assert stored.record.name == "عکس تیم"
    gallery = call(f"/api/portfolios/{PORTFOLIO}/").body["images_data"]
    assert gallery[-1]["id"] == outcome["media_id"]
    assert gallery[-1]["name"] == "عکس تیم"


def test_upload_without_options_uses_the_file_name_and_attaches_nothing(
    bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a PNG whose extension is in mixed case (S3's suffix filters are case-sensitive)
    image = tmp_path / "Logo.Png"
    image.write_bytes(support.png((200, 200), "RGBA"))
    # When it is uploaded
    assert main(["upload", str(image)]) == 0
    # Then the key's extension is one the filters accept, and no metadata is sent
    (key,) = uploads(bucket)
    assert key.endswith("/Logo.png")
    assert boto3.client("s3").head_object(Bucket=bucket, Key=key)["Metadata"] == {}
    assert "it will appear in" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("file_name", "content", "arguments", "message"),
    [
        ("missing.jpg", None, [], "cannot read"),
        ("notes.txt", b"text", [], "uploads must end in one of"),
        ("fake.jpg", b"not an image at all", [], "would be refused (not_an_image"),
        ("photo.jpg", "jpeg", ["--portfolio", "999"], "there is no portfolio 999"),
        ("photo.jpg", "jpeg", ["--employer", "999"], "there is no employer 999"),
        ("photo.jpg", "jpeg", ["--as", "cover"], "--as needs --portfolio"),
        ("photo.jpg", "jpeg", ["--name", "  "], "--name must not be blank"),
    ],
)
def test_upload_refuses_what_the_function_would_not_take_and_uploads_nothing(
    bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file_name: str,
    content: bytes | str | None,
    arguments: list[str],
    message: str,
) -> None:
    # Given a file (or none) and options
    path = tmp_path / file_name
    if content is not None:
        path.write_bytes(support.jpeg() if content == "jpeg" else content)  # type: ignore[arg-type]
    # When the editor runs the command
    status = main(["upload", str(path), *arguments])
    # Then it fails cleanly with the reason, and the bucket is untouched
    assert status == 2
    assert message in capsys.readouterr().err
    assert uploads(bucket) == []


def test_upload_wait_reports_the_record_once_the_function_has_written_it(
    bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a photo, and S3 telling the function about it while the command waits
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(support.jpeg((300, 200)))

    def s3_notifies_the_function(_: float) -> None:
        for key in uploads(bucket):
            lambda_handler(event_for(bucket, key), FakeLambdaContext(function_name="ThumbnailsFunction"))

    monkeypatch.setattr("portfolio.cli.media.time.sleep", s3_notifies_the_function)
    # When it is uploaded with --wait
    status = main(["upload", str(photo), "--wait"])
    # Then the command ends when the record is ready, and says so
    assert status == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"ready: media \d+ core_media/\d{4}/\d\d/\d\d/photo\.jpg \(300x200, 4 thumbnails\)", last
    )


def test_upload_wait_with_an_attachment_ends_once_the_attachment_is_made(
    bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a photo for a portfolio's cover, whose record the function writes before the
    # attachment is noted (the note held back until the command has looked once more)
    from portfolio.data import media as media_store

    photo = tmp_path / "cover.jpg"
    photo.write_bytes(support.jpeg((120, 80)))
    noted = media_store.record_attachments
    held: list[tuple[Any, ...]] = []
    monkeypatch.setattr(media_store, "record_attachments", lambda media_id, **kw: held.append((media_id, kw)))
    polls = []

    def s3_notifies_the_function(_: float) -> None:
        polls.append(1)
        if len(polls) == 1:
            for key in uploads(bucket):
                lambda_handler(event_for(bucket, key), FakeLambdaContext(function_name="ThumbnailsFunction"))
        elif len(polls) == 2:
            media_id, options = held[0]
            noted(media_id, **options)

    monkeypatch.setattr("portfolio.cli.media.time.sleep", s3_notifies_the_function)
    # When it is uploaded with --wait
    status = main(["upload", str(photo), "--portfolio", str(PORTFOLIO), "--wait"])
    # Then the command did not stop at the record: it ended once the attachment was noted
    assert status == 0
    assert len(polls) == 2
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("ready: media ")
    assert call(f"/api/portfolios/{PORTFOLIO}/").body["image_data"]["width"] == 120


def test_upload_wait_gives_up_when_no_record_comes(
    bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(support.jpeg((30, 20)))
    # When nothing processes the upload
    status = main(["upload", str(photo), "--wait", "--wait-timeout", "0.2"])
    # Then the command fails after the timeout, saying where to look
    assert status == 1
    assert "no record after 0.2 s" in capsys.readouterr().out


def test_uploads_lists_the_latest_failed_uploads_with_their_reasons(
    bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a good upload and two that are not images, processed
    for key, body in [
        ("uploads/a/good.png", support.png((40, 30))),
        ("uploads/b/broken.jpg", b"not an image"),
        ("uploads/c/empty.gif", b""),
    ]:
        etag = support.put_upload(bucket, key, body)
        lambda_handler(
            support.s3_event(bucket, key, etag), FakeLambdaContext(function_name="ThumbnailsFunction")
        )
    capsys.readouterr()  # the function's own log lines
    # When the failed uploads are listed
    assert main(["uploads"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # Then both failures are there, newest first, each with its key and reason; the good one is not
    assert lines[0].split()[:5] == ["ID", "STATUS", "UPLOAD", "NAME", "REASON"]
    assert [line.split()[2] for line in lines[1:]] == ["uploads/c/empty.gif", "uploads/b/broken.jpg"]
    assert [line.split()[1] for line in lines[1:]] == ["failed", "failed"]
    assert " empty: " in lines[1]
    assert lines[2].endswith("not_an_image: not a JPEG, PNG, WebP, GIF, BMP, TIFF image")
    # And the ready ones are listed on request
    assert main(["uploads", "--status", "ready", "--limit", "5"]) == 0
    (ready,) = capsys.readouterr().out.strip().splitlines()[1:]
    assert "uploads/a/good.png" in ready
