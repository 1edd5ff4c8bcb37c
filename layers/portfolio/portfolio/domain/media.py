"""Uploads: from an object an editor put under ``uploads/`` to an image record with four
thumbnails under ``core_media/`` (docs/images.md).

Rules kept here:

- Keys. The original goes to ``core_media/YYYY/MM/DD/<stem>.<ext>`` and each thumbnail to
  ``core_media/YYYY/MM/DD/thumbnails/<stem>_thumbnail_<N>x<N>.<ext>`` (the date is the
  upload's, UTC). The file name is cleaned as Django's ``get_valid_filename`` does; a key
  that holds another upload's object gets a 7-character suffix, as Django's storage does.
  The suffixes are derived from the upload's identity, not random, so a retried run finds
  the same names again (and its own objects on them) instead of leaving orphans.
- Loops are impossible: uploads are read only from under ``UPLOAD_PREFIX``, and everything
  is written under ``MEDIA_PREFIX``, which the template's S3 events never match.
- Once per upload: an upload is one S3 event, identified by bucket, key, ETag, version and
  sequencer (the same for every delivery and retry of that event). Processing it is
  idempotent (Powertools, DynamoDB persistence), and so are the pieces a crashed run can
  leave behind: the ids (reserved once per upload), the objects (found again by their
  marker) and the record (written whole, by id).
- The latest upload of a key wins: S3 orders the events of one key by their sequencer, and
  an upload whose key has seen a later one (an overwrite delivered first, or finished first)
  is a logged skip, checked before it is read and again before its record is written.
- Bad files end in a failed record with the reason, never in an exception that would make
  Lambda retry them; an upload deleted or replaced before processing is a logged skip.
  S3 and DynamoDB errors raise, so that Lambda retries the event (docs/images.md, "Failures").
- Editors' metadata (``x-amz-meta-name``, ``x-amz-meta-attach``) names the image and says
  where to show it; the attachment happens right after the record is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import string
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event, S3EventRecord

from portfolio.config import settings
from portfolio.data import catalogue as catalogue_store
from portfolio.data import media as media_store
from portfolio.domain.catalogue import (
    MEDIA_SEQUENCE,
    THUMBNAIL_SEQUENCE,
    AttachError,
    attach_media,
)
from portfolio.domain.records import IMAGE_TYPE, MediaRecord, ThumbnailRecord
from portfolio.domain.upload_metadata import (
    IDEMPOTENCY_EXPIRY_S,
    MAX_UPLOAD_BYTES,
    UPLOAD_PREFIX,
    Attachment,
    OutcomeStatus,
    UploadMetadata,
    sequencer_order,
)
from portfolio.imaging import ImageRejected, RejectionReason, ThumbnailSet, make_thumbnails
from portfolio.observability import MetricUnit, logger, metrics, tracer

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

MEDIA_PREFIX = "core_media/"
THUMBNAILS_FOLDER = "thumbnails"

MAX_STEM_LENGTH = 100  # characters of a file name's stem kept in keys
MAX_NAME_ATTEMPTS = 20  # the plain name, then 19 suffixed ones
_SUFFIX_ALPHABET = string.ascii_letters + string.digits  # Django's get_random_string
_SUFFIX_LENGTH = 7
_INVALID_FILENAME_CHARACTERS = re.compile(r"[^-\w.]")


# --- names and keys ---------------------------------------------------------------------------


def valid_file_name(name: str) -> str:
    """``name`` as Django's ``get_valid_filename`` stores it: spaces to underscores, then only
    letters, digits (any script), ``-``, ``_`` and ``.`` kept; ``image`` when nothing is."""
    cleaned = _INVALID_FILENAME_CHARACTERS.sub("", name.strip().replace(" ", "_"))
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    if not stem.strip("."):
        stem = "image"  # nothing left of the name ("!!!.gif"), or only dots
    return stem[:MAX_STEM_LENGTH] + (f".{extension}" if extension else "")


def media_folder(day: dt.date) -> str:
    return f"{MEDIA_PREFIX}{day:%Y/%m/%d}/"


def original_key(file_name: str, day: dt.date) -> str:
    return media_folder(day) + valid_file_name(file_name)


def thumbnail_key(original: str, edge_suffix: str, extension: str) -> str:
    """The thumbnail's key beside ``original`` (its final key, suffix included)."""
    folder, _, file_name = original.rpartition("/")
    stem = os.path.splitext(file_name)[0]
    return f"{folder}/{THUMBNAILS_FOLDER}/{stem}{edge_suffix}.{extension}"


