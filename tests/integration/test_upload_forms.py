"""The presigned POST an editor's browser gets (issue 10) pins the object: S3 accepts that
file, at that key, of that type and size range, with that metadata, until it expires.

(moto stores a POSTed object without checking the form's policy or signature, so these tests
read the policy the way S3 evaluates it.)"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

from portfolio.data.upload_forms import FORM_LIFETIME_S, upload_form
from tests.support import media as support

pytestmark = pytest.mark.integration


@pytest.fixture
def bucket(aws: None) -> str:
    return support.create_template_buckets()


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    return json.loads(base64.b64decode(fields["policy"]))


def test_the_form_pins_key_size_type_and_metadata_until_it_expires(bucket: str) -> None:
    # Given a form for one upload
    issued = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    form = upload_form(
        bucket=bucket,
        key="uploads/0b9f6c3e/team.jpg",
        content_type="image/jpeg",
        size=123456,
        metadata={"name": "Team", "attach": "cover:148,tag:2"},
        now=issued,
    )
    # Then the browser posts these fields (the file after them) to the bucket's URL
    assert bucket in form.url
    assert form.fields["key"] == "uploads/0b9f6c3e/team.jpg"
    assert form.fields["Content-Type"] == "image/jpeg"
    assert form.fields["x-amz-meta-name"] == "Team"
    assert form.fields["x-amz-meta-attach"] == "cover:148,tag:2"
    assert {"x-amz-signature", "x-amz-credential", "x-amz-algorithm", "x-amz-date", "policy"} <= set(
        form.fields
    )
    # And the signed policy accepts nothing else: this bucket and key, this type, 1..size bytes,
    # the same metadata, and only until it expires
    policy = _policy(form.fields)
    conditions = policy["conditions"]
    assert {"bucket": bucket} in conditions
    assert {"key": "uploads/0b9f6c3e/team.jpg"} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 123456] in conditions
    assert {"x-amz-meta-name": "Team"} in conditions
    assert {"x-amz-meta-attach": "cover:148,tag:2"} in conditions
    assert not any(isinstance(condition, list) and condition[0] == "starts-with" for condition in conditions)
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert dt.timedelta(0) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=FORM_LIFETIME_S + 5)
    assert form.expires_at == issued + dt.timedelta(seconds=FORM_LIFETIME_S)
