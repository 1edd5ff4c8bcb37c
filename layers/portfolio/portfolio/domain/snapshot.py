"""Every card of the catalogue in memory, kept by a warm container between calls.

A list call then reads no card from DynamoDB: it selects positions here. What a call would
otherwise redo on every card is done once per snapshot and kept:

- the columns a filter reads (``CardColumns`` decodes each once);
- each ordering asked for, as every position presorted (ties by id, as ``sort_positions``):
  a page of an unfiltered list is a slice, a filtered one keeps the presorted positions that
  matched;
- the search text, casefolded once and joined, so that a term is found with ``str.find``
  over one string instead of a substring test per card.

The answers are those of ``select_positions`` on the same cards (a property test holds the
two together). A change replaces cards and drops what was derived from them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import cached_property

from portfolio.domain.cards import SEPARATOR, Card, CardColumns
from portfolio.domain.listing import ListQuery, narrow_positions
from portfolio.domain.ordering import OrderTerm, sort_positions
from portfolio.domain.search import SearchMatcher

# Between two cards' texts in the joined search text. A term holding it could match across
# two cards there: such a (hand-made) term is tested card by card instead.
_CARD_BREAK = "\x1e"

# Below this share of the catalogue, the matches are sorted themselves; above, the presorted
# positions are filtered (a pass over every card).
_SORT_MATCHES_BELOW = 1 / 16


class CardSnapshot:
    """The catalogue's cards, ordered by id, with what list calls derive from them."""

    def __init__(self, cards: Iterable[Card]) -> None:
        self._cards = {card.id: card for card in cards}

    def __len__(self) -> int:
        return len(self._cards)

    def replace(self, cards: Iterable[Card]) -> None:
        """Put these cards in (new or changed), and forget what was derived from the old."""
        self._cards.update((card.id, card) for card in cards)
        for derived in ("columns", "_orderings", "_search_text"):
            self.__dict__.pop(derived, None)

    def card(self, portfolio_id: int) -> Card | None:
        return self._cards.get(portfolio_id)

    @cached_property
    def columns(self) -> CardColumns:
        return CardColumns([self._cards[portfolio_id] for portfolio_id in sorted(self._cards)])

    @cached_property
    def _orderings(self) -> dict[tuple[OrderTerm, ...], list[int]]:
        return {}

    def ordered(self, ordering: tuple[OrderTerm, ...]) -> list[int]:
        """Every position in ``ordering`` (computed once per snapshot; do not change it)."""
        presorted = self._orderings.get(ordering)
        if presorted is None:
            presorted = list(range(len(self.columns)))
            sort_positions(self.columns, presorted, ordering)
            self._orderings[ordering] = presorted
        return presorted

    @cached_property
    def _search_text(self) -> tuple[str, list[int]]:
        """All card texts casefolded and joined, and where each starts."""
        texts = [text.casefold() for text in self.columns.batch.text]
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        return _CARD_BREAK.join(texts), starts

    def _search(self, terms: tuple[str, ...]) -> set[int] | None:
        """Positions whose text holds every term (None: no search asked)."""
        matcher = SearchMatcher(list(terms), SEPARATOR)
        if not matcher:
            return None
        if matcher.unmatchable:
            return set()
        if any(_CARD_BREAK in needle for needle in matcher.needles):
            return set(matcher.matching(list(range(len(self.columns))), self.columns.batch.text))
        joined, starts = self._search_text
        found: set[int] | None = None
        # The longest term first: it usually has the fewest hits. An empty term is in every text.
        for needle in sorted(filter(None, matcher.needles), key=len, reverse=True):
            hits: set[int] = set()
            at = joined.find(needle)
            while at != -1:
                position = bisect_right(starts, at) - 1
                hits.add(position)
                # On to the next card: a card counts once however often the term appears.
                next_start = starts[position + 1] if position + 1 < len(starts) else len(joined)
                at = joined.find(needle, next_start)
            found = hits if found is None else found & hits
            if not found:
                return set()
        return set(range(len(starts))) if found is None else found

    def select(self, query: ListQuery) -> list[int]:
        """Positions of the cards that match ``query``, in its order."""
        presorted = self.ordered(query.ordering)
        searched = self._search(query.search)
        narrowed = narrow_positions(
            self.columns, query.filters, range(len(self.columns)) if searched is None else sorted(searched)
        )
        if narrowed is None:  # no filter: the search's hits, or everything
            if searched is None:
                return presorted
            narrowed = sorted(searched)
        if len(narrowed) < len(presorted) * _SORT_MATCHES_BELOW:
            positions = list(narrowed)
            sort_positions(self.columns, positions, query.ordering)
            return positions
        wanted = bytearray(len(presorted))
        for position in narrowed:
            wanted[position] = 1
        return [position for position in presorted if wanted[position]]
