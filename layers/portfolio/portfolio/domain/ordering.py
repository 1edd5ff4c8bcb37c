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

from portfolio.domain.cards import EMPLOYER_NAME, IS_ACTIVE_FLAG, SLUG, TITLE, YEAR, CardColumns

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


def _text_keys(columns: CardColumns, positions: list[int], part: int) -> dict[int, tuple[str, str]]:
    parts = columns.text_parts(positions)
    return {i: (parts[i][part].casefold(), parts[i][part]) for i in positions}


def _year_keys(columns: CardColumns, positions: list[int]) -> dict[int, tuple[bool, int]]:
    parts = columns.text_parts(positions)
    return {i: (False, int(year)) if (year := parts[i][YEAR]) else (True, 0) for i in positions}


def _employer_keys(columns: CardColumns, positions: list[int]) -> dict[int, tuple[bool, str, str]]:
    parts, employers = columns.text_parts(positions), columns.batch.employer_ids
    return {
        i: (True, "", "")
        if employers[i] is None
        else (False, parts[i][EMPLOYER_NAME].casefold(), parts[i][EMPLOYER_NAME])
        for i in positions
    }


def _flag_keys(columns: CardColumns, positions: list[int]) -> dict[int, bool]:
    numbers = columns.batch.numbers
    return {i: numbers[i][IS_ACTIVE_FLAG] == "1" for i in positions}


# Ordering field -> the sort key of the card at each position being sorted. A null key is
# (True, ...), so ascending puts nulls last and descending (a reversed sort) puts them first.
# Text fields are decoded only at those positions.
_SORT_KEYS: dict[str, Callable[[CardColumns, list[int]], Any]] = {
    "title": lambda columns, positions: _text_keys(columns, positions, TITLE),
    "slug": lambda columns, positions: _text_keys(columns, positions, SLUG),
    "order": lambda columns, _: columns.order,
    "year": _year_keys,
    "is_active": _flag_keys,
    "client__name": _employer_keys,
    "created_at": lambda columns, _: columns.created_at,
    "updated_at": lambda columns, _: columns.updated_at,
}


def sort_positions(columns: CardColumns, positions: list[int], ordering: tuple[OrderTerm, ...]) -> None:
    """Sort card positions in place by ``ordering``, ties by id ascending.

    Python's sort is stable (also with ``reverse=True``), so sorting by the least significant
    key first and the most significant last gives the multi-key order.
    """
    if not columns.batch.ordered_by_id:
        positions.sort(key=columns.ids.__getitem__)
    for term in reversed(ordering):
        keys = _SORT_KEYS[term.field](columns, positions)
        positions.sort(key=keys.__getitem__, reverse=term.descending)
