"""pynamodb models of the tables in template.yaml (a test keeps the two in step).

Table names come from ``portfolio.config.settings()`` when these classes are created, i.e.
on the first import of this module: set the environment before importing it.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import NONE, STRING
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from portfolio.config import settings

# DynamoDB's own limit of keys in one BatchGetItem request.
BATCH_GET_LIMIT = 100

# Every card carries this partition value for the catalogue-wide indexes.
CATALOGUE_PARTITION = "p"


class _Meta:
    """Connection settings shared by every model (bounded timeouts and retries)."""

    region = settings().region
    connect_timeout_seconds = settings().dynamodb_connect_timeout_s
    read_timeout_seconds = settings().dynamodb_read_timeout_s
    # pynamodb's retries are botocore's "standard" mode with this many extra attempts.
    max_retry_attempts = max(settings().dynamodb_max_attempts - 1, 0)


class CompactJSONAttribute(Attribute[Any]):
    """JSON in a string attribute, without ASCII escapes (Persian text stays 2 bytes a
    character instead of 6) and without spaces."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def deserialize(self, value: str) -> Any:
        return json.loads(value)


def transaction_connection() -> Connection:
    """A connection for ``TransactWrite``/``TransactGet`` (which take one rather than a
    model's), bounded as every model's (``_Meta``)."""
    return Connection(
        region=_Meta.region,
        read_timeout_seconds=_Meta.read_timeout_seconds,
        connect_timeout_seconds=_Meta.connect_timeout_seconds,
        max_retry_attempts=_Meta.max_retry_attempts,
    )


def update_attributes(item: Model, *, actions: list[Action], condition: Condition | None = None) -> None:
    """UpdateItem that returns nothing. ``Model.update`` asks for ALL_NEW, which an IAM policy
    limiting a role to some attributes (``dynamodb:Attributes`` with ``dynamodb:ReturnValues``)
    refuses: the caller would read every attribute of the item. Raises ``UpdateError``."""
    hash_key, range_key = item._get_hash_range_key_serialized_values()
    item._get_connection().update_item(
        hash_key, range_key=range_key, actions=actions, condition=condition, return_values=NONE
    )


# --- Portfolio cards ---------------------------------------------------------------------


class CatalogueIndex(GlobalSecondaryIndex["PortfolioCardModel"]):
    class Meta:
        index_name = "catalogue-index"
        projection = AllProjection()

    catalogue = UnicodeAttribute(hash_key=True, attr_name="g")
    id = NumberAttribute(range_key=True)


class EmployerIndex(GlobalSecondaryIndex["PortfolioCardModel"]):
    class Meta:
        index_name = "employer-index"
        projection = AllProjection()

    employer_id = NumberAttribute(hash_key=True, attr_name="e")
    id = NumberAttribute(range_key=True)


class PortfolioCardModel(Model):
    """The slim card of a portfolio (see ``portfolio.domain.cards``)."""

    class Meta(_Meta):
        table_name = settings().tables.portfolios

    id = NumberAttribute(hash_key=True)
    catalogue = UnicodeAttribute(attr_name="g", default=CATALOGUE_PARTITION)
    created_at_us = NumberAttribute(attr_name="c")
    updated_at_us = NumberAttribute(attr_name="u")
    employer_id = NumberAttribute(attr_name="e", null=True)
    text = UnicodeAttribute(attr_name="t")
    numbers = UnicodeAttribute(attr_name="n")

    catalogue_index = CatalogueIndex()
    employer_index = EmployerIndex()


# --- Portfolio documents -----------------------------------------------------------------


