"""The read path's cost does not grow with the catalogue (issue 9): at 20,000 portfolios a
cold container loads the packed snapshot in a handful of requests, and every warm list,
filtered, searched or deep, reads two items' worth of requests. (`make bench` measures the
same at 1k/10k/100k with bytes, read units and times.)"""

from __future__ import annotations

import pytest

from portfolio.domain.catalogue import import_catalogue
from portfolio.domain.demo import demo_catalogue
from portfolio.domain.import_format import parse_import
from tests.integration.support import call

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("scale")]

PORTFOLIOS = 20_000


def test_lists_at_20000_portfolios_cost_what_they_cost_at_any_size() -> None:
    # Given 20,000 demo portfolios (the import packs the snapshot when it ends)
    import_catalogue(parse_import(demo_catalogue(PORTFOLIOS)))
    # When a cold container lists
    cold = call("/api/portfolios/")
    # Then it answers in full from the snapshot: no Query of an index, a few requests
    assert cold.status == 200
    assert cold.body["count"] == PORTFOLIOS
    assert len(cold.body["results"]) == 10
    assert not any(request.operation in ("Query", "Scan") for request in cold.requests)
    assert len(cold.requests) <= 4
    # And every warm list reads the version and the page's documents, nothing else
    for url in (
        "/api/portfolios/",
        "/api/portfolios/?search=app&is_active=true&has_image=true&ordering=-year,title",
        "/api/portfolios/?employer_id=3&ordering=-created_at",
        f"/api/portfolios/?offset={PORTFOLIOS - 10}",
        "/api/portfolios/?created_from=2022-01-01&tags_in=1,2",
    ):
        reply = call(url)
        assert reply.status == 200, url
        assert [request.operation for request in reply.requests] == ["GetItem", "BatchGetItem"], url
