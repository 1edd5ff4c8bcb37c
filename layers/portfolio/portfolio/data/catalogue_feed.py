"""The catalogue's change feed: how a warm container learns, with one small read per call,
whether any card changed since it loaded them, and which.

Two kinds of items in SequencesTable (beside the id sequences):

- ``catalogue-version``: ``value`` = the number of the last change, ``epoch`` = a random
  name given when the first change is published (a recreated or restored table gets another
  one, so a container never mistakes it for the catalogue it loaded);
- ``catalogue-change#<n>``: the ids whose cards change ``n`` wrote (``ids``), or
  ``everything`` when there were too many to list; expires after ``CHANGE_TTL_S``.

A writer publishes a change *after* its cards are written, in one transaction that moves the
version from the number it read to the next and puts that change's item: changes are
numbered without gaps, in the order they were published. Readers read them with strongly
consistent reads only (GetItem, BatchGetItem), so the very next call after a publish sees it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from portfolio.data.deadline import ensure_time_for_a_request
from portfolio.data.models import BATCH_GET_LIMIT, CatalogueFeedModel, transaction_connection

VERSION_NAME = "catalogue-version"
CHANGE_PREFIX = "catalogue-change#"
# A change naming more portfolios than this says "everything" (its item stays small, and a
# reader reloads instead of fetching that many cards one batch at a time).
MAX_LISTED_IDS = 2_000
# Long enough for any container to have moved past a change (then it reloads).
CHANGE_TTL_S = 7 * 24 * 3600
# Writers publishing at once retry on the version they lost to.
_PUBLISH_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class CatalogueVersion:
    epoch: str
    number: int


@dataclass(frozen=True, slots=True)
class CatalogueChange:
    number: int
    ids: frozenset[int] | None  # None: everything may have changed


def read_version() -> CatalogueVersion | None:
    """The last change published (None: nothing published yet). One strongly consistent
    GetItem of a few dozen bytes."""
    ensure_time_for_a_request()
    try:
        item = CatalogueFeedModel.get(VERSION_NAME, consistent_read=True)
    except CatalogueFeedModel.DoesNotExist:
        return None
    return CatalogueVersion(epoch=item.epoch or "", number=int(item.value or 0))


def read_changes(after: int, upto: int) -> list[CatalogueChange] | None:
    """Changes ``after`` + 1 .. ``upto``, in order; None when one of them is gone (expired):
    the reader must reload."""
    names = [f"{CHANGE_PREFIX}{number}" for number in range(after + 1, upto + 1)]
    found: dict[int, CatalogueChange] = {}
    for start in range(0, len(names), BATCH_GET_LIMIT):
        ensure_time_for_a_request()
        for item in CatalogueFeedModel.batch_get(
            names[start : start + BATCH_GET_LIMIT], consistent_read=True
        ):
            number = int(item.name.removeprefix(CHANGE_PREFIX))
            ids = None if item.everything else frozenset(int(i) for i in (item.ids or ()))
            found[number] = CatalogueChange(number=number, ids=ids)
    if len(found) != len(names):
        return None
    return [found[number] for number in sorted(found)]


def publish_change(ids: Collection[int] | None) -> int:
    """Tell every container that these portfolios' cards changed (None or too many: anything
    may have). Call after the cards are written. Returns the change's number."""
    listed = None if ids is None or len(ids) > MAX_LISTED_IDS else {int(i) for i in ids}
    for _ in range(_PUBLISH_ATTEMPTS):
        condition: Condition
        try:
            current = CatalogueFeedModel.get(VERSION_NAME, consistent_read=True)
            number, epoch = int(current.value or 0), current.epoch or secrets.token_hex(8)
            condition = CatalogueFeedModel.value == number
        except CatalogueFeedModel.DoesNotExist:
            number, epoch = 0, secrets.token_hex(8)
            condition = CatalogueFeedModel.name.does_not_exist()
        version = CatalogueFeedModel(name=VERSION_NAME, value=number + 1, epoch=epoch)
        change = CatalogueFeedModel(
            name=f"{CHANGE_PREFIX}{number + 1}",
            # DynamoDB has no empty sets: no id listed and not everything is an empty change.
            ids=listed or None,
            everything=True if listed is None else None,
            expires_at=int(time.time()) + CHANGE_TTL_S,
        )
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(version, condition=condition)
                transaction.save(change)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                continue  # another writer published this number first: read the next
            raise
        return number + 1
    raise RuntimeError(f"could not publish a catalogue change in {_PUBLISH_ATTEMPTS} attempts")
