"""Which index a list call reads its cards from, and which key range: a plan may read more
cards than match, never fewer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings

from portfolio.domain.cards import Card, encode_card
from portfolio.domain.filters import Filters, date_bounds, parse_filters
from portfolio.domain.listing import ListQuery, select_positions
from portfolio.domain.planner import CardIndex, CardReadPlan, plan_card_read
from tests.unit.builders import columns, micros
from tests.unit.strategies import FILTERS, Entry, catalogues

pytestmark = pytest.mark.unit

DAY_START, DAY_END = date_bounds(dt.date(2024, 3, 9))


def plan(params: dict[str, str]) -> CardReadPlan:
    return plan_card_read(parse_filters(params))


def test_without_a_keyed_filter_the_whole_catalogue_index_is_read() -> None:
    """Given no filter, or only filters no index is keyed by, when planned, then the whole
    catalogue index is read."""
    assert plan({}) == CardReadPlan(CardIndex.CATALOGUE)
    assert plan({"is_active": "true", "tags_in": "1,2", "order_min": "3"}) == CardReadPlan(
        CardIndex.CATALOGUE
    )


def test_id_bounds_narrow_the_catalogue_index() -> None:
    """Given id_min and/or id_max, when planned, then the catalogue index is read within
    them (inclusive)."""
    assert plan({"id_min": "5", "id_max": "9"}) == CardReadPlan(CardIndex.CATALOGUE, low=5, high=9)
    assert plan({"id_max": "9"}) == CardReadPlan(CardIndex.CATALOGUE, high=9)


def test_an_employer_reads_only_its_partition_within_the_id_bounds() -> None:
    """Given employer_id (with or without id bounds and date filters), when planned, then
    only that employer's partition is read, by id."""
    assert plan({"employer_id": "4"}) == CardReadPlan(CardIndex.EMPLOYER, employer_id=4)
    assert plan({"employer_id": "4", "id_min": "2", "created_date": "2024-03-09"}) == CardReadPlan(
        CardIndex.EMPLOYER, employer_id=4, low=2
    )


def test_a_creation_date_reads_that_utc_day_of_the_created_index() -> None:
    """Given created_date, when planned, then the created index is read over that UTC day."""
    assert plan({"created_date": "2024-03-09"}) == CardReadPlan(
        CardIndex.CREATED, low=DAY_START, high=DAY_END
    )


def test_creation_bounds_and_date_are_intersected() -> None:
    """Given created_from, created_to and created_date together, when planned, then the range
    is the tightest of them."""
    narrowed = plan(
        {"created_date": "2024-03-09", "created_from": "2024-03-09T10:00Z", "created_to": "2024-03-20"}
    )
    assert narrowed == CardReadPlan(CardIndex.CREATED, low=micros("2024-03-09T10:00"), high=DAY_END)
    assert plan({"created_to": "2024-03-09"}) == CardReadPlan(CardIndex.CREATED, high=DAY_END)


def test_update_filters_read_the_updated_index_unless_creation_filters_are_given() -> None:
    """Given only update filters, when planned, then the updated index is read over their
    range; given creation filters too, the created index is read (the rest filters in
    memory)."""
    assert plan({"updated_from": "2024-03-09"}) == CardReadPlan(CardIndex.UPDATED, low=DAY_START)
    assert plan({"updated_date": "2024-03-09"}) == CardReadPlan(
        CardIndex.UPDATED, low=DAY_START, high=DAY_END
    )
    assert plan({"updated_date": "2024-03-09", "created_from": "2024-03-01"}).index is CardIndex.CREATED


def test_an_empty_range_is_planned_as_such() -> None:
    """Given bounds that exclude each other, when planned, then low is above high (the data
    layer reads nothing)."""
    empty = plan({"created_from": "2024-03-10", "created_to": "2024-03-08"})
    assert empty.low is not None
    assert empty.high is not None
    assert empty.low > empty.high


def in_plan(card: Card, read: CardReadPlan) -> bool:
    """Whether a card is among those the plan reads (the data layer's key conditions)."""
    if read.index is CardIndex.EMPLOYER and card.employer_id != read.employer_id:
        return False
    key = {
        CardIndex.CATALOGUE: card.id,
        CardIndex.EMPLOYER: card.id,
        CardIndex.CREATED: card.created_at_us,
        CardIndex.UPDATED: card.updated_at_us,
    }[read.index]
    return (read.low is None or key >= read.low) and (read.high is None or key <= read.high)


@settings(max_examples=200, deadline=None, database=None)
@given(catalogues(), FILTERS)
def test_the_plan_reads_every_card_the_filters_select(entries: list[Entry], filters: Filters) -> None:
    """Given any catalogue and any filters, when the plan's cards alone are filtered, then
    the result is the same as filtering the whole catalogue: no match is left unread."""
    query = ListQuery(filters=filters)
    read = plan_card_read(filters)
    all_columns = columns(*entries)
    planned = [entry for entry in entries if in_plan(encode_card(*entry), read)]
    planned_columns = columns(*planned)

    everything = [all_columns.ids[i] for i in select_positions(all_columns, query)]
    from_plan = [planned_columns.ids[i] for i in select_positions(planned_columns, query)]

    assert from_plan == everything
