"""Browsers and clients revalidate instead of downloading again: list and retrieve answers
carry a strong ETag and a Cache-Control fit for authenticated data, and a matching
If-None-Match gets 304 Not Modified without a body."""

from __future__ import annotations

import pytest

from tests.integration.support import call, portfolio
from tests.support.catalogue import import_portfolios

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("url", ["/api/portfolios/?limit=5", "/api/portfolios/1/"])
def test_an_unchanged_answer_is_not_sent_twice(url: str) -> None:
    # Given a catalogue and a first answer
    import_portfolios([portfolio(1, title="Shop"), portfolio(2, title="Blog")])
    first = call(url)
    assert first.status == 200
    tag = first.header("ETag")
    assert tag is not None
    assert tag.startswith('"')
    assert first.header("Cache-Control") == "private, no-cache"
    assert "Authorization" in (first.header("Vary") or "")
    # When the client revalidates with that ETag (weak or strong, alone or among others)
    for if_none_match in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = call(url, headers={"If-None-Match": if_none_match})
        # Then it gets 304 with the same ETag and no body
        assert again.status == 304, if_none_match
        assert again.text == ""
        assert again.header("ETag") == tag


def test_a_changed_answer_has_a_new_etag_and_is_sent() -> None:
    import_portfolios([portfolio(1, title="Shop")])
    first = call("/api/portfolios/1/")
    import_portfolios([portfolio(1, title="Shop, renamed")])
    second = call("/api/portfolios/1/", headers={"If-None-Match": first.header("ETag") or ""})
    assert second.status == 200
    assert second.body["title"] == "Shop, renamed"
    assert second.header("ETag") != first.header("ETag")


def test_errors_are_not_cacheable() -> None:
    import_portfolios([])
    reply = call("/api/portfolios/9/")
    assert reply.status == 404
    assert reply.header("ETag") is None
