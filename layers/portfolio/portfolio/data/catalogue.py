"""Writing the catalogue, and reading what the write path re-renders from.

Write order keeps readers consistent: shared records first, then a portfolio's document,
then its card (a list only shows a portfolio once its card exists, and every card then has
its document).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from portfolio.data.catalogue_feed import publish_change
from portfolio.data.models import (
    BATCH_GET_LIMIT,
    EmployerModel,
    LinkModel,
    MediaModel,
    PortfolioCardModel,
    PortfolioDocumentModel,
    ReferenceModel,
    SequenceModel,
    TagModel,
    ThumbnailMap,
    transaction_connection,
    update_attributes,
)
from portfolio.domain.cards import Card
from portfolio.domain.records import (
    EmployerRecord,
    LinkRecord,
    MediaRecord,
    MetaEntry,
    PortfolioRecord,
    TagRecord,
    ThumbnailRecord,
)
from portfolio.domain.rendering import document_text

_M = TypeVar("_M", bound=Model)


# --- records <-> models --------------------------------------------------------------------


def media_model(record: MediaRecord) -> MediaModel:
    return MediaModel(
        id=record.id,
        type=record.type,
        name=record.name,
        key=record.key,
        size=record.size,
        width=record.width,
        height=record.height,
        mode=record.mode,
        thumbnails=[ThumbnailMap(id=t.id, key=t.key, size=t.size) for t in record.thumbnails],
    )


def media_record(model: MediaModel) -> MediaRecord:
    return MediaRecord(
        id=int(model.id),
        type=model.type,
        name=model.name,
        key=model.key,
        size=int(model.size),
        width=None if model.width is None else int(model.width),
        height=None if model.height is None else int(model.height),
        mode=model.mode,
        thumbnails=tuple(
            ThumbnailRecord(id=int(t.id), key=t.key, size=int(t.size)) for t in (model.thumbnails or [])
        ),
    )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def employer_record(model: EmployerModel) -> EmployerRecord:
    return EmployerRecord(
        id=int(model.id),
        name=model.name,
        description=model.description,
        image_id=_optional_int(model.image_id),
    )


def tag_record(model: TagModel) -> TagRecord:
    return TagRecord(id=int(model.id), name=model.name, image_id=_optional_int(model.image_id))


def link_record(model: LinkModel) -> LinkRecord:
    return LinkRecord(
        id=int(model.id),
        name=model.name,
        url=model.url,
        description=model.description,
        image_id=_optional_int(model.image_id),
    )


def source_json(record: PortfolioRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "slug": record.slug,
        "excerpt": record.excerpt,
        "order": record.order,
        "is_active": record.is_active,
        "created_at_us": record.created_at_us,
        "updated_at_us": record.updated_at_us,
        "completed_at_us": record.completed_at_us,
        "description": record.description,
        "year": record.year,
        "image_id": record.image_id,
        "employer_id": record.employer_id,
        "tag_ids": list(record.tag_ids),
        "link_ids": list(record.link_ids),
        "gallery_ids": list(record.gallery_ids),
        "meta": [
            {"id": m.id, "key": m.key, "value_text": m.value_text, "value_file_id": m.value_file_id}
            for m in record.meta
        ],
    }


def source_record(data: Mapping[str, Any]) -> PortfolioRecord:
    return PortfolioRecord(
        id=data["id"],
        title=data["title"],
        slug=data["slug"],
        excerpt=data["excerpt"],
        order=data["order"],
        is_active=data["is_active"],
        created_at_us=data["created_at_us"],
        updated_at_us=data["updated_at_us"],
        completed_at_us=data["completed_at_us"],
        description=data["description"],
        year=data["year"],
        image_id=data["image_id"],
        employer_id=data["employer_id"],
        tag_ids=tuple(data["tag_ids"]),
        link_ids=tuple(data["link_ids"]),
        gallery_ids=tuple(data["gallery_ids"]),
        meta=tuple(MetaEntry(**entry) for entry in data["meta"]),
    )


# --- batch helpers ---------------------------------------------------------------------------


def _batch_get(model: type[_M], ids: Iterable[int], *, attributes: list[str] | None = None) -> list[_M]:
    """The stored items among ``ids`` (only ``attributes`` of each when given)."""
    unique = list(dict.fromkeys(ids))
    found: list[_M] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        found.extend(model.batch_get(unique[start : start + BATCH_GET_LIMIT], attributes_to_get=attributes))
    return found


def _save_all(model: type[Model], items: Iterable[Model]) -> None:
    with model.batch_write() as batch:
        for item in items:
            batch.save(item)


# --- shared records --------------------------------------------------------------------------


def save_media(records: Iterable[MediaRecord]) -> None:
    _save_all(MediaModel, (media_model(record) for record in records))


def load_media(ids: Iterable[int]) -> dict[int, MediaRecord]:
    return {int(model.id): media_record(model) for model in _batch_get(MediaModel, ids)}


def load_employers(ids: Iterable[int]) -> dict[int, EmployerRecord]:
    return {int(model.id): employer_record(model) for model in _batch_get(EmployerModel, ids)}


def load_tags(ids: Iterable[int]) -> dict[int, TagRecord]:
    return {int(model.id): tag_record(model) for model in _batch_get(TagModel, ids)}


def load_links(ids: Iterable[int]) -> dict[int, LinkRecord]:
    return {int(model.id): link_record(model) for model in _batch_get(LinkModel, ids)}


_ReferencedModel = EmployerModel | TagModel | LinkModel

# Portfolio ids per ReferencesTable item: at most ~11 bytes each, so ~110 KB per item.
REFERENCE_CHUNK = 10_000


def _reference_key(kind: str, record_id: int) -> str:
    return f"{kind}#{record_id}"


def add_references(kind: str, references: Mapping[int, Iterable[int]]) -> None:
    """Record that these portfolios embed these employers, tags or links (``kind``): one
    UpdateItem per record and chunk, adding to its set (atomic, and idempotent)."""
    for record_id, portfolio_ids in references.items():
        chunks: dict[int, set[float]] = {}
        for portfolio_id in portfolio_ids:
            chunks.setdefault(portfolio_id // REFERENCE_CHUNK, set()).add(portfolio_id)
        for chunk, ids in sorted(chunks.items()):
            item = ReferenceModel(_reference_key(kind, record_id), chunk)
            update_attributes(item, actions=[ReferenceModel.portfolio_ids.add(ids)])


def referencing_portfolios(kind: str, record_id: int) -> set[int]:
    """The portfolios recorded as embedding this employer, tag or link (a superset)."""
    return {
        int(portfolio_id)
        for item in ReferenceModel.query(_reference_key(kind, record_id))
        for portfolio_id in (item.portfolio_ids or ())
    }


def _legacy_references(item: _ReferencedModel) -> set[int]:
    # Written on the record itself before ReferencesTable existed (see models._ReferencedRecord).
    return {int(pid) for pid in (item.portfolio_ids or ())}


def _save_referenced(
    model: type[_ReferencedModel],
    kind: str,
    items: Sequence[_ReferencedModel],
    references: Mapping[int, set[int]],
) -> set[int]:
    """Save shared records (employers, tags or links) and add their referencing portfolios to
    those already recorded. Returns the stored portfolios that show any of these records,
    changed or not: an earlier, interrupted write may have changed a record without
    re-rendering them (the caller re-renders those that differ)."""
    existing = {int(stored.id): stored for stored in _batch_get(model, [int(item.id) for item in items])}
    showing: set[int] = set()
    to_add: dict[int, set[int]] = {}
    for item in items:
        item_id = int(item.id)
        stored = existing.get(item_id)
        legacy = _legacy_references(stored) if stored is not None else set()
        showing |= referencing_portfolios(kind, item_id) | legacy
        # The record's own set moves to ReferencesTable before the record is written without it.
        to_add[item_id] = set(references.get(item_id, ())) | legacy
        item.portfolio_ids = None
    add_references(kind, {item_id: ids for item_id, ids in to_add.items() if ids})
    _save_all(model, items)
    return showing


def save_employers(records: Iterable[EmployerRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [
        EmployerModel(id=r.id, name=r.name, description=r.description, image_id=r.image_id) for r in records
    ]
    return _save_referenced(EmployerModel, "employer", items, references)


def save_tags(records: Iterable[TagRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [TagModel(id=r.id, name=r.name, image_id=r.image_id) for r in records]
    return _save_referenced(TagModel, "tag", items, references)


def save_links(records: Iterable[LinkRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [
        LinkModel(id=r.id, name=r.name, url=r.url, description=r.description, image_id=r.image_id)
        for r in records
    ]
    return _save_referenced(LinkModel, "link", items, references)


_REFERENCED_MODELS: dict[str, type[EmployerModel] | type[TagModel] | type[LinkModel]] = {
    "employer": EmployerModel,
    "tag": TagModel,
    "link": LinkModel,
}


def set_record_image(kind: str, record_id: int, image_id: int) -> set[int]:
    """Point an employer, tag or link at an image; return the portfolios that embed it.

    Raises ``LookupError`` when there is no such record.
    """
    model = _REFERENCED_MODELS[kind]
    try:
        item = model.get(record_id)
    except DoesNotExist as exc:
        raise LookupError(f"{kind} {record_id}") from exc
    try:
        # Only image_id: an update concurrent with others (an import, another upload) keeps
        # their changes to the record's other attributes.
        update_attributes(item, actions=[model.image_id.set(image_id)], condition=model.id.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise LookupError(f"{kind} {record_id}") from exc
        raise
    return referencing_portfolios(kind, record_id) | _legacy_references(item)


def existing_ids(kind: str, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` name a stored record of ``kind`` (``portfolio``, ``employer``, ``tag``
    or ``link``): keys only, one BatchGetItem per 100."""
    model: type[PortfolioDocumentModel] | type[EmployerModel] | type[TagModel] | type[LinkModel] = (
        PortfolioDocumentModel if kind == "portfolio" else _REFERENCED_MODELS[kind]
    )
    return {int(item.id) for item in _batch_get(model, ids, attributes=["id"])}