class PortfolioDocumentModel(Model):
    """A portfolio's source record and its rendered document (storage keys for URLs).

    ``source`` is what the write path re-renders from; ``summary`` is a list item; ``detail``
    holds the fields only retrieve shows.
    """

    class Meta(_Meta):
        table_name = settings().tables.portfolio_documents

    id = NumberAttribute(hash_key=True)
    source = CompactJSONAttribute()
    # Rendered JSON text (see portfolio.domain.rendering.document_text), served as is.
    summary = UnicodeAttribute()
    detail = UnicodeAttribute()
    # A digest of the content: a writer that read the document writes it back only if it
    # still holds the revision it read (portfolio.data.catalogue.save_portfolios). Absent on
    # documents written before revisions existed.
    revision = NumberAttribute(attr_name="r", null=True)


# --- Shared records ----------------------------------------------------------------------


class ThumbnailMap(MapAttribute[str, Any]):
    id = NumberAttribute()
    key = UnicodeAttribute()
    size = NumberAttribute()


class UploadSourceMap(MapAttribute[str, Any]):
    """The S3 object an image record was made from (``portfolio.domain.media``)."""

    bucket = UnicodeAttribute()
    key = UnicodeAttribute()
    etag = UnicodeAttribute(null=True)
    version_id = UnicodeAttribute(null=True)
    sequencer = UnicodeAttribute(null=True)


class MediaStatusIndex(GlobalSecondaryIndex["MediaModel"]):
    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)


class MediaUploadIndex(GlobalSecondaryIndex["MediaModel"]):
    class Meta:
        index_name = "upload-index"
        projection = AllProjection()

    upload_key = UnicodeAttribute(hash_key=True, attr_name="uk")


class MediaModel(Model):
    """An uploaded file. Images have dimensions, a mode and thumbnails."""

    class Meta(_Meta):
        table_name = settings().tables.media

    id = NumberAttribute(hash_key=True)
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    key = UnicodeAttribute()
    size = NumberAttribute()
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    mode = UnicodeAttribute(null=True)
    thumbnails = ListAttribute(of=ThumbnailMap, default=list)
    # Set on records the thumbnails function writes (absent on imported media, all ready):
    # "ready" or "failed" (then ``failure_reason`` says why, and nothing points at it).
    status = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    source = UploadSourceMap(null=True)
    # The upload's key (source.key, at the top level so that an index can hold it).
    upload_key = UnicodeAttribute(null=True, attr_name="uk")
    # Once the attachments the upload asked for are made: those made, and those refused (why).
    attached = ListAttribute(of=UnicodeAttribute, null=True)
    attach_problems = ListAttribute(of=UnicodeAttribute, null=True)

    status_index = MediaStatusIndex()
    upload_index = MediaUploadIndex()


class _ReferencedRecord(Model):
    # Before ReferencesTable: the portfolios that embed this record, on the record itself
    # (one item: DynamoDB's 400 KB limit at ~100,000 ids). Still read; an import moves it to
    # ReferencesTable.
    portfolio_ids = NumberSetAttribute(null=True)


class ReferenceModel(Model):
    """Which portfolios embed an employer, tag or link (their documents are re-rendered when it
    changes), in chunks: ``ref`` is "employer#3", ``chunk`` is portfolio id // REFERENCE_CHUNK,
    so one item holds at most that many ids (far below 400 KB) and a record may be shown on
    any number of portfolios. A superset: a stale id costs a harmless re-render."""

    class Meta(_Meta):
        table_name = settings().tables.references

    ref = UnicodeAttribute(hash_key=True)
    chunk = NumberAttribute(range_key=True)
    portfolio_ids = NumberSetAttribute(null=True)


class EmployerModel(_ReferencedRecord):
    class Meta(_Meta):
        table_name = settings().tables.employers

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    image_id = NumberAttribute(null=True)


class TagModel(_ReferencedRecord):
    class Meta(_Meta):
        table_name = settings().tables.tags

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    image_id = NumberAttribute(null=True)


class LinkModel(_ReferencedRecord):
    class Meta(_Meta):
        table_name = settings().tables.links

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    url = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    image_id = NumberAttribute(null=True)


