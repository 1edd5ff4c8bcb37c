"""The contract's Search rows: how ``?search=`` is split into terms, and what a match is."""

from __future__ import annotations

import pytest

from portfolio.domain.cards import SEPARATOR
from portfolio.domain.errors import InvalidSearch
from portfolio.domain.search import SearchMatcher, search_terms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ("site", ["site"]),
        ("wordpress site", ["wordpress", "site"]),
        ("wordpress,site", ["wordpress", "site"]),
        ("wordpress, site ,shop", ["wordpress", "site", "shop"]),
        ("  many   spaces\tand\ttabs\n", ["many", "spaces", "and", "tabs"]),
        ("\u3000ideographic\u2003em\xa0nbsp", ["ideographic", "em", "nbsp"]),
        ('"wordpress site" shop', ["wordpress site", "shop"]),
        ("'wordpress site', shop", ["wordpress site", "shop"]),
        # A phrase glued to more text by a comma is not a phrase: DRF keeps its quotes.
        ("'wordpress site',shop", ["'wordpress site'", "shop"]),
        ('"a, b"', ["a, b"]),
        (r'"say \"hi\""', ['say "hi"']),
        (r"'it\'s'", ["it's"]),
        (r'"back\\slash"', ["back\\slash"]),
        ('"unterminated phrase', ['"unterminated', "phrase"]),
        ("it's", ["it's"]),
        ('x"y z"w', ['x"y z"w']),
        (",,a,,", ["a"]),
        ("طراحی سایت", ["طراحی", "سایت"]),
    ],
)
def test_search_is_split_into_terms_as_drf_splits_it(raw: str, terms: list[str]) -> None:
    """Given a ``search`` value, when split, then terms are separated by whitespace and
    commas, and a quoted phrase (with backslash escapes) stays one term."""
    assert search_terms(raw) == terms


@pytest.mark.parametrize("raw", [None, "", " ", "\t\n", ",", " , ,"])
def test_an_empty_or_blank_search_has_no_terms(raw: str | None) -> None:
    """Given no search, an empty one, or only whitespace and commas, when split, then there
    is no term: the search does not filter."""
    assert search_terms(raw) == []
    assert not SearchMatcher(search_terms(raw), SEPARATOR)


@pytest.mark.parametrize("raw", ["\x00", "site\x00", "a \x00 b", '"quoted\x00"'])
def test_a_nul_character_is_drfs_400(raw: str) -> None:
    """Given a search holding a NUL character anywhere, when parsed, then it is refused with
    DRF's message (the API answers 400 ["Null characters are not allowed."])."""
    with pytest.raises(InvalidSearch) as raised:
        search_terms(raw)
    assert raised.value.messages == ["Null characters are not allowed."]


def test_a_lone_surrogate_is_refused_with_drfs_message() -> None:
    """Given a search holding a lone surrogate (and a NUL), when parsed, then both of DRF
    CharField's messages come back, NUL first."""
    with pytest.raises(InvalidSearch) as raised:
        search_terms("a\udc80b\x00")
    assert raised.value.messages == [
        "Null characters are not allowed.",
        "Surrogate characters are not allowed: U+DC80.",
    ]


def searchable(*fields: str) -> str:
    """A card's searchable text as the matcher sees it: the fields joined, casefolded."""
    return SEPARATOR.join(fields).casefold()


def test_every_term_must_be_found_in_at_least_one_field() -> None:
    """Given a card whose title holds one term and whose employer holds the other, when
    searched for both, then it matches; a third term found nowhere makes it not match."""
    text = searchable("Wordpress site", "wordpress-site", "", "2023", "Digikala")

    assert SearchMatcher(["site", "digikala"], SEPARATOR).matches(text)
    assert not SearchMatcher(["site", "digikala", "shop"], SEPARATOR).matches(text)


def test_a_term_matches_part_of_a_word_case_insensitively() -> None:
    """Given a title "WordPress", when searched for "ORDP", then it matches (contains,
    case-insensitive)."""
    assert SearchMatcher(["ORDP"], SEPARATOR).matches(searchable("WordPress"))


@pytest.mark.parametrize(
    ("term", "field"),
    [("É", "café"), ("é", "CAFÉ"), ("ΣΟΦΊΑ", "σοφία"), ("straße", "STRAßE"), ("Привет", "привет")],
)
def test_case_insensitivity_is_unicode_aware(term: str, field: str) -> None:
    """Given a field with accented or non-Latin letters in one case, when searched in the
    other case, then it matches."""
    assert SearchMatcher([term], SEPARATOR).matches(searchable(field))


def test_persian_text_matches_as_text() -> None:
    """Given a Persian title, when searched for one of its words, then it matches, and a
    word it does not hold does not."""
    text = searchable("طراحی سایت فروشگاهی")

    assert SearchMatcher(["فروشگاه"], SEPARATOR).matches(text)
    assert not SearchMatcher(["اپلیکیشن"], SEPARATOR).matches(text)


def test_a_term_never_matches_across_two_fields() -> None:
    """Given a title ending "site" and a slug starting "shop", when searched for a phrase
    spanning both, then it does not match (fields are searched one by one)."""
    text = searchable("my site", "shop-online")

    assert not SearchMatcher(["site shop"], SEPARATOR).matches(text)
    assert not SearchMatcher([f"site{SEPARATOR}shop"], SEPARATOR).matches(text)


def test_the_year_is_searched_as_its_decimal_text() -> None:
    """Given a card of year 2023, when searched for "202" or "2023", then it matches."""
    text = searchable("Title", "slug", "", "2023", "")

    assert SearchMatcher(["202"], SEPARATOR).matches(text)
    assert SearchMatcher(["2023"], SEPARATOR).matches(text)
    assert not SearchMatcher(["2024"], SEPARATOR).matches(text)
