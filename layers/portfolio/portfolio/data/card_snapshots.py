"""A packed snapshot of every card, which the write path keeps and a cold container loads in
one go (instead of ~20 Query pages of catalogue-index at 100,000 portfolios).

Stored in SequencesTable beside the change feed:

- ``catalogue-snapshot``: the current snapshot's id, the catalogue ``epoch`` and ``value``
  (the change number it includes everything up to), how many ``parts``, and the SHA-256
  ``digest`` of the packed bytes;
- ``catalogue-snapshot#<id>#<n>``: part ``n`` of the packed bytes (zlib of compact JSON
  rows ``[id, created_at_us, updated_at_us, employer_id, text, numbers]``), under 400 KB.

A snapshot is written whole (parts first, the pointer last, never moved back to an older
change), so a reader sees the old one or the new one, never a mix; it checks the digest and
falls back to the index load when anything is missing or does not match. The previous
snapshot's parts expire an hour later (a container may still be reading them).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import zlib
from dataclasses import dataclass

from pynamodb.exceptions import PutError

from portfolio.data.catalogue_feed import read_version
from portfolio.data.deadline import ensure_time_for_a_request
from portfolio.data.models import BATCH_GET_LIMIT, CatalogueFeedModel, PortfolioCardModel, update_attributes
from portfolio.data.portfolios import card_from_model
from portfolio.domain.cards import Card

POINTER_NAME = "catalogue-snapshot"
PART_PREFIX = "catalogue-snapshot#"
PART_BYTES = 300_000
# A retired snapshot's parts stay this long for containers still loading them.
RETIRED_PARTS_TTL_S = 3600


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    epoch: str
    version: int
    cards: list[Card]


def pack(cards: list[Card]) -> bytes:
    rows = [[c.id, c.created_at_us, c.updated_at_us, c.employer_id, c.text, c.numbers] for c in cards]
    return zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def unpack(data: bytes) -> list[Card]:
    return [Card(*row) for row in json.loads(zlib.decompress(data))]


def read_snapshot() -> StoredSnapshot | None:
    """The current snapshot, or None when there is none or it is incomplete or corrupt
    (the caller loads the cards from the index then). Strongly consistent reads."""
    ensure_time_for_a_request()
    try:
        pointer = CatalogueFeedModel.get(POINTER_NAME, consistent_read=True)
    except CatalogueFeedModel.DoesNotExist:
        return None
    names = [f"{PART_PREFIX}{pointer.snapshot_id}#{n}" for n in range(int(pointer.parts or 0))]
    found: dict[str, bytes] = {}
    for start in range(0, len(names), BATCH_GET_LIMIT):
        ensure_time_for_a_request()
        for part in CatalogueFeedModel.batch_get(
            names[start : start + BATCH_GET_LIMIT], consistent_read=True
        ):
            found[part.name] = part.data or b""
    if len(found) != len(names):
        return None
    data = b"".join(found[name] for name in names)
    if hashlib.sha256(data).hexdigest() != pointer.digest:
        return None
    try:
        cards = unpack(data)
    except (zlib.error, ValueError, TypeError):
        return None
    return StoredSnapshot(epoch=pointer.epoch or "", version=int(pointer.value or 0), cards=cards)


def _scan_cards() -> list[Card]:
    """Every card, from the table itself (strongly consistent): the writer's view, never a
    request path's."""
    return [card_from_model(model) for model in PortfolioCardModel.scan(consistent_read=True)]


def write_snapshot() -> int:
    """Pack every card as of now and make it the current snapshot; returns the change number
    it includes. Cards published after the version read are in it too, or in later changes
    that readers apply on top (a card replaced by its current self is harmless)."""
    version = read_version()
    if version is None:
        return 0
    cards = sorted(_scan_cards())
    data = pack(cards)
    snapshot_id = secrets.token_hex(8)
    chunks = [data[start : start + PART_BYTES] for start in range(0, len(data), PART_BYTES)] or [b""]
    with CatalogueFeedModel.batch_write() as batch:
        for number, chunk in enumerate(chunks):
            batch.save(CatalogueFeedModel(name=f"{PART_PREFIX}{snapshot_id}#{number}", data=chunk))
    try:
        previous = CatalogueFeedModel.get(POINTER_NAME, consistent_read=True)
    except CatalogueFeedModel.DoesNotExist:
        previous = None
    pointer = CatalogueFeedModel(
        name=POINTER_NAME,
        value=version.number,
        epoch=version.epoch,
        snapshot_id=snapshot_id,
        parts=len(chunks),
        digest=hashlib.sha256(data).hexdigest(),
    )
    try:
        # Never back to an older snapshot (two writers: the later change wins).
        pointer.save(
            condition=CatalogueFeedModel.name.does_not_exist() | (CatalogueFeedModel.value <= version.number)
        )
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        _retire(snapshot_id, len(chunks))
        return version.number
    if previous is not None and previous.snapshot_id:
        _retire(previous.snapshot_id, int(previous.parts or 0))
    return version.number


def _retire(snapshot_id: str, parts: int) -> None:
    expires_at = int(time.time()) + RETIRED_PARTS_TTL_S
    for number in range(parts):
        update_attributes(
            CatalogueFeedModel(name=f"{PART_PREFIX}{snapshot_id}#{number}"),
            actions=[CatalogueFeedModel.expires_at.set(expires_at)],
        )


def snapshot_version() -> int | None:
    """The change number the current snapshot includes (None: no snapshot)."""
    try:
        return int(CatalogueFeedModel.get(POINTER_NAME, consistent_read=True).value or 0)
    except CatalogueFeedModel.DoesNotExist:
        return None
