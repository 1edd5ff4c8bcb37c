"""The local stack's stand-in for S3's check of a browser form (moto does none): a form the
upload API signs is taken as it is, and refused, as S3 refuses it, once anything it pins
changes, it expires, or its signature is not the policy's."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from portfolio.data.media import reset_clients
from portfolio.data.upload_forms import upload_form
from portfolio.local.post_policy import FormChecks, check_form

pytestmark = pytest.mark.unit

BUCKET = "portfolio-media-test"
KEY = "uploads/0123456789abcdef0123456789abcdef/team.jpg"
SECRETS = {"testing": "testing"}  # tests/conftest.py's credentials sign the forms
SIZE = 1000


@pytest.fixture(scope="module")
def fields() -> dict[str, str]:
    reset_clients()
    form = upload_form(
        bucket=BUCKET,
        key=KEY,
        content_type="image/jpeg",
        size=SIZE,
        metadata={"name": "Team", "attach": "cover:148"},
    )
    return form.fields


def _check(fields: dict[str, str], size: int = SIZE, **changes: str) -> tuple[int, str, str] | None:
    refusal = check_form(BUCKET, {**fields, **changes}, size, secrets=SECRETS)
    return None if refusal is None else (refusal.status, refusal.code, refusal.message)


def test_the_form_as_signed_is_taken_up_to_its_size(fields: dict[str, str]) -> None:
    assert _check(fields) is None
    assert _check(fields, size=1) is None


def test_a_larger_or_an_empty_file_is_refused(fields: dict[str, str]) -> None:
    assert _check(fields, size=SIZE + 1) == (
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size",
    )
    assert _check(fields, size=0) is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", "uploads/0123456789abcdef0123456789abcdef/other.jpg"),
        ("key", "core_media/2026/12/06/team.jpg"),
        ("Content-Type", "text/html"),
        ("x-amz-meta-attach", "cover:149"),
        ("x-amz-meta-name", "Someone else"),
    ],
)
def test_another_key_type_or_metadata_is_refused(fields: dict[str, str], field: str, value: str) -> None:
    refused = _check(fields, **{field: value})
    assert refused is not None
    status, code, message = refused
    assert (status, code) == (403, "AccessDenied")
    assert message.startswith("Invalid according to Policy: Policy Condition failed: ")


def test_a_field_the_policy_does_not_name_is_refused(fields: dict[str, str]) -> None:
    assert _check(fields, **{"x-amz-meta-extra": "1"}) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
    )
    # (what S3 ignores by name is not refused)
    assert _check(fields, **{"x-ignore-note": "1"}) is None


def test_an_expired_form_is_refused(fields: dict[str, str]) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    refusal = check_form(BUCKET, fields, SIZE, secrets=SECRETS, now=later)
    assert refusal is not None
    assert (refusal.status, refusal.message) == (403, "Invalid according to Policy: Policy expired.")


def test_a_policy_edited_after_signing_or_signed_with_another_secret_is_refused(
    fields: dict[str, str],
) -> None:
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        c for c in policy["conditions"] if not (isinstance(c, list) and c[0] == "content-length-range")
    ]
    edited = base64.b64encode(json.dumps(policy).encode()).decode()
    refused = _check(fields, policy=edited)
    assert refused is not None
    assert refused[1] == "SignatureDoesNotMatch"
    other = check_form(BUCKET, fields, SIZE, secrets={"testing": "another secret"})
    assert other is not None
    assert other.code == "SignatureDoesNotMatch"
    unknown = check_form(BUCKET, fields, SIZE, secrets={"someone": "testing"})
    assert unknown is not None
    assert unknown.code == "InvalidAccessKeyId"


def test_another_bucket_or_an_unsigned_form_is_refused(fields: dict[str, str]) -> None:
    elsewhere = check_form("another-bucket", fields, SIZE, secrets=SECRETS)
    assert elsewhere is not None
    assert elsewhere.code == "AccessDenied"
    unsigned = {name: value for name, value in fields.items() if name not in ("policy", "x-amz-signature")}
    refusal = check_form(BUCKET, unsigned, SIZE, secrets=SECRETS)
    assert refusal is not None
    assert (refusal.status, refusal.code) == (403, "AccessDenied")


def test_a_refusal_is_s3s_xml_error(fields: dict[str, str]) -> None:
    refusal = check_form(BUCKET, {**fields, "key": "elsewhere"}, SIZE, secrets=SECRETS)
    assert refusal is not None
    xml = refusal.xml().decode()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<Code>AccessDenied</Code>" in xml


def test_a_refusal_carries_the_buckets_cors_headers_for_an_origin_it_allows() -> None:
    checks = FormChecks(
        credentials=SECRETS, post_origins={BUCKET: ("https://a.example",), "open-bucket": ("*",)}
    )
    assert checks.cors_headers(BUCKET, "https://a.example") == [
        ("Access-Control-Allow-Origin", "https://a.example"),
        ("Vary", "Origin"),
    ]
    assert checks.cors_headers(BUCKET, "https://elsewhere.example") == []
    assert checks.cors_headers(BUCKET, None) == []
    assert checks.cors_headers("open-bucket", "https://b.example") == [("Access-Control-Allow-Origin", "*")]
    assert checks.cors_headers("unknown-bucket", "https://a.example") == []
