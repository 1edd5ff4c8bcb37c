"""Which portfolios a list (or retrieve) request selects, and in which order: every filter's
inclusive / boolean / empty-value rule, search across fields, and all of it combined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cmp_to_key

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.errors import InvalidFilters, InvalidSearch
from portfolio.domain.filters import Filters
from portfolio.domain.listing import ListQuery, card_matches, parse_list_query, select_positions
from portfolio.domain.ordering import ORDERING_FIELDS, OrderTerm, parse_ordering
from portfolio.domain.records import PortfolioRecord
from tests.unit.builders import columns, micros, portfolio
from tests.unit.strategies import FILTERS, Entry, catalogues

pytestmark = pytest.mark.unit


def selected(entries: list[Entry], params: Mapping[str, str]) -> list[int]:
    """The ids a request with these query parameters lists, in order."""
    card_columns = columns(*entries)
    return [card_columns.ids[i] for i in select_positions(card_columns, parse_list_query(params))]


def by_id(entries: list[Entry], params: Mapping[str, str]) -> list[int]:
    """The ids selected, sorted (for tests about which portfolios, not their order)."""
    return sorted(selected(entries, params))


# --- parsing the request ------------------------------------------------------------------


def test_a_list_query_reads_every_part_of_the_request() -> None:
    """Given filters, search, ordering, limit and offset, when the query is read, then each
    is parsed by its rule."""
    query = parse_list_query(
        {"id_min": "2", "search": 'shop "web site"', "ordering": "-year,x", "limit": "500", "offset": "abc"}
    )

    assert query.filters == Filters(id_min=2)
    assert query.search == ("shop", "web site")
    assert query.ordering == (OrderTerm("year", descending=True),)
    assert (query.limit, query.offset) == (100, 0)


def test_bad_filters_are_reported_before_a_bad_search() -> None:
    """Given a bad filter and a search with a NUL, when the query is read, then the filters'
    400 answers (django-filter's backend runs before the search backend)."""
    with pytest.raises(InvalidFilters):
        parse_list_query({"id_min": "x", "search": "\x00"})
    with pytest.raises(InvalidSearch):
        parse_list_query({"id_min": "1", "search": "\x00"})


# --- filters ------------------------------------------------------------------------------


def test_id_and_order_bounds_are_inclusive() -> None:
    """Given ids 1..5 with orders 10..50, when bounded by id 2..4 or order 20..40, then the
    bounds themselves are included."""
    entries: list[Entry] = [(portfolio(i, order=i * 10), None) for i in range(1, 6)]

    assert by_id(entries, {"id_min": "2", "id_max": "4"}) == [2, 3, 4]
    assert by_id(entries, {"order_min": "20", "order_max": "40"}) == [2, 3, 4]
    assert by_id(entries, {"id_min": "4", "id_max": "2"}) == []
    assert by_id(entries, {"id_min": "1.9"}) == [1, 2, 3, 4, 5]  # int(1.9) == 1, as Django


def test_an_empty_value_does_not_filter() -> None:
    """Given every filter with an empty value, when listing, then every portfolio is listed."""
    entries: list[Entry] = [(portfolio(1), None), (portfolio(2, is_active=False, employer_id=3), "e")]
    params = dict.fromkeys(
        [
            "id_min",
            "created_date",
            "created_to",
            "has_image",
            "is_active",
            "tags_in",
            "search",
            "employer_id",
        ],
        "",
    )

    assert by_id(entries, params) == [1, 2]


@pytest.mark.parametrize(
    ("name", "field"),
    [("is_active", "is_active"), ("has_image", "image_id"), ("has_description", "description")],
)
def test_boolean_filters_select_either_side_and_ignore_other_values(name: str, field: str) -> None:
    """Given portfolios with and without the property, when filtered by true/1 or false/0,
    then one side is listed; ``maybe`` lists both."""
    with_it = {"is_active": True, "image_id": 9, "description": "text"}[field]
    without_it = {"is_active": False, "image_id": None, "description": ""}[field]
    entries: list[Entry] = [
        (portfolio(1, **{field: with_it}), None),
        (portfolio(2, **{field: without_it}), None),
    ]
    if field == "description":  # null and "" are both "no description"
        entries.append((portfolio(3, description=None), None))

    all_ids = [record.id for record, _ in entries]

    assert by_id(entries, {name: "true"}) == by_id(entries, {name: "1"}) == [1]
    assert by_id(entries, {name: "FALSE"}) == by_id(entries, {name: "0"}) == all_ids[1:]
    assert by_id(entries, {name: "maybe"}) == all_ids


def test_employer_filters() -> None:
    """Given portfolios of two employers and one without, when filtered by employer_id or
    has_employer, then the exact employer, or presence / absence, selects."""
    entries: list[Entry] = [
        (portfolio(1, employer_id=7), "Digikala"),
        (portfolio(2, employer_id=8), "Divar"),
        (portfolio(3), None),
    ]

    assert by_id(entries, {"employer_id": "7"}) == [1]
    assert by_id(entries, {"employer_id": "9"}) == []
    assert by_id(entries, {"has_employer": "true"}) == [1, 2]
    assert by_id(entries, {"has_employer": "false"}) == [3]


def test_tag_filters() -> None:
    """Given portfolios with tags, when filtered by tag_id or tags_in, then a portfolio with
    that tag / at least one of them is listed; ``tags_in=,`` lists none."""
    entries: list[Entry] = [
        (portfolio(1, tag_ids=(1, 2)), None),
        (portfolio(2, tag_ids=(2, 3)), None),
        (portfolio(3), None),
    ]

    assert by_id(entries, {"tag_id": "2"}) == [1, 2]
    assert by_id(entries, {"tag_id": "4"}) == []
    assert by_id(entries, {"tags_in": "1,3"}) == [1, 2]
    assert by_id(entries, {"tags_in": "3,4"}) == [2]
    assert by_id(entries, {"tags_in": ","}) == []


def test_tags_in_with_many_tags_lists_each_portfolio_once() -> None:
    """Given portfolios holding many tags, when filtered by tags_in naming all of them, then
    each portfolio is listed exactly once."""
    entries: list[Entry] = [(portfolio(i, tag_ids=tuple(range(1, 41))), None) for i in range(1, 4)]

    ids = selected(entries, {"tags_in": ",".join(str(tag) for tag in range(1, 41))})

    assert sorted(ids) == [1, 2, 3]
    assert len(ids) == len(set(ids))


def test_a_date_filter_is_the_whole_utc_day_inclusive() -> None:
    """Given creations at the first and last microsecond of a UTC day and just outside it,
    when filtered by created_date, then exactly the two inside are listed (also for
    updated_date)."""
    instants = [
        "2024-03-08T23:59:59.999999",
        "2024-03-09T00:00:00",
        "2024-03-09T23:59:59.999999",
        "2024-03-10T00:00:00",
    ]
    entries: list[Entry] = [
        (portfolio(i, created_at_us=micros(text), updated_at_us=micros(text)), None)
        for i, text in enumerate(instants, start=1)
    ]

    assert by_id(entries, {"created_date": "2024-03-09"}) == [2, 3]
    assert by_id(entries, {"updated_date": "03/09/2024"}) == [2, 3]


@pytest.mark.parametrize("prefix", ["created", "updated"])
def test_datetime_ranges_are_inclusive_and_a_bare_date_to_covers_its_day(prefix: str) -> None:
    """Given instants around a day, when filtered by ``*_from`` / ``*_to``, then an exact
    instant bound includes that instant, and a bare date as ``*_to`` includes its whole day."""
    instants = [
        "2024-03-09T10:00:00",
        "2024-03-09T10:00:00.000001",
        "2024-03-09T23:59:59.999999",
        "2024-03-10T00:00",
    ]
    entries: list[Entry] = [
        (portfolio(i, **{f"{prefix}_at_us": micros(text)}), None) for i, text in enumerate(instants, start=1)
    ]

    assert by_id(entries, {f"{prefix}_from": "2024-03-09T10:00:00.000001Z"}) == [2, 3, 4]
    assert by_id(entries, {f"{prefix}_to": "2024-03-09T10:00:00Z"}) == [1]
    assert by_id(entries, {f"{prefix}_to": "2024-03-09"}) == [1, 2, 3]
    assert by_id(entries, {f"{prefix}_from": "2024-03-09T13:30+03:30", f"{prefix}_to": "2024-03-09"}) == [
        1,
        2,
        3,
    ]


def test_completed_at_ranges_never_match_a_portfolio_not_completed() -> None:
    """Given completed and not-completed portfolios, when filtered by completed_at_from or
    completed_at_to (even wide open), then the not-completed one is never listed."""
    entries: list[Entry] = [
        (portfolio(1, completed_at_us=micros("2023-05-01T00:00")), None),
        (portfolio(2), None),
        (portfolio(3, completed_at_us=micros("2024-05-01T00:00")), None),
    ]

    assert by_id(entries, {"completed_at_from": "0001-01-01"}) == [1, 3]
    assert by_id(entries, {"completed_at_to": "9999-12-31"}) == [1, 3]
    assert by_id(entries, {"completed_at_from": "2024-01-01", "completed_at_to": "2024-05-01"}) == [3]
    assert by_id(entries, {"completed_at_to": "2024-05-01T00:00:00Z"}) == [1, 3]
    assert by_id(entries, {"completed_at_to": "2024-04-30T23:59:59.999999Z"}) == [1]


def test_filters_combine_with_and() -> None:
    """Given portfolios each failing a different filter, when all filters are given, then only
    the one passing all of them is listed."""
    entries: list[Entry] = [
        (portfolio(1, is_active=True, order=5, employer_id=1), "a"),
        (portfolio(2, is_active=False, order=5, employer_id=1), "a"),
        (portfolio(3, is_active=True, order=50, employer_id=1), "a"),
        (portfolio(4, is_active=True, order=5), None),
    ]

    assert by_id(entries, {"is_active": "true", "order_max": "10", "has_employer": "1"}) == [1]


# --- search -------------------------------------------------------------------------------


def search_catalogue() -> list[Entry]:
    return [
        (
            portfolio(
                1,
                title="Wordpress site",
                slug="wordpress-site",
                excerpt="Elementor",
                year=2023,
                employer_id=1,
            ),
            "Digikala",
        ),
        (
            portfolio(2, title="Shop", slug="shop", excerpt="An online shop", year=2021, employer_id=2),
            "Café Nadir",
        ),
        (portfolio(3, title="طراحی سایت فروشگاهی", slug="persian-shop", excerpt="", year=None), None),
        (portfolio(4, title="ÉCOLE", slug="ecole", excerpt="site for a school", year=1999), None),
    ]


@pytest.mark.parametrize(
    ("search", "ids"),
    [
        ("site", [1, 4]),  # title of one, excerpt of another
        ("wordpress-site", [1]),  # slug
        ("elementor", [1]),  # excerpt, other case
        ("2023", [1]),  # year as text
        ("202", [1, 2]),  # part of the year's text
        ("digikala", [1]),  # employer name
        ("café", [2]),
        ("CAFÉ", [2]),
        ("école", [4]),
        ("فروشگاه", [3]),
        ("site shop", []),  # AND: no portfolio holds both
        ("shop online", [2]),  # AND across two fields of the same portfolio
        ("shop,2021", [2]),
        ('"online shop"', [2]),
        ('"shop online"', []),  # a phrase is one term
        ("  ", [1, 2, 3, 4]),  # blank: no filtering
        ("xyz", []),
    ],
)
def test_search_needs_every_term_in_at_least_one_field(search: str, ids: list[int]) -> None:
    """Given portfolios with texts in title, slug, excerpt, year and employer name, when
    searched, then a portfolio is listed when every term is in at least one of its fields,
    case-insensitively (Unicode-aware)."""
    assert by_id(search_catalogue(), {"search": search}) == ids


def test_retrieve_applies_the_same_search_and_filters_as_the_list() -> None:
    """Given any query, when each portfolio is checked on its own (retrieve), then it matches
    exactly when the list selects it."""
    entries = search_catalogue()
    for params in ({"search": "site"}, {"search": "shop", "has_employer": "1"}, {"id_max": "2"}, {}):
        listed = set(selected(entries, params))
        for entry in entries:
            assert card_matches(columns(entry), parse_list_query(params)) is (entry[0].id in listed)


# --- everything at once, against a plain reading of the contract --------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
QUERIES = st.builds(
    ListQuery,
    filters=FILTERS,
    search=st.lists(
        st.sampled_from(["site", "SHOP", "é", "ÉCOLE", "202", "digikala", "ی", "a b", ""]), max_size=2
    ).map(tuple),
    ordering=st.lists(st.builds(OrderTerm, st.sampled_from(ORDERING_FIELDS), st.booleans()), max_size=3).map(
        lambda terms: tuple(terms) or parse_ordering(None)
    ),
)


def utc_date(instant_us: int) -> dt.date:
    return (_EPOCH + dt.timedelta(microseconds=instant_us)).date()


def contract_matches(record: PortfolioRecord, employer: str | None, query: ListQuery) -> bool:
    """The contract's Filters and Search tables, read literally, on the record itself."""
    f = query.filters
    completed = record.completed_at_us
    rules = [
        f.id_min is None or record.id >= f.id_min,
        f.id_max is None or record.id <= f.id_max,
        f.created_date is None or utc_date(record.created_at_us) == f.created_date,
        f.updated_date is None or utc_date(record.updated_at_us) == f.updated_date,
        f.created_from is None or record.created_at_us >= f.created_from,
        f.created_to is None or record.created_at_us <= f.created_to,
        f.updated_from is None or record.updated_at_us >= f.updated_from,
        f.updated_to is None or record.updated_at_us <= f.updated_to,
        f.completed_at_from is None or (completed is not None and completed >= f.completed_at_from),
        f.completed_at_to is None or (completed is not None and completed <= f.completed_at_to),
        f.order_min is None or record.order >= f.order_min,
        f.order_max is None or record.order <= f.order_max,
        f.has_image is None or (record.image_id is not None) is f.has_image,
        f.has_description is None or (record.description not in (None, "")) is f.has_description,
        f.has_employer is None or (record.employer_id is not None) is f.has_employer,
        f.is_active is None or record.is_active is f.is_active,
        f.employer_id is None or record.employer_id == f.employer_id,
        f.tag_id is None or f.tag_id in record.tag_ids,
        f.tags_in is None or any(tag in f.tags_in for tag in record.tag_ids),
    ]
    fields = [record.title, record.slug, record.excerpt]
    fields += [] if record.year is None else [str(record.year)]
    fields += [] if employer is None else [employer]
    found = all(any(term.casefold() in text.casefold() for text in fields) for term in query.search)
    return all(rules) and found


def contract_compare(left: Entry, right: Entry, ordering: tuple[OrderTerm, ...]) -> int:
    """The contract's Ordering: field by field, text by casefold then raw, null last
    ascending and first descending, ties by id ascending."""
    for term in ordering:
        values = []
        for record, employer in (left, right):
            value: object = {
                "title": (record.title.casefold(), record.title),
                "slug": (record.slug.casefold(), record.slug),
                "order": record.order,
                "year": record.year,
                "is_active": record.is_active,
                "client__name": None if employer is None else (employer.casefold(), employer),
                "created_at": record.created_at_us,
                "updated_at": record.updated_at_us,
            }[term.field]
            values.append(value)
        a, b = values
        if a == b:
            continue
        if a is None or b is None:
            null_first = term.descending
            return (-1 if null_first else 1) if a is None else (1 if null_first else -1)
        less = a < b  # type: ignore[operator]
        return (-1 if less else 1) * (-1 if term.descending else 1)
    return -1 if left[0].id < right[0].id else 1


@settings(max_examples=200, deadline=None, database=None)
@given(catalogues(), QUERIES)
def test_selection_and_order_are_the_contracts(entries: list[Entry], query: ListQuery) -> None:
    """Given any small catalogue and any combination of filters, search terms and ordering,
    when selected, then the portfolios and their order are what a plain reading of the
    contract gives, each portfolio at most once, and retrieve agrees with the list."""
    card_columns = columns(*entries)

    ids = [card_columns.ids[i] for i in select_positions(card_columns, query)]

    expected = sorted(
        (entry for entry in entries if contract_matches(*entry, query)),
        key=cmp_to_key(lambda left, right: contract_compare(left, right, query.ordering)),
    )
    assert ids == [record.id for record, _ in expected]
    for entry in entries:
        assert card_matches(columns(entry), query) is (entry[0].id in ids)
