"""Writing the catalogue, and reading what the write path re-renders from.

Write order keeps readers consistent: shared records first, then a portfolio's document,
then its card (a list only shows a portfolio once its card exists, and every card then has
its document).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.models import Model

from portfolio.data.models import (
    EmployerModel,
    LinkModel,
    MediaModel,
    PortfolioCardModel,
    PortfolioDocumentModel,
    SequenceModel,
    TagModel,
    ThumbnailMap,
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

_BATCH_GET_LIMIT = 100
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


def _batch_get(model: type[_M], ids: Iterable[int]) -> list[_M]:
    unique = list(dict.fromkeys(ids))
    found: list[_M] = []
    for start in range(0, len(unique), _BATCH_GET_LIMIT):
        found.extend(model.batch_get(unique[start : start + _BATCH_GET_LIMIT]))
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


def _save_referenced(
    model: type[_ReferencedModel],
    items: Sequence[_ReferencedModel],
    references: Mapping[int, set[int]],
) -> set[int]:
    """Save shared records (employers, tags or links) with their referencing portfolios
    united with those already stored. Returns the portfolios whose documents showed a
    stored version of a record that this write changes (they need re-rendering)."""
    existing = {int(stored.id): stored for stored in _batch_get(model, [int(item.id) for item in items])}
    stale: set[int] = set()
    for item in items:
        item_id = int(item.id)
        referencing = set(references.get(item_id, ()))
        stored = existing.get(item_id)
        if stored is not None:
            before = {int(pid) for pid in (stored.portfolio_ids or ())}
            referencing |= before
            if _content(stored) != _content(item):
                stale |= before
        item.portfolio_ids = set[float](referencing) or None
    _save_all(model, items)
    return stale


def _content(item: _ReferencedModel) -> dict[str, Any]:
    values = item.attribute_values
    return {name: value for name, value in values.items() if name != "portfolio_ids"}


def save_employers(records: Iterable[EmployerRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [
        EmployerModel(id=r.id, name=r.name, description=r.description, image_id=r.image_id) for r in records
    ]
    return _save_referenced(EmployerModel, items, references)


def save_tags(records: Iterable[TagRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [TagModel(id=r.id, name=r.name, image_id=r.image_id) for r in records]
    return _save_referenced(TagModel, items, references)


def save_links(records: Iterable[LinkRecord], references: Mapping[int, set[int]]) -> set[int]:
    items = [
        LinkModel(id=r.id, name=r.name, url=r.url, description=r.description, image_id=r.image_id)
        for r in records
    ]
    return _save_referenced(LinkModel, items, references)


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
    item.update(actions=[model.image_id.set(image_id)])
    return {int(pid) for pid in (item.portfolio_ids or ())}


# --- portfolios --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortfolioWrite:
    """Everything stored for one portfolio."""

    record: PortfolioRecord
    summary: dict[str, Any]
    detail: dict[str, Any]
    card: Card


def save_portfolios(writes: Iterable[PortfolioWrite]) -> None:
    writes = list(writes)
    _save_all(
        PortfolioDocumentModel,
        (
            PortfolioDocumentModel(
                id=w.record.id,
                source=source_json(w.record),
                summary=document_text(w.summary),
                detail=document_text(w.detail),
            )
            for w in writes
        ),
    )
    _save_all(
        PortfolioCardModel,
        (
            PortfolioCardModel(
                id=w.card.id,
                created_at_us=w.card.created_at_us,
                updated_at_us=w.card.updated_at_us,
                employer_id=w.card.employer_id,
                text=w.card.text,
                numbers=w.card.numbers,
            )
            for w in writes
        ),
    )


def load_portfolio_records(ids: Iterable[int]) -> dict[int, PortfolioRecord]:
    return {
        int(document.id): source_record(document.source)
        for document in _batch_get(PortfolioDocumentModel, ids)
    }


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
