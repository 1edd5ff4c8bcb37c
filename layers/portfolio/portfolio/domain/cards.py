"""Portfolio cards: the slim copy of each portfolio that search, filters and ordering read.

Every list call reads every card of the chosen index (10,000 cards make two DynamoDB pages),
so a card is small and cheap to decode: besides its keys it holds two strings.

- ``text``: the searchable fields (title, slug, excerpt, year, employer name) joined by
  ``SEPARATOR``. Search casefolds it once and tests each term as a substring.
- ``numbers``: three flag characters (is_active, has_description, has_image: "1"/"0"), then
  order, completed_at, image id and tag ids, joined by ``SEPARATOR``. Boolean filters read a
  flag by position without splitting anything.

A list call gets its cards as a ``CardBatch`` (columns, as the data layer lifts them off the
wire); ``CardColumns`` decodes a field only when the request needs it, and for the sort only
at the positions that matched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the read path decodes cards; only the write path builds them from records
    from portfolio.domain.records import PortfolioRecord

SEPARATOR = "\x1f"  # ASCII unit separator; removed from the fields themselves

# Positions in Card.text
TITLE, SLUG, EXCERPT, YEAR, EMPLOYER_NAME = range(5)
# Positions in Card.numbers (after splitting on SEPARATOR)
FLAGS, ORDER, COMPLETED_AT, IMAGE_ID, TAG_IDS = range(5)
# Positions in the flags field (which is also the start of Card.numbers)
IS_ACTIVE_FLAG, HAS_DESCRIPTION_FLAG, HAS_IMAGE_FLAG = range(3)


class CardField(StrEnum):
    """What a list call may need of each card (a Query then asks DynamoDB for those only)."""

    ID = "id"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    EMPLOYER_ID = "employer_id"
    TEXT = "text"
    NUMBERS = "numbers"


ALL_CARD_FIELDS = frozenset(CardField)


class Card(NamedTuple):
    id: int
    created_at_us: int
    updated_at_us: int
    employer_id: int | None
    text: str
    numbers: str


def _clean(value: str) -> str:
    return value.replace(SEPARATOR, " ")


def _flag(value: bool) -> str:
    return "1" if value else "0"


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
            _flag(record.is_active) + _flag(record.has_description) + _flag(record.image_id is not None),
            str(record.order),
            "" if record.completed_at_us is None else str(record.completed_at_us),
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


class CardBatch(ABC):
    """Cards as columns (index i is one card). Timestamps and employer ids stay the decimal
    strings storage holds them as until a request needs their values. The data layer's
    batch builds each column from the wire format the first time it is asked for: a list
    call reads ten thousand cards and typically needs three of these six columns."""

    @abstractmethod
    def __len__(self) -> int: ...

    @property
    @abstractmethod
    def ids(self) -> list[int]: ...

    @property
    @abstractmethod
    def created_at_us(self) -> list[str]: ...

    @property
    @abstractmethod
    def updated_at_us(self) -> list[str]: ...

    @property
    @abstractmethod
    def employer_ids(self) -> list[str | None]: ...

    @property
    @abstractmethod
    def text(self) -> list[str]: ...

    @property
    @abstractmethod
    def numbers(self) -> list[str]: ...

    @property
    def ordered_by_id(self) -> bool:
        """Whether the cards are in ascending id order already (as an index keyed by id
        returns them), which spares sorting them by id."""
        return False

    def id_at(self, position: int) -> int:
        return self.ids[position]

    @classmethod
    def from_cards(cls, cards: Sequence[Card]) -> CardBatch:
        return _CardListBatch(cards)


class _CardListBatch(CardBatch):
    def __init__(self, cards: Sequence[Card]) -> None:
        self._cards = list(cards)

    def __len__(self) -> int:
        return len(self._cards)

    @cached_property
    def ids(self) -> list[int]:
        return [card.id for card in self._cards]

    @cached_property
    def created_at_us(self) -> list[str]:
        return [str(card.created_at_us) for card in self._cards]

    @cached_property
    def updated_at_us(self) -> list[str]:
        return [str(card.updated_at_us) for card in self._cards]

    @cached_property
    def employer_ids(self) -> list[str | None]:
        return [None if card.employer_id is None else str(card.employer_id) for card in self._cards]

    @cached_property
    def text(self) -> list[str]:
        return [card.text for card in self._cards]

    @cached_property
    def numbers(self) -> list[str]:
        return [card.numbers for card in self._cards]


def _optional_int(raw: str | None) -> int | None:
    return int(raw) if raw else None


class CardColumns:
    """Lazily decoded view of a batch of cards: whole columns (decoded once, for filters),
    and the split text of given positions (for sorting only the matches)."""

    def __init__(self, cards: CardBatch | Sequence[Card]) -> None:
        self.batch = cards if isinstance(cards, CardBatch) else CardBatch.from_cards(cards)
        self._split_text: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.batch)

    def text_parts(self, positions: Iterable[int]) -> dict[int, list[str]]:
        """The split text of the cards at ``positions`` (and of any split before)."""
        split, text = self._split_text, self.batch.text
        split.update({i: text[i].split(SEPARATOR) for i in positions if i not in split})
        return split

    @cached_property
    def _split_numbers(self) -> list[list[str]]:
        return [numbers.split(SEPARATOR) for numbers in self.batch.numbers]

    def _text_column(self, part: int) -> list[str]:
        parts = self.text_parts(range(len(self)))
        return [parts[i][part] for i in range(len(self))]

    # --- whole columns ------------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        return self.batch.ids

    @cached_property
    def created_at(self) -> list[int]:
        return list(map(int, self.batch.created_at_us))

    @cached_property
    def updated_at(self) -> list[int]:
        return list(map(int, self.batch.updated_at_us))

    @cached_property
    def employer_id(self) -> list[int | None]:
        return [_optional_int(raw) for raw in self.batch.employer_ids]

    @cached_property
    def title(self) -> list[str]:
        return self._text_column(TITLE)

    @cached_property
    def slug(self) -> list[str]:
        return self._text_column(SLUG)

    @cached_property
    def year(self) -> list[int | None]:
        return [_optional_int(year) for year in self._text_column(YEAR)]

    @cached_property
    def employer_name(self) -> list[str | None]:
        return [
            None if employer is None else name
            for employer, name in zip(self.batch.employer_ids, self._text_column(EMPLOYER_NAME), strict=True)
        ]

    @cached_property
    def order(self) -> list[int]:
        # The order is the field after the three flags and a separator.
        start = 4
        return [int(numbers[start : numbers.index(SEPARATOR, start)]) for numbers in self.batch.numbers]

    @cached_property
    def is_active(self) -> list[bool]:
        return [numbers[IS_ACTIVE_FLAG] == "1" for numbers in self.batch.numbers]

    @cached_property
    def has_description(self) -> list[bool]:
        return [numbers[HAS_DESCRIPTION_FLAG] == "1" for numbers in self.batch.numbers]

    @cached_property
    def has_image(self) -> list[bool]:
        return [numbers[HAS_IMAGE_FLAG] == "1" for numbers in self.batch.numbers]

    @cached_property
    def completed_at(self) -> list[int | None]:
        return [_optional_int(parts[COMPLETED_AT]) for parts in self._split_numbers]

    @cached_property
    def tag_ids(self) -> list[frozenset[int]]:
        return [
            frozenset(int(tag) for tag in parts[TAG_IDS].split(",")) if parts[TAG_IDS] else frozenset()
            for parts in self._split_numbers
        ]
