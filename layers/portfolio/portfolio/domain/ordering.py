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

from portfolio.domain.cards import CardColumns

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


def _text_keys(values: list[str]) -> list[tuple[str, str]]:
    return [(value.casefold(), value) for value in values]


def _nullable_text_keys(values: list[str | None]) -> list[tuple[bool, str, str]]:
    return [(True, "", "") if value is None else (False, value.casefold(), value) for value in values]


def _nullable_keys(values: list[int | None]) -> list[tuple[bool, int]]:
    return [(True, 0) if value is None else (False, value) for value in values]


# Ordering field -> the sort keys of every card. A null key is (True, ...), so ascending puts
# nulls last and descending (a reversed sort) puts them first.
_KEY_COLUMNS: dict[str, Callable[[CardColumns], list[Any]]] = {
    "title": lambda columns: _text_keys(columns.title),
    "slug": lambda columns: _text_keys(columns.slug),
    "order": lambda columns: columns.order,
    "year": lambda columns: _nullable_keys(columns.year),
    "is_active": lambda columns: columns.is_active,
    "client__name": lambda columns: _nullable_text_keys(columns.employer_name),
    "created_at": lambda columns: columns.created_at,
    "updated_at": lambda columns: columns.updated_at,
}


def sort_positions(columns: CardColumns, positions: list[int], ordering: tuple[OrderTerm, ...]) -> None:
    """Sort card positions in place by ``ordering``, ties by id ascending.

    Python's sort is stable (also with ``reverse=True``), so sorting by the least significant
    key first and the most significant last gives the multi-key order.
    """
    ids = columns.ids
    positions.sort(key=ids.__getitem__)
    for term in reversed(ordering):
        keys = _KEY_COLUMNS[term.field](columns)
        positions.sort(key=keys.__getitem__, reverse=term.descending)
