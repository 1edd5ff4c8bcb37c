"""Storage of the image pipeline: the media bucket (S3), image records, the idempotency
records that make processing an upload happen once, and the latest upload of each key.

The clients and the idempotency persistence layers are made on first use (never at import)
and kept for the life of the process; ``reset_clients()`` drops them (tests). boto3 takes
its endpoint from the environment (``AWS_ENDPOINT_URL``), as every client here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from botocore.config import Config
from botocore.exceptions import ClientError

from portfolio.config import settings
from portfolio.data.catalogue import media_model, media_record
from portfolio.data.models import MediaModel, UploadSourceMap
from portfolio.domain.records import MediaRecord

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

_F = TypeVar("_F", bound=Callable[..., Any])

# S3 calls are bounded so that a stuck request ends, with an error, inside the function's
# timeout (60 s): at worst S3_MAX_ATTEMPTS x (connect + read timeout) plus the standard mode's
# backoff (at most 1 + 2 s when throttled) = 48 s. The error fails the invocation, which Lambda
# retries (docs/images.md, "Failures"); a timeout would too, but without saying why.
S3_CONNECT_TIMEOUT_S = 3
S3_READ_TIMEOUT_S = 12
S3_MAX_ATTEMPTS = 3
_S3_CONFIG = Config(
    # SigV4 for presigned forms too (boto3 may sign a POST policy with the deprecated SigV2).
    signature_version="s3v4",
    connect_timeout=S3_CONNECT_TIMEOUT_S,
    read_timeout=S3_READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
)
_DYNAMODB_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"})
# The metadata key (x-amz-meta-upload) that marks an object as made from one upload.
UPLOAD_MARKER_METADATA = "upload"


@cache
def s3_client() -> S3Client:
    return boto3.client("s3", region_name=settings().region, config=_S3_CONFIG)


@cache
def _dynamodb_client() -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=settings().region, config=_DYNAMODB_CONFIG)


def reset_clients() -> None:
    """Forget the clients made so far (the next call makes new ones)."""
    s3_client.cache_clear()
    _dynamodb_client.cache_clear()
    for reset in _RESETS:
        reset()


# --- reading an upload -----------------------------------------------------------------------


class UploadGone(StrEnum):
    """Why an upload named by an event cannot be read any more."""

    DELETED = "deleted"  # no object under that key now
    REPLACED = "replaced"  # the key holds a newer object (its own event processes it)


@dataclass(frozen=True, slots=True)
class FetchedUpload:
    """An upload as read from S3. ``data`` is None when the object is larger than the
    caller's limit (then it was not read)."""

    size: int
    data: bytes | None
    metadata: Mapping[str, str]


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def fetch_upload(bucket: str, key: str, etag: str, *, max_bytes: int) -> FetchedUpload | UploadGone:
    """The object ``key`` if it is still the one with ``etag`` (the event's), read only when
    at most ``max_bytes`` long."""
    try:
        response = s3_client().get_object(Bucket=bucket, Key=key, IfMatch=f'"{etag.strip(chr(34))}"')
    except ClientError as error:
        if _error_code(error) in ("NoSuchKey", "404") or _status(error) == 404:
            return UploadGone.DELETED
        if _error_code(error) == "PreconditionFailed" or _status(error) == 412:
            return UploadGone.REPLACED
        raise
    body = response["Body"]
    size = int(response["ContentLength"])
    metadata = dict(response.get("Metadata", {}))
    if size > max_bytes:
        body.close()
        return FetchedUpload(size=size, data=None, metadata=metadata)
    try:
        data = body.read()
    finally:
        body.close()
    return FetchedUpload(size=len(data), data=data, metadata=metadata)


# --- writing served media, never overwriting ---------------------------------------------------


class Placement(StrEnum):
    CREATED = "created"  # the object did not exist; it does now
    OURS = "ours"  # an earlier attempt for the same upload wrote it
    TAKEN = "taken"  # another upload's object: choose another name