class SequenceModel(Model):
    """An id counter ("media", "thumbnail"): the last id handed out."""

    class Meta(_Meta):
        table_name = settings().tables.sequences

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


class CatalogueFeedModel(Model):
    """The catalogue change feed's items in SequencesTable (``portfolio.data.catalogue_feed``)."""

    class Meta(_Meta):
        table_name = settings().tables.sequences

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(null=True)
    epoch = UnicodeAttribute(null=True)
    ids = NumberSetAttribute(null=True)
    everything = BooleanAttribute(null=True)
    published_at = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    # The packed snapshot of every card (portfolio.data.card_snapshots): the pointer item
    # names its parts and their digest; each part holds a slice of the compressed cards.
    snapshot_id = UnicodeAttribute(null=True)
    parts = NumberAttribute(null=True)
    digest = UnicodeAttribute(null=True)
    data = BinaryAttribute(null=True, legacy_encoding=False)


# --- API users and their tokens -----------------------------------------------------------


class UserModel(Model):
    """An API user: DRF's user flags and the permission codes it holds (``portfolio user``)."""

    class Meta(_Meta):
        table_name = settings().tables.users

    username = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()
    is_active = BooleanAttribute(default=True)
    is_staff = BooleanAttribute(default=False)
    is_superuser = BooleanAttribute(default=False)
    # DynamoDB has no empty sets: no permission is an absent attribute.
    permissions = NumberSetAttribute(null=True)
    date_joined = NumberAttribute()


class TokenIdIndex(GlobalSecondaryIndex["TokenModel"]):
    class Meta:
        index_name = "token-id-index"
        projection = KeysOnlyProjection()

    token_id = UnicodeAttribute(hash_key=True)


class TokenUserIndex(GlobalSecondaryIndex["TokenModel"]):
    class Meta:
        index_name = "user-index"
        projection = AllProjection()

    # (pynamodb lists an index's keys by Python name: this one must sort before the range key.)
    by_user = UnicodeAttribute(hash_key=True, attr_name="username")
    created_at = NumberAttribute(range_key=True)


class TokenModel(Model):
    """An API token, keyed by the SHA-256 (hex) of its key; the key itself is never stored.
    Times are whole seconds since the epoch."""

    class Meta(_Meta):
        table_name = settings().tables.tokens

    key_hash = UnicodeAttribute(hash_key=True)
    token_id = UnicodeAttribute()
    username = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)

    token_id_index = TokenIdIndex()
    user_index = TokenUserIndex()


# --- uploads issued through the API ------------------------------------------------------


class IssuedUploadModel(Model):
    """An upload the API signed a form for (``POST /api/uploads/``): who asked, and the S3 key
    the form pins, through which its image record is found. Kept 14 days (``expiration``,
    DynamoDB TTL), as long as the upload itself (the bucket's lifecycle rule on uploads/)."""

    class Meta(_Meta):
        table_name = settings().tables.uploads

    id = UnicodeAttribute(hash_key=True)
    owner_id = NumberAttribute()
    owner = UnicodeAttribute()
    key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    name = UnicodeAttribute(null=True)
    attach = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    expiration = NumberAttribute()


ALL_MODELS: tuple[type[Model], ...] = (
    PortfolioCardModel,
    PortfolioDocumentModel,
    MediaModel,
    EmployerModel,
    TagModel,
    LinkModel,
    SequenceModel,
    CatalogueFeedModel,
    UserModel,
    TokenModel,
    ReferenceModel,
    IssuedUploadModel,
)

__all__ = [
    "ALL_MODELS",
    "BATCH_GET_LIMIT",
    "CATALOGUE_PARTITION",
    "CatalogueFeedModel",
    "EmployerModel",
    "IssuedUploadModel",
    "LinkModel",
    "MediaModel",
    "PortfolioCardModel",
    "PortfolioDocumentModel",
    "ReferenceModel",
    "SequenceModel",
    "TagModel",
    "TokenModel",
    "UserModel",
]
