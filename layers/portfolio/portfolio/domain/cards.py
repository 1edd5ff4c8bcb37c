"""Portfolio cards: the slim copy of each portfolio that search, filters and ordering read.

Every list call reads every card of the chosen index (a few thousand per DynamoDB page), so
a card is small and cheap to decode: besides its keys it holds two strings.

- ``text``: the searchable fields (title, slug, excerpt, year, employer name) joined by
  ``SEPARATOR``. Search casefolds it once and tests each term as a substring.
- ``numbers``: order, is_active, completed_at, has_description, image id and tag ids, joined
  by ``SEPARATOR``.

``CardColumns`` decodes a field for all cards at once, and only when a request needs it.
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

from portfolio.domain.records import PortfolioRecord

SEPARATOR = "\x1f"  # ASCII unit separator; removed from the fields themselves

# Positions in Card.text
TITLE, SLUG, EXCERPT, YEAR, EMPLOYER_NAME = range(5)
# Positions in Card.numbers
ORDER, IS_ACTIVE, COMPLETED_AT, HAS_DESCRIPTION, IMAGE_ID, TAG_IDS = range(6)


class Card(NamedTuple):
    id: int
    created_at_us: int
    updated_at_us: int
    employer_id: int | None
    text: str
    numbers: str


def _clean(value: str) -> str:
    return value.replace(SEPARATOR, " ")


def encode_card(record: PortfolioRecord, employer_name: str | None) -> Card:
    """The card of a portfolio (``employer_name`` comes from its employer record)."""
    text = SEPARATOR.join(
        (
            _clean(record.title),
            _clean(record.slug),
            _clean(record.excerpt),
            "" if record.year is None else str(record.year),
            "" if employer_name is None else _clean(employer_name),
        )
    )
    numbers = SEPARATOR.join(
        (
            str(record.order),
            "1" if record.is_active else "0",
            "" if record.completed_at_us is None else str(record.completed_at_us),
            "1" if record.has_description else "0",
            "" if record.image_id is None else str(record.image_id),
            ",".join(str(tag_id) for tag_id in record.tag_ids),
        )
    )
    return Card(
        id=record.id,
        created_at_us=record.created_at_us,
        updated_at_us=record.updated_at_us,
        employer_id=record.employer_id,
        text=text,
        numbers=numbers,
    )


def _optional_int(raw: str) -> int | None:
    return int(raw) if raw else None


class CardColumns:
    """Column-wise, lazily decoded view of a list of cards (index i is ``cards[i]``)."""

    def __init__(self, cards: list[Card]) -> None:
        self.cards = cards

    def __len__(self) -> int:
        return len(self.cards)

    @cached_property
    def ids(self) -> list[int]:
        return [card.id for card in self.cards]

    @cached_property
    def created_at(self) -> list[int]:
        return [card.created_at_us for card in self.cards]

    @cached_property
    def updated_at(self) -> list[int]:
        return [card.updated_at_us for card in self.cards]

    @cached_property
    def employer_id(self) -> list[int | None]:
        return [card.employer_id for card in self.cards]

    @cached_property
    def _text(self) -> list[list[str]]:
        return [card.text.split(SEPARATOR) for card in self.cards]

    @cached_property
    def _numbers(self) -> list[list[str]]:
        return [card.numbers.split(SEPARATOR) for card in self.cards]

    @cached_property
    def title(self) -> list[str]:
        return [parts[TITLE] for parts in self._text]

    @cached_property
    def slug(self) -> list[str]:
        return [parts[SLUG] for parts in self._text]

    @cached_property
    def year(self) -> list[int | None]:
        return [_optional_int(parts[YEAR]) for parts in self._text]

    @cached_property
    def employer_name(self) -> list[str | None]:
        return [
            parts[EMPLOYER_NAME] if card.employer_id is not None else None
            for card, parts in zip(self.cards, self._text, strict=True)
        ]

    @cached_property
    def order(self) -> list[int]:
        return [int(parts[ORDER]) for parts in self._numbers]

    @cached_property
    def is_active(self) -> list[bool]:
        return [parts[IS_ACTIVE] == "1" for parts in self._numbers]

    @cached_property
    def completed_at(self) -> list[int | None]:
        return [_optional_int(parts[COMPLETED_AT]) for parts in self._numbers]

    @cached_property
    def has_description(self) -> list[bool]:
        return [parts[HAS_DESCRIPTION] == "1" for parts in self._numbers]

    @cached_property
    def has_image(self) -> list[bool]:
        return [parts[IMAGE_ID] != "" for parts in self._numbers]

    @cached_property
    def tag_ids(self) -> list[frozenset[int]]:
        return [
            frozenset(int(tag) for tag in parts[TAG_IDS].split(",")) if parts[TAG_IDS] else frozenset()
            for parts in self._numbers
        ]
