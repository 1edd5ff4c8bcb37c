"""The original documents' ``requests`` examples, run against the local stack.

list-portfolios.txt lists with and without the trailing slash (the slash-less URL "results
to an extra redirect with 301 status"); retrieve-portfolio.txt retrieves
``/api/portfolios/123`` (slash-less too). Only the host differs from the documents."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from portfolio.api.schemas import PortfolioDetail, PortfolioPage
from tests.e2e.stack import RunningStack
from tests.support.catalogue import fixture_portfolios

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10


def _searchable(portfolio: dict) -> str:
    employer = portfolio["employer_data"]["name"] if portfolio["employer_data"] else ""
    year = str(portfolio.get("year") or "")
    return " ".join((portfolio["title"], portfolio["slug"], portfolio["excerpt"], year, employer)).casefold()


def test_list_all_portfolios(stack: RunningStack, admin: dict[str, str]) -> None:
    # When the document's first example runs
    response = requests.get(f"{stack.api_url}/api/portfolios/", headers=admin, timeout=TIMEOUT_S)
    # Then it answers the first page of every imported portfolio, in the contract's shape
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    page = PortfolioPage.model_validate(response.json())
    assert page.count == len(fixture_portfolios())
    assert len(page.results) == 10
    assert page.previous is None
    assert page.next == f"{stack.api_url}/api/portfolios/?limit=10&offset=10"


def test_search_with_filters_without_the_trailing_slash_redirects_then_filters(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # When the document's second example runs: no trailing slash, search and filters
    response = requests.get(
        f"{stack.api_url}/api/portfolios",
        params={"search": "site", "has_image": True, "limit": 20},
        headers=admin,
        timeout=TIMEOUT_S,
    )
    # Then the first answer is a 301 to the same URL with the slash, query kept
    assert [hop.status_code for hop in response.history] == [301]
    assert response.history[0].headers["Location"] == "/api/portfolios/?search=site&has_image=True&limit=20"
    # And the page after it holds exactly the portfolios with an image that contain "site"
    assert response.status_code == 200
    page = response.json()
    expected = {p["id"] for p in fixture_portfolios() if p["image_data"] and "site" in _searchable(p)}
    assert page["count"] == len(expected) > 0
    # And following `next` (a link this client can follow) returns every one of them once
    seen = [item["id"] for item in page["results"]]
    while page["next"]:
        assert page["next"].startswith(f"{stack.api_url}/api/portfolios/?")
        page = requests.get(page["next"], headers=admin, timeout=TIMEOUT_S).json()
        seen += [item["id"] for item in page["results"]]
    assert sorted(seen) == sorted(expected)
    assert all(item["image_data"] is not None for item in page["results"])


def test_retrieve_a_portfolio_without_the_trailing_slash(stack: RunningStack, admin: dict[str, str]) -> None:
    # Given a portfolio of the imported data set (the document's example response, id 148)
    expected = next(p for p in fixture_portfolios() if p["id"] == 148)
    # When the document's example runs against its id
    response = requests.get(f"{stack.api_url}/api/portfolios/148", headers=admin, timeout=TIMEOUT_S)
    # Then it is redirected once and answers the portfolio as imported (media on this stack)
    assert [hop.status_code for hop in response.history] == [301]
    assert response.status_code == 200
    detail = PortfolioDetail.model_validate(response.json()).model_dump(mode="json")
    assert detail["id"] == 148
    assert detail["title"] == expected["title"]
    assert detail["meta"] == [
        {**meta, "value_file": meta["value_file"] and {**meta["value_file"], "f": detail_file["f"]}}
        for meta, detail_file in zip(
            expected["meta"], [m["value_file"] or {} for m in detail["meta"]], strict=True
        )
    ]


def test_retrieve_the_documents_id_that_this_data_set_lacks_is_a_404(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    response = requests.get(f"{stack.api_url}/api/portfolios/123", headers=admin, timeout=TIMEOUT_S)
    assert [hop.status_code for hop in response.history] == [301]
    assert response.status_code == 404
    assert response.json() == {"detail": "No Portfolio matches the given query."}


def test_the_images_the_api_lists_load_from_the_local_s3_endpoint(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # Given a portfolio with a cover image
    page = requests.get(
        f"{stack.api_url}/api/portfolios/",
        params={"has_image": "true", "limit": 1},
        headers=admin,
        timeout=TIMEOUT_S,
    ).json()
    image = page["results"][0]["image_data"]
    # Then its `f` URL is on the stack's S3 endpoint and loads, as an image of the listed size
    assert image["f"].startswith(
        f"{stack.environment['AWS_ENDPOINT_URL']}/{stack.environment['MEDIA_BUCKET']}/"
    )
    original = requests.get(image["f"], timeout=TIMEOUT_S)
    assert original.status_code == 200
    assert original.headers["Content-Type"].startswith("image/")
    with Image.open(io.BytesIO(original.content)) as picture:
        assert picture.size == (image["width"], image["height"])
        assert picture.mode == image["mode"]
    # And so does each thumbnail, its longest edge at most its size
    for thumbnail in image["thumbnails"]:
        loaded = requests.get(thumbnail["f"], timeout=TIMEOUT_S)
        assert loaded.status_code == 200
        with Image.open(io.BytesIO(loaded.content)) as picture:
            assert max(picture.size) <= thumbnail["size"]
