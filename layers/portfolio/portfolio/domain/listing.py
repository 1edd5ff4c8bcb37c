"""What a list (or retrieve) request asks for, and which cards answer it.

``parse_list_query`` reads the query parameters the way the original view does: filters
(django-filter, 400 on bad values), then search (DRF SearchFilter, 400 on NUL), then
ordering and pagination (lenient). ``select_ids`` applies the query to the cards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
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


def _predicates(columns: CardColumns, filters: Filters) -> list[Callable[[int], bool]]:
    """One test per applied filter, over card positions (cheapest and most selective first)."""
    tests: list[Callable[[int], bool]] = []
    f = filters
    if f.id_min is not None or f.id_max is not None:
        ids, low, high = columns.ids, f.id_min, f.id_max
        tests.append(lambda i: (low is None or ids[i] >= low) and (high is None or ids[i] <= high))
    if f.employer_id is not None:
        employer, wanted_employer = columns.employer_id, f.employer_id
        tests.append(lambda i: employer[i] == wanted_employer)
    if f.has_employer is not None:
        employer, wanted_presence = columns.employer_id, f.has_employer
        tests.append(lambda i: (employer[i] is not None) is wanted_presence)
    numbers = columns.batch.numbers
    for wanted, flag in (
        (f.is_active, IS_ACTIVE_FLAG),
        (f.has_image, HAS_IMAGE_FLAG),
        (f.has_description, HAS_DESCRIPTION_FLAG),
    ):
        if wanted is not None:
            # A flag is one character at a fixed place in the card's numbers.
            tests.append(_flag_test(numbers, flag, "1" if wanted else "0"))
    if f.order_min is not None or f.order_max is not None:
        order, order_low, order_high = columns.order, f.order_min, f.order_max
        tests.append(
            lambda i: (
                (order_low is None or order[i] >= order_low)
                and (order_high is None or order[i] <= order_high)
            )
        )
    if f.created_date is not None or f.created_from is not None or f.created_to is not None:
        tests.extend(_range_tests(columns.created_at, f.created_date, f.created_from, f.created_to))
    if f.updated_date is not None or f.updated_from is not None or f.updated_to is not None:
        tests.extend(_range_tests(columns.updated_at, f.updated_date, f.updated_from, f.updated_to))
    if f.completed_at_from is not None or f.completed_at_to is not None:
        completed, c_low, c_high = columns.completed_at, f.completed_at_from, f.completed_at_to
        tests.append(_completed_test(completed, c_low, c_high))
    if f.tag_id is not None:
        tags, tag = columns.tag_ids, f.tag_id
        tests.append(lambda i: tag in tags[i])
    if f.tags_in is not None:
        tags, wanted_tags = columns.tag_ids, f.tags_in
        tests.append(lambda i: not tags[i].isdisjoint(wanted_tags))
    return tests


def _completed_test(completed: list[int | None], low: int | None, high: int | None) -> Callable[[int], bool]:
    def test(i: int) -> bool:
        value = completed[i]
        return value is not None and (low is None or value >= low) and (high is None or value <= high)

    return test


def _flag_test(numbers: list[str], flag: int, wanted: str) -> Callable[[int], bool]:
    return lambda i: numbers[i][flag] == wanted


def _range_tests(
    values: list[int], day: dt.date | None, low: int | None, high: int | None
) -> list[Callable[[int], bool]]:
    tests: list[Callable[[int], bool]] = []
    if day is not None:
        day_low, day_high = date_bounds(day)
        tests.append(lambda i: day_low <= values[i] <= day_high)
    if low is not None or high is not None:
        tests.append(lambda i: (low is None or values[i] >= low) and (high is None or values[i] <= high))
    return tests


def select_positions(columns: CardColumns, query: ListQuery) -> list[int]:
    """Positions (in ``columns``) of the cards that match, in the requested order."""
    positions = list(range(len(columns)))
    for test in _predicates(columns, query.filters):
        positions = [i for i in positions if test(i)]
    matcher = SearchMatcher(list(query.search), SEPARATOR)
    if matcher and positions:
        text = columns.batch.text
        positions = [i for i in positions if matcher.matches(text[i].casefold())]
    sort_positions(columns, positions, query.ordering)
    return positions


def card_matches(columns: CardColumns, query: ListQuery) -> bool:
    """Whether the single card in ``columns`` passes the query's search and filters (what
    DRF's get_object() applies to a retrieve)."""
    if any(not test(0) for test in _predicates(columns, query.filters)):
        return False
    matcher = SearchMatcher(list(query.search), SEPARATOR)
    return not matcher or matcher.matches(columns.casefolded_text(0))
