"""The cards a warm container keeps between calls, checked fresh on every call.

Every call asks the change feed (``portfolio.data.catalogue_feed``) for the catalogue's
version: one strongly consistent GetItem of a few dozen bytes.

- Same version as the kept cards: nothing else is read.
- A few changes later: their items name the portfolios they wrote; those cards are read
  again (strongly consistent BatchGetItem) and replace the kept ones.
- Otherwise (a cold container, another epoch, a change naming "everything" or too many
  portfolios, a change expired): the packed snapshot the write path keeps
  (``portfolio.data.card_snapshots``) is loaded and brought up to date by the changes since
  it; when there is none (or it is corrupt, or too far behind), every card is loaded from
  catalogue-index, and the cards of the latest changes are read again strongly, because an
  index may lag its table by a moment.

So a change published before a call is in that call's answer, whichever container answers.
Nothing is kept when a load fails: the call fails (503) and the next one loads again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from portfolio.data import card_snapshots as snapshots
from portfolio.data import catalogue_feed as feed
from portfolio.data import portfolios as store
from portfolio.domain.snapshot import CardSnapshot
from portfolio.observability import MetricUnit, logger, metrics

# More changes than this since the kept version, or more portfolios than this in them: load
# everything again (cheaper than that many batches, and the changes may have expired).
MAX_CHANGES_APPLIED = 100
MAX_CARDS_APPLIED = 2_000
# After a load from the index, the cards of this many latest changes are read again strongly.
RECENT_CHANGES_REREAD = 10


@dataclass
class _Kept:
    epoch: str
    number: int
    snapshot: CardSnapshot


_kept: _Kept | None = None


def reset() -> None:
    """Forget the kept cards (a new container; tests and benchmarks)."""
    global _kept  # noqa: PLW0603 - the container's state is this module's, on purpose
    _kept = None


def current_cards() -> CardSnapshot:
    """Every card of the catalogue as of this call."""
    global _kept  # noqa: PLW0603
    version = feed.read_version()
    epoch, number = (version.epoch, version.number) if version is not None else ("", 0)
    kept = _kept
    if kept is not None and kept.epoch == epoch and _catch_up(kept, number):
        return kept.snapshot
    _kept = None
    _kept = _load(epoch, number)
    return _kept.snapshot


def _catch_up(kept: _Kept, number: int) -> bool:
    """Bring ``kept`` to version ``number`` by its changes; False when it must be reloaded."""
    if number == kept.number:
        return True
    if not 0 < number - kept.number <= MAX_CHANGES_APPLIED:
        return False
    changed = _changed_ids(feed.read_changes(kept.number, number))
    if changed is None or len(changed) > MAX_CARDS_APPLIED:
        return False
    if changed:
        kept.snapshot.replace(store.get_cards(changed))
    kept.number = number
    return True


def _changed_ids(changes: list[feed.CatalogueChange] | None) -> set[int] | None:
    """The portfolios these changes wrote; None when one of them may have written anything
    (or is gone)."""
    if changes is None:
        return None
    changed: set[int] = set()
    for change in changes:
        if change.ids is None:
            return None
        changed |= change.ids
    return changed


def _load(epoch: str, number: int) -> _Kept:
    started = time.perf_counter()
    kept = _from_stored_snapshot(epoch, number)
    source = "snapshot"
    if kept is None:
        source = "index"
        kept = _Kept(epoch=epoch, number=number, snapshot=CardSnapshot(store.read_all_cards()))
        if number:
            recent = feed.read_changes(max(number - RECENT_CHANGES_REREAD, 0), number) or []
            reread = set().union(*(change.ids for change in recent if change.ids is not None))
            if reread:
                kept.snapshot.replace(store.get_cards(reread))
    seconds = time.perf_counter() - started
    logger.info(
        "catalogue cards loaded",
        extra={"cards": len(kept.snapshot), "version": number, "source": source, "seconds": seconds},
    )
    metrics.add_metric(name="CardCacheLoads", unit=MetricUnit.Count, value=1)
    return kept


def _from_stored_snapshot(epoch: str, number: int) -> _Kept | None:
    """The stored snapshot brought up to ``number`` by the changes since it was packed; None
    when there is none of this catalogue, or it is too far behind (then: the index)."""
    stored = snapshots.read_snapshot()
    if stored is None or stored.epoch != epoch or stored.version > number:
        return None
    kept = _Kept(epoch=epoch, number=stored.version, snapshot=CardSnapshot(stored.cards))
    return kept if _catch_up(kept, number) else None
