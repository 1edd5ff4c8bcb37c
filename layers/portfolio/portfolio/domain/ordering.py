"""DRF's OrderingFilter over the contract's eight fields, with the contract's comparison rules.

``?ordering=`` is a comma-separated list of field names, each optionally prefixed with ``-``;
unknown names are dropped and, if none is left, the default ``order,-created_at`` applies.
Ties are always broken by ``id`` ascending. Text compares by ``casefold()`` and then by the
raw string; ``null`` sorts last ascending and first descending (PostgreSQL's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portfolio.domain.cards import IS_ACTIVE_FLAG, SLUG, TITLE, CardColumns

ORDERING_FIELDS: tuple[str, ...] = (
    "title",
    "slug",
    "order",
    "year",
    "is_active",
    "client__name",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class OrderTerm:
    field: str
    descending: bool = False

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field


DEFAULT_ORDERING: tuple[OrderTerm, ...] = (OrderTerm("order"), OrderTerm("created_at", descending=True))


def parse_ordering(raw: str | None) -> tuple[OrderTerm, ...]:
    """The ordering a ``?ordering=`` value asks for, as DRF's OrderingFilter reads it."""
    if raw:
        terms = []
        for param in (part.strip() for part in raw.split(",")):
            name = param[1:] if param.startswith("-") else param
            if name in ORDERING_FIELDS:
                terms.append(OrderTerm(name, descending=param.startswith("-")))
        if terms:
            return tuple(terms)
    return DEFAULT_ORDERING


def _text_key(value: str) -> tuple[str, str]:
    return (value.casefold(), value)


def _nullable_text_key(value: str | None) -> tuple[bool, str, str]:
    return (True, "", "") if value is None else (False, value.casefold(), value)


def _nullable_key(value: int | None) -> tuple[bool, int]:
    return (True, 0) if value is None else (False, value)


# Ordering field -> the sort key of the card at a position. A null key is (True, ...), so
# ascending puts nulls last and descending (a reversed sort) puts them first. Text fields are
# decoded only at the positions being sorted.
_SORT_KEYS: dict[str, Callable[[CardColumns], Callable[[int], Any]]] = {
    "title": lambda columns: lambda i: _text_key(columns.text_part(i, TITLE)),
    "slug": lambda columns: lambda i: _text_key(columns.text_part(i, SLUG)),
    "order": lambda columns: columns.order.__getitem__,
    "year": lambda columns: lambda i: _nullable_key(columns.year_at(i)),
    "is_active": lambda columns: lambda i: columns.flag(i, IS_ACTIVE_FLAG),
    "client__name": lambda columns: lambda i: _nullable_text_key(columns.employer_name_at(i)),
    "created_at": lambda columns: columns.created_at.__getitem__,
    "updated_at": lambda columns: columns.updated_at.__getitem__,
}


def sort_positions(columns: CardColumns, positions: list[int], ordering: tuple[OrderTerm, ...]) -> None:
    """Sort card positions in place by ``ordering``, ties by id ascending.

    Python's sort is stable (also with ``reverse=True``), so sorting by the least significant
    key first and the most significant last gives the multi-key order.
    """
    ids = columns.ids
    positions.sort(key=ids.__getitem__)
    for term in reversed(ordering):
        positions.sort(key=_SORT_KEYS[term.field](columns), reverse=term.descending)