def thumbnail_extension(original: str, extensions: Sequence[str]) -> str:
    """The original's extension when it names the thumbnails' format (``.jpeg`` stays
    ``.jpeg``), else the format's usual one (a BMP's PNG thumbnails are ``.png``)."""
    extension = os.path.splitext(original)[1].lstrip(".")
    return extension if extension.lower() in extensions else extensions[0]


def key_candidates(key: str, upload_marker: str) -> Iterator[str]:
    """``key``, then ``<stem>_<7 characters><ext>`` alternatives (Django's
    ``get_available_name``), the characters derived from the upload and the attempt."""
    yield key
    folder, _, file_name = key.rpartition("/")
    stem, extension = os.path.splitext(file_name)
    for attempt in range(1, MAX_NAME_ATTEMPTS):
        digest = hashlib.sha256(f"{upload_marker}:{key}:{attempt}".encode()).digest()
        suffix = "".join(_SUFFIX_ALPHABET[byte % len(_SUFFIX_ALPHABET)] for byte in digest[:_SUFFIX_LENGTH])
        yield f"{folder}/{stem}_{suffix}{extension}"


class NoAvailableName(RuntimeError):
    """Every candidate name is taken by other uploads' objects."""


# --- uploads -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """The object an S3 event names, its key decoded."""

    bucket: str
    key: str
    etag: str
    version_id: str | None
    sequencer: str | None
    event_time: dt.datetime

    @classmethod
    def from_record(cls, record: S3EventRecord) -> Upload:
        """S3 URL-encodes keys in events (``+`` for a space, ``%D8%B9`` for Persian letters):
        each record's own key is decoded here (``S3Event.object_key`` decodes only the
        first record's)."""
        obj = record.s3.get_object
        event_time = dt.datetime.fromisoformat(record.event_time)
        if event_time.tzinfo is None:
            event_time = event_time.replace(tzinfo=dt.UTC)
        return cls(
            bucket=record.s3.bucket.name,
            key=unquote_plus(obj.key),
            etag=obj.etag.strip('"'),
            version_id=obj.version_id or None,
            sequencer=obj.get("sequencer"),
            event_time=event_time.astimezone(dt.UTC),
        )

    @property
    def identity(self) -> dict[str, str | None]:
        """What makes two events the same upload: S3 delivers an event at least once, and
        Lambda retries an invocation, always with the same sequencer. The same bytes put
        again under the key are a new upload (a new sequencer): the latest upload wins."""
        return {
            "bucket": self.bucket,
            "key": self.key,
            "etag": self.etag,
            "version_id": self.version_id,
            "sequencer": self.sequencer,
        }

    @property
    def order(self) -> str | None:
        """Where this upload stands among the uploads of its key (``sequencer_order``)."""
        return sequencer_order(self.sequencer)

    @property
    def marker(self) -> str:
        """A short digest of the identity, written on every object made from this upload."""
        text = json.dumps(self.identity, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.key).name if not self.key.endswith("/") else ""

    def source_fields(self) -> media_store.UploadSourceFields:
        return media_store.UploadSourceFields(
            bucket=self.bucket,
            key=self.key,
            etag=self.etag,
            version_id=self.version_id,
            sequencer=self.sequencer,
        )


# Why an upload is skipped besides ``media_store.UploadGone``: its key has a later upload.
SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    upload_key: str
    status: OutcomeStatus
    media_id: int | None = None
    media_key: str | None = None
    reason: str | None = None
    attached: tuple[str, ...] = ()
    attach_problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "upload_key": self.upload_key,
            "status": self.status.value,
            "media_id": self.media_id,
            "media_key": self.media_key,
            "reason": self.reason,
            "attached": list(self.attached),
            "attach_problems": list(self.attach_problems),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UploadOutcome:
        return cls(
            upload_key=data["upload_key"],
            status=OutcomeStatus(data["status"]),
            media_id=data.get("media_id"),
            media_key=data.get("media_key"),
            reason=data.get("reason"),
            attached=tuple(data.get("attached") or ()),
            attach_problems=tuple(data.get("attach_problems") or ()),
        )


class UploadsFailed(RuntimeError):
    """Some uploads of an event could not be processed (a transient error): the event fails,
    so that Lambda retries it; uploads already processed are not processed again."""


@media_store.once_per_upload("upload-ids", expires_after_seconds=IDEMPOTENCY_EXPIRY_S)
def _reserve_ids(*, upload: dict[str, Any], thumbnails: int) -> dict[str, Any]:
    """The record's id and its thumbnails' ids: the same for every run on the same upload."""
    media_id = catalogue_store.allocate_ids(MEDIA_SEQUENCE, 1)[0]
    thumbnail_ids = catalogue_store.allocate_ids(THUMBNAIL_SEQUENCE, thumbnails) if thumbnails else []
    return {"media_id": media_id, "thumbnail_ids": thumbnail_ids}


