"""Which DynamoDB index a list call reads, and that it never changes the answer.

Filters on ``employer_id``, ``created_*`` and ``updated_*`` become key conditions on the
matching GSI; everything else reads the catalogue index. The index is observed with botocore
event hooks on the data layer's clients, and each answer is compared with the one the same
request gets when the planner is forced to read the whole catalogue index. No request scans
a table (``call`` checks that on every API call of the suite; the last tests prove that the
check would catch one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portfolio.data.models import PortfolioCardModel
from portfolio.domain import portfolios as service
from portfolio.domain.cards import ALL_CARD_FIELDS, CardField
from portfolio.domain.filters import Filters
from portfolio.domain.planner import CardIndex, CardReadPlan
from tests.integration.support import call, catalogue, dynamodb_requests
from tests.support.catalogue import fixture_portfolios

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_set() -> Iterator[list[dict[str, Any]]]:
    items = fixture_portfolios()
    with catalogue(items):
        yield items


@pytest.fixture(autouse=True)
def aws(data_set: list[dict[str, Any]]) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def _whole_catalogue(_: Filters, *, fields: frozenset[CardField] = ALL_CARD_FIELDS) -> CardReadPlan:
    return CardReadPlan(CardIndex.CATALOGUE, fields=fields)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("employer_id=3", "employer-index"),
        ("employer_id=3&id_min=50&id_max=120", "employer-index"),
        ("employer_id=4&created_from=2024-01-01&search=app", "employer-index"),
        ("created_date=2025-03-24", "created-index"),
        ("created_date=2025-03-24&created_from=2025-03-24T12:00:00Z", "created-index"),
        ("updated_date=2024-08-21&updated_to=2024-08-21T18:00:00Z", "updated-index"),
        ("created_from=2024-01-01&created_to=2024-12-31", "created-index"),
        ("created_to=2023-06-30", "created-index"),
        ("created_from=2024-06-01T12:00:00%2B03:30&updated_to=2025-01-01", "created-index"),
        ("updated_date=2024-08-21", "updated-index"),
        ("updated_from=2025-01-01T00:00:00-05:00", "updated-index"),
        ("updated_to=2024-01-01&ordering=-title", "updated-index"),
        ("", "catalogue-index"),
        ("id_min=100&id_max=160", "catalogue-index"),
        ("search=app&ordering=-year,title&has_image=1&tags_in=6,20", "catalogue-index"),
    ],
)
def test_the_planned_index_gives_the_answer_of_the_whole_catalogue(
    query: str, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When a client lists with these parameters
    planned = call(f"/api/portfolios/?{query}&limit=100")

    # Then the cards are read with Query on the expected index only, a page's documents with
    # one BatchGetItem, within the budget of 4 requests
    queries = [request for request in planned.requests if request.operation == "Query"]
    assert queries
    assert {request.index for request in queries} == {index}
    assert {request.operation for request in planned.requests} <= {"Query", "BatchGetItem"}
    assert len(planned.requests) <= 4

    # And the answer is the one reading every card gives
    monkeypatch.setattr(service, "plan_card_read", _whole_catalogue)
    unplanned = call(f"/api/portfolios/?{query}&limit=100")
    assert {request.index for request in unplanned.requests if request.operation == "Query"} == {
        "catalogue-index"
    }
    assert planned.status == unplanned.status == 200
    assert planned.body["count"] > 0
    assert planned.body == unplanned.body


def test_an_employer_query_returns_exactly_that_employers_portfolios(data_set: list[dict[str, Any]]) -> None:
    expected = sorted(item["id"] for item in data_set if (item["employer_data"] or {}).get("id") == 3)

    reply = call("/api/portfolios/?employer_id=3&limit=100")

    assert sorted(reply.ids()) == expected
    assert reply.body["count"] == len(expected) == 16


def test_a_created_range_returns_exactly_the_portfolios_created_in_it(data_set: list[dict[str, Any]]) -> None:
    expected = sorted(
        item["id"] for item in data_set if "2024-01-01" <= item["created_at"][:10] <= "2024-12-31"
    )

    reply = call("/api/portfolios/?created_from=2024-01-01&created_to=2024-12-31&limit=100")

    assert sorted(reply.ids()) == expected
    assert expected


@pytest.mark.parametrize(
    ("query", "count"),
    [
        # The data set has a portfolio created at 2025-03-24T13:09:39.000500Z
        ("created_from=2025-03-24T13:09:39.000500Z&created_to=2025-03-24T13:09:39.000500Z", 1),
        ("created_from=2025-03-24&created_to=2025-03-24T13:09:39.000499Z", 0),
        ("created_from=2025-03-24T13:09:39Z&created_to=2025-03-24T13:09:39Z", 0),
        # and one updated at 2024-08-21T14:06:43.999999Z, another later that day
        ("updated_from=2024-08-21T14:06:43.999999Z&updated_to=2024-08-21T14:06:43.999999Z", 1),
        ("updated_date=2024-08-21&updated_from=2024-08-21T14:06:44Z", 1),
        ("updated_date=2024-08-21&updated_to=2024-08-21T14:06:43.999998Z", 0),
    ],
)
def test_index_ranges_are_exact_to_the_microsecond(query: str, count: int) -> None:
    reply = call(f"/api/portfolios/?{query}")

    assert reply.body["count"] == count


def test_an_empty_index_range_answers_without_error() -> None:
    reply = call("/api/portfolios/?created_from=2025-01-01&created_to=2024-01-01")

    assert reply.status == 200
    assert reply.body == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_request_recorder_sees_a_scan() -> None:
    # The guard in call() relies on these hooks: a Scan through the data layer is recorded
    with dynamodb_requests() as requests:
        list(PortfolioCardModel.scan(limit=1))

    assert [request.operation for request in requests] == ["Scan"]


def test_an_api_call_that_scans_fails_the_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a data layer that (wrongly) scans for its cards
    from portfolio.data import portfolios as store

    def scanning_read_cards(plan: CardReadPlan) -> list[Any]:
        list(PortfolioCardModel.scan())
        return []

    monkeypatch.setattr(store, "read_cards", scanning_read_cards)

    # Then calling the API through the suite's helper fails
    with pytest.raises(AssertionError, match="scanned"):
        call("/api/portfolios/")
