"""GET /api/portfolios/ pagination: DRF's LimitOffsetPagination on the shared data set.

``limit`` (default 10, at most 100, bad values fall back), ``offset`` (bad values mean 0),
``next``/``previous`` as absolute URLs of the URL the client called (stage prefix included
on an execute-api host, parameters sorted), and following ``next`` to the end returns every
match exactly once, in the unpaginated order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.support import EXECUTE_API_HOST, call, catalogue, walk
from tests.support.catalogue import fixture_portfolios

pytestmark = pytest.mark.integration

LIST_URL = f"https://{EXECUTE_API_HOST}/Prod/api/portfolios/"


@pytest.fixture(scope="module")
def data_set() -> Iterator[list[dict[str, Any]]]:
    items = fixture_portfolios()
    with catalogue(items):
        yield items


@pytest.fixture(autouse=True)
def aws(data_set: list[dict[str, Any]]) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


@pytest.fixture
def default_order(data_set: list[dict[str, Any]]) -> list[int]:
    """The contract's default ordering, computed from the data set: ``order`` ascending,
    ``created_at`` descending, ties by id."""

    def key(item: dict[str, Any]) -> tuple[int, float, int]:
        created = dt.datetime.fromisoformat(item["created_at"]).timestamp()
        return item["order"], -created, item["id"]

    return [item["id"] for item in sorted(data_set, key=key)]


def test_the_default_page_is_the_first_ten_in_the_default_order(default_order: list[int]) -> None:
    reply = call("/api/portfolios/")

    assert reply.body["count"] == 122
    assert reply.ids() == default_order[:10]
    assert reply.body["next"] == f"{LIST_URL}?limit=10&offset=10"
    assert reply.body["previous"] is None


def test_limit_and_offset_select_the_page(default_order: list[int]) -> None:
    reply = call("/api/portfolios/?limit=7&offset=21")

    assert reply.body["count"] == 122
    assert reply.ids() == default_order[21:28]


@pytest.mark.parametrize("limit", ["101", "1000", "99999999999999999999999"])
def test_a_limit_above_100_is_clamped_to_100(limit: str, default_order: list[int]) -> None:
    reply = call(f"/api/portfolios/?limit={limit}")

    assert reply.ids() == default_order[:100]
    assert reply.body["next"] == f"{LIST_URL}?limit=100&offset=100"


@pytest.mark.parametrize("limit", ["abc", "0", "-5", "", "1.5", "1e3", "ten"])
def test_a_limit_that_is_not_a_positive_integer_falls_back_to_10(
    limit: str, default_order: list[int]
) -> None:
    reply = call(f"/api/portfolios/?limit={limit}&offset=30")

    assert reply.status == 200
    assert reply.ids() == default_order[30:40]
    assert reply.body["next"] == f"{LIST_URL}?limit=10&offset=40"


@pytest.mark.parametrize("offset", ["abc", "-1", "", "2.5", "1e3"])
def test_an_offset_that_is_not_a_non_negative_integer_falls_back_to_0(
    offset: str, default_order: list[int]
) -> None:
    reply = call(f"/api/portfolios/?limit=5&offset={offset}")

    assert reply.status == 200
    assert reply.ids() == default_order[:5]
    assert reply.body["previous"] is None


@pytest.mark.parametrize(("offset", "previous_offset"), [(122, 112), (500, 490)])
def test_an_offset_past_the_end_gives_no_results_and_the_right_count(
    offset: int, previous_offset: int
) -> None:
    reply = call(f"/api/portfolios/?offset={offset}")

    assert reply.status == 200
    assert reply.body == {
        "count": 122,
        "next": None,
        "previous": f"{LIST_URL}?limit=10&offset={previous_offset}",
        "results": [],
    }


def test_the_last_page_has_no_next(default_order: list[int]) -> None:
    reply = call("/api/portfolios/?limit=10&offset=112")

    assert reply.ids() == default_order[112:]
    assert reply.body["next"] is None
    assert reply.body["previous"] == f"{LIST_URL}?limit=10&offset=102"


def test_next_and_previous_keep_the_other_parameters_sorted_by_name() -> None:
    # When a client asks for a middle page with a search, a filter and an unknown parameter
    reply = call("/api/portfolios/?search=a&offset=7&utm_source=mail&limit=5&has_image=true")

    # Then next and previous are this URL with limit/offset replaced, parameters sorted
    assert reply.body["next"] == (f"{LIST_URL}?has_image=true&limit=5&offset=12&search=a&utm_source=mail")
    assert reply.body["previous"] == (f"{LIST_URL}?has_image=true&limit=5&offset=2&search=a&utm_source=mail")


def test_previous_drops_offset_when_it_would_reach_the_first_page() -> None:
    reply = call("/api/portfolios/?offset=3&limit=5&ordering=title")

    assert reply.body["previous"] == f"{LIST_URL}?limit=5&ordering=title"
    assert reply.body["next"] == f"{LIST_URL}?limit=5&offset=8&ordering=title"


def test_previous_replaces_a_missing_or_invalid_limit_with_the_one_used() -> None:
    reply = call("/api/portfolios/?offset=25&limit=abc")

    assert reply.body["previous"] == f"{LIST_URL}?limit=10&offset=15"
    assert reply.body["next"] == f"{LIST_URL}?limit=10&offset=35"


def test_links_reencode_values_and_keep_repeated_parameters() -> None:
    # Given a search with a space and Persian text, and a repeated unknown parameter
    reply = call(
        "/api/portfolios/",
        query=[("search", "پنل فروشندگان"), ("tag", "x"), ("tag", "y"), ("limit", "1")],
    )

    # Then the links carry them percent-encoded (spaces as "+"), every value of a repeated name kept
    assert reply.body["count"] >= 2
    assert reply.body["next"] == (
        f"{LIST_URL}?limit=1&offset=1"
        "&search=%D9%BE%D9%86%D9%84+%D9%81%D8%B1%D9%88%D8%B4%D9%86%D8%AF%DA%AF%D8%A7%D9%86&tag=x&tag=y"
    )


def test_links_are_absolute_urls_on_the_host_the_client_called_without_stage_on_a_custom_domain() -> None:
    # Given the API reached through a custom domain (API Gateway puts no stage in the path)
    def on_custom_domain(event: dict[str, Any]) -> None:
        event["requestContext"]["path"] = event["path"]

    reply = call("/api/portfolios/?offset=10", host="api.example.com", adjust=on_custom_domain)

    assert reply.body["next"] == "https://api.example.com/api/portfolios/?limit=10&offset=20"
    assert reply.body["previous"] == "https://api.example.com/api/portfolios/?limit=10"


def test_links_are_built_whatever_the_case_of_the_header_names() -> None:
    # HTTP/2 clients send lower-case header names, which API Gateway passes on as they are
    def lower_case_headers(event: dict[str, Any]) -> None:
        event["headers"] = {name.lower(): value for name, value in event["headers"].items()}
        event["multiValueHeaders"] = {
            name.lower(): value for name, value in event["multiValueHeaders"].items()
        }

    reply = call("/api/portfolios/", adjust=lower_case_headers)

    assert reply.body["next"] == f"{LIST_URL}?limit=10&offset=10"


def test_links_carry_the_stage_the_client_called() -> None:
    reply = call("/api/portfolios/", stage="staging")

    assert reply.body["next"] == (f"https://{EXECUTE_API_HOST}/staging/api/portfolios/?limit=10&offset=10")


@pytest.mark.parametrize("limit", [12, 100])
def test_following_next_to_the_end_returns_every_portfolio_once_in_order(
    limit: int, default_order: list[int]
) -> None:
    ids, pages = walk(f"/api/portfolios/?limit={limit}")

    assert ids == default_order
    assert len(pages) == -(-122 // limit)
    assert all(page.body["count"] == 122 for page in pages)


def test_following_next_with_search_filters_and_ordering_returns_every_match_once_in_order() -> None:
    # Given a query that combines search, filters and a two-field ordering
    query = "search=app&has_employer=true&is_active=true&ordering=-year,client__name"
    unpaginated = call(f"/api/portfolios/?{query}&limit=100")
    assert 10 < unpaginated.body["count"] < 100, "one page must hold every match"

    # When a client follows next, three at a time
    ids, pages = walk(f"/api/portfolios/?{query}&limit=3")

    # Then it sees every match exactly once, in the unpaginated order
    assert ids == unpaginated.ids()
    assert len(set(ids)) == len(ids)
    assert all(page.body["count"] == unpaginated.body["count"] for page in pages)


def test_tags_in_with_every_tag_gives_each_tagged_portfolio_once_across_pages(
    data_set: list[dict[str, Any]],
) -> None:
    # Given the shared data set, where most portfolios have several of its 20 tags
    tag_ids = sorted({tag["id"] for item in data_set for tag in item["tags_data"]})
    tagged = sorted(item["id"] for item in data_set if item["tags_data"])
    assert len(tag_ids) >= 20
    assert any(len(item["tags_data"]) > 3 for item in data_set)

    # When a client asks for the portfolios with any of them, 9 at a time
    ids, pages = walk(f"/api/portfolios/?tags_in={','.join(map(str, tag_ids))}&limit=9")

    # Then each tagged portfolio comes exactly once
    assert sorted(ids) == tagged
    assert pages[0].body["count"] == len(tagged)


def test_walking_back_with_previous_returns_the_same_pages() -> None:
    _, forward = walk("/api/portfolios/?limit=25&ordering=slug")
    prefix = f"https://{EXECUTE_API_HOST}/Prod"

    backward = [forward[-1]]
    while (previous := backward[-1].body["previous"]) is not None:
        backward.append(call(previous.removeprefix(prefix)))

    assert [page.ids() for page in reversed(backward)] == [page.ids() for page in forward]