# Served objects never change under their key, so browsers and CDNs may keep them.
_CACHE_CONTROL = "public, max-age=31536000, immutable"


def put_new_object(bucket: str, key: str, data: bytes, *, content_type: str, upload_marker: str) -> Placement:
    """Write ``data`` at ``key`` unless something is there already (S3 conditional write,
    ``If-None-Match: *``: two writers cannot both create the same key)."""
    s3 = s3_client()
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=_CACHE_CONTROL,
            Metadata={UPLOAD_MARKER_METADATA: upload_marker},
            IfNoneMatch="*",
        )
    except ClientError as error:
        if not (_error_code(error) == "PreconditionFailed" or _status(error) == 412):
            raise
        existing = s3.head_object(Bucket=bucket, Key=key).get("Metadata", {})
        return Placement.OURS if existing.get(UPLOAD_MARKER_METADATA) == upload_marker else Placement.TAKEN
    return Placement.CREATED


def upload_file(path: Path, bucket: str, key: str, *, metadata: Mapping[str, str], content_type: str) -> None:
    """Upload a local file as an editor would (multipart when large)."""
    s3_client().upload_file(
        str(path),
        bucket,
        key,
        ExtraArgs={"Metadata": dict(metadata), "ContentType": content_type},
    )


# --- image records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UploadSourceFields:
    bucket: str
    key: str
    etag: str | None
    version_id: str | None
    sequencer: str | None


def save_upload_record(
    record: MediaRecord, *, status: str, source: UploadSourceFields, failure_reason: str | None = None
) -> None:
    """Write the image record of an upload (a put: the same record written again is the same
    item)."""
    model = media_model(record)
    model.status = status
    model.failure_reason = failure_reason
    model.source = UploadSourceMap(
        bucket=source.bucket,
        key=source.key,
        etag=source.etag,
        version_id=source.version_id,
        sequencer=source.sequencer,
    )
    model.upload_key = source.key
    model.save()


def record_attachments(media_id: int, *, attached: list[str], problems: list[str]) -> None:
    """Note on an upload's record that the attachments it asked for are made (``attached``)
    or refused (``problems``): until then its attachments are still to come."""
    MediaModel(id=media_id).update(
        # (pynamodb types a list of strings as a list of attributes.)
        actions=[
            MediaModel.attached.set(cast(Any, list(attached))),
            MediaModel.attach_problems.set(cast(Any, list(problems))),
        ],
        condition=MediaModel.id.exists(),
    )


@dataclass(frozen=True, slots=True)
class StoredUploadRecord:
    record: MediaRecord
    status: str | None
    failure_reason: str | None
    source: UploadSourceFields | None
    # None until the attachments were made (or for a record whose upload asked for none).
    attached: tuple[str, ...] | None = None


def load_upload_record(media_id: int) -> StoredUploadRecord | None:
    try:
        model = MediaModel.get(media_id)
    except MediaModel.DoesNotExist:
        return None
    return _stored_upload_record(model)


def upload_records_of(upload_key: str) -> list[StoredUploadRecord]:
    """The records made from uploads of this key (one per processed upload of it)."""
    return [_stored_upload_record(model) for model in MediaModel.upload_index.query(upload_key)]


def latest_upload_records(status: str, *, limit: int) -> list[StoredUploadRecord]:
    """The ``limit`` latest records of uploads that ended in ``status``, newest first."""
    models = MediaModel.status_index.query(status, scan_index_forward=False, limit=limit)
    return [_stored_upload_record(model) for model in models]


def _stored_upload_record(model: MediaModel) -> StoredUploadRecord:
    source = None
    if model.source is not None:
        source = UploadSourceFields(
            bucket=model.source.bucket,
            key=model.source.key,
            etag=model.source.etag,
            version_id=model.source.version_id,
            sequencer=model.source.sequencer,
        )
    return StoredUploadRecord(
        record=media_record(model),
        status=model.status,
        failure_reason=model.failure_reason,
        source=source,
        attached=None if model.attached is None else tuple(str(item) for item in model.attached),
    )