# --- portfolios --------------------------------------------------------------------------------

# TransactWriteItems takes at most 100 actions and 4 MB: a portfolio is two (document, card).
_TRANSACTION_ACTIONS = 100
_TRANSACTION_BYTES = 3_500_000
# DynamoDB's item size limit (names and values, UTF-8), less room for the revision.
MAX_ITEM_BYTES = 400 * 1024 - 64


@dataclass(frozen=True)
class PortfolioWrite:
    """Everything stored for one portfolio. Its items (and their size) are built once: an
    import sizes every write before it stores them."""

    record: PortfolioRecord
    summary: dict[str, Any]
    detail: dict[str, Any]
    card: Card

    @cached_property
    def document_item(self) -> PortfolioDocumentModel:
        return _document_model(self)

    @cached_property
    def card_item(self) -> PortfolioCardModel:
        return _card_model(self)

    @cached_property
    def item_sizes(self) -> tuple[int, int]:
        """The document's and the card's size as DynamoDB counts them."""
        return _item_bytes(self.document_item), _item_bytes(self.card_item)


@dataclass(frozen=True, slots=True)
class StoredPortfolio:
    """A portfolio's source record as stored, with its rendered texts and the revision that a
    conditional write expects (None: written before revisions existed)."""

    record: PortfolioRecord
    summary: str
    detail: str
    revision: int | None


