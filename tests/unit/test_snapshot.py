"""The container's card snapshot answers every list query as filtering, searching and
sorting the same cards per call does (``select_positions``), including after cards change."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.cards import encode_card
from portfolio.domain.filters import Filters
from portfolio.domain.listing import ListQuery, parse_list_query, select_positions
from portfolio.domain.ordering import ORDERING_FIELDS, OrderTerm
from portfolio.domain.snapshot import CardSnapshot
from tests.unit.builders import columns, micros, portfolio
from tests.unit.strategies import FILTERS, WORDS, Entry, catalogues

pytestmark = pytest.mark.unit

ORDERINGS = st.lists(
    st.builds(OrderTerm, st.sampled_from(ORDERING_FIELDS), st.booleans()), min_size=1, max_size=3
).map(tuple)
SEARCHES = st.lists(st.sampled_from([*WORDS, "é", "SITE", "a", "\x1e", "\x1f", "ss"]), max_size=3).map(tuple)


def expected_ids(entries: list[Entry], query: ListQuery) -> list[int]:
    every = columns(*entries)
    return [every.ids[i] for i in select_positions(every, query)]


def snapshot_ids(snapshot: CardSnapshot, query: ListQuery) -> list[int]:
    """Every id the snapshot answers ``query`` with: one page as long as the catalogue."""
    count, positions = snapshot.page(dataclasses.replace(query, offset=0, limit=len(snapshot) + 1))
    assert count == len(positions)
    return [snapshot.columns.ids[i] for i in positions]


@settings(max_examples=300, deadline=None, database=None)
@given(catalogues(), FILTERS, SEARCHES, ORDERINGS)
def test_the_snapshot_selects_what_a_per_call_selection_does(
    entries: list[Entry], filters: Filters, search: tuple[str, ...], ordering: tuple[OrderTerm, ...]
) -> None:
    # Given any catalogue in a snapshot, When any query is answered from it twice (the second
    # time from what the first derived), Then both answers are the per-call selection's
    query = ListQuery(filters=filters, search=search, ordering=ordering)
    snapshot = CardSnapshot(encode_card(*entry) for entry in entries)
    expected = expected_ids(entries, query)
    assert snapshot_ids(snapshot, query) == expected
    assert snapshot_ids(snapshot, query) == expected
    # And any page of it is that slice of the answer, counted in full
    assert_pages_are_slices(snapshot, query, expected)


def assert_pages_are_slices(snapshot: CardSnapshot, query: ListQuery, expected: list[int]) -> None:
    """Every page of ``query`` is its slice of ``expected``, counted in full."""
    for offset, limit in ((0, 1), (0, 3), (1, 2), (len(expected) - 1, 5), (len(expected), 2), (7, 10)):
        start = max(offset, 0)
        count, positions = snapshot.page(dataclasses.replace(query, offset=start, limit=limit))
        assert count == len(expected)
        assert [snapshot.columns.ids[i] for i in positions] == expected[start : start + limit]


def test_a_shallow_page_of_many_matches_is_picked_without_sorting_them_all() -> None:
    # Given 400 cards whose order, flags and texts repeat (ties broken by id)
    records = [
        portfolio(
            n,
            title=["site", "Shop", "école"][n % 3],
            order=n % 5,
            is_active=n % 2 == 0,
            image_id=5 if n % 3 else None,
            created_at_us=micros("2024-03-09T00:00:00") + (n % 7),
        )
        for n in range(1, 401)
    ]
    snapshot = CardSnapshot(encode_card(record, None) for record in records)
    every = columns(*records)
    for params in (
        {},
        {"is_active": "true"},
        {"search": "s", "ordering": "-title,order"},
        {"ordering": "created_at"},
    ):
        query = parse_list_query(params)
        expected = [every.ids[i] for i in select_positions(every, query)]
        # When pages are asked (the first ones come from a heap of the matches' ranks)
        # Then each is the slice of the full answer
        assert_pages_are_slices(snapshot, query, expected)


@settings(max_examples=150, deadline=None, database=None)
@given(catalogues(), catalogues(), FILTERS, SEARCHES, ORDERINGS)
def test_a_snapshot_with_changed_cards_answers_as_the_changed_catalogue(
    before: list[Entry],
    changes: list[Entry],
    filters: Filters,
    search: tuple[str, ...],
    ordering: tuple[OrderTerm, ...],
) -> None:
    # Given a snapshot that has answered queries, When some cards change and others are added
    query = ListQuery(filters=filters, search=search, ordering=ordering)
    snapshot = CardSnapshot(encode_card(*entry) for entry in before)
    snapshot_ids(snapshot, query)
    snapshot.replace(encode_card(*entry) for entry in changes)
    # Then it answers as the catalogue after the change
    after = {record.id: (record, name) for record, name in before}
    after.update({record.id: (record, name) for record, name in changes})
    assert snapshot_ids(snapshot, query) == expected_ids(list(after.values()), query)
