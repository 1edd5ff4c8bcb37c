"""The read API's service functions: what the list and retrieve handlers call.

Each reads DynamoDB through ``portfolio.data`` with a fixed number of requests, whatever
the catalogue's size: a list call is one GetItem (the catalogue's version: are the cards this
container keeps fresh?) and one BatchGetItem for the page's documents; a retrieve is one
GetItem for the card and one for the document (both strongly consistent).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from portfolio.config import settings
from portfolio.data import portfolios as store
from portfolio.domain.card_cache import current_cards
from portfolio.domain.cards import CardColumns
from portfolio.domain.errors import InvalidLookup, PortfolioNotFound
from portfolio.domain.listing import card_matches, parse_list_query
from portfolio.domain.pagination import RequestUrl, next_link, previous_link
from portfolio.domain.records import MAX_RECORD_ID
from portfolio.domain.rendering import document_text_with_media_urls, merged_object_text
from portfolio.observability import MetricUnit, metrics


@dataclass(frozen=True, slots=True)
class PortfolioPage:
    """A page of the list; ``results`` are the items' JSON texts, as stored (URLs made)."""

    count: int
    next: str | None
    previous: str | None
    results: list[str]

    def json(self) -> str:
        """The page as DRF's paginated response body."""
        head = json.dumps(
            {"count": self.count, "next": self.next, "previous": self.previous},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f'{head[:-1]},"results":[{",".join(self.results)}]}}'


def portfolio_list(*, params: Mapping[str, str], url: RequestUrl) -> PortfolioPage:
    """One page of the portfolios matching the request's search and filters, in its order.

    Raises ``InvalidFilters`` / ``InvalidSearch`` for bad parameters.
    """
    query = parse_list_query(params)
    # Every card, kept by this container and checked fresh (portfolio.domain.card_cache).
    cards = current_cards()
    count, positions = cards.page(query)
    ids = cards.columns.ids
    page_ids = [ids[i] for i in positions]
    summaries = store.get_summaries(page_ids) if page_ids else {}
    metrics.add_metric(name="PortfoliosListed", unit=MetricUnit.Count, value=1)
    base_url = settings().media_base_url
    # A card without its document (a write in progress) is left out of the page.
    results = [
        document_text_with_media_urls(summaries[pid], base_url) for pid in page_ids if pid in summaries
    ]
    return PortfolioPage(
        count=count,
        next=next_link(url, limit=query.limit, offset=query.offset, count=count),
        previous=previous_link(url, limit=query.limit, offset=query.offset),
        results=results,
    )


def parse_portfolio_id(raw: str) -> int:
    """The id in a retrieve URL, read as Django reads a primary key (Python's ``int()``).

    Raises ``InvalidLookup`` when it is not an integer (DRF: "Not found.").
    """
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidLookup(raw) from exc


def portfolio_retrieve(*, raw_id: str, params: Mapping[str, str]) -> str:
    """One portfolio with its detail fields (JSON text), if it matches the request's search and filters
    (DRF's get_object() filters the queryset before the lookup).

    Raises ``InvalidFilters`` / ``InvalidSearch`` (400), ``InvalidLookup`` or
    ``PortfolioNotFound`` (404).
    """
    query = parse_list_query(params)
    portfolio_id = parse_portfolio_id(raw_id)
    if not 0 < portfolio_id <= MAX_RECORD_ID:
        raise PortfolioNotFound(raw_id)
    card = store.get_card(portfolio_id)
    if card is None or not card_matches(CardColumns([card]), query):
        raise PortfolioNotFound(raw_id)
    document = store.get_document(portfolio_id)
    if document is None:
        raise PortfolioNotFound(raw_id)
    summary, detail = document
    metrics.add_metric(name="PortfoliosRetrieved", unit=MetricUnit.Count, value=1)
    return document_text_with_media_urls(merged_object_text(summary, detail), settings().media_base_url)
