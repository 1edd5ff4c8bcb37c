"""Writing the catalogue: importing a data set, and keeping rendered documents in step when a
shared record changes (an image attached to an employer re-renders every portfolio that
shows that employer).

Documents are a denormalized copy of the shared records, kept consistent here, on write:
reads then need one request per page and one per portfolio, whatever a portfolio embeds.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from portfolio.data import card_snapshots as snapshots
from portfolio.data import catalogue as store
from portfolio.data import rerender_queue
from portfolio.domain.cards import encode_card
from portfolio.domain.import_format import ImportError_, ImportSet
from portfolio.domain.records import EmployerRecord, LinkRecord, MediaRecord, PortfolioRecord, TagRecord
from portfolio.domain.rendering import render_document
from portfolio.domain.upload_metadata import AttachTarget
from portfolio.observability import logger

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
    nothing, and repairs what an interrupted import left behind.

    Everything that can refuse the set (a reference problem, a media record that differs from
    the stored one, a document over DynamoDB's item size) is checked before the first write.
    Portfolios outside the set that show one of its employers, tags or links are re-rendered
    when their documents differ from what the stored records render (a re-run after a
    failure finds the records already changed, and still repairs their documents).
    """
    writes = _writes(
        data.portfolios, employers=data.employers, tags=data.tags, links=data.links, media=data.media
    )
    oversized = store.oversized_portfolios(writes)
    if oversized:
        raise ImportError_(
            [
                f"portfolio {portfolio_id}: its stored form would be {size:,} bytes; DynamoDB's limit "
                f"is {store.MAX_ITEM_BYTES:,} (shorten its description or meta)"
                for portfolio_id, size in sorted(oversized.items())
            ]
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
    showing = store.save_employers(data.employers.values(), references["employer"])
    showing |= store.save_tags(data.tags.values(), references["tag"])
    showing |= store.save_links(data.links.values(), references["link"])
    store.save_portfolios(writes)
    # Portfolios outside the data set that show an employer, tag or link of it.
    refresh_portfolios(
        showing - {record.id for record in data.portfolios}, only_changed=True, pack_snapshot=False
    )
    # What a cold read container loads in one go (portfolio.data.card_snapshots).
    snapshots.write_snapshot()
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


# A conditional write that meets another writer reads and renders again, this many times at
# most, after a short random pause (uploads attaching to one portfolio at once).
MAX_WRITE_ATTEMPTS = 25
_RETRY_PAUSE_S = (0.005, 0.05)


class ConcurrentWrites(RuntimeError):
    """Portfolios kept changing under every attempt to write them (the caller may retry)."""


def _identity(record: PortfolioRecord) -> PortfolioRecord:
    return record


def refresh_portfolios(
    portfolio_ids: Iterable[int],
    *,
    change: Callable[[PortfolioRecord], PortfolioRecord] = _identity,
    only_changed: bool = False,
    pack_snapshot: bool = True,
) -> list[int]:
    """Apply ``change`` to these stored portfolios and store them re-rendered from the current
    shared records; return the ids written (missing portfolios are skipped).

    No concurrent write is lost: each portfolio is read with its revision *before* the
    shared records it embeds, and written only if it still holds that revision; otherwise it
    is read, changed and rendered again. So the last write of a document always follows the
    last change of everything it shows. With ``only_changed``, documents that render the
    same as stored are not written. With ``pack_snapshot``, the cold containers' snapshot is
    packed again when the changes published leave it too far behind.
    """
    pending = set(portfolio_ids)
    written: set[int] = set()
    published: int | None = None
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if not pending:
            break
        if attempt:
            time.sleep(random.uniform(*_RETRY_PAUSE_S))  # noqa: S311 - a jitter, not a secret
        stored = store.load_portfolios(pending)
        pending &= set(stored)
        writes = _render_stored(stored, change=change)
        if only_changed:
            writes = [w for w in writes if not _renders_as_stored(w, stored[w.record.id])]
        try:
            number = store.save_portfolios(writes, expected={pid: stored[pid].revision for pid in pending})
        except store.WriteConflict as conflict:
            written |= {w.record.id for w in writes} - conflict.portfolio_ids
            published = conflict.published or published
            pending = conflict.portfolio_ids
            continue
        written |= {w.record.id for w in writes}
        published = number or published
        pending = set()
    if pending:
        raise ConcurrentWrites(f"portfolios {sorted(pending)} changed under {MAX_WRITE_ATTEMPTS} attempts")
    if published is not None and pack_snapshot:
        _keep_snapshot_close(published)
    return sorted(written)


# A cold read container applies at most this many changes on top of the stored snapshot
# (portfolio.domain.card_cache): it is packed again well before that.
SNAPSHOT_EVERY_CHANGES = 50


def _keep_snapshot_close(published: int) -> None:
    """Pack the snapshot again when change ``published`` leaves it too far behind."""
    stored = snapshots.snapshot_version()
    if stored is None or published - stored >= SNAPSHOT_EVERY_CHANGES:
        snapshots.write_snapshot()


def _render_stored(
    stored: Mapping[int, store.StoredPortfolio], *, change: Callable[[PortfolioRecord], PortfolioRecord]
) -> list[store.PortfolioWrite]:
    records = [change(portfolio.record) for portfolio in stored.values()]
    if not records:
        return []
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
    return _writes(records, employers=employers, tags=tags, links=links, media=media)


def _renders_as_stored(write: store.PortfolioWrite, stored: store.StoredPortfolio) -> bool:
    document = write.document_item
    return (
        write.record == stored.record
        and document.summary == stored.summary
        and document.detail == stored.detail
    )


class AttachError(LookupError):
    """The target of an attachment does not exist."""


def _now_us() -> int:
    return time.time_ns() // 1000


def attach_media(media_id: int, target: AttachTarget, target_id: int) -> list[int]:
    """Show an image where an editor asked for it; return the portfolios re-rendered.

    ``cover`` and ``gallery`` attach to portfolio ``target_id`` (a cover change updates its
    ``updated_at``, as saving the Django model would; a gallery addition, an M2M change,
    does not). ``employer``, ``tag`` and ``link`` set that record's image (one atomic update).
    Attachments made at the same time by other uploads are all kept (``refresh_portfolios``).
    """
    if target in (AttachTarget.COVER, AttachTarget.GALLERY):

        def change(record: PortfolioRecord) -> PortfolioRecord:
            if target is AttachTarget.COVER:
                return dataclasses.replace(record, image_id=media_id, updated_at_us=_now_us())
            if media_id in record.gallery_ids:
                return record
            return dataclasses.replace(record, gallery_ids=(*record.gallery_ids, media_id))

        if not refresh_portfolios([target_id], change=change):
            raise AttachError(f"portfolio {target_id}")
        return [target_id]
    try:
        affected = store.set_record_image(target.value, target_id, media_id)
    except LookupError as exc:
        raise AttachError(str(exc)) from exc
    return schedule_rerender(affected, reason=f"{target.value} {target_id} image {media_id}")


def schedule_rerender(portfolio_ids: Iterable[int], *, reason: str) -> list[int]:
    """Have these portfolios rendered again (a shared record they show changed); return them.

    With a re-render queue (deployed, local stack), they go there in bounded batches that
    RerenderFunction renders (``rerender_batch``), so the caller's time does not grow with
    their number. Without one (tests, tools) they are rendered here."""
    ids = sorted(set(portfolio_ids))
    if not ids:
        return []
    if not rerender_queue.queue_configured():
        return refresh_portfolios(ids)
    queued = rerender_queue.batches(ids, reason=reason)
    rerender_queue.enqueue(queued)
    logger.info("re-render queued", extra={"portfolios": len(ids), "batches": len(queued), "reason": reason})
    return ids


def rerender_batch(body: str) -> list[int]:
    """One message of the re-render queue: render its portfolios again from the current shared
    records; the ids written. Only documents that render differently are written, so a batch
    delivered twice (SQS delivers at least once) costs reads, not writes. A malformed message
    is dropped with a log line (retrying cannot fix it); ``ConcurrentWrites`` is raised for
    SQS to deliver the batch again."""
    try:
        batch = rerender_queue.RerenderBatch.parse(body)
    except ValueError as error:
        logger.error("not a re-render batch: dropped", extra={"error": str(error), "body": body[:200]})
        return []
    written = refresh_portfolios(batch.portfolio_ids, only_changed=True)
    logger.info(
        "re-render batch done",
        extra={"portfolios": len(batch.portfolio_ids), "written": len(written), "reason": batch.reason},
    )
    return written
