"""DRF's SearchFilter: how ``?search=`` is split into terms, and what matching means.

Splitting follows DRF's ``search_smart_split`` on top of Django's ``smart_split``: terms are
separated by whitespace, a single- or double-quoted phrase (with backslash escapes) stays one
term, and unquoted tokens are further split on commas. A portfolio matches when every term
is contained, case-insensitively (``str.casefold``), in at least one searchable field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from portfolio.domain.errors import InvalidSearch

# Django's django.utils.text.smart_split_re, verbatim in meaning.
_SMART_SPLIT_RE = re.compile(
    r"""
    ((?:
        [^\s'"]*
        (?:
            (?:"(?:[^"\\]|\\.)*" | '(?:[^'\\]|\\.)*')
            [^\s'"]*
        )+
    ) | \S+)
""",
    re.VERBOSE,
)

NULL_CHARACTER_MESSAGE = "Null characters are not allowed."
# DRF's CharField also refuses lone surrogates (only a JSON-escaped event can carry one).
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _unescape_string_literal(literal: str) -> str:
    # Django's unescape_string_literal for a literal already known to be quoted.
    quote = literal[0]
    return literal[1:-1].replace(f"\\{quote}", quote).replace("\\\\", "\\")


def search_terms(raw: str | None) -> list[str]:
    """The search terms of a ``?search=`` value, exactly as DRF computes them.

    Raises ``InvalidSearch`` for a value holding a NUL character or a lone surrogate, with
    DRF CharField's messages (both validators run; each reports its first finding).
    """
    if not raw:
        return []
    messages = [NULL_CHARACTER_MESSAGE] if "\x00" in raw else []
    if surrogate := _SURROGATE_RE.search(raw):
        messages.append(f"Surrogate characters are not allowed: U+{ord(surrogate[0]):X}.")
    if messages:
        raise InvalidSearch(messages)
    terms: list[str] = []
    for match in _SMART_SPLIT_RE.finditer(raw):
        term = match[0].strip(",")
        if term.startswith(('"', "'")) and term[0] == term[-1]:
            terms.append(_unescape_string_literal(term))
        else:
            terms.extend(sub.strip() for sub in term.split(",") if sub)
    return terms


class SearchMatcher:
    """Matches the casefolded terms against a card's searchable text.

    The card stores its searchable fields joined by ``separator``, a control character that
    the card encoder removes from the fields themselves. So "every term is in at least one
    field" is one substring test per term on the joined, casefolded text, and a term that
    holds the separator matches nothing (no stored field contains it).
    """

    __slots__ = ("needles", "unmatchable")

    def __init__(self, terms: list[str], separator: str) -> None:
        self.needles = [term.casefold() for term in terms]
        self.unmatchable = any(separator in needle for needle in self.needles)

    def __bool__(self) -> bool:
        return bool(self.needles)

    def matching(self, positions: list[int], texts: Sequence[str]) -> list[int]:
        """The positions whose text (not yet casefolded) holds every term. One comprehension
        over the positions: a list call runs it over thousands of cards."""
        if not self.needles:
            return positions
        if self.unmatchable:
            return []
        if len(self.needles) == 1:
            (needle,) = self.needles
            return [i for i in positions if needle in texts[i].casefold()]
        needles = self.needles
        return [
            i
            for i in positions
            for haystack in (texts[i].casefold(),)
            if all(needle in haystack for needle in needles)
        ]

    def matches(self, text: str) -> bool:
        """Whether one text holds every term."""
        return bool(self.matching([0], [text]))
