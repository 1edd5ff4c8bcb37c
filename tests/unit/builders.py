"""Small catalogues for the rule tests: portfolio records and their cards, built in the test
with only the fields the test is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portfolio.domain.cards import CardColumns, encode_card
from portfolio.domain.records import PortfolioRecord
from portfolio.domain.rendering import timestamp_micros

BASE_TIME = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def micros(text: str) -> int:
    """Microseconds since the epoch of an ISO 8601 instant (no offset: UTC)."""
    return timestamp_micros(dt.datetime.fromisoformat(text))


def portfolio(portfolio_id: int, **fields: Any) -> PortfolioRecord:
    """A portfolio with plausible defaults: every test names only what it is about."""
    values: dict[str, Any] = {
        "title": f"Portfolio {portfolio_id}",
        "slug": f"portfolio-{portfolio_id}",
        "excerpt": "",
        "order": 0,
        "is_active": True,
        "created_at_us": timestamp_micros(BASE_TIME),
        "updated_at_us": timestamp_micros(BASE_TIME),
    }
    values.update(fields)
    return PortfolioRecord(id=portfolio_id, **values)


def columns(*entries: PortfolioRecord | tuple[PortfolioRecord, str | None]) -> CardColumns:
    """The card columns of portfolios, each given alone (no employer) or with its employer's
    name (the record's ``employer_id`` must then be set)."""
    cards = []
    for entry in entries:
        record, employer_name = entry if isinstance(entry, tuple) else (entry, None)
        cards.append(encode_card(record, employer_name))
    return CardColumns(cards)
