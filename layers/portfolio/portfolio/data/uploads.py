"""The uploads the API signed forms for (UploadsTable): written once when the form is issued,
read by the status route. The only code that touches ``IssuedUploadModel``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pynamodb.exceptions import PutError

from portfolio.data.models import IssuedUploadModel


@dataclass(frozen=True, slots=True)
class IssuedUpload:
    id: str
    owner_id: int
    owner: str
    key: str
    content_type: str
    size: int
    name: str | None
    attach: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime


class UploadIdTaken(RuntimeError):
    """Another upload has this id already (never expected: ids are 128 random bits)."""


def save_issued_upload(upload: IssuedUpload, *, keep_until: int) -> None:
    """Record ``upload`` (a conditional put: an id is never reused); the item expires at
    ``keep_until`` (seconds since the epoch, DynamoDB TTL)."""
    item = IssuedUploadModel(
        upload.id,
        owner_id=upload.owner_id,
        owner=upload.owner,
        key=upload.key,
        content_type=upload.content_type,
        size=upload.size,
        name=upload.name,
        attach=list(upload.attach),
        created_at=upload.created_at.isoformat(),
        expires_at=upload.expires_at.isoformat(),
        expiration=keep_until,
    )
    try:
        item.save(condition=IssuedUploadModel.id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise UploadIdTaken(upload.id) from error
        raise


def load_issued_upload(upload_id: str) -> IssuedUpload | None:
    try:
        item = IssuedUploadModel.get(upload_id)
    except IssuedUploadModel.DoesNotExist:
        return None
    return IssuedUpload(
        id=item.id,
        owner_id=int(item.owner_id),
        owner=item.owner,
        key=item.key,
        content_type=item.content_type,
        size=int(item.size),
        name=item.name,
        attach=tuple(str(value) for value in item.attach or ()),
        created_at=dt.datetime.fromisoformat(item.created_at),
        expires_at=dt.datetime.fromisoformat(item.expires_at),
    )
