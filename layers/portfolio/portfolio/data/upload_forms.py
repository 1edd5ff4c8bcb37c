"""The S3 form a browser posts an image with (issue 10): a presigned POST whose policy pins
the object's key, its size range, its content type and its metadata, so that the form uploads
that file there and nothing else, until it expires. S3 checks the policy; nothing here
stores anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from portfolio.data.media import s3_client

# How long a signed form stays usable (the "say 15 min").
FORM_LIFETIME_S = 15 * 60


@dataclass(frozen=True, slots=True)
class UploadForm:
    # The form's action, and its fields in order; the file goes after them.
    url: str
    fields: dict[str, str]
    expires_at: dt.datetime


def upload_form(
    *,
    bucket: str,
    key: str,
    content_type: str,
    size: int,
    metadata: Mapping[str, str],
    lifetime_s: int = FORM_LIFETIME_S,
    now: dt.datetime | None = None,
) -> UploadForm:
    """A presigned POST for exactly this object: ``key``, ``content_type``, at most ``size``
    bytes (at least one), and each of ``metadata`` (``x-amz-meta-<name>``) as given."""
    meta_fields = {f"x-amz-meta-{name}": value for name, value in metadata.items()}
    fields = {"Content-Type": content_type, **meta_fields}
    conditions: list[object] = [
        {"Content-Type": content_type},
        ["content-length-range", 1, size],
        *({name: value} for name, value in meta_fields.items()),
    ]
    # boto3 adds the key (and the signature's own fields) to the policy and the fields.
    signed = s3_client().generate_presigned_post(
        Bucket=bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=lifetime_s
    )
    issued = now or dt.datetime.now(dt.UTC)
    return UploadForm(
        url=str(signed["url"]),
        fields={name: str(value) for name, value in signed["fields"].items()},
        expires_at=(issued + dt.timedelta(seconds=lifetime_s)).replace(microsecond=0),
    )
