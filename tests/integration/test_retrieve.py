"""GET /api/portfolios/{id}/: one portfolio with the detail-only fields, on the shared data set.

The retrieve serves the data set's objects back exactly (gallery in gallery order, meta with
its files), and applies the list's search and filters as DRF's get_object() does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from portfolio.api.schemas import PortfolioDetail
from tests.integration.support import DETAIL_FIELDS, IMAGE_FIELDS, MEDIA_BASE, as_served, call, catalogue
from tests.support.catalogue import fixture_portfolios

pytestmark = pytest.mark.integration

NO_PORTFOLIO = {"detail": "No Portfolio matches the given query."}
NOT_FOUND = {"detail": "Not found."}


@pytest.fixture(scope="module")
def data_set() -> Iterator[dict[int, dict[str, Any]]]:
    items = fixture_portfolios()
    with catalogue(items):
        yield {item["id"]: item for item in items}


@pytest.fixture(autouse=True)
def aws(data_set: dict[int, dict[str, Any]]) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def test_every_portfolio_is_served_exactly_as_in_the_data_set(data_set: dict[int, dict[str, Any]]) -> None:
    for portfolio_id, original in data_set.items():
        reply = call(f"/api/portfolios/{portfolio_id}/")

        assert reply.status == 200
        assert reply.header("Content-Type") == "application/json"
        assert list(reply.body) == DETAIL_FIELDS
        # Same fields in the same order at every level, same values (media host aside)
        assert json.dumps(reply.body, ensure_ascii=False) == json.dumps(
            as_served(original), ensure_ascii=False
        )
        PortfolioDetail.model_validate(reply.body)


def test_the_gallery_is_in_gallery_order_not_id_order() -> None:
    # Portfolio 4's gallery is images 112, 107, 119, in that order
    body = call("/api/portfolios/4/").body

    assert [picture["id"] for picture in body["images_data"]] == [112, 107, 119]
    first = body["images_data"][0]
    assert list(first) == IMAGE_FIELDS
    assert first["f"] == f"{MEDIA_BASE}/core_media/2025/07/15/shot_008.png"
    assert (first["size"], first["human_readable_size"]) == (3391490, "3.23 MB")


def test_meta_entries_carry_a_text_or_a_file() -> None:
    body = call("/api/portfolios/11/").body

    assert body["meta"][0] == {
        "id": 4,
        "key": "source_code",
        "value_text": "",
        "value_file": {
            "id": 159,
            "type": "audio",
            "name": "بروشور",
            "size": 14941228,
            "human_readable_size": "14.25 MB",
            "f": f"{MEDIA_BASE}/core_media/2025/09/16/contract_4.mp3",
        },
    }


def test_meta_without_a_file_has_value_file_null(data_set: dict[int, dict[str, Any]]) -> None:
    portfolio_id, entry = next(
        (item["id"], entry) for item in data_set.values() for entry in item["meta"] if not entry["value_file"]
    )

    body = call(f"/api/portfolios/{portfolio_id}/").body

    served = next(served for served in body["meta"] if served["id"] == entry["id"])
    assert list(served) == ["id", "key", "value_text", "value_file"]
    assert served["value_file"] is None
    assert served["value_text"] == entry["value_text"]


# Portfolio 11: "Sahand Portfolio Site", slug sahand-portfolio-site, year 2020, employer
# digikala, active, order 5, created 2025-06-27T20:46:43Z, completed 2021-02-24T15:44:51Z,
# tags 10, 14 and 17, a description and a cover image.
@pytest.mark.parametrize(
    "query",
    [
        "search=sahand",
        "search=SAHAND+2020",
        "search=digikala,portfolio",
        'search="portfolio site"',
        "is_active=true&has_image=1&has_description=true&has_employer=true",
        "id_min=11&id_max=11&order_min=5&order_max=5",
        "created_date=2025-06-27&created_from=2025-06-27T20:46:43Z&created_to=2025-06-27",
        "completed_at_from=2021-02-24&completed_at_to=2021-02-24",
        "tag_id=14&tags_in=1,17",
        "is_active=maybe&id_min=",
        # pagination and ordering do not apply to one object
        "limit=abc&offset=-3&ordering=bogus",
    ],
)
def test_a_portfolio_matching_the_search_and_filters_is_served(query: str) -> None:
    reply = call(f"/api/portfolios/11/?{query}")

    assert reply.status == 200
    assert reply.body["id"] == 11


@pytest.mark.parametrize(
    "query",
    [
        "search=zebra",
        "search=sahand+zebra",
        'search="site portfolio"',
        "is_active=false",
        "has_image=false",
        "has_employer=0",
        "id_min=12",
        "order_max=4",
        "created_date=2025-06-28",
        "created_to=2025-06-27T20:46:42Z",
        "completed_at_from=2021-02-25",
        "tag_id=1",
        "tags_in=1,2,3",
        "employer_id=2",
    ],
)
def test_a_portfolio_not_matching_the_search_or_filters_is_a_404(query: str) -> None:
    reply = call(f"/api/portfolios/11/?{query}")

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == NO_PORTFOLIO


def test_an_invalid_filter_is_the_same_400_as_on_the_list() -> None:
    query = "id_min=abc&created_date=2023-13-45&completed_at_from=yesterday"

    on_retrieve = call(f"/api/portfolios/11/?{query}")
    on_list = call(f"/api/portfolios/?{query}")

    assert on_retrieve.status == on_list.status == 400
    assert (
        on_retrieve.body
        == on_list.body
        == {
            "id_min": ["Enter a number."],
            "created_date": ["Enter a valid date."],
            "completed_at_from": ["Enter a valid date/time."],
        }
    )


def test_an_invalid_filter_is_a_400_even_for_a_missing_portfolio() -> None:
    reply = call("/api/portfolios/9999/?tags_in=1,x")

    assert reply.status == 400
    assert reply.body == {"tags_in": ["Enter a number."]}


def test_a_search_with_a_nul_character_is_a_400() -> None:
    reply = call("/api/portfolios/11/", query=[("search", "sahand\x00")])

    assert reply.status == 400
    assert reply.body == ["Null characters are not allowed."]


@pytest.mark.parametrize("portfolio_id", ["9999", "1", "0", "-4", "99999999999999999999999"])
def test_a_missing_portfolio_is_a_404_no_portfolio_matches(portfolio_id: str) -> None:
    reply = call(f"/api/portfolios/{portfolio_id}/")

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == NO_PORTFOLIO


@pytest.mark.parametrize("portfolio_id", ["abc", "4x", "1e3", "0x10", "four"])
def test_a_non_integer_id_is_a_404_not_found(portfolio_id: str) -> None:
    reply = call(f"/api/portfolios/{portfolio_id}/")

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == NOT_FOUND


def test_a_retrieve_reads_dynamodb_at_most_twice_without_scanning() -> None:
    reply = call("/api/portfolios/11/?search=sahand")

    assert reply.status == 200
    assert len(reply.requests) <= 2
    assert {request.operation for request in reply.requests} <= {"GetItem", "BatchGetItem", "Query"}
