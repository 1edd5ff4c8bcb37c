"""Portfolio cards: what a card keeps of a portfolio must read back as the portfolio, since
search, filters and ordering see nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.cards import EXCERPT, SEPARATOR, CardColumns, encode_card
from portfolio.domain.records import PortfolioRecord
from tests.unit.builders import columns, portfolio

pytestmark = pytest.mark.unit

TEXT = st.text(
    alphabet=st.one_of(st.sampled_from([SEPARATOR, ",", " ", "1", "ی"]), st.characters()), max_size=12
)
OPTIONAL_ID = st.one_of(st.none(), st.integers(min_value=1, max_value=2**53))


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[PortfolioRecord, str | None]:
    employer_id = draw(OPTIONAL_ID)
    record = PortfolioRecord(
        id=draw(st.integers(min_value=1, max_value=2**53)),
        title=draw(TEXT),
        slug=draw(TEXT),
        excerpt=draw(TEXT),
        order=draw(st.integers(min_value=-(2**31), max_value=2**31)),
        is_active=draw(st.booleans()),
        created_at_us=draw(st.integers(min_value=-(2**60), max_value=2**60)),
        updated_at_us=draw(st.integers(min_value=-(2**60), max_value=2**60)),
        completed_at_us=draw(st.one_of(st.none(), st.integers(min_value=-(2**60), max_value=2**60))),
        description=draw(st.one_of(st.none(), st.just(""), TEXT)),
        year=draw(st.one_of(st.none(), st.integers(min_value=-9999, max_value=9999))),
        image_id=draw(OPTIONAL_ID),
        employer_id=employer_id,
        tag_ids=tuple(draw(st.lists(st.integers(min_value=1, max_value=2**53), max_size=6))),
    )
    employer_name = None if employer_id is None else draw(TEXT)
    return record, employer_name


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(portfolios(), max_size=5))
def test_a_card_reads_back_as_its_portfolio(entries: list[tuple[PortfolioRecord, str | None]]) -> None:
    """Given any portfolios (texts holding the separator, commas and non-Latin letters; null
    year, employer, completion, image; empty tags), when encoded as cards and decoded column
    by column, then every value the rules read is the portfolio's (the separator inside a
    text reads as a space)."""
    cards = [encode_card(record, name) for record, name in entries]
    card_columns = CardColumns(cards)

    def clean(text: str) -> str:
        return text.replace(SEPARATOR, " ")

    assert len(card_columns) == len(entries)
    assert card_columns.ids == [record.id for record, _ in entries]
    assert card_columns.created_at == [record.created_at_us for record, _ in entries]
    assert card_columns.updated_at == [record.updated_at_us for record, _ in entries]
    assert card_columns.employer_id == [record.employer_id for record, _ in entries]
    assert card_columns.title == [clean(record.title) for record, _ in entries]
    assert card_columns.slug == [clean(record.slug) for record, _ in entries]
    assert card_columns.year == [record.year for record, _ in entries]
    assert card_columns.employer_name == [None if name is None else clean(name) for _, name in entries]
    assert card_columns.order == [record.order for record, _ in entries]
    assert card_columns.is_active == [record.is_active for record, _ in entries]
    assert card_columns.completed_at == [record.completed_at_us for record, _ in entries]
    assert card_columns.has_description == [bool(record.description) for record, _ in entries]
    assert card_columns.has_image == [record.image_id is not None for record, _ in entries]
    assert card_columns.tag_ids == [frozenset(record.tag_ids) for record, _ in entries]
    excerpts = [card.text.split(SEPARATOR)[EXCERPT] for card in cards]
    assert excerpts == [clean(record.excerpt) for record, _ in entries]


def test_a_title_holding_the_separator_keeps_every_other_field_in_place() -> None:
    """Given a title, slug and employer name holding the separator, when encoded, then the
    card still has exactly five text fields and the year and employer read right."""
    record = portfolio(1, title=f"a{SEPARATOR}b", slug=SEPARATOR * 3, year=2021, employer_id=7)
    card = encode_card(record, f"x{SEPARATOR}")
    card_columns = CardColumns([card])

    assert card.text.count(SEPARATOR) == 4
    assert card_columns.title == ["a b"]
    assert card_columns.slug == ["   "]
    assert card_columns.year == [2021]
    assert card_columns.employer_name == ["x "]


def test_null_year_employer_and_completion_read_as_null() -> None:
    """Given a portfolio with no year, no employer, no completion, no image and no tags, when
    encoded and decoded, then each reads as null / absent (not 0 or "")."""
    card_columns = columns(portfolio(1))

    assert card_columns.year == [None]
    assert card_columns.employer_id == [None]
    assert card_columns.employer_name == [None]
    assert card_columns.completed_at == [None]
    assert card_columns.has_image == [False]
    assert card_columns.tag_ids == [frozenset()]


def test_year_zero_and_completion_at_the_epoch_are_not_null() -> None:
    """Given year 0 and a completion at the epoch (both falsy numbers), when encoded and
    decoded, then they read as 0, not as null."""
    card_columns = columns(portfolio(1, year=0, completed_at_us=0))

    assert card_columns.year == [0]
    assert card_columns.completed_at == [0]


def test_an_empty_description_is_no_description() -> None:
    """Given descriptions None, "" and "text", when encoded, then only "text" counts as a
    description (the has_description rule)."""
    card_columns = columns(portfolio(1), portfolio(2, description=""), portfolio(3, description="text"))

    assert card_columns.has_description == [False, False, True]
