"""Reading portfolios: cards for search/filter/ordering, documents for the answer.

Request paths read with Query, GetItem and BatchGetItem only (never Scan).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.pagination import PageIterator

from portfolio.data.deadline import ensure_time_for_a_request
from portfolio.data.models import (
    BATCH_GET_LIMIT,
    CATALOGUE_PARTITION,
    PortfolioCardModel,
    PortfolioDocumentModel,
)
from portfolio.domain.cards import Card, CardBatch, CardField

# The index every card is in (partition CATALOGUE_PARTITION, sort key id).
CATALOGUE_INDEX = "catalogue-index"

# Card field -> its attribute in PortfoliosTable (see PortfolioCardModel).
_CARD_ATTRIBUTES: dict[CardField, str] = {
    CardField.ID: "id",
    CardField.CREATED_AT: "c",
    CardField.UPDATED_AT: "u",
    CardField.EMPLOYER_ID: "e",
    CardField.TEXT: "t",
    CardField.NUMBERS: "n",
}


def card_from_model(model: PortfolioCardModel) -> Card:
    return Card(
        id=int(model.id),
        created_at_us=int(model.created_at_us),
        updated_at_us=int(model.updated_at_us),
        employer_id=int(model.employer_id) if model.employer_id is not None else None,
        text=model.text,
        numbers=model.numbers,
    )


class _QueryCardBatch(CardBatch):
    """Cards as DynamoDB returned them; each column is lifted off the wire format when the
    request first needs it (a pynamodb model per card would cost ~10x more)."""

    def __init__(self, items: list[dict[str, Any]], *, ordered_by_id: bool) -> None:
        self._items = items
        self._ordered_by_id = ordered_by_id

    def __len__(self) -> int:
        return len(self._items)

    @property
    def ordered_by_id(self) -> bool:
        return self._ordered_by_id

    def id_at(self, position: int) -> int:
        return int(self._items[position]["id"]["N"])

    @cached_property
    def ids(self) -> list[int]:
        return [int(item["id"]["N"]) for item in self._items]

    @cached_property
    def created_at_us(self) -> list[str]:
        return [item["c"]["N"] for item in self._items]

    @cached_property
    def updated_at_us(self) -> list[str]:
        return [item["u"]["N"] for item in self._items]

    @cached_property
    def employer_ids(self) -> list[str | None]:
        return [item["e"]["N"] if "e" in item else None for item in self._items]

    @cached_property
    def text(self) -> list[str]:
        return [item["t"]["S"] for item in self._items]

    @cached_property
    def numbers(self) -> list[str]:
        return [item["n"]["S"] for item in self._items]


def _read_catalogue_index() -> CardBatch:
    """Every card (all pages of one Query of catalogue-index, in id order), as columns."""
    items: list[dict[str, Any]] = []
    # The raw pages of pynamodb's own paginated Query (models are built per item otherwise).
    connection = PortfolioCardModel._get_connection()
    pages: PageIterator[dict[str, Any]] = PageIterator(
        connection.query,
        (CATALOGUE_PARTITION,),
        {"index_name": CATALOGUE_INDEX, "attributes_to_get": sorted(_CARD_ATTRIBUTES.values())},
    )
    ensure_time_for_a_request()
    for page in pages:
        items.extend(page.get("Items", []))
        if page.get("LastEvaluatedKey"):
            ensure_time_for_a_request()  # the next page is another request
    return _QueryCardBatch(items, ordered_by_id=True)


def read_all_cards() -> list[Card]:
    """Every card of the catalogue, in id order. catalogue-index is eventually consistent:
    ``portfolio.domain.card_cache`` reads the latest changes' cards again, strongly."""
    batch = _read_catalogue_index()
    return [
        Card(int(i), int(c), int(u), None if e is None else int(e), t, n)
        for i, c, u, e, t, n in zip(
            batch.ids,
            batch.created_at_us,
            batch.updated_at_us,
            batch.employer_ids,
            batch.text,
            batch.numbers,
            strict=True,
        )
    ]


def get_cards(portfolio_ids: Iterable[int]) -> list[Card]:
    """These portfolios' cards as stored now (strongly consistent; missing ids are skipped)."""
    ids = list(dict.fromkeys(portfolio_ids))
    cards: list[Card] = []
    for start in range(0, len(ids), BATCH_GET_LIMIT):
        ensure_time_for_a_request()
        chunk = ids[start : start + BATCH_GET_LIMIT]
        cards.extend(
            card_from_model(model) for model in PortfolioCardModel.batch_get(chunk, consistent_read=True)
        )
    return cards


def get_card(portfolio_id: int) -> Card | None:
    ensure_time_for_a_request()
    try:
        return card_from_model(PortfolioCardModel.get(portfolio_id, consistent_read=True))
    except DoesNotExist:
        return None


def get_summaries(portfolio_ids: Iterable[int]) -> dict[int, str]:
    """The stored list items (JSON text) of these portfolios (one BatchGetItem per 100 ids)."""
    ids = list(dict.fromkeys(portfolio_ids))
    summaries: dict[int, str] = {}
    for start in range(0, len(ids), BATCH_GET_LIMIT):
        ensure_time_for_a_request()
        chunk = ids[start : start + BATCH_GET_LIMIT]
        # Strongly consistent: a document written just before this call is the one served.
        for document in PortfolioDocumentModel.batch_get(
            chunk, consistent_read=True, attributes_to_get=["id", "summary"]
        ):
            summaries[int(document.id)] = document.summary
    return summaries


def get_document(portfolio_id: int) -> tuple[str, str] | None:
    """The stored list item and detail fields (JSON texts) of one portfolio."""
    ensure_time_for_a_request()
    try:
        document = PortfolioDocumentModel.get(
            portfolio_id,
            consistent_read=True,
            attributes_to_get=["id", "summary", "detail"],
        )
    except DoesNotExist:
        return None
    return document.summary, document.detail
