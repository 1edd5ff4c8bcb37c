"""The upload API on the local stack, as an editor's browser or script uses it (issue 10): a
token asks for a form, the file goes straight to the local S3, the S3 event runs the
thumbnails function, and the status route says ready with the image, within seconds. Who may
call which route is decided by the authorizer's policy, cached or not."""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.e2e.stack import PORTFOLIO as PORTFOLIO_CLI
from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10
# The issue asks for `ready` within ~2 s; the bound leaves room for a loaded CI machine.
READY_WITHIN_S = 15
# The portfolio whose cover the end-to-end uploads change (test_uploads.py does too).
PORTFOLIO = 148


def _jpeg(width: int = 800, height: int = 500) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _auth(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Token {key}"} if key else {}


def _ask(stack: RunningStack, key: str | None, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{stack.api_url}/api/uploads/", json=body, headers=_auth(key), timeout=TIMEOUT_S)


def _status(stack: RunningStack, key: str | None, upload_id: str) -> requests.Response:
    return requests.get(f"{stack.api_url}/api/uploads/{upload_id}/", headers=_auth(key), timeout=TIMEOUT_S)


def _post_form(form: dict[str, Any], data: bytes, file_name: str, content_type: str) -> requests.Response:
    return requests.post(
        form["url"], data=form["fields"], files={"file": (file_name, data, content_type)}, timeout=TIMEOUT_S
    )


def _until_done(stack: RunningStack, key: str, upload_id: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    while True:
        answer = _status(stack, key, upload_id)
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] != "pending":
            return answer.json(), time.monotonic() - started
        assert time.monotonic() - started < READY_WITHIN_S, "still pending"
        time.sleep(0.1)


def test_an_editor_uploads_a_cover_with_nothing_but_a_token(stack: RunningStack) -> None:
    editor = stack.tokens["editor"]
    data = _jpeg()
    # Given an editor's request for an upload, to be the cover of the portfolio
    asked = _ask(
        stack,
        editor,
        {
            "file_name": "new cover.jpg",
            "content_type": "image/jpeg",
            "size": len(data),
            "name": "New cover",
            "attach": [f"cover:{PORTFOLIO}"],
        },
    )
    assert asked.status_code == 201, asked.text
    form = asked.json()
    assert _status(stack, editor, form["id"]).json()["status"] == "pending"
    # When the file is posted straight to S3 with the form's fields (the file last), from a
    # page on another origin
    posted = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("new cover.jpg", data, "image/jpeg")},
        headers={"Origin": "http://127.0.0.1:1"},
        timeout=TIMEOUT_S,
    )
    assert posted.status_code == 204, posted.text
    # (the bucket's CORS lets that page read S3's answer)
    assert posted.headers["Access-Control-Allow-Origin"] in ("*", "http://127.0.0.1:1")
    # Then the status turns ready with the image and its thumbnails
    status, waited = _until_done(stack, editor, form["id"])
    assert status["status"] == "ready", status
    image = status["image_data"]
    assert (image["name"], image["width"], image["height"]) == ("New cover", 800, 500)
    assert len(image["thumbnails"]) == 4
    assert requests.get(image["thumbnails"][0]["f"], timeout=TIMEOUT_S).status_code == 200
    # And the portfolio shows it as its cover
    retrieved = requests.get(
        f"{stack.api_url}/api/portfolios/{PORTFOLIO}/", headers=_auth(editor), timeout=TIMEOUT_S
    )
    assert retrieved.json()["image_data"] == image
    # (well inside the bound; the issue's ~2 s on an idle machine)
    assert waited < READY_WITHIN_S


def test_a_non_image_posted_through_the_form_ends_failed_with_its_reason(stack: RunningStack) -> None:
    uploader = stack.tokens["uploader"]
    data = b"plain text, not a picture" * 10
    form = _ask(
        stack, uploader, {"file_name": "fake.png", "content_type": "image/png", "size": len(data)}
    ).json()
    assert _post_form(form, data, "fake.png", "image/png").status_code == 204
    status, _ = _until_done(stack, uploader, form["id"])
    assert status["status"] == "failed"
    assert status["image_data"] is None
    assert status["error"]


def test_an_editor_does_not_see_another_editors_upload(stack: RunningStack) -> None:
    form = _ask(
        stack, stack.tokens["uploader"], {"file_name": "a.gif", "content_type": "image/gif", "size": 10}
    ).json()
    assert _status(stack, stack.tokens["editor"], form["id"]).status_code == 404
    assert _status(stack, stack.tokens["admin"], form["id"]).status_code == 200


def test_a_bad_request_is_400_with_field_errors(stack: RunningStack) -> None:
    answer = _ask(
        stack, stack.tokens["editor"], {"file_name": "x.exe", "content_type": "image/jpeg", "size": 0}
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"file_name", "size"}


# --- who may call which route, whatever the authorizer cached ------------------------------------

GOOD = {"file_name": "t.jpg", "content_type": "image/jpeg", "size": 100}
# user -> (POST /api/uploads/, GET /api/portfolios/)
DECISIONS = {
    "admin": (201, 200),
    "editor": (201, 200),
    "uploader": (201, 403),
    "staff_4202": (403, 200),
    "staff": (403, 403),
    "inactive": (401, 401),
    None: (401, 401),
}


