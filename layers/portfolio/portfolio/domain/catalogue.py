"""Writing the catalogue: importing a data set, and keeping rendered documents in step when a
shared record changes (an image attached to an employer re-renders every portfolio that
shows that employer).

Documents are a denormalized copy of the shared records, kept consistent here, on write:
reads then need one request per page and one per portfolio, whatever a portfolio embeds.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from portfolio.data import catalogue as store
from portfolio.domain.cards import encode_card
from portfolio.domain.import_format import ImportError_, ImportSet
from portfolio.domain.records import EmployerRecord, LinkRecord, MediaRecord, PortfolioRecord, TagRecord
from portfolio.domain.rendering import render_document

MEDIA_SEQUENCE = "media"
THUMBNAIL_SEQUENCE = "thumbnail"


@dataclass(frozen=True, slots=True)
class ImportSummary:
    portfolios: int
    media: int
    employers: int
    tags: int
    links: int


def _writes(
    records: Iterable[PortfolioRecord],
    *,
    employers: Mapping[int, EmployerRecord],
    tags: Mapping[int, TagRecord],
    links: Mapping[int, LinkRecord],
    media: Mapping[int, MediaRecord],
) -> list[store.PortfolioWrite]:
    writes = []
    for record in records:
        summary, detail = render_document(record, employers=employers, tags=tags, links=links, media=media)
        employer = employers.get(record.employer_id) if record.employer_id is not None else None
        card = encode_card(record, employer.name if employer is not None else None)
        writes.append(store.PortfolioWrite(record=record, summary=summary, detail=detail, card=card))
    return writes


def import_catalogue(data: ImportSet) -> ImportSummary:
    """Write a validated data set, ids preserved. Importing the same set again changes
    nothing. Every document is rendered before the first write, so a reference problem
    stops the import before it writes anything."""
    writes = _writes(
        data.portfolios, employers=data.employers, tags=data.tags, links=data.links, media=data.media
    )
    references: dict[str, dict[int, set[int]]] = {
        "employer": defaultdict(set),
        "tag": defaultdict(set),
        "link": defaultdict(set),
    }
    for record in data.portfolios:
        if record.employer_id is not None:
            references["employer"][record.employer_id].add(record.id)
        for tag_id in record.tag_ids:
            references["tag"][tag_id].add(record.id)
        for link_id in record.link_ids:
            references["link"][link_id].add(record.id)
    changed_media = _changed_media(data)
    if changed_media:
        raise ImportError_(
            [
                f"media {media_id} differs from the stored one (media records never change: a new "
                f"file is a new media id)"
                for media_id in changed_media
            ]
        )
    store.save_media(data.media.values())
    stale = store.save_employers(data.employers.values(), references["employer"])
    stale |= store.save_tags(data.tags.values(), references["tag"])
    stale |= store.save_links(data.links.values(), references["link"])
    store.save_portfolios(writes)
    # Portfolios outside the data set that show an employer, tag or link it changed.
    stale -= {record.id for record in data.portfolios}
    refresh_portfolios(store.load_portfolio_records(stale).values())
    store.raise_sequence(MEDIA_SEQUENCE, max(data.media, default=0))
    store.raise_sequence(THUMBNAIL_SEQUENCE, data.max_thumbnail_id())
    return ImportSummary(
        portfolios=len(data.portfolios),
        media=len(data.media),
        employers=len(data.employers),
        tags=len(data.tags),
        links=len(data.links),
    )


def _changed_media(data: ImportSet) -> list[int]:
    stored = store.load_media(data.media)
    return sorted(media_id for media_id, record in stored.items() if record != data.media[media_id])


def refresh_portfolios(records: Iterable[PortfolioRecord]) -> None:
    """Re-render and store these portfolios from the current shared records."""
    records = list(records)
    if not records:
        return
    employers = store.load_employers({r.employer_id for r in records if r.employer_id is not None})
    tags = store.load_tags({tag for r in records for tag in r.tag_ids})
    links = store.load_links({link for r in records for link in r.link_ids})
    media_ids = {media_id for r in records for media_id in r.media_ids()}
    shared: list[EmployerRecord | TagRecord | LinkRecord] = [
        *employers.values(),
        *tags.values(),
        *links.values(),
    ]
    media_ids.update(record.image_id for record in shared if record.image_id is not None)
    media = store.load_media(media_ids)
    store.save_portfolios(_writes(records, employers=employers, tags=tags, links=links, media=media))


class AttachTarget(StrEnum):
    COVER = "cover"
    GALLERY = "gallery"
    EMPLOYER = "employer"
    TAG = "tag"
    LINK = "link"


class AttachError(LookupError):
    """The target of an attachment does not exist."""


def _now_us() -> int:
    return time.time_ns() // 1000


def attach_media(media_id: int, target: AttachTarget, target_id: int) -> list[int]:
    """Show an image where an editor asked for it; return the portfolios re-rendered.

    ``cover`` and ``gallery`` attach to portfolio ``target_id`` (a cover change updates its
    ``updated_at``, as saving the Django model would; a gallery addition, an M2M change,
    does not). ``employer``, ``tag`` and ``link`` set that record's image.
    """
    if target in (AttachTarget.COVER, AttachTarget.GALLERY):
        record = store.load_portfolio_records([target_id]).get(target_id)
        if record is None:
            raise AttachError(f"portfolio {target_id}")
        if target is AttachTarget.COVER:
            record = dataclasses.replace(record, image_id=media_id, updated_at_us=_now_us())
        elif media_id not in record.gallery_ids:
            record = dataclasses.replace(record, gallery_ids=(*record.gallery_ids, media_id))
        refresh_portfolios([record])
        return [target_id]
    try:
        affected = store.set_record_image(target.value, target_id, media_id)
    except LookupError as exc:
        raise AttachError(str(exc)) from exc
    records = store.load_portfolio_records(affected)
    refresh_portfolios(records.values())
    return sorted(records)
