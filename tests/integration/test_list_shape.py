"""GET /api/portfolios/: what a page looks like — its envelope, every item's fields in the
original documents' order, nested objects, timestamps, sizes and media URLs.

Most tests read the shared data set (a dump of the original API): the API must serve its
objects back exactly. A few build the objects whose rendering the contract pins down.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from portfolio.api.schemas import PortfolioPage
from tests.integration.support import (
    EXECUTE_API_HOST,
    IMAGE_FIELDS,
    LIST_FIELDS,
    MEDIA_BASE,
    as_served,
    call,
    catalogue,
    list_item,
    walk,
)
from tests.support.catalogue import fixture_portfolios

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_set() -> Iterator[dict[int, dict[str, Any]]]:
    items = fixture_portfolios()
    with catalogue(items):
        yield {item["id"]: item for item in items}


@pytest.fixture(autouse=True)
def aws(data_set: dict[int, dict[str, Any]]) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def test_a_page_is_count_next_previous_results_as_json() -> None:
    # When a client lists portfolios without parameters
    reply = call("/api/portfolios/")

    # Then it gets DRF's LimitOffsetPagination envelope, as JSON
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    body = reply.body
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 122
    assert body["next"] == f"https://{EXECUTE_API_HOST}/Prod/api/portfolios/?limit=10&offset=10"
    assert body["previous"] is None
    assert len(body["results"]) == 10


def test_every_list_item_is_the_original_object_without_the_detail_fields(
    data_set: dict[int, dict[str, Any]],
) -> None:
    # Given the shared data set, imported
    # When a client reads every page
    ids, pages = walk("/api/portfolios/?limit=100")

    # Then every item is the original's list object: same fields, same order (at every
    # level), same values; only the media host differs
    assert sorted(ids) == sorted(data_set)
    for page in pages:
        for item in page.body["results"]:
            expected = list_item(as_served(data_set[item["id"]]))
            assert list(item) == LIST_FIELDS
            assert json.dumps(item, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_pages_validate_against_the_published_response_model() -> None:
    _, pages = walk("/api/portfolios/?limit=100")

    for page in pages:
        PortfolioPage.model_validate(page.body)


def _images(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every image object a list item embeds."""
    if item["image_data"] is not None:
        yield item["image_data"]
    employer = item["employer_data"]
    if employer is not None and employer["image_data"] is not None:
        yield employer["image_data"]
    for related in (*item["tags_data"], *item["links_data"]):
        if related["image_data"] is not None:
            yield related["image_data"]


def test_nested_objects_have_the_documented_fields_in_the_documented_order() -> None:
    _, pages = walk("/api/portfolios/?limit=100")
    items = [item for page in pages for item in page.body["results"]]

    images = [image for item in items for image in _images(item)]
    assert images
    assert all(list(image) == IMAGE_FIELDS for image in images)
    assert all(list(thumb) == ["id", "f", "size"] for image in images for thumb in image["thumbnails"])
    employers = [item["employer_data"] for item in items if item["employer_data"] is not None]
    assert employers
    assert all(list(employer) == ["id", "name", "image_data", "description"] for employer in employers)
    tags = [tag for item in items for tag in item["tags_data"]]
    assert tags
    assert all(list(tag) == ["id", "name", "image_data"] for tag in tags)
    links = [link for item in items for link in item["links_data"]]
    assert links
    assert all(list(link) == ["id", "name", "url", "image_data", "description"] for link in links)
    # Null where the data set has nothing: no cover, no employer, never completed
    assert any(item["image_data"] is None for item in items)
    assert any(item["employer_data"] is None for item in items)
    assert any(item["completed_at"] is None for item in items)


def test_media_urls_are_the_media_base_url_plus_the_storage_key() -> None:
    _, pages = walk("/api/portfolios/?limit=100&has_image=true")

    urls = [
        url
        for page in pages
        for item in page.body["results"]
        for url in [item["image_data"]["f"], *(thumb["f"] for thumb in item["image_data"]["thumbnails"])]
    ]
    assert urls
    assert all(url.startswith(f"{MEDIA_BASE}/core_media/") for url in urls)


def test_thumbnails_are_sorted_by_their_edge() -> None:
    _, pages = walk("/api/portfolios/?limit=100&has_image=1")

    for page in pages:
        for item in page.body["results"]:
            edges = [thumb["size"] for thumb in item["image_data"]["thumbnails"]]
            assert edges == sorted(edges)