def _place(key: str, data: bytes, *, content_type: str, upload: Upload) -> str:
    """Store ``data`` at ``key`` or at the first free alternative; return where."""
    bucket = settings().media_bucket
    for candidate in key_candidates(key, upload.marker):
        placement = media_store.put_new_object(
            bucket, candidate, data, content_type=content_type, upload_marker=upload.marker
        )
        if placement is not media_store.Placement.TAKEN:
            return candidate
    raise NoAvailableName(f"{MAX_NAME_ATTEMPTS} names tried for {key}")


def _attach(media_id: int, attachments: Sequence[Attachment]) -> tuple[list[str], list[str]]:
    attached, problems = [], []
    for attachment in attachments:
        try:
            attach_media(media_id, attachment.target, attachment.target_id)
        except AttachError as error:
            problems.append(f"{attachment}: no such {error}")
            continue
        attached.append(str(attachment))
    return attached, problems


def _claim_latest(upload: Upload) -> bool:
    """Whether ``upload`` is (still) the latest of its key, recording it as such; always true
    for an event without a usable sequencer."""
    order = upload.order
    if order is None:
        return True
    return media_store.claim_latest_upload(
        upload.bucket,
        upload.key,
        order=order,
        sequencer=str(upload.sequencer),
        etag=upload.etag,
        expires_at=int(time.time()) + IDEMPOTENCY_EXPIRY_S,
    )


def _skipped(upload: Upload, reason: str) -> UploadOutcome:
    logger.info("upload skipped", extra={"upload_key": upload.key, "reason": reason})
    metrics.add_metric(name="UploadsSkipped", unit=MetricUnit.Count, value=1)
    return UploadOutcome(upload_key=upload.key, status=OutcomeStatus.SKIPPED, reason=reason)


def _failed(upload: Upload, size: int, name: str, failure: ImageRejected) -> UploadOutcome:
    ids = _reserve_ids(upload=upload.identity, thumbnails=0)
    record = MediaRecord(id=ids["media_id"], type=IMAGE_TYPE, name=name, key=upload.key, size=size)
    media_store.save_upload_record(
        record, status=OutcomeStatus.FAILED.value, source=upload.source_fields(), failure_reason=str(failure)
    )
    logger.warning(
        "upload is not an accepted image: failed record written",
        extra={"upload_key": upload.key, "media_id": record.id, "reason": str(failure)},
    )
    metrics.add_metric(name="UploadsFailed", unit=MetricUnit.Count, value=1)
    return UploadOutcome(
        upload_key=upload.key, status=OutcomeStatus.FAILED, media_id=record.id, reason=str(failure)
    )


def _store_outputs(upload: Upload, size: int, name: str, data: bytes, made: ThumbnailSet) -> MediaRecord:
    """Write the original and the thumbnails; return the (ready) record that names them."""
    ids = _reserve_ids(upload=upload.identity, thumbnails=len(made.thumbnails))
    original = _place(
        original_key(upload.file_name, upload.event_time.date()),
        data,
        content_type=made.facts.content_type,
        upload=upload,
    )
    extension = thumbnail_extension(original, made.encoding.extensions)
    thumbnails = []
    # Ids ascend with the size, as the original's records do.
    by_size = sorted(made.thumbnails, key=lambda thumbnail: thumbnail.spec.edge)
    for thumbnail, thumbnail_id in zip(by_size, ids["thumbnail_ids"], strict=True):
        key = _place(
            thumbnail_key(original, thumbnail.spec.name_suffix, extension),
            thumbnail.data,
            content_type=made.encoding.content_type,
            upload=upload,
        )
        thumbnails.append(ThumbnailRecord(id=thumbnail_id, key=key, size=thumbnail.spec.edge))
    return MediaRecord(
        id=ids["media_id"],
        type=IMAGE_TYPE,
        name=name,
        key=original,
        size=size,
        width=made.facts.width,
        height=made.facts.height,
        mode=made.facts.mode,
        thumbnails=tuple(thumbnails),
    )


