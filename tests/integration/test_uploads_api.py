"""The upload API (issue 10): an editor with a token asks for an upload form, the file goes to
S3 under the form's key, the thumbnails function runs on its event, and the status route
shows the image (or why it failed) to that editor only. Bad requests are 400/415 with DRF's
bodies, never a 500."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from functions.thumbnails.app import lambda_handler as thumbnails_handler
from functions.uploads.app import lambda_handler as uploads_handler
from portfolio.data.media import load_upload_record
from portfolio.data.upload_forms import FORM_LIFETIME_S
from portfolio.domain.rendering import render_image, with_media_urls
from tests.integration.support import MEDIA_BASE, call
from tests.support import iam
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import upload_api_event

pytestmark = pytest.mark.integration

PORTFOLIO, TAG = 4, 2
EDITOR = {"user_id": "7", "username": "editor", "is_admin": "false"}
OTHER_EDITOR = {"user_id": "8", "username": "other", "is_admin": "false"}
ADMIN = {"user_id": "1", "username": "admin", "is_admin": "true"}
GOOD = {"file_name": "team.jpg", "content_type": "image/jpeg", "size": 200_000, "name": "Team"}


@pytest.fixture(autouse=True)
def bucket(aws: None) -> str:
    import_portfolios([item for item in fixture_portfolios() if item["id"] == PORTFOLIO])
    return support.create_template_buckets()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def send(event: dict[str, Any]) -> Answer:
    result = uploads_handler(event, FakeLambdaContext(function_name="UploadsFunction"))
    text = result.get("body") or ""
    headers = {
        **(result.get("headers") or {}),
        **{name: ", ".join(values) for name, values in (result.get("multiValueHeaders") or {}).items()},
    }
    return Answer(result["statusCode"], headers, json.loads(text) if text else None)


def create(body: Any = None, *, caller: dict[str, str] | None = EDITOR, **options: Any) -> Answer:
    return send(upload_api_event("POST", "/api/uploads/", body=body, caller=caller, **options))


def status(upload_id: str, *, caller: dict[str, str] | None = EDITOR) -> Answer:
    return send(upload_api_event("GET", f"/api/uploads/{upload_id}/", caller=caller))


def post_form(bucket: str, form: dict[str, Any], data: bytes) -> dict[str, Any]:
    """What S3 does with the browser's POST of ``form`` (the object, with the form's type and
    metadata), then the event it sends the thumbnails function."""
    fields = form["fields"]
    metadata = {
        name.removeprefix("x-amz-meta-"): value
        for name, value in fields.items()
        if name.startswith("x-amz-meta-")
    }
    etag = boto3.client("s3").put_object(
        Bucket=bucket, Key=fields["key"], Body=data, ContentType=fields["Content-Type"], Metadata=metadata
    )["ETag"]
    return support.s3_event(bucket, fields["key"], etag, size=len(data))


def run_thumbnails(event: dict[str, Any]) -> list[dict[str, Any]]:
    return thumbnails_handler(event, FakeLambdaContext(function_name="ThumbnailsFunction"))["uploads"]


# --- the form -----------------------------------------------------------------------------------


def test_an_editor_gets_a_form_for_one_key_under_uploads_for_fifteen_minutes(bucket: str) -> None:
    # When an editor asks for an upload to be the cover of a portfolio and shown on a tag
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    answer = create({**GOOD, "file_name": "Team Photo.JPG", "attach": [f"cover:{PORTFOLIO}", f"tag:{TAG}"]})
    # Then the answer is 201 with the upload's id, the form's action and fields, and its expiry
    assert answer.status == 201, answer.body
    assert list(answer.body) == ["id", "url", "fields", "expires_at"]
    upload_id = answer.body["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
    assert bucket in answer.body["url"]
    fields = answer.body["fields"]
    # (the extension in lower case: the bucket's notifications match .jpg or .JPG, not .Jpg)
    assert fields["key"] == f"uploads/{upload_id}/Team Photo.jpg"
    assert fields["Content-Type"] == "image/jpeg"
    assert fields["x-amz-meta-name"] == "Team"
    assert fields["x-amz-meta-attach"] == f"cover:{PORTFOLIO},tag:{TAG}"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"key": fields["key"]} in policy["conditions"]
    assert ["content-length-range", 1, GOOD["size"]] in policy["conditions"]
    expires = dt.datetime.fromisoformat(answer.body["expires_at"].replace("Z", "+00:00"))
    assert answer.body["expires_at"].endswith("Z")
    assert (
        dt.timedelta(seconds=FORM_LIFETIME_S) <= expires - before <= dt.timedelta(seconds=FORM_LIFETIME_S + 5)
    )
    # And a signed form is never kept by a cache
    assert answer.headers["Cache-Control"] == "no-store"
    # And the upload is recorded as the editor's for 14 days (DynamoDB TTL)
    item = boto3.client("dynamodb").get_item(TableName="UploadsTable", Key={"id": {"S": upload_id}})["Item"]
    assert item["owner"] == {"S": "editor"}
    assert 13.9 * 86400 < int(item["expiration"]["N"]) - time.time() <= 14 * 86400


def test_the_slash_less_url_takes_the_post_too(bucket: str) -> None:
    answer = send(upload_api_event("POST", "/api/uploads", body=GOOD, caller=EDITOR))
    assert answer.status == 201


# --- the status ---------------------------------------------------------------------------------


def test_an_upload_attached_as_a_cover_is_pending_then_ready_and_shows_on_the_portfolio(bucket: str) -> None:
    # Given an editor's upload form, attaching the image as a portfolio's cover
    form = create({**GOOD, "attach": [f"cover:{PORTFOLIO}"]}).body
    # Then, before the file is posted, the upload is pending
    assert status(form["id"]).body == {
        "id": form["id"],
        "status": "pending",
        "image_data": None,
        "error": None,
    }
    # When the browser posts the file and S3's event runs the thumbnails function
    (outcome,) = run_thumbnails(post_form(bucket, form, support.jpeg()))
    assert outcome["status"] == "ready"
    # Then the status is ready with the image as every image_data shows it, thumbnails included
    answer = status(form["id"])
    assert answer.status == 200
    stored = load_upload_record(outcome["media_id"])
    assert stored is not None
    image = with_media_urls(render_image(stored.record), MEDIA_BASE)
    assert answer.body == {"id": form["id"], "status": "ready", "image_data": image, "error": None}
    assert image["name"] == "Team"
    assert len(image["thumbnails"]) == 4
    assert answer.headers["Cache-Control"] == "no-store"
    # And the portfolio shows it as its cover
    assert call(f"/api/portfolios/{PORTFOLIO}/").body["image_data"] == image


def test_the_status_stays_pending_until_the_attachments_are_made(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an upload attached as a cover, whose record is written before its attachment
    from portfolio.domain import media

    form = create({**GOOD, "attach": [f"cover:{PORTFOLIO}"]}).body
    seen_while_attaching = []
    attach = media._attach

    def attach_and_look(*args: Any) -> Any:
        seen_while_attaching.append(status(form["id"]).body["status"])
        return attach(*args)

    monkeypatch.setattr(media, "_attach", attach_and_look)
    # When the function processes it
    run_thumbnails(post_form(bucket, form, support.jpeg()))
    # Then a client polling in between saw it pending (the portfolio did not show it yet),
    # and ready once the cover was set
    assert seen_while_attaching == ["pending"]
    assert status(form["id"]).body["status"] == "ready"


def test_a_non_image_posted_through_the_form_ends_failed_with_the_reason(bucket: str) -> None:
    form = create(GOOD).body
    (outcome,) = run_thumbnails(post_form(bucket, form, b"this is not a JPEG"))
    answer = status(form["id"])
    assert answer.body["status"] == "failed"
    assert answer.body["image_data"] is None
    assert answer.body["error"] == outcome["reason"]
    assert answer.body["error"]


def test_a_form_posted_twice_shows_its_latest_upload(bucket: str) -> None:
    # Given a form posted with a non-image, then again with an image (S3 orders them)
    form = create(GOOD).body
    first = post_form(bucket, form, b"not an image")
    first["Records"][0]["s3"]["object"]["sequencer"] = "0055AED6DCD90281E5"
    second = post_form(bucket, form, support.jpeg())
    second["Records"][0]["s3"]["object"]["sequencer"] = "0055AED6DCD90281E6"
    # When both are processed, in that order
    run_thumbnails(first)
    run_thumbnails(second)
    # Then the status is the latest one's
    assert status(form["id"]).body["status"] == "ready"


def test_an_editor_sees_only_their_own_uploads_and_an_admin_sees_all(bucket: str) -> None:
    form = create(GOOD).body
    assert status(form["id"], caller=OTHER_EDITOR).status == 404
    assert status(form["id"], caller=OTHER_EDITOR).body == {"detail": "Not found."}
    assert status(form["id"], caller=ADMIN).status == 200
    assert status(form["id"], caller=EDITOR).status == 200


@pytest.mark.parametrize(
    "upload_id", ["0123456789abcdef0123456789abcdef", "nope", "0123456789ABCDEF0123456789ABCDEF", "1" * 33]
)
def test_an_unknown_upload_is_404(bucket: str, upload_id: str) -> None:
    answer = status(upload_id)
    assert (answer.status, answer.body) == (404, {"detail": "Not found."})


def test_the_slash_less_status_url_is_redirected(bucket: str) -> None:
    form = create(GOOD).body
    answer = send(upload_api_event("GET", f"/api/uploads/{form['id']}", caller=EDITOR))
    assert answer.status == 301
    assert answer.headers["Location"] == f"/Prod/api/uploads/{form['id']}/"


# --- bad requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {},
            {
                "file_name": ["This field is required."],
                "content_type": ["This field is required."],
                "size": ["This field is required."],
            },
        ),
        (
            {**GOOD, "size": 100 * 1024 * 1024 + 1},
            {"size": [f"Ensure this value is less than or equal to {100 * 1024 * 1024}."]},
        ),
        (
            {**GOOD, "file_name": "notes.txt"},
            {
                "file_name": [
                    "The file's extension must be one of .jpg, .jpeg, .png, .webp, .gif, .bmp, .tif, .tiff."
                ]
            },
        ),
        (
            {**GOOD, "content_type": "image/png"},
            {"content_type": ["image/png is not the type of a jpg file."]},
        ),
        (
            {**GOOD, "attach": [f"cover:{PORTFOLIO}", "cover:999", "tag:998"]},
            {"attach": ["cover:999: no such portfolio 999.", "tag:998: no such tag 998."]},
        ),
        (
            {**GOOD, "attach": ["poster:1"]},
            {"attach": ["'poster:1': the target must be one of cover, gallery, employer, tag, link."]},
        ),
        ([GOOD], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
    ids=["empty", "too-large", "extension", "type", "missing-targets", "unknown-target", "not-an-object"],
)
def test_a_bad_request_is_400_with_each_fields_errors_and_records_nothing(
    bucket: str, body: Any, errors: dict[str, list[str]]
) -> None:
    answer = create(body)
    assert (answer.status, answer.body) == (400, errors)
    assert boto3.client("dynamodb").scan(TableName="UploadsTable")["Count"] == 0


@pytest.mark.parametrize("raw_body", ["{", "", "[" * 100_000, '{"size": 1' + "0" * 5000 + "}", "\udcff"])
def test_a_body_that_is_not_json_is_400_with_a_parse_error(bucket: str, raw_body: str) -> None:
    answer = create(raw_body=raw_body)
    assert answer.status == 400
    assert answer.body["detail"].startswith("JSON parse error - ")


def test_a_body_of_another_type_is_415(bucket: str) -> None:
    answer = create(
        raw_body="file_name=team.jpg", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (answer.status, answer.body) == (
        415,
        {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'},
    )


def test_a_request_without_the_authorizers_caller_is_refused(bucket: str) -> None:
    # (Only a route deployed without the authorizer could send one.)
    answer = create(GOOD, caller=None)
    assert (answer.status, answer.body) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )


# --- the function's role -------------------------------------------------------------------------


def test_every_call_the_function_makes_is_allowed_by_its_role_and_its_forms_can_put_only_uploads(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = iam.CallRecorder()
    monkeypatch.setattr(BaseClient, "_make_api_call", recorder(BaseClient._make_api_call))
    # When an editor asks for a form (with attachments of every kind of table) and its status
    form = create({**GOOD, "attach": [f"cover:{PORTFOLIO}", "employer:4", f"tag:{TAG}", "link:1"]})
    assert form.status == 201, form.body
    assert status(form.body["id"]).status == 200
    monkeypatch.undo()
    allowed = iam.allowed("UploadsFunction", bucket=bucket)
    # Then each request is allowed by the role
    needed = recorder.needed()
    assert not iam.refused(allowed, needed)
    # And the form it signed (S3 checks the signer's s3:PutObject on the key) is covered too
    signed = ("s3:PutObject", f"arn:aws:s3:::{bucket}/{form.body['fields']['key']}")
    assert not iam.refused(allowed, [signed])
    # And nothing is granted that no call needs
    assert not iam.unused(allowed, [*needed, signed])


# --- the OpenAPI document describes these routes --------------------------------------------------


def _schema_validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def _answer_schema(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    response = document["paths"][path][method]["responses"][str(status)]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def test_the_openapi_document_describes_the_upload_routes_and_real_answers_validate(bucket: str) -> None:
    # Given the document the read API serves
    document = call("/api/openapi.json").body
    create_operation = document["paths"]["/api/uploads/"]["post"]
    status_operation = document["paths"]["/api/uploads/{upload_id}/"]["get"]
    # Then it describes the request body and every answer of both routes
    assert set(create_operation["responses"]) == {"201", "400", "401", "403", "415", "503"}
    assert set(status_operation["responses"]) == {"200", "401", "403", "404", "503"}
    assert document["paths"]["/api/uploads/{upload_id}"]["get"]["responses"]["301"]
    request_schema = document["components"]["schemas"]["UploadRequest"]
    assert set(request_schema["required"]) == {"file_name", "content_type", "size"}
    good = {**GOOD, "attach": [f"cover:{PORTFOLIO}"]}
    assert not list(_schema_validator(document, request_schema).iter_errors(good))
    assert list(_schema_validator(document, request_schema).iter_errors({**GOOD, "size": 0}))
    # And real answers validate against the schemas it documents
    form = create(good)
    _schema_validator(document, _answer_schema(document, "/api/uploads/", "post", 201)).validate(form.body)
    refused = create({**GOOD, "size": "big"})
    _schema_validator(document, _answer_schema(document, "/api/uploads/", "post", 400)).validate(refused.body)
    pending = status(form.body["id"])
    path = "/api/uploads/{upload_id}/"
    _schema_validator(document, _answer_schema(document, path, "get", 200)).validate(pending.body)
    run_thumbnails(post_form(bucket, form.body, support.jpeg()))
    ready = status(form.body["id"])
    assert ready.body["status"] == "ready"
    _schema_validator(document, _answer_schema(document, path, "get", 200)).validate(ready.body)
