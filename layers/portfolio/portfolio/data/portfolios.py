"""Reading portfolios: cards for search/filter/ordering, documents for the answer.

Request paths read with Query, GetItem and BatchGetItem only (never Scan).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.pagination import PageIterator

from portfolio.data.deadline import ensure_time_for_a_request
from portfolio.data.models import CATALOGUE_PARTITION, PortfolioCardModel, PortfolioDocumentModel
from portfolio.domain.cards import Card, CardBatch
from portfolio.domain.planner import CardIndex, CardReadPlan

# DynamoDB's own limit for one BatchGetItem.
_BATCH_GET_LIMIT = 100

_RANGE_ATTRIBUTE = {
    CardIndex.CATALOGUE: PortfolioCardModel.id,
    CardIndex.CREATED: PortfolioCardModel.created_at_us,
    CardIndex.UPDATED: PortfolioCardModel.updated_at_us,
    CardIndex.EMPLOYER: PortfolioCardModel.id,
}


def _card_from_model(model: PortfolioCardModel) -> Card:
    return Card(
        id=int(model.id),
        created_at_us=int(model.created_at_us),
        updated_at_us=int(model.updated_at_us),
        employer_id=int(model.employer_id) if model.employer_id is not None else None,
        text=model.text,
        numbers=model.numbers,
    )


def read_cards(plan: CardReadPlan) -> CardBatch:
    """Every card in the plan's index range (all pages of one Query), as columns."""
    batch = CardBatch(ids=[], created_at_us=[], updated_at_us=[], employer_ids=[], text=[], numbers=[])
    if plan.low is not None and plan.high is not None and plan.low > plan.high:
        return batch
    range_attribute = _RANGE_ATTRIBUTE[plan.index]
    condition: Condition | None
    if plan.low is not None and plan.high is not None:
        condition = range_attribute.between(plan.low, plan.high)
    elif plan.low is not None:
        condition = range_attribute >= plan.low
    elif plan.high is not None:
        condition = range_attribute <= plan.high
    else:
        condition = None
    hash_key = str(plan.employer_id) if plan.index is CardIndex.EMPLOYER else CATALOGUE_PARTITION
    connection = PortfolioCardModel._get_connection()
    pages: PageIterator[dict[str, Any]] = PageIterator(
        connection.query, (hash_key,), {"range_key_condition": condition, "index_name": plan.index.value}
    )
    # Columns straight from the wire format: a list call decodes thousands of cards, and a
    # pynamodb model per card costs ~10x more than these comprehensions.
    ensure_time_for_a_request()
    for page in pages:
        items = page.get("Items", [])
        batch.ids.extend([int(item["id"]["N"]) for item in items])
        batch.created_at_us.extend([item["c"]["N"] for item in items])
        batch.updated_at_us.extend([item["u"]["N"] for item in items])
        batch.employer_ids.extend([item["e"]["N"] if "e" in item else None for item in items])
        batch.text.extend([item["t"]["S"] for item in items])
        batch.numbers.extend([item["n"]["S"] for item in items])
        if page.get("LastEvaluatedKey"):
            ensure_time_for_a_request()  # the next page is another request
    return batch


def get_card(portfolio_id: int) -> Card | None:
    ensure_time_for_a_request()
    try:
        return _card_from_model(PortfolioCardModel.get(portfolio_id))
    except DoesNotExist:
        return None


def get_summaries(portfolio_ids: Iterable[int]) -> dict[int, str]:
    """The stored list items (JSON text) of these portfolios (one BatchGetItem per 100 ids)."""
    ids = list(dict.fromkeys(portfolio_ids))
    summaries: dict[int, str] = {}
    for start in range(0, len(ids), _BATCH_GET_LIMIT):
        ensure_time_for_a_request()
        chunk = ids[start : start + _BATCH_GET_LIMIT]
        for document in PortfolioDocumentModel.batch_get(chunk, attributes_to_get=["id", "summary"]):
            summaries[int(document.id)] = document.summary
    return summaries


def get_document(portfolio_id: int) -> tuple[str, str] | None:
    """The stored list item and detail fields (JSON texts) of one portfolio."""
    ensure_time_for_a_request()
    try:
        document = PortfolioDocumentModel.get(
            portfolio_id,
            attributes_to_get=["id", "summary", "detail"],
        )
    except DoesNotExist:
        return None
    return document.summary, document.detail