def _fresh_token(stack: RunningStack, user: str | None) -> str | None:
    """A new token of the stack's ``user`` (none cached yet by the authorizer)."""
    if user is None:
        return None
    username = {"staff_4202": "local-staff-4202"}.get(user, f"local-{user}")
    created = subprocess.run(
        [str(PORTFOLIO_CLI), "token", "create", "--user", username],
        env={**os.environ, **stack.environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return created.stdout.strip()


@pytest.mark.parametrize("upload_first", [True, False], ids=["upload-then-read", "read-then-upload"])
def test_each_token_reaches_exactly_the_routes_its_permissions_open_with_the_cache_warm(
    stack: RunningStack, upload_first: bool
) -> None:
    for user, (upload_status, read_status) in DECISIONS.items():
        key = _fresh_token(stack, user)
        calls = [
            ("upload", lambda key=key: _ask(stack, key, GOOD).status_code, upload_status),
            (
                "read",
                lambda key=key: (
                    requests.get(
                        f"{stack.api_url}/api/portfolios/?limit=1", headers=_auth(key), timeout=TIMEOUT_S
                    ).status_code
                ),
                read_status,
            ),
        ]
        if not upload_first:
            calls.reverse()
        # The first call fills the authorizer's cache for the token; the second is decided by it,
        # then both again
        for name, make, expected in [*calls, *calls]:
            assert make() == expected, (user, name)


# --- what the form lets a browser send (S3's policy check; moto alone checks nothing) --------------


def _objects_under(stack: RunningStack, key: str) -> list[str]:
    listed = stack.s3().list_objects_v2(
        Bucket=stack.environment["MEDIA_BUCKET"], Prefix=key.rpartition("/")[0]
    )
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("larger file", 400, "EntityTooLarge"),
        ("another key", 403, "AccessDenied"),
        ("another content type", 403, "AccessDenied"),
        ("another attachment", 403, "AccessDenied"),
    ],
)
def test_the_local_s3_refuses_what_the_form_does_not_allow(
    stack: RunningStack, change: str, status: int, code: str
) -> None:
    data = _jpeg(64, 64)
    form = _ask(
        stack,
        stack.tokens["editor"],
        {
            "file_name": "pinned.jpg",
            "content_type": "image/jpeg",
            "size": len(data),
            "attach": [f"cover:{PORTFOLIO}"],
        },
    ).json()
    fields, content_type, body = dict(form["fields"]), "image/jpeg", data
    if change == "larger file":
        body = data + b"\0" * 10
    elif change == "another key":
        fields["key"] = fields["key"].replace("pinned.jpg", "elsewhere.jpg")
    elif change == "another content type":
        fields["Content-Type"] = content_type = "text/html"
    else:
        fields["x-amz-meta-attach"] = "cover:149"
    posted = requests.post(
        form["url"],
        data=fields,
        files={"file": ("pinned.jpg", body, content_type)},
        headers={"Origin": "http://127.0.0.1:1"},
        timeout=TIMEOUT_S,
    )
    assert posted.status_code == status, posted.text
    assert f"<Code>{code}</Code>" in posted.text
    # (with the bucket's CORS headers, so that the page can read why)
    assert posted.headers["Access-Control-Allow-Origin"] == "*"
    assert _objects_under(stack, form["fields"]["key"]) == []
    assert _status(stack, stack.tokens["editor"], form["id"]).json()["status"] == "pending"


def test_the_local_s3_refuses_an_expired_form(stack: RunningStack) -> None:
    # Given a form that expires after one second, signed as the stack signs them
    data = _jpeg(32, 32)
    form = stack.signed_form(
        key="uploads/expired/late.jpg", content_type="image/jpeg", size=len(data), metadata={}, lifetime_s=1
    )
    time.sleep(1.5)
    # When the browser posts it too late, Then S3 refuses it and stores nothing
    posted = _post_form({"url": form.url, "fields": form.fields}, data, "late.jpg", "image/jpeg")
    assert posted.status_code == 403
    assert "Policy expired." in posted.text
    assert _objects_under(stack, "uploads/expired/late.jpg") == []


# --- the CLI through the API: a token, no AWS credentials -----------------------------------------


def _cli_environment(stack: RunningStack, **extra: str) -> dict[str, str]:
    """The caller's environment without any AWS credentials or endpoint."""
    bare = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return {**bare, "PORTFOLIO_API_URL": stack.api_url, **extra}


def test_portfolio_upload_with_a_token_needs_no_aws_credentials(stack: RunningStack, tmp_path: Path) -> None:
    # Given an image on the editor's disk, the API's URL and the editor's token in the environment
    picture = tmp_path / "cli cover.jpg"
    picture.write_bytes(_jpeg(500, 300))
    environment = _cli_environment(stack, PORTFOLIO_TOKEN=stack.tokens["editor"])
    # When the editor uploads it as the portfolio's cover and waits
    result = subprocess.run(
        [
            str(PORTFOLIO_CLI),
            "upload",
            str(picture),
            "--name",
            "CLI cover",
            "--portfolio",
            str(PORTFOLIO),
            "--wait",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it ends ready, and the portfolio shows the image
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("ready: media "), result.stdout
    assert "(500x300, 4 thumbnails)" in result.stdout
    retrieved = requests.get(
        f"{stack.api_url}/api/portfolios/{PORTFOLIO}/",
        headers=_auth(stack.tokens["editor"]),
        timeout=TIMEOUT_S,
    ).json()
    assert retrieved["image_data"]["name"] == "CLI cover"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (
            "staff_4202",
            "the API refused the upload (403): You do not have permission to perform this action.",
        ),
        (None, "the API refused the upload (401): Invalid token."),
    ],
)
def test_portfolio_upload_says_why_the_api_refuses_it(
    stack: RunningStack, tmp_path: Path, token: str | None, message: str
) -> None:
    picture = tmp_path / "refused.jpg"
    picture.write_bytes(_jpeg(20, 20))
    key = stack.tokens[token] if token else "0" * 40
    result = subprocess.run(
        [str(PORTFOLIO_CLI), "upload", str(picture), "--token", key, "--api", stack.api_url],
        env=_cli_environment(stack),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"portfolio upload: {message}\n"
