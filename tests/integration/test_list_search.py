"""GET /api/portfolios/?search=: DRF's SearchFilter over title, slug, excerpt, year and the
employer's name. Terms split on whitespace and commas, quoted phrases kept whole; every term
must be in at least one field; Unicode-aware case-insensitive matching."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.support import call, catalogue, employer, portfolio

pytestmark = pytest.mark.integration

EVERYONE = [1, 2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def searchable() -> Iterator[None]:
    snapp = employer(1, "Snapp")
    items = [
        portfolio(
            1,
            title="Café Résumé",
            slug="cafe-resume",
            excerpt="A small coffee shop site",
            year=2021,
            employer_data=snapp,
        ),
        portfolio(2, title="ÉCOLE numérique", slug="ecole", excerpt="school portal, with forum", year=2019),
        portfolio(
            3,
            title="اپلیکیشن رزرو هتل",
            slug="hotel-booking",
            excerpt="رزرو آنلاین اتاق",
            employer_data=employer(2, "همراه اول"),
        ),
        portfolio(4, title="Online shop", slug="shop", excerpt="Books and more", year=2023),
        portfolio(
            5,
            title="Site builder",
            slug="site-builder",
            excerpt="drag and drop pages",
            year=2020,
            employer_data=employer(3, "Tapsi"),
        ),
        portfolio(
            6, title="Notes", slug="notes", excerpt='he said "hello, world" twice', employer_data=snapp
        ),
    ]
    with catalogue(items):
        yield


@pytest.fixture(autouse=True)
def aws(searchable: None) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def _found(search: str) -> list[int]:
    """The ids matching ``search``, ascending (order is not what these tests are about)."""
    reply = call("/api/portfolios/", query=[("search", search)])
    assert reply.status == 200
    assert reply.body["count"] == len(reply.body["results"])
    return sorted(reply.ids())


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("café", [1]),
        ("CAFÉ", [1]),
        ("résumé", [1]),
        ("école", [2]),  # É in the title, é in the term
        ("NUMÉRIQUE", [2]),
        ("Online", [4]),
    ],
)
def test_a_term_matches_the_title_whatever_the_case(search: str, expected: list[int]) -> None:
    assert _found(search) == expected


def test_a_term_matches_the_slug() -> None:
    # "resume" is only in portfolio 1's slug (its title has "Résumé")
    assert _found("resume") == [1]
    assert _found("HOTEL-BOOK") == [3]


def test_a_term_matches_the_excerpt() -> None:
    assert _found("coffee") == [1]
    assert _found("FORUM") == [2]


def test_a_term_matches_the_year_as_decimal_text() -> None:
    assert _found("2021") == [1]
    assert _found("202") == [1, 4, 5]
    assert _found("19") == [2]


def test_a_term_matches_the_employers_name() -> None:
    assert _found("snapp") == [1, 6]
    assert _found("TAPSI") == [5]


def test_persian_text_matches_in_titles_excerpts_and_employer_names() -> None:
    assert _found("رزرو") == [3]
    assert _found("اتاق") == [3]
    assert _found("همراه") == [3]
    assert _found("همراه اول") == [3]
    assert _found("تاکسی") == []


def test_every_term_must_match_at_least_one_field() -> None:
    # "site" is in 1's excerpt and 5's title; "builder" only in 5
    assert _found("site") == [1, 5]
    assert _found("site builder") == [5]
    # terms may match different fields of the same portfolio: employer and year
    assert _found("snapp 2021") == [1]
    assert _found("snapp 2020") == []


def test_a_term_is_matched_within_one_field_never_across_two() -> None:
    # 4: title "Online shop", slug "shop"; 1: year 2021, employer "Snapp"
    assert _found("shop shop") == [1, 4]
    assert _found("shopshop") == []
    assert _found("2021snapp") == []
    assert _found("2021 snapp") == [1]


@pytest.mark.parametrize("search", ["site,builder", "site, builder", "site ,builder,", "  site\tbuilder  "])
def test_terms_are_split_on_whitespace_and_commas(search: str) -> None:
    assert _found(search) == [5]


def test_a_double_quoted_phrase_is_one_term() -> None:
    assert _found('"drag and drop"') == [5]
    assert _found('"drop and drag"') == []
    # unquoted, the same words are separate terms, found in any order
    assert _found("drop and drag") == [5]


def test_a_quoted_phrase_keeps_its_comma() -> None:
    assert _found('"hello, world"') == [6]
    assert _found('"hello world"') == []
    assert _found("hello world") == [6]


@pytest.mark.parametrize("search", ["", " ", "   \t ", ",", " , ,"])
def test_an_empty_or_whitespace_only_search_does_not_filter(search: str) -> None:
    assert _found(search) == EVERYONE


def test_no_portfolio_matches_an_unknown_word() -> None:
    reply = call("/api/portfolios/?search=zebra")

    assert reply.body == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_plus_in_the_url_is_a_space_between_two_terms() -> None:
    reply = call("/api/portfolios/?search=site+builder")

    assert reply.ids() == [5]


@pytest.mark.parametrize("search", ["\x00", "café\x00", "\x00 site"])
def test_a_search_with_a_nul_character_is_a_400(search: str) -> None:
    reply = call("/api/portfolios/", query=[("search", search)])

    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == ["Null characters are not allowed."]


def test_search_combines_with_filters_and_ordering() -> None:
    reply = call("/api/portfolios/?search=snapp&has_employer=true&ordering=-title")

    assert reply.ids() == [6, 1]
