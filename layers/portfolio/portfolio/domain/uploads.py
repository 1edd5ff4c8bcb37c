"""Uploads through the API (issue 10): an editor with a token asks for an upload
(``upload_create``) and gets a presigned S3 form for one key under ``uploads/``; the browser
posts the file to S3, whose event runs the thumbnails function as for any upload; the editor
polls ``upload_status`` until the image is ready (or failed).

The status is read from what the thumbnails function writes (the image record made from the
upload's key, ``portfolio.domain.media``): the upload API adds nothing to that function.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portfolio.config import settings
from portfolio.data import catalogue as catalogue_store
from portfolio.data import media as media_store
from portfolio.data import upload_forms
from portfolio.data import uploads as uploads_store
from portfolio.domain.auth import Caller
from portfolio.domain.errors import InvalidUploadRequest, UploadNotFound
from portfolio.domain.rendering import render_image, with_media_urls
from portfolio.domain.upload_metadata import (
    IDEMPOTENCY_EXPIRY_S,
    UPLOAD_PREFIX,
    Attachment,
    AttachTarget,
    OutcomeStatus,
    editor_metadata,
    sequencer_order,
)
from portfolio.domain.upload_requests import UploadRequest, parse_upload_request
from portfolio.observability import MetricUnit, logger, metrics

# An upload id: 128 random bits as 32 lowercase hex characters.
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
# Issued uploads are kept as long as uploads themselves (the bucket's lifecycle rule on
# uploads/, and the idempotency of their processing): 14 days.
ISSUED_UPLOAD_LIFETIME_S = IDEMPOTENCY_EXPIRY_S


class UploadStatus(StrEnum):
    PENDING = "pending"  # nothing processed yet: not posted, or the function still runs
    READY = "ready"
    FAILED = "failed"


# Where each attachment target is looked up.
_TARGET_KINDS = {
    AttachTarget.COVER: "portfolio",
    AttachTarget.GALLERY: "portfolio",
    AttachTarget.EMPLOYER: "employer",
    AttachTarget.TAG: "tag",
    AttachTarget.LINK: "link",
}


def upload_key(upload_id: str, file_name: str) -> str:
    """``uploads/<id>/<file name>``, the extension in lower case: the bucket's notifications
    match suffixes case-sensitively (``.jpg`` or ``.JPG``), so ``Team.Jpg`` becomes ``Team.jpg``."""
    stem, _, extension = file_name.rpartition(".")
    return f"{UPLOAD_PREFIX}{upload_id}/{stem}.{extension.lower()}"


def target_kind(target: AttachTarget) -> str:
    """The kind of record an attachment names (a cover's or gallery's is a portfolio)."""
    return _TARGET_KINDS[target]


def missing_targets(attachments: Sequence[Attachment]) -> list[Attachment]:
    """The attachments whose target does not exist (keys only: one BatchGetItem per kind)."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for attachment in attachments:
        wanted[target_kind(attachment.target)].append(attachment.target_id)
    found = {kind: catalogue_store.existing_ids(kind, ids) for kind, ids in wanted.items()}
    return [
        attachment
        for attachment in attachments
        if attachment.target_id not in found[target_kind(attachment.target)]
    ]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class IssuedForm:
    upload_id: str
    form: upload_forms.UploadForm

    def json(self) -> dict[str, Any]:
        # The form's fields in order: the browser appends the file after the last one.
        return {
            "id": self.upload_id,
            "url": self.form.url,
            "fields": dict(self.form.fields),
            "expires_at": _iso(self.form.expires_at),
        }


def upload_create(*, caller: Caller, body: Any, now: dt.datetime | None = None) -> IssuedForm:
    """A signed form for the upload ``body`` asks for (``parse_upload_request``), after
    checking that every attachment's target exists; the upload is recorded as ``caller``'s."""
    request: UploadRequest = parse_upload_request(body)
    missing = missing_targets(request.attachments)
    if missing:
        raise InvalidUploadRequest(
            {
                "attach": [
                    f"{attachment}: no such {target_kind(attachment.target)} {attachment.target_id}."
                    for attachment in missing
                ]
            }
        )
    issued_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    upload_id = secrets.token_hex(16)
    key = upload_key(upload_id, request.file_name)
    form = upload_forms.upload_form(
        bucket=settings().media_bucket,
        key=key,
        content_type=request.content_type,
        size=request.size,
        metadata=editor_metadata(name=request.name, attachments=request.attachments),
        now=issued_at,
    )
    uploads_store.save_issued_upload(
        uploads_store.IssuedUpload(
            id=upload_id,
            owner_id=caller.user_id,
            owner=caller.username,
            key=key,
            content_type=request.content_type,
            size=request.size,
            name=request.name,
            attach=tuple(str(attachment) for attachment in request.attachments),
            created_at=issued_at,
            expires_at=form.expires_at,
        ),
        keep_until=int(issued_at.timestamp()) + ISSUED_UPLOAD_LIFETIME_S,
    )
    logger.info(
        "upload form issued", extra={"upload_id": upload_id, "upload_key": key, "owner": caller.username}
    )
    metrics.add_metric(name="UploadFormsIssued", unit=MetricUnit.Count, value=1)
    return IssuedForm(upload_id=upload_id, form=form)


def latest_upload_record(
    records: Sequence[media_store.StoredUploadRecord],
) -> media_store.StoredUploadRecord | None:
    """The record of the key's latest upload (a form can be posted again until it expires;
    S3's sequencer orders those uploads, as the thumbnails function orders them)."""

    def order(stored: media_store.StoredUploadRecord) -> tuple[str, int]:
        sequencer = stored.source.sequencer if stored.source else None
        return (sequencer_order(sequencer) or "", stored.record.id)

    return max(records, key=order, default=None)


def upload_done(stored: media_store.StoredUploadRecord, *, attaches: bool) -> bool:
    """Whether an upload's record is its outcome: failed, or ready and, when it ``attaches``
    the image somewhere, shown there (the function notes the attachments last)."""
    if stored.status == OutcomeStatus.FAILED.value:
        return True
    return stored.status == OutcomeStatus.READY.value and (not attaches or stored.attached is not None)


def upload_status(*, caller: Caller, upload_id: str) -> dict[str, Any]:
    """``{"id", "status", "image_data", "error"}`` of an upload the caller asked for (any
    upload for an admin); ``UploadNotFound`` for any other id."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise UploadNotFound(upload_id)
    issued = uploads_store.load_issued_upload(upload_id)
    if issued is None or not (caller.is_admin or caller.user_id == issued.owner_id):
        raise UploadNotFound(upload_id)
    latest = latest_upload_record(media_store.upload_records_of(issued.key))
    if latest is None or not upload_done(latest, attaches=bool(issued.attach)):
        return {"id": upload_id, "status": UploadStatus.PENDING.value, "image_data": None, "error": None}
    if latest.status == OutcomeStatus.READY.value:
        image_data = with_media_urls(render_image(latest.record), settings().media_base_url)
        return {"id": upload_id, "status": UploadStatus.READY.value, "image_data": image_data, "error": None}
    return {
        "id": upload_id,
        "status": UploadStatus.FAILED.value,
        "image_data": None,
        "error": latest.failure_reason,
    }
