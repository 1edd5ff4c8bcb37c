"""Every card of the catalogue in memory, kept by a warm container between calls.

A list call then reads no card from DynamoDB: it selects positions here. What a call would
otherwise redo on every card is done once per snapshot and kept:

- the columns a filter reads (``CardColumns`` decodes each once);
- each ordering asked for, as every position presorted (ties by id, as ``sort_positions``):
  a page of an unfiltered list is a slice, a filtered one keeps the presorted positions that
  matched;
- the search text casefolded once, so that a call only tests substrings, and only on the
  cards the filters kept.

The answers are those of ``select_positions`` on the same cards (a property test holds the
two together). A change replaces cards and drops what was derived from them.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import operator
from collections.abc import Iterable
from functools import cached_property
from itertools import compress, repeat

from portfolio.domain.cards import (
    HAS_DESCRIPTION_FLAG,
    HAS_IMAGE_FLAG,
    IS_ACTIVE_FLAG,
    SEPARATOR,
    Card,
    CardColumns,
)
from portfolio.domain.filters import Filters
from portfolio.domain.listing import ListQuery, narrow_positions
from portfolio.domain.ordering import OrderTerm, sort_positions
from portfolio.domain.search import SearchMatcher

# Boolean filter -> its flag's position in a card's numbers.
_FLAGS = {"is_active": IS_ACTIVE_FLAG, "has_image": HAS_IMAGE_FLAG, "has_description": HAS_DESCRIPTION_FLAG}

# A page ending before 1/8 of the matches is picked with a heap; a deeper one sorts them all.
_FULL_SORT_ABOVE = 8


class CardSnapshot:
    """The catalogue's cards, ordered by id, with what list calls derive from them."""

    def __init__(self, cards: Iterable[Card]) -> None:
        self._cards = {card.id: card for card in cards}

    def __len__(self) -> int:
        return len(self._cards)

    def replace(self, cards: Iterable[Card]) -> None:
        """Put these cards in (new or changed), and forget what was derived from the old."""
        self._cards.update((card.id, card) for card in cards)
        for derived in ("columns", "_orderings", "_folded_text", "_flag_masks"):
            self.__dict__.pop(derived, None)

    @cached_property
    def columns(self) -> CardColumns:
        return CardColumns([self._cards[portfolio_id] for portfolio_id in sorted(self._cards)])

    @cached_property
    def _orderings(self) -> dict[tuple[OrderTerm, ...], tuple[list[int], list[int]]]:
        return {}

    def _ordering(self, ordering: tuple[OrderTerm, ...]) -> tuple[list[int], list[int]]:
        """Every position in ``ordering`` (computed once per snapshot; do not change it), and
        each position's rank in it."""
        known = self._orderings.get(ordering)
        if known is None:
            presorted = list(range(len(self.columns)))
            sort_positions(self.columns, presorted, ordering)
            rank = [0] * len(presorted)
            for place, position in enumerate(presorted):
                rank[position] = place
            known = self._orderings[ordering] = (presorted, rank)
        return known

    @cached_property
    def _folded_text(self) -> list[str]:
        """Each card's search text, casefolded once (a call only tests substrings)."""
        return [text.casefold() for text in self.columns.batch.text]

    def _search(self, terms: tuple[str, ...], candidates: Iterable[int]) -> list[int]:
        """The candidates whose text holds every term (``SearchMatcher``'s rule). Each term is
        one C-level pass (compress/map) over what is left, no bytecode per card."""
        matcher = SearchMatcher(list(terms), SEPARATOR)
        if matcher.unmatchable:
            return []
        found = list(candidates)
        folded = self._folded_text
        for needle in sorted(matcher.needles, key=len, reverse=True):
            texts = map(folded.__getitem__, found)
            found = list(compress(found, map(str.__contains__, texts, repeat(needle))))
        return found

    @cached_property
    def _flag_masks(self) -> dict[tuple[int, bool], int]:
        """(flag position, wanted) -> the positions whose card has it, as one byte per card
        (0 or 1) packed in an int: two flags are combined with one ``&``."""
        numbers = self.columns.batch.numbers
        masks = {}
        for flag in _FLAGS.values():
            ones = bytes(numbers[i][flag] == "1" for i in range(len(numbers)))
            zeros = bytes(1 - bit for bit in ones)
            masks[(flag, True)] = int.from_bytes(ones)
            masks[(flag, False)] = int.from_bytes(zeros)
        return masks

    def _flagged(self, filters: Filters) -> tuple[list[int] | None, Filters]:
        """The positions passing the boolean flag filters (None: none applied), and the
        filters left to apply."""
        wanted = [
            (flag, value) for name, flag in _FLAGS.items() if (value := getattr(filters, name)) is not None
        ]
        if not wanted:
            return None, filters
        combined = functools.reduce(operator.and_, (self._flag_masks[key] for key in wanted))
        mask = combined.to_bytes(len(self.columns))
        rest = dataclasses.replace(filters, **dict.fromkeys(_FLAGS))
        return list(compress(range(len(self.columns)), mask)), rest

    def _matches(self, query: ListQuery) -> tuple[list[int], list[int], list[int] | None]:
        """The ordering's presorted positions and ranks, and the positions (ascending) that
        pass the filters and the search (None: every card)."""
        presorted, rank = self._ordering(query.ordering)
        everything = range(len(presorted))
        # Flags from the kept masks, then the other filters, then the search on what passed
        # (in position order: the texts are read in the order they lie in memory).
        flagged, rest = self._flagged(query.filters)
        narrowed = narrow_positions(self.columns, rest, everything if flagged is None else flagged)
        if narrowed is None:
            narrowed = flagged
        if query.search:
            narrowed = self._search(query.search, everything if narrowed is None else narrowed)
        return presorted, rank, narrowed

    def page(self, query: ListQuery) -> tuple[int, list[int]]:
        """How many cards match ``query``, and the positions of its page (``offset``,
        ``limit``), in its order. Only the page's places are sorted out of the matches."""
        presorted, rank, narrowed = self._matches(query)
        start, end = query.offset, query.offset + query.limit
        if narrowed is None:
            return len(presorted), presorted[start:end]
        places = list(map(rank.__getitem__, narrowed))
        if end < len(places) // _FULL_SORT_ABOVE:
            first = heapq.nsmallest(end, places)
        else:
            places.sort()
            first = places[:end]
        return len(places), [presorted[place] for place in first[start:end]]
