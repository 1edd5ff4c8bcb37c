"""Upload metadata attaches the image where the editor asked; the read API shows it as soon
as the record is written. And every AWS call the function makes is one its role allows."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from functions.thumbnails.app import lambda_handler
from portfolio.data.media import load_upload_record
from portfolio.domain.rendering import render_image, with_media_urls
from tests.integration.support import MEDIA_BASE, call
from tests.support import iam
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

# Portfolio 4 of the shared data set has an employer (4), tags (2 first), a link (1) and a gallery.
PORTFOLIO, EMPLOYER, TAG, LINK = 4, 4, 2, 1


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    import_portfolios([item for item in fixture_portfolios() if item["id"] == PORTFOLIO])
    return support.create_template_buckets()


def handle(event: dict[str, Any]) -> list[dict[str, Any]]:
    return lambda_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]


def served_image(media_id: int) -> dict[str, Any]:
    stored = load_upload_record(media_id)
    assert stored is not None
    return with_media_urls(render_image(stored.record), MEDIA_BASE)


def retrieve() -> dict[str, Any]:
    reply = call(f"/api/portfolios/{PORTFOLIO}/")
    assert reply.status == 200
    return reply.body


def test_an_upload_attached_everywhere_shows_in_the_read_api_at_once(bucket: str) -> None:
    # Given an upload whose metadata asks for every kind of attachment
    attach = f"cover:{PORTFOLIO},gallery:{PORTFOLIO},employer:{EMPLOYER},tag:{TAG},link:{LINK}"
    before = retrieve()
    etag = support.put_upload(bucket, "uploads/a/new cover.jpg", support.jpeg(), {"attach": attach})
    # When its event is processed
    (outcome,) = handle(support.s3_event(bucket, "uploads/a/new cover.jpg", etag))
    # Then the very next read shows the image in each place, rendered as the contract says
    assert outcome["status"] == "ready"
    assert outcome["attached"] == attach.split(",")
    assert outcome["attach_problems"] == []
    image = served_image(outcome["media_id"])
    assert image["f"] == f"{MEDIA_BASE}/core_media/2026/05/01/new_cover.jpg"
    after = retrieve()
    assert after["image_data"] == image
    assert after["images_data"] == [*before["images_data"], image]
    assert after["employer_data"]["image_data"] == image
    assert next(tag for tag in after["tags_data"] if tag["id"] == TAG)["image_data"] == image
    assert next(link for link in after["links_data"] if link["id"] == LINK)["image_data"] == image
    # And a cover change moves updated_at, as saving the Django model does
    assert after["updated_at"] > before["updated_at"]


def test_attachments_that_cannot_be_made_are_reported_and_the_image_is_still_ready(bucket: str) -> None:
    # Given an upload asking for a missing portfolio, an unknown target and a bad id, and
    # one good attachment
    attach = f"cover:999, poster:{PORTFOLIO}, tag:x, gallery:{PORTFOLIO}"
    etag = support.put_upload(bucket, "uploads/b/photo.jpg", support.jpeg(), {"attach": attach})
    before = retrieve()
    # When it is processed
    (outcome,) = handle(support.s3_event(bucket, "uploads/b/photo.jpg", etag))
    # Then the image is ready, the good attachment made, the others reported
    assert outcome["status"] == "ready"
    assert outcome["attached"] == [f"gallery:{PORTFOLIO}"]
    assert len(outcome["attach_problems"]) == 3
    after = retrieve()
    assert after["image_data"] == before["image_data"]
    assert after["images_data"][-1] == served_image(outcome["media_id"])


def test_a_failed_upload_is_never_attached(bucket: str) -> None:
    # Given a file that is not an image, asked to be the cover
    etag = support.put_upload(
        bucket, "uploads/c/cover.jpg", b"not an image", {"attach": f"cover:{PORTFOLIO}"}
    )
    before = retrieve()
    # When it is processed
    (outcome,) = handle(support.s3_event(bucket, "uploads/c/cover.jpg", etag))
    # Then the portfolio is unchanged
    assert outcome["status"] == "failed"
    assert retrieve() == before


def test_metadata_in_an_unknown_charset_or_with_huge_ids_still_ends_in_a_ready_record(bucket: str) -> None:
    # Given an upload whose name is an RFC 2047 word in a charset Python does not know, and
    # whose attachments name an id DynamoDB cannot hold beside a good one
    metadata = {"name": "=?x-nope?q?Team_photo?=", "attach": f"cover:{'9' * 39},gallery:{PORTFOLIO}"}
    etag = support.put_upload(bucket, "uploads/d/team.jpg", support.jpeg(), metadata)
    before = retrieve()
    # When it is processed
    (outcome,) = handle(support.s3_event(bucket, "uploads/d/team.jpg", etag))
    # Then it is ready, named from the word's text, the good attachment made and the bad one reported
    assert outcome["status"] == "ready"
    assert outcome["attached"] == [f"gallery:{PORTFOLIO}"]
    assert len(outcome["attach_problems"]) == 1
    assert served_image(outcome["media_id"])["name"] == "Team photo"
    after = retrieve()
    assert after["image_data"] == before["image_data"]
    assert after["images_data"][-1]["name"] == "Team photo"


# --- the function's role covers what it does -------------------------------------------------------

# Granted, and needed only on paths this test does not take: Powertools deletes an idempotency
# record when processing raises (so that Lambda's retry runs it again) and reads one when an
# older Powertools record has no copy in the failed put's answer; S3 answers 404 rather than
# 403 for a missing key only with s3:ListBucket, which no call names.
_GRANTED_FOR_OTHER_PATHS = {
    ("dynamodb:DeleteItem", iam.table_arn("IdempotencyTable")),
    ("dynamodb:GetItem", iam.table_arn("IdempotencyTable")),
    ("s3:ListBucket", "arn:aws:s3:::*"),
    # Packing the card snapshot again, every 50 catalogue changes (portfolio.domain.catalogue).
    ("dynamodb:Scan", iam.table_arn("PortfoliosTable")),
    ("dynamodb:BatchWriteItem", iam.table_arn("SequencesTable")),
}


def test_every_call_the_function_makes_is_allowed_by_its_role(
    bucket: str, rerender_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given uploads that take every path: attachments of each kind, a name clash, a failed
    # file, a duplicate delivery and a deleted upload
    support.put_upload(bucket, "core_media/2026/05/01/clash.jpg", b"taken")
    attach = f"cover:{PORTFOLIO},gallery:{PORTFOLIO},employer:{EMPLOYER},tag:{TAG},link:{LINK}"
    events = [
        support.s3_event(
            bucket,
            "uploads/p/clash.jpg",
            support.put_upload(bucket, "uploads/p/clash.jpg", support.jpeg(), {"attach": attach}),
        ),
        support.s3_event(
            bucket, "uploads/p/bad.png", support.put_upload(bucket, "uploads/p/bad.png", b"bad")
        ),
        support.s3_event(
            bucket, "uploads/p/gone.png", support.put_upload(bucket, "uploads/p/gone.png", support.png())
        ),
    ]
    boto3.client("s3").delete_object(Bucket=bucket, Key="uploads/p/gone.png")
    recorder = iam.CallRecorder()
    monkeypatch.setattr(BaseClient, "_make_api_call", recorder(BaseClient._make_api_call))
    # When the function handles them (the first twice)
    outcomes = handle(support.combined(*events, events[0]))
    monkeypatch.undo()
    assert [o["status"] for o in outcomes] == ["ready", "failed", "skipped", "ready"]
    # Then each request is allowed by a statement of ThumbnailsFunction's policies
    allowed = iam.allowed("ThumbnailsFunction", bucket=bucket)
    missing = iam.refused(allowed, recorder.needed())
    assert not missing, f"calls the role does not allow: {missing}"
    # And every DynamoDB, S3 and SQS grant is used by some call (least privilege)
    unused = iam.unused(allowed, recorder.needed(), for_other_paths=_GRANTED_FOR_OTHER_PATHS)
    assert not unused, f"grants no call uses: {unused}"
    operations = {(service, operation) for service, operation, _ in recorder.calls}
    assert {
        ("s3", "GetObject"),
        ("s3", "PutObject"),
        ("s3", "HeadObject"),
        ("dynamodb", "PutItem"),
        ("sqs", "SendMessageBatch"),
    } <= operations