def _process(upload: Upload) -> UploadOutcome:
    # A later upload of the key was processed (or started) first: this one never shows.
    if not _claim_latest(upload):
        return _skipped(upload, SUPERSEDED)
    fetched = media_store.fetch_upload(upload.bucket, upload.key, upload.etag, max_bytes=MAX_UPLOAD_BYTES)
    if isinstance(fetched, media_store.UploadGone):
        return _skipped(upload, fetched.value)
    metadata = UploadMetadata.parse(fetched.metadata)
    name = metadata.name or upload.file_name
    try:
        if fetched.data is None:
            raise ImageRejected(
                RejectionReason.TOO_LARGE, f"{fetched.size} bytes; the limit is {MAX_UPLOAD_BYTES} bytes"
            )
        made = make_thumbnails(fetched.data)
    except ImageRejected as failure:
        # Checked again before anything is recorded: a later upload may have started meanwhile.
        if not _claim_latest(upload):
            return _skipped(upload, SUPERSEDED)
        return _failed(upload, fetched.size, name, failure)
    record = _store_outputs(upload, fetched.size, name, fetched.data, made)
    # The last check before the record and the attachments, which a later upload of the key
    # (processed while this one was decoding and writing) must not see replaced by an older one.
    if not _claim_latest(upload):
        logger.warning(
            "a later upload of the key was processed meanwhile: this one's objects stay unreferenced",
            extra={"upload_key": upload.key, "objects": [record.key, *(t.key for t in record.thumbnails)]},
        )
        return _skipped(upload, SUPERSEDED)
    media_store.save_upload_record(record, status=OutcomeStatus.READY.value, source=upload.source_fields())
    attached, problems = _attach(record.id, metadata.attachments)
    problems = [*metadata.problems, *problems]
    if metadata.attachments or metadata.problems:
        # Last: whoever waits for the upload (GET /api/uploads/{id}/) sees it ready once the
        # image shows where it was asked to.
        media_store.record_attachments(record.id, attached=attached, problems=problems)
    if problems:
        logger.warning(
            "image ready, some attachments not made",
            extra={"upload_key": upload.key, "media_id": record.id, "problems": problems},
        )
        metrics.add_metric(name="AttachmentsRefused", unit=MetricUnit.Count, value=len(problems))
    logger.info(
        "image ready",
        extra={"upload_key": upload.key, "media_id": record.id, "key": record.key, "attached": attached},
    )
    metrics.add_metric(name="ImagesReady", unit=MetricUnit.Count, value=1)
    return UploadOutcome(
        upload_key=upload.key,
        status=OutcomeStatus.READY,
        media_id=record.id,
        media_key=record.key,
        attached=tuple(attached),
        attach_problems=tuple(problems),
    )


@media_store.once_per_upload("upload", expires_after_seconds=IDEMPOTENCY_EXPIRY_S)
def _process_once(*, upload: dict[str, Any], source: Upload) -> dict[str, Any]:
    return _process(source).as_dict()


def _ignored(upload: Upload) -> str | None:
    """Why this object is not an upload to process, or None."""
    if upload.bucket != settings().media_bucket:
        return f"bucket {upload.bucket} is not the media bucket"
    if not upload.key.startswith(UPLOAD_PREFIX):
        return f"the key is not under {UPLOAD_PREFIX}"
    if not upload.file_name:
        return "a folder marker, not a file"
    return None


@tracer.capture_method
def process_upload(upload: Upload) -> UploadOutcome:
    """Process one upload, once however often it is asked (see the module's docstring)."""
    reason = _ignored(upload)
    if reason is not None:
        logger.warning("object ignored", extra={"upload_key": upload.key, "reason": reason})
        return UploadOutcome(upload_key=upload.key, status=OutcomeStatus.IGNORED, reason=reason)
    return UploadOutcome.from_dict(_process_once(upload=upload.identity, source=upload))


def process_upload_event(event: S3Event, context: LambdaContext | None = None) -> dict[str, Any]:
    """Every upload an S3 event names, each on its own: the outcomes, in the event's order.

    Raises ``UploadsFailed`` after trying every record when some could not be processed
    (S3 or DynamoDB errors), so that Lambda retries the event (a bounded number of times,
    then the on-failure queue); bad files never raise.
    """
    if context is not None:
        media_store.register_lambda_context(context)
    outcomes: list[UploadOutcome] = []
    errors: list[Exception] = []
    for raw in event.get("Records") or []:
        record = S3EventRecord(raw)
        try:
            upload = Upload.from_record(record)
        except (KeyError, TypeError, ValueError) as error:
            logger.warning("not an S3 object event record: ignored", extra={"error": repr(error)})
            continue
        if not record.event_name.startswith("ObjectCreated:"):
            outcomes.append(
                UploadOutcome(upload.key, OutcomeStatus.IGNORED, reason=f"event {record.event_name}")
            )
            continue
        try:
            outcomes.append(process_upload(upload))
        except Exception as error:  # noqa: BLE001 - the other records get their turn; the event fails below
            logger.exception("upload not processed", extra={"upload_key": upload.key})
            errors.append(error)
    if errors:
        raise UploadsFailed(f"{len(errors)} upload(s) not processed; the event will be retried") from errors[
            0
        ]
    return {"uploads": [outcome.as_dict() for outcome in outcomes]}
