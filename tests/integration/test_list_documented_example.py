"""The original documents' example responses, served back exactly.

The two portfolios of the list document's example (with the retrieve document's detail
fields for 148) are imported; the list and the retrieve must answer the documents' JSON,
byte for byte once the media host is swapped: same fields, nesting, order and renderings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portfolio.api.schemas import PortfolioDetail, PortfolioPage
from tests.integration.support import as_served, call, catalogue

pytestmark = pytest.mark.integration

ORIGINAL = Path(__file__).resolve().parents[1] / "data" / "original"


def _example(name: str) -> dict[str, Any]:
    return json.loads((ORIGINAL / name).read_text(encoding="utf-8"))


LIST_EXAMPLE = _example("list_portfolios_example.json")
RETRIEVE_EXAMPLE = _example("retrieve_portfolio_example.json")


def _compact(value: Any) -> str:
    # DRF's JSONRenderer: compact separators, non-ASCII kept.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture(scope="module")
def documented_portfolios() -> Iterator[None]:
    wordpress_site, _web_design = LIST_EXAMPLE["results"]
    items = [
        {**wordpress_site, "description": None, "images_data": [], "meta": []},
        RETRIEVE_EXAMPLE,
    ]
    with catalogue(items):
        yield


@pytest.fixture(autouse=True)
def aws(documented_portfolios: None) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def test_the_list_answers_the_documented_example_response() -> None:
    # When a client lists the portfolios (both have order 1: the newer comes first)
    reply = call("/api/portfolios/")

    # Then the body is the document's example, as DRF renders it
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    assert reply.text == _compact(as_served(LIST_EXAMPLE))
    PortfolioPage.model_validate(reply.body)


def test_the_retrieve_answers_the_documented_example_response() -> None:
    reply = call("/api/portfolios/148/")

    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    assert reply.text == _compact(as_served(RETRIEVE_EXAMPLE))
    PortfolioDetail.model_validate(reply.body)


def test_a_list_item_carries_no_detail_field_and_the_retrieve_adds_them_last() -> None:
    (listed,) = [item for item in call("/api/portfolios/").body["results"] if item["id"] == 148]
    detail = call("/api/portfolios/148/").body

    assert list(detail) == [*listed, "description", "images_data", "meta"]
    assert {name: detail[name] for name in listed} == listed