# --- the latest upload of each key (S3 event order) ----------------------------------------------

# Kept in IDEMPOTENCY_TABLE beside Powertools' records (whose ids are "<prefix>#<hash>" of
# other prefixes), expiring with them through the table's TTL attribute.
LATEST_UPLOAD_ID_PREFIX = "latest-upload#"


def claim_latest_upload(
    bucket: str, key: str, *, order: str, sequencer: str, etag: str, expires_at: int
) -> bool:
    """Record the upload ordered ``order`` as the latest under ``key``, unless a later one is
    recorded already: one conditional write, so that of two concurrent claims the later order
    wins whatever their timing. True when ``order`` is (still) the latest; claiming the same
    order again succeeds (a retry or a duplicate of the same event).

    ``order`` strings must sort as the uploads they stand for (see
    ``portfolio.domain.upload_metadata.sequencer_order``).
    """
    try:
        _dynamodb_client().update_item(
            TableName=settings().tables.idempotency,
            Key={"id": {"S": f"{LATEST_UPLOAD_ID_PREFIX}{bucket}/{key}"}},
            UpdateExpression=(
                "SET #order = :order, #sequencer = :sequencer, #etag = :etag, #expiration = :expiration"
            ),
            ConditionExpression="attribute_not_exists(#id) OR #order <= :order",
            ExpressionAttributeNames={
                "#id": "id",
                "#order": "sequencer_order",
                "#sequencer": "sequencer",
                "#etag": "etag",
                "#expiration": "expiration",
            },
            ExpressionAttributeValues={
                ":order": {"S": order},
                ":sequencer": {"S": sequencer},
                ":etag": {"S": etag},
                ":expiration": {"N": str(expires_at)},
            },
        )
    except ClientError as error:
        if _error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True


# --- once per upload (Powertools idempotency, DynamoDB persistence) -----------------------------

_IDEMPOTENCY_CONFIGS: list[IdempotencyConfig] = []
_RESETS: list[Callable[[], None]] = []


def register_lambda_context(context: LambdaContext) -> None:
    """Let the idempotency records of this invocation expire with it: a run killed by a
    timeout leaves an in-progress record that a retry may take over once the timeout passed."""
    for config in _IDEMPOTENCY_CONFIGS:
        config.register_lambda_context(context)


def once_per_upload(key_prefix: str, *, expires_after_seconds: int) -> Callable[[_F], _F]:
    """Run the decorated function at most once per ``upload=`` payload (a dict naming the S3
    object). A repeated call returns the first call's (JSON) result; a call while another is
    in progress raises ``IdempotencyAlreadyInProgressError``; a call that raised leaves no
    record, so a retry runs again. Records live in IDEMPOTENCY_TABLE, keyed
    ``<key_prefix>#<hash of upload>``.

    Each decorated function gets its own persistence layer (Powertools keeps the function's
    name on it), made on first call.
    """
    config = IdempotencyConfig(expires_after_seconds=expires_after_seconds, raise_on_no_idempotency_key=True)
    _IDEMPOTENCY_CONFIGS.append(config)

    def decorate(function: _F) -> _F:
        @cache
        def guarded() -> Callable[..., Any]:
            store = DynamoDBPersistenceLayer(
                table_name=settings().tables.idempotency,
                boto_config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"}),
            )
            return cast(
                Callable[..., Any],
                idempotent_function(
                    function,
                    data_keyword_argument="upload",
                    persistence_store=store,
                    config=config,
                    key_prefix=key_prefix,
                ),
            )

        _RESETS.append(guarded.cache_clear)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            return guarded()(*args, **kwargs)

        return cast(_F, run)

    return decorate
