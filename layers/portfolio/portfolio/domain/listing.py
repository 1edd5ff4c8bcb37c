"""What a list (or retrieve) request asks for, and which cards answer it.

``parse_list_query`` reads the query parameters the way the original view does: filters
(django-filter, 400 on bad values), then search (DRF SearchFilter, 400 on NUL), then
ordering and pagination (lenient). ``select_ids`` applies the query to the cards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from portfolio.domain.cards import (
    HAS_DESCRIPTION_FLAG,
    HAS_IMAGE_FLAG,
    IS_ACTIVE_FLAG,
    SEPARATOR,
    CardColumns,
)
from portfolio.domain.filters import Filters, date_bounds, parse_filters
from portfolio.domain.ordering import DEFAULT_ORDERING, OrderTerm, parse_ordering, sort_positions
from portfolio.domain.pagination import parse_limit, parse_offset
from portfolio.domain.search import SearchMatcher, search_terms


@dataclass(frozen=True, slots=True)
class ListQuery:
    filters: Filters = field(default_factory=Filters)
    search: tuple[str, ...] = ()
    ordering: tuple[OrderTerm, ...] = DEFAULT_ORDERING
    limit: int = 10
    offset: int = 0


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """The list query of a request's parameters (the last value of each name).

    Raises ``InvalidFilters`` or ``InvalidSearch`` (both answered with 400).
    """
    filters = parse_filters(params)
    terms = search_terms(params.get("search"))
    return ListQuery(
        filters=filters,
        search=tuple(terms),
        ordering=parse_ordering(params.get("ordering")),
        limit=parse_limit(params.get("limit")),
        offset=parse_offset(params.get("offset")),
    )


# One step per applied filter: it keeps the positions whose card passes (a comprehension per
# step, not a call per card: a list call runs them over every card of the index).
Narrowing = Callable[[list[int]], list[int]]


def _between(values: list[int], low: int | None, high: int | None) -> Narrowing:
    if low is not None and high is not None:
        return lambda positions: [i for i in positions if low <= values[i] <= high]
    if low is not None:
        return lambda positions: [i for i in positions if values[i] >= low]
    return lambda positions: [i for i in positions if values[i] <= high]  # type: ignore[operator]


def _flag(numbers: list[str], flag: int, wanted: bool) -> Narrowing:
    # A flag is one character at a fixed place in the card's numbers.
    char = "1" if wanted else "0"
    return lambda positions: [i for i in positions if numbers[i][flag] == char]


def _timestamp_steps(
    column: Callable[[], list[int]], day: dt.date | None, low: int | None, high: int | None
) -> list[Narrowing]:
    steps = []
    if day is not None:
        steps.append(_between(column(), *date_bounds(day)))
    if low is not None or high is not None:
        steps.append(_between(column(), low, high))
    return steps


def _narrowings(columns: CardColumns, filters: Filters) -> list[Narrowing]:
    """The applied filters, cheapest and most selective first."""
    f = filters
    steps: list[Narrowing] = []
    if f.id_min is not None or f.id_max is not None:
        steps.append(_between(columns.ids, f.id_min, f.id_max))
    if f.employer_id is not None:
        employer, wanted_employer = columns.employer_id, f.employer_id
        steps.append(lambda positions: [i for i in positions if employer[i] == wanted_employer])
    if f.has_employer is not None:
        employer, wanted_presence = columns.employer_id, f.has_employer
        steps.append(lambda positions: [i for i in positions if (employer[i] is not None) is wanted_presence])
    for wanted, flag in (
        (f.is_active, IS_ACTIVE_FLAG),
        (f.has_image, HAS_IMAGE_FLAG),
        (f.has_description, HAS_DESCRIPTION_FLAG),
    ):
        if wanted is not None:
            steps.append(_flag(columns.batch.numbers, flag, wanted))
    if f.order_min is not None or f.order_max is not None:
        steps.append(_between(columns.order, f.order_min, f.order_max))
    steps += _timestamp_steps(lambda: columns.created_at, f.created_date, f.created_from, f.created_to)
    steps += _timestamp_steps(lambda: columns.updated_at, f.updated_date, f.updated_from, f.updated_to)
    if f.completed_at_from is not None or f.completed_at_to is not None:
        completed, low, high = columns.completed_at, f.completed_at_from, f.completed_at_to
        steps.append(
            lambda positions: [
                i
                for i in positions
                if (value := completed[i]) is not None
                and (low is None or value >= low)
                and (high is None or value <= high)
            ]
        )
    if f.tag_id is not None:
        tags, tag = columns.tag_ids, f.tag_id
        steps.append(lambda positions: [i for i in positions if tag in tags[i]])
    if f.tags_in is not None:
        tags, wanted_tags = columns.tag_ids, f.tags_in
        steps.append(lambda positions: [i for i in positions if not tags[i].isdisjoint(wanted_tags)])
    return steps


def _search(columns: CardColumns, terms: tuple[str, ...], positions: list[int]) -> list[int]:
    if not terms or not positions:
        return positions
    return SearchMatcher(list(terms), SEPARATOR).matching(positions, columns.batch.text)


def narrow_positions(columns: CardColumns, filters: Filters, positions: Iterable[int]) -> list[int] | None:
    """The positions among ``positions`` whose cards pass the filters; None when no filter
    applies (the positions are not even listed then)."""
    steps = _narrowings(columns, filters)
    if not steps:
        return None
    narrowed = list(positions)
    for narrow in steps:
        narrowed = narrow(narrowed)
    return narrowed


def select_positions(columns: CardColumns, query: ListQuery) -> list[int]:
    """Positions (in ``columns``) of the cards that match, in the requested order."""
    positions = list(range(len(columns)))
    for narrow in _narrowings(columns, query.filters):
        positions = narrow(positions)
    positions = _search(columns, query.search, positions)
    sort_positions(columns, positions, query.ordering)
    return positions


def card_matches(columns: CardColumns, query: ListQuery) -> bool:
    """Whether the single card in ``columns`` passes the query's search and filters (what
    DRF's get_object() applies to a retrieve)."""
    positions = [0]
    for narrow in _narrowings(columns, query.filters):
        positions = narrow(positions)
    return bool(_search(columns, query.search, positions))