class WriteConflict(RuntimeError):
    """Another writer changed these portfolios since they were read: read them again."""

    def __init__(self, portfolio_ids: set[int], *, published: int | None = None) -> None:
        super().__init__(f"portfolios changed meanwhile: {sorted(portfolio_ids)}")
        self.portfolio_ids = portfolio_ids
        # The change published for the portfolios that were written (None: none were).
        self.published = published


def _document_model(write: PortfolioWrite) -> PortfolioDocumentModel:
    document = PortfolioDocumentModel(
        id=write.record.id,
        source=source_json(write.record),
        summary=document_text(write.summary),
        detail=document_text(write.detail),
    )
    document.revision = _revision(document)
    return document


def _revision(document: PortfolioDocumentModel) -> int:
    """A digest of what the document holds. A writer's condition "the revision I read" thus
    means "the content I read": the same content written again (a re-import) changes nothing,
    and any other change fails the condition."""
    text = json.dumps([document.source, document.summary, document.detail], ensure_ascii=False)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) >> 2


def _card_model(write: PortfolioWrite) -> PortfolioCardModel:
    return PortfolioCardModel(
        id=write.card.id,
        created_at_us=write.card.created_at_us,
        updated_at_us=write.card.updated_at_us,
        employer_id=write.card.employer_id,
        text=write.card.text,
        numbers=write.card.numbers,
    )


def _item_bytes(model: Model) -> int:
    """An item's size as DynamoDB counts it (attribute names and values, UTF-8), numbers
    counted at their largest (21 bytes)."""
    size = 0
    for name, value in model.serialize().items():
        size += len(name.encode())
        for kind, raw in value.items():
            size += 21 if kind == "N" else len(str(raw).encode())
    return size


def oversized_portfolios(writes: Iterable[PortfolioWrite]) -> dict[int, int]:
    """Portfolios whose document or card would exceed DynamoDB's item size: id -> bytes."""
    found = {}
    for write in writes:
        size = max(write.item_sizes)
        if size > MAX_ITEM_BYTES:
            found[write.record.id] = size
    return found


