"""The contract's Ordering rows: reading ``?ordering=`` and sorting cards by it."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.ordering import (
    DEFAULT_ORDERING,
    ORDERING_FIELDS,
    OrderTerm,
    parse_ordering,
    sort_positions,
)
from portfolio.domain.records import PortfolioRecord
from tests.unit.builders import columns, micros, portfolio

pytestmark = pytest.mark.unit


def names(raw: str | None) -> list[str]:
    return [str(term) for term in parse_ordering(raw)]


def test_the_eight_fields_are_the_contracts() -> None:
    """Given the contract's list, when compared, then exactly these eight fields order."""
    assert set(ORDERING_FIELDS) == {
        "title", "slug", "order", "year", "is_active", "client__name", "created_at", "updated_at",
    }  # fmt: skip


@pytest.mark.parametrize(
    "raw", [None, "", ",", " ", "unknown", "id,pk,-description", "--title", "-", "Title"]
)
def test_without_a_valid_name_the_default_applies(raw: str | None) -> None:
    """Given no ordering, or only names that are not ordering fields, when parsed, then the
    default ``order,-created_at`` applies."""
    assert parse_ordering(raw) == DEFAULT_ORDERING
    assert names(raw) == ["order", "-created_at"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("title", ["title"]),
        ("-title", ["-title"]),
        ("-year,title", ["-year", "title"]),
        ("client__name, -updated_at ,is_active", ["client__name", "-updated_at", "is_active"]),
        ("unknown,-slug,also_unknown,order", ["-slug", "order"]),
        ("title,-title", ["title", "-title"]),
        ("created_at,", ["created_at"]),
    ],
)
def test_ordering_is_a_comma_separated_list_with_unknown_names_dropped(raw: str, expected: list[str]) -> None:
    """Given a comma-separated list (spaces around names allowed), when parsed, then the
    valid names keep their order and ``-`` prefix, and unknown names are dropped."""
    assert names(raw) == expected


def ids_in_order(cards: list[PortfolioRecord | tuple[PortfolioRecord, str | None]], raw: str) -> list[int]:
    card_columns = columns(*cards)
    positions = list(range(len(card_columns)))
    sort_positions(card_columns, positions, parse_ordering(raw))
    return [card_columns.ids[position] for position in positions]


def test_ties_are_broken_by_id_ascending_in_both_directions() -> None:
    """Given portfolios with equal order (given in shuffled id order), when ordered by
    ``order`` or ``-order``, then equal ones come by id ascending either way."""
    cards = [portfolio(3, order=1), portfolio(1, order=1), portfolio(2, order=0), portfolio(4, order=1)]

    assert ids_in_order(cards, "order") == [2, 1, 3, 4]
    assert ids_in_order(cards, "-order") == [1, 3, 4, 2]


def test_several_fields_order_by_the_first_then_the_next() -> None:
    """Given portfolios sharing active flags, when ordered by ``-is_active,title``, then
    active ones come first and each group is by title."""
    cards = [
        portfolio(1, is_active=False, title="b"),
        portfolio(2, is_active=True, title="c"),
        portfolio(3, is_active=False, title="a"),
        portfolio(4, is_active=True, title="a"),
    ]

    assert ids_in_order(cards, "-is_active,title") == [4, 2, 3, 1]
    assert ids_in_order(cards, "is_active,-title") == [1, 3, 2, 4]


def test_the_default_is_order_then_newest_first() -> None:
    """Given portfolios with orders and creation times, when no ordering is asked, then they
    come by order, and by newest creation within an order."""
    cards = [
        portfolio(1, order=2, created_at_us=micros("2024-01-01T00:00")),
        portfolio(2, order=1, created_at_us=micros("2024-01-01T00:00")),
        portfolio(3, order=1, created_at_us=micros("2024-01-02T00:00")),
        portfolio(4, order=1, created_at_us=micros("2024-01-01T00:00:00.000001")),
    ]

    assert ids_in_order(cards, "") == [3, 4, 2, 1]


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_timestamps_order_to_the_microsecond(field: str) -> None:
    """Given instants a microsecond apart, when ordered by a timestamp field, then they come
    in time order (and reversed with ``-``)."""
    cards = [
        portfolio(1, **{f"{field}_us": micros("2024-01-01T00:00:00.000002")}),
        portfolio(2, **{f"{field}_us": micros("2024-01-01T00:00:00.000001")}),
        portfolio(3, **{f"{field}_us": micros("2023-12-31T23:59:59.999999")}),
    ]

    assert ids_in_order(cards, field) == [3, 2, 1]
    assert ids_in_order(cards, f"-{field}") == [1, 2, 3]


def test_a_null_year_sorts_last_ascending_and_first_descending() -> None:
    """Given portfolios with and without a year, when ordered by ``year``, then those
    without come last; by ``-year``, first (PostgreSQL's rule), ties by id."""
    cards = [portfolio(1, year=2020), portfolio(2), portfolio(3, year=2018), portfolio(4)]

    assert ids_in_order(cards, "year") == [3, 1, 2, 4]
    assert ids_in_order(cards, "-year") == [2, 4, 1, 3]


def test_no_employer_sorts_last_ascending_and_first_descending() -> None:
    """Given portfolios with and without an employer, when ordered by ``client__name``, then
    those without come last; by ``-client__name``, first."""
    cards: list[PortfolioRecord | tuple[PortfolioRecord, str | None]] = [
        (portfolio(1, employer_id=10), "Digikala"),
        portfolio(2),
        (portfolio(3, employer_id=11), "Alibaba"),
        portfolio(4),
    ]

    assert ids_in_order(cards, "client__name") == [3, 1, 2, 4]
    assert ids_in_order(cards, "-client__name") == [2, 4, 1, 3]


