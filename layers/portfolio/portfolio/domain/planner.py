"""Which index a list call reads its cards from.

Every index holds every card (projection ALL of a slim item), keyed so that some filters
become key conditions and DynamoDB reads only the cards inside the range:

- ``employer_id``    -> employer-index, partition = that employer (id range as sort key);
- ``created_*``      -> created-index, sort key = created_at in microseconds;
- ``updated_*``      -> updated-index, sort key = updated_at in microseconds;
- otherwise         -> catalogue-index, sort key = id (``id_min``/``id_max`` as the range).

The remaining filters, the search and the ordering run on the cards that come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portfolio.domain.cards import ALL_CARD_FIELDS, CardField
from portfolio.domain.filters import Filters, date_bounds


class CardIndex(StrEnum):
    CATALOGUE = "catalogue-index"
    CREATED = "created-index"
    UPDATED = "updated-index"
    EMPLOYER = "employer-index"


@dataclass(frozen=True, slots=True)
class CardReadPlan:
    """Read ``index``'s partition ``employer_id`` (employer-index) or the catalogue
    partition (the others), with the sort key between ``low`` and ``high`` inclusive."""

    index: CardIndex
    employer_id: int | None = None
    low: int | None = None
    high: int | None = None
    # The card fields the request needs; DynamoDB returns only those.
    fields: frozenset[CardField] = ALL_CARD_FIELDS


def _highest(*bounds: int | None) -> int | None:
    present = [bound for bound in bounds if bound is not None]
    return max(present) if present else None


def _lowest(*bounds: int | None) -> int | None:
    present = [bound for bound in bounds if bound is not None]
    return min(present) if present else None


def plan_card_read(filters: Filters, *, fields: frozenset[CardField] = ALL_CARD_FIELDS) -> CardReadPlan:
    if filters.employer_id is not None:
        return CardReadPlan(
            CardIndex.EMPLOYER,
            employer_id=filters.employer_id,
            low=filters.id_min,
            high=filters.id_max,
            fields=fields,
        )
    for index, day, low, high in (
        (CardIndex.CREATED, filters.created_date, filters.created_from, filters.created_to),
        (CardIndex.UPDATED, filters.updated_date, filters.updated_from, filters.updated_to),
    ):
        if day is not None or low is not None or high is not None:
            day_low, day_high = date_bounds(day) if day is not None else (None, None)
            return CardReadPlan(
                index, low=_highest(low, day_low), high=_lowest(high, day_high), fields=fields
            )
    return CardReadPlan(CardIndex.CATALOGUE, low=filters.id_min, high=filters.id_max, fields=fields)