def _transaction_chunks(writes: Sequence[PortfolioWrite]) -> Iterator[list[PortfolioWrite]]:
    chunk: list[PortfolioWrite] = []
    chunk_bytes = 0
    for write in writes:
        size = sum(write.item_sizes)
        if chunk and (len(chunk) * 2 + 2 > _TRANSACTION_ACTIONS or chunk_bytes + size > _TRANSACTION_BYTES):
            yield chunk
            chunk, chunk_bytes = [], 0
        chunk.append(write)
        chunk_bytes += size
    if chunk:
        yield chunk


def _transact(chunk: Sequence[PortfolioWrite], expected: Mapping[int, int | None]) -> bool:
    """Write a chunk's documents and cards in one transaction; False when a condition failed
    or another transaction held the items (nothing of the chunk is written then)."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            for write in chunk:
                revision = expected.get(write.record.id)
                condition = (
                    PortfolioDocumentModel.revision.does_not_exist()
                    if revision is None
                    else PortfolioDocumentModel.revision == revision
                )
                transaction.save(write.document_item, condition=condition)
                transaction.save(write.card_item)
    except TransactWriteError as error:
        if _is_conflict(error):
            return False
        raise
    return True


_CONFLICT_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def _is_conflict(error: TransactWriteError) -> bool:
    """Whether a transaction was cancelled only by a failed condition or by another
    transaction on the same items (not by an error)."""
    if error.cause_response_code != "TransactionCanceledException":
        return False
    reasons = [reason for reason in error.cancellation_reasons if reason is not None]
    return bool(reasons) and all(reason.code in _CONFLICT_REASONS for reason in reasons)


def save_portfolios(
    writes: Iterable[PortfolioWrite], *, expected: Mapping[int, int | None] | None = None
) -> int | None:
    """Store each portfolio's document and its card.

    With ``expected`` (portfolio id -> the revision read), the documents and cards of up to
    50 portfolios are written in one transaction, each only if its document still holds the
    revision read; ``WriteConflict`` then names the portfolios of the chunks that met another
    writer (the other chunks are written). Raises ``TransactWriteError`` for any other failure.

    Either way, the cards written are then published on the change feed
    (``portfolio.data.catalogue_feed``): the next list call of any container shows them.
    Returns the change's number (None: nothing written).

    Without it (an import: the file is the truth), documents then cards are batch-written,
    replacing what is stored. Transactions would cost twice the write units, and an emulator
    (moto) copies the table for every transaction item: a 100,000-portfolio import would not
    finish. A card is written after its document, so a list never shows a card whose
    document is missing.
    """
    writes = list(writes)
    if not writes:
        return None
    if expected is None:
        _save_all(PortfolioDocumentModel, (write.document_item for write in writes))
        _save_all(PortfolioCardModel, (write.card_item for write in writes))
        return publish_change({write.record.id for write in writes})
    conflicts: set[int] = set()
    for chunk in _transaction_chunks(writes):
        if not _transact(chunk, expected):
            conflicts.update(write.record.id for write in chunk)
    # The cards written so far are told to every container before anything else happens.
    written = {write.record.id for write in writes} - conflicts
    number = publish_change(written) if written else None
    if conflicts:
        raise WriteConflict(conflicts, published=number)
    return number


def load_portfolios(ids: Iterable[int]) -> dict[int, StoredPortfolio]:
    """The stored portfolios among ``ids`` (strongly consistent reads)."""
    found = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        for document in PortfolioDocumentModel.batch_get(
            unique[start : start + BATCH_GET_LIMIT], consistent_read=True
        ):
            found[int(document.id)] = StoredPortfolio(
                record=source_record(document.source),
                summary=document.summary,
                detail=document.detail,
                revision=_optional_int(document.revision),
            )
    return found


def load_portfolio_records(ids: Iterable[int]) -> dict[int, PortfolioRecord]:
    return {portfolio_id: stored.record for portfolio_id, stored in load_portfolios(ids).items()}


# --- sequences -------------------------------------------------------------------------------


def raise_sequence(name: str, at_least: int) -> None:
    """Make sure the sequence hands out ids above ``at_least``."""
    try:
        SequenceModel(name=name).update(
            actions=[SequenceModel.value.set(at_least)],
            condition=SequenceModel.value.does_not_exist() | (SequenceModel.value < at_least),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def allocate_ids(name: str, count: int) -> list[int]:
    """``count`` fresh ids from a sequence (one atomic UpdateItem)."""
    item = SequenceModel(name=name)
    item.update(actions=[SequenceModel.value.add(count)])
    last = int(item.value)
    return list(range(last - count + 1, last + 1))
