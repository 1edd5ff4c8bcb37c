"""HEAD, which the original's views answer (their Allow header lists it): the GET's status and
headers, without a body, for every route and every answer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.support import call
from tests.support.catalogue import fixture_portfolios, import_portfolios

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def catalogue(aws: None) -> None:
    import_portfolios(fixture_portfolios()[:3])


def as_head(event: dict[str, Any]) -> None:
    event["httpMethod"] = "HEAD"
    event["requestContext"]["httpMethod"] = "HEAD"


@pytest.mark.parametrize(
    "url",
    [
        "/api/portfolios/",
        "/api/portfolios/?search=x&ordering=-id",
        f"/api/portfolios/{fixture_portfolios()[0]['id']}/",
        "/api/portfolios/987654/",  # 404
        "/api/portfolios/?limit=x&ordering=nope",  # 400 or the default page, as GET answers
        "/api/portfolios",  # 301
        "/api/openapi.json",
    ],
)
def test_head_answers_as_get_without_a_body(url: str) -> None:
    # Given the GET answer of a URL
    got = call(url)
    # When the same URL is asked with HEAD
    head = call(url, adjust=as_head)
    # Then the status and headers are the GET's, and there is no body
    assert head.status == got.status
    assert head.headers == got.headers
    assert head.text == ""
    assert got.text != "" or got.status == 301  # a redirect has no body either way