def test_an_employer_with_an_empty_name_is_not_null() -> None:
    """Given an employer named "" and no employer, when ordered by ``client__name``, then
    the empty name sorts first and the missing employer last."""
    cards: list[PortfolioRecord | tuple[PortfolioRecord, str | None]] = [
        portfolio(1),
        (portfolio(2, employer_id=10), ""),
        (portfolio(3, employer_id=11), "a"),
    ]

    assert ids_in_order(cards, "client__name") == [2, 3, 1]


@pytest.mark.parametrize("field", ["title", "slug", "client__name"])
def test_text_compares_casefolded_first_then_raw(field: str) -> None:
    """Given texts differing in case, when ordered by a text field, then case does not
    separate them (``b`` between ``A`` and ``C``), and equal casefolded texts compare raw
    (``Apple`` before ``apple``)."""
    texts = {1: "apple", 2: "C", 3: "b", 4: "Apple", 5: "Ärger", 6: "A"}
    cards: list[PortfolioRecord | tuple[PortfolioRecord, str | None]] = []
    for portfolio_id, text in texts.items():
        if field == "client__name":
            cards.append((portfolio(portfolio_id, employer_id=portfolio_id), text))
        else:
            cards.append(portfolio(portfolio_id, **{field: text}))

    expected = sorted(texts, key=lambda portfolio_id: (texts[portfolio_id].casefold(), texts[portfolio_id]))
    assert ids_in_order(cards, field) == expected == [6, 4, 1, 3, 2, 5]
    assert ids_in_order(cards, f"-{field}") == list(reversed(expected))


def test_casefolding_puts_german_sharp_s_with_ss() -> None:
    """Given "Straße" and "STRASSE", when ordered by title, then they compare equal once
    casefolded and the raw text decides; ties otherwise by id."""
    cards = [portfolio(1, title="Strasse"), portfolio(2, title="Straße"), portfolio(3, title="STRASSE")]

    assert ids_in_order(cards, "title") == [3, 1, 2]


def test_is_active_orders_false_before_true() -> None:
    """Given active and inactive portfolios, when ordered by ``is_active``, then inactive
    come first; by ``-is_active``, active first."""
    cards = [portfolio(1, is_active=True), portfolio(2, is_active=False), portfolio(3, is_active=True)]

    assert ids_in_order(cards, "is_active") == [2, 1, 3]
    assert ids_in_order(cards, "-is_active") == [1, 3, 2]


def test_persian_titles_order_by_code_point_after_casefolding() -> None:
    """Given Persian and Latin titles, when ordered by title, then they compare as text
    (Latin letters before Arabic script)."""
    cards = [portfolio(1, title="ب"), portfolio(2, title="الف"), portfolio(3, title="z")]

    assert ids_in_order(cards, "title") == [3, 2, 1]


RECORDS = st.lists(
    st.builds(
        lambda order, year, active, title, employer: (
            portfolio(0, order=order, year=year, is_active=active, title=title, employer_id=employer and 1),
            employer,
        ),
        order=st.integers(-2, 2),
        year=st.one_of(st.none(), st.integers(2019, 2021)),
        active=st.booleans(),
        title=st.sampled_from(["a", "A", "b", "ß", "ss"]),
        employer=st.one_of(st.none(), st.sampled_from(["x", "X", "y"])),
    ),
    max_size=12,
)
TERMS = st.lists(
    st.builds(
        OrderTerm, st.sampled_from(["order", "year", "is_active", "title", "client__name"]), st.booleans()
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=200, deadline=None, database=None)
@given(RECORDS, TERMS)
def test_sorting_is_a_total_order_consistent_with_the_rules(
    entries: list[tuple[PortfolioRecord, str | None]], ordering: list[OrderTerm]
) -> None:
    """Given any cards and any multi-field ordering, when sorted, then every adjacent pair
    compares as the rules say: the first differing field decides (nulls last ascending,
    first descending; text by casefold then raw), and full ties go by id ascending."""
    by_id: dict[int, tuple[PortfolioRecord, str | None]] = {}
    for portfolio_id, (record, employer) in enumerate(entries, start=1):
        renumbered = portfolio(
            portfolio_id,
            order=record.order,
            year=record.year,
            is_active=record.is_active,
            title=record.title,
            employer_id=portfolio_id if employer is not None else None,
        )
        by_id[portfolio_id] = (renumbered, employer)
    sorted_ids = ids_in_order(list(by_id.values()), ",".join(str(term) for term in ordering))

    def value(portfolio_id: int, field: str) -> tuple[bool, object]:
        record, employer = by_id[portfolio_id]
        raw = {"order": record.order, "year": record.year, "is_active": record.is_active}.get(field)
        if field == "title":
            raw = (record.title.casefold(), record.title)
        elif field == "client__name":
            raw = None if employer is None else (employer.casefold(), employer)
        return (raw is None, raw if raw is not None else 0)  # None is "larger": last ascending

    for first, second in pairwise(sorted_ids):
        for term in ordering:
            left, right = value(first, term.field), value(second, term.field)
            if left != right:
                assert (left > right) if term.descending else (left < right)
                break
        else:
            assert first < second
