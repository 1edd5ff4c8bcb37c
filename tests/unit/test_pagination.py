"""The contract's Pagination rows: ``limit``, ``offset`` and the ``next``/``previous`` links."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    RequestUrl,
    next_link,
    parse_limit,
    parse_offset,
    previous_link,
)

pytestmark = pytest.mark.unit

STAGE_BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/api/portfolios/"
BASE = "https://api.example.com/api/portfolios/"


def test_limit_defaults_to_10_and_is_at_most_100() -> None:
    """Given no limit, 1, 100 or more than 100, when parsed, then it is 10, 1, 100, 100."""
    assert (DEFAULT_LIMIT, MAX_LIMIT) == (10, 100)
    assert parse_limit(None) == 10
    assert parse_limit("1") == 1
    assert parse_limit("100") == 100
    assert parse_limit("101") == 100
    assert parse_limit("99999999999999999999") == 100


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "", " ", "1.5", "1e2", "0x10"])
def test_a_limit_that_is_not_a_positive_integer_falls_back_to_the_default(raw: str) -> None:
    """Given a limit that is not a positive integer, when parsed, then it is the default, and
    it is no error."""
    assert parse_limit(raw) == 10


@pytest.mark.parametrize(("raw", "value"), [(" 7 ", 7), ("+7", 7), ("0_7", 7), ("٧", 7)])
def test_a_limit_is_read_as_python_reads_an_integer(raw: str, value: int) -> None:
    """Given what Python's int() accepts (spaces, a sign, underscores, other digits), when
    parsed, then it is that number (DRF's _positive_int)."""
    assert parse_limit(raw) == value


def test_offset_defaults_to_0_and_accepts_0() -> None:
    """Given no offset, 0 or 25, when parsed, then it is 0, 0, 25."""
    assert parse_offset(None) == 0
    assert parse_offset("0") == 0
    assert parse_offset("25") == 25


@pytest.mark.parametrize("raw", ["abc", "-1", "", "2.5", " "])
def test_an_offset_that_is_not_a_non_negative_integer_falls_back_to_0(raw: str) -> None:
    """Given an offset that is not a non-negative integer, when parsed, then it is 0."""
    assert parse_offset(raw) == 0


def test_a_huge_offset_is_kept() -> None:
    """Given an offset past any count, when parsed, then it is kept (the page is empty)."""
    assert parse_offset("1000000") == 1_000_000


def url(query: str = "", base: str = BASE) -> RequestUrl:
    """The URL a client called, with its query string decoded as API Gateway hands it over."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return RequestUrl(base=base, query=values)


def test_next_is_null_on_the_last_page() -> None:
    """Given offset + limit reaching or passing count, when the next link is built, then it
    is null."""
    assert next_link(url(), limit=10, offset=20, count=30) is None
    assert next_link(url(), limit=10, offset=25, count=30) is None
    assert next_link(url(), limit=10, offset=0, count=0) is None
    assert next_link(url(), limit=10, offset=0, count=10) is None


def test_next_replaces_limit_and_offset_in_the_callers_url() -> None:
    """Given a first page of 10 out of 11, when the next link is built, then it is the same
    URL with ``limit=10&offset=10``."""
    assert next_link(url(), limit=10, offset=0, count=11) == f"{BASE}?limit=10&offset=10"


def test_next_states_the_limit_even_when_the_client_gave_a_bad_one() -> None:
    """Given ``limit=abc`` (read as 10) and ``offset=5``, when the next link is built, then
    it carries ``limit=10&offset=15``."""
    assert next_link(url("limit=abc&offset=5"), limit=10, offset=5, count=50) == f"{BASE}?limit=10&offset=15"


def test_links_keep_every_other_parameter_sorted_by_name() -> None:
    """Given a query in any order with a repeated name and a blank value, when links are
    built, then the query is re-encoded with names sorted, repeated values kept in order and
    blank values kept."""
    called = url("search=site&tags_in=2&ordering=-title&tags_in=1&has_image=&limit=5&offset=10")

    assert next_link(called, limit=5, offset=10, count=100) == (
        f"{BASE}?has_image=&limit=5&offset=15&ordering=-title&search=site&tags_in=2&tags_in=1"
    )
    assert previous_link(called, limit=5, offset=10) == (
        f"{BASE}?has_image=&limit=5&offset=5&ordering=-title&search=site&tags_in=2&tags_in=1"
    )


def test_links_percent_encode_unicode_and_spaces_as_drf_does() -> None:
    """Given a search with Persian text, a space and reserved characters, when the next link
    is built, then they are UTF-8 percent-encoded and the space is ``+``."""
    called = url("search=%D8%B7%D8%B1%D8%A7%D8%AD%DB%8C+site%26co%3D1")

    assert next_link(called, limit=10, offset=0, count=20) == (
        f"{BASE}?limit=10&offset=10&search=%D8%B7%D8%B1%D8%A7%D8%AD%DB%8C+site%26co%3D1"
    )


def test_previous_is_null_on_the_first_page() -> None:
    """Given offset 0, when the previous link is built, then it is null."""
    assert previous_link(url("offset=0"), limit=10, offset=0) is None


@pytest.mark.parametrize(("offset", "limit"), [(10, 10), (5, 10), (1, 100)])
def test_previous_drops_offset_when_it_would_reach_the_first_item(offset: int, limit: int) -> None:
    """Given offset - limit <= 0, when the previous link is built, then it is the URL with
    ``offset`` removed (and ``limit`` stated)."""
    assert previous_link(url(f"offset={offset}&search=a"), limit=limit, offset=offset) == (
        f"{BASE}?limit={limit}&search=a"
    )


def test_previous_steps_back_by_limit() -> None:
    """Given offset 25 and limit 10, when the previous link is built, then it has offset 15."""
    assert previous_link(url("offset=25"), limit=10, offset=25) == f"{BASE}?limit=10&offset=15"


def test_an_offset_past_the_end_has_no_next_and_a_previous_one_page_back() -> None:
    """Given an offset past the end (results are empty), when links are built, then next is
    null and previous steps back by limit from the offset asked for (as DRF does)."""
    assert next_link(url("offset=500"), limit=10, offset=500, count=30) is None
    assert previous_link(url("offset=500"), limit=10, offset=500) == f"{BASE}?limit=10&offset=490"


def test_the_stage_prefix_of_an_execute_api_url_is_kept() -> None:
    """Given a client that called the default execute-api host (with the stage in the path),
    when links are built, then they keep scheme, host and ``/Prod`` prefix."""
    called = url("limit=2", base=STAGE_BASE)

    assert next_link(called, limit=2, offset=0, count=5) == f"{STAGE_BASE}?limit=2&offset=2"
    assert previous_link(called, limit=2, offset=2) == f"{STAGE_BASE}?limit=2"


@settings(max_examples=200, deadline=None, database=None)
@given(
    count=st.integers(min_value=0, max_value=250),
    limit=st.integers(min_value=1, max_value=100),
    start=st.integers(min_value=0, max_value=260),
)
def test_following_next_visits_every_item_exactly_once(count: int, limit: int, start: int) -> None:
    """Given any count and limit, when a client follows ``next`` from the first page to the
    end, then the pages cover every item exactly once; following ``previous`` from any
    offset leads back to the first page."""
    items = list(range(count))
    seen: list[int] = []
    link: str | None = f"{BASE}?search=x"
    while link is not None:
        query = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
        offset = parse_offset(query.get("offset"))
        seen.extend(items[offset : offset + limit])
        link = next_link(url(urlsplit(link).query), limit=limit, offset=offset, count=count)
    assert seen == items

    back: str | None = f"{BASE}?offset={start}"
    offsets = []
    while back is not None:
        offset = parse_offset(dict(parse_qsl(urlsplit(back).query)).get("offset"))
        offsets.append(offset)
        back = previous_link(url(urlsplit(back).query), limit=limit, offset=offset)
    assert offsets[-1] == 0
    assert len(offsets) == 1 + -(-start // limit)
