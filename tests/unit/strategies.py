"""Hypothesis strategies for small catalogues and filter combinations, shared by the
listing and snapshot tests. Values come from small domains (instants around one UTC day,
a few ids, tags and employers) so that filters hit and miss often."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from portfolio.domain.filters import Filters
from portfolio.domain.records import PortfolioRecord
from tests.unit.builders import micros, portfolio

Entry = tuple[PortfolioRecord, str | None]

DAY_US = 86_400_000_000
INSTANTS = [micros("2024-03-09T00:00:00") + offset for offset in (-1, 0, 1, DAY_US - 1, DAY_US, 3 * DAY_US)]
WORDS = ["site", "Shop", "ÉCOLE", "école", "طراحی", "2023", "a b", ""]


@st.composite
def catalogues(draw: st.DrawFn) -> list[Entry]:
    ids = draw(st.permutations(range(1, draw(st.integers(min_value=0, max_value=12)) + 1)))
    entries: list[Entry] = []
    for portfolio_id in ids:
        employer_id = draw(st.one_of(st.none(), st.integers(1, 3)))
        record = portfolio(
            portfolio_id,
            title=draw(st.sampled_from(WORDS)),
            slug=draw(st.sampled_from(WORDS)),
            excerpt=draw(st.sampled_from(WORDS)),
            order=draw(st.integers(-1, 2)),
            is_active=draw(st.booleans()),
            created_at_us=draw(st.sampled_from(INSTANTS)),
            updated_at_us=draw(st.sampled_from(INSTANTS)),
            completed_at_us=draw(st.one_of(st.none(), st.sampled_from(INSTANTS))),
            description=draw(st.sampled_from([None, "", "text"])),
            year=draw(st.one_of(st.none(), st.sampled_from([2021, 2023]))),
            image_id=draw(st.one_of(st.none(), st.just(5))),
            employer_id=employer_id,
            tag_ids=tuple(draw(st.lists(st.integers(1, 4), unique=True, max_size=3))),
        )
        entries.append(
            (record, None if employer_id is None else draw(st.sampled_from(["Digikala", "café", "شرکت"])))
        )
    return entries


DAYS = st.sampled_from([dt.date(2024, 3, 8), dt.date(2024, 3, 9), dt.date(2024, 3, 12)])
BOUNDS = st.sampled_from(INSTANTS)
FILTER_VALUES: dict[str, st.SearchStrategy] = {  # type: ignore[type-arg]
    "id_min": st.integers(0, 13),
    "id_max": st.integers(0, 13),
    "created_date": DAYS,
    "updated_date": DAYS,
    "created_from": BOUNDS,
    "created_to": BOUNDS,
    "updated_from": BOUNDS,
    "updated_to": BOUNDS,
    "has_image": st.booleans(),
    "has_description": st.booleans(),
    "has_employer": st.booleans(),
    "order_min": st.integers(-2, 3),
    "order_max": st.integers(-2, 3),
    "completed_at_from": BOUNDS,
    "completed_at_to": BOUNDS,
    "employer_id": st.integers(1, 4),
    "tag_id": st.integers(1, 5),
    "tags_in": st.frozensets(st.integers(1, 5), max_size=3),
    "is_active": st.booleans(),
}
# A few filters at a time, so that each one decides often enough to be checked.
FILTERS = (
    st.lists(st.sampled_from(sorted(FILTER_VALUES)), max_size=3, unique=True)
    .flatmap(lambda names: st.fixed_dictionaries({name: FILTER_VALUES[name] for name in names}))
    .map(lambda values: Filters(**values))
)
