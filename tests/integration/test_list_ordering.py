"""GET /api/portfolios/?ordering=: DRF's OrderingFilter over the contract's eight fields.

A purpose-made catalogue whose expected orders are worked out by hand: text by casefold()
then raw string, null (no year, no employer) last ascending and first descending, ties by
id ascending in both directions, the default ``order,-created_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.integration.support import call, catalogue, employer, portfolio, timestamp

pytestmark = pytest.mark.integration

DAY = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
DEFAULT = [3, 6, 2, 5, 1, 4]


def _day(number: int) -> str:
    return timestamp(DAY + dt.timedelta(days=number))


@pytest.fixture(scope="module")
def ordered() -> Iterator[None]:
    beta = employer(1, "beta")
    items = [
        # id, title, slug, order, year, is_active, employer, created day, updated day
        portfolio(1, title="banana", slug="b-slug", order=2, year=2020, is_active=True,
                  employer_data=beta, created_at=_day(3), updated_at=_day(7)),
        portfolio(2, title="Apple", slug="a-slug", order=1, year=None, is_active=False,
                  employer_data=None, created_at=_day(1), updated_at=_day(3)),
        portfolio(3, title="apple", slug="C-slug", order=1, year=2022, is_active=True,
                  employer_data=employer(2, "Alpha"), created_at=_day(6), updated_at=_day(1)),
        portfolio(4, title="cherry", slug="c-slug", order=3, year=2020, is_active=True,
                  employer_data=employer(3, "alpha"), created_at=_day(2), updated_at=_day(5)),
        portfolio(5, title="Éclair", slug="e-slug", order=2, year=None, is_active=False,
                  employer_data=None, created_at=_day(5), updated_at=_day(2)),
        portfolio(6, title="date", slug="d-slug", order=1, year=2021, is_active=True,
                  employer_data=beta, created_at=_day(4), updated_at=_day(4)),
    ]  # fmt: skip
    with catalogue(items):
        yield


@pytest.fixture(autouse=True)
def aws(ordered: None) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def _ordered(ordering: str | None) -> list[int]:
    query = [] if ordering is None else [("ordering", ordering)]
    reply = call("/api/portfolios/", query=query)
    assert reply.status == 200
    return reply.ids()


def test_the_default_is_order_then_newest_first() -> None:
    assert _ordered(None) == DEFAULT


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        # casefold first ("Apple" and "apple" tie), then the raw string ("A" < "a"); É after z
        ("title", [2, 3, 1, 4, 6, 5]),
        ("-title", [5, 6, 4, 1, 3, 2]),
        ("slug", [2, 1, 3, 4, 6, 5]),
        ("-slug", [5, 6, 4, 3, 1, 2]),
        # ties (2, 3, 6 have order 1) by id ascending, in both directions
        ("order", [2, 3, 6, 1, 5, 4]),
        ("-order", [4, 1, 5, 2, 3, 6]),
        # no year: last ascending, first descending
        ("year", [1, 4, 6, 3, 2, 5]),
        ("-year", [2, 5, 3, 6, 1, 4]),
        ("is_active", [2, 5, 1, 3, 4, 6]),
        ("-is_active", [1, 3, 4, 6, 2, 5]),
        # no employer: last ascending, first descending; "Alpha" before "alpha"
        ("client__name", [3, 4, 1, 6, 2, 5]),
        ("-client__name", [2, 5, 1, 6, 4, 3]),
        ("created_at", [2, 4, 1, 6, 5, 3]),
        ("-created_at", [3, 5, 6, 1, 4, 2]),
        ("updated_at", [3, 5, 2, 6, 4, 1]),
        ("-updated_at", [1, 4, 6, 2, 5, 3]),
    ],
)
def test_each_field_orders_ascending_and_with_a_minus_descending(ordering: str, expected: list[int]) -> None:
    assert _ordered(ordering) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("is_active,-year", [2, 5, 3, 6, 1, 4]),
        ("client__name,-title", [3, 4, 6, 1, 5, 2]),
        ("order,title", [2, 3, 6, 1, 5, 4]),
        ("-order,-title", [4, 5, 1, 6, 3, 2]),
        ("year,-created_at", [1, 4, 6, 3, 5, 2]),
    ],
)
def test_several_fields_order_by_the_first_then_the_next(ordering: str, expected: list[int]) -> None:
    assert _ordered(ordering) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("bogus,-title", [5, 6, 4, 1, 3, 2]),
        ("-title,id", [5, 6, 4, 1, 3, 2]),
        (" -title ", [5, 6, 4, 1, 3, 2]),
        ("-title,,", [5, 6, 4, 1, 3, 2]),
    ],
)
def test_unknown_names_are_ignored(ordering: str, expected: list[int]) -> None:
    assert _ordered(ordering) == expected


@pytest.mark.parametrize(
    "ordering", ["", "id", "-id", "Title", "--title", "description", ",", "+title", "title desc"]
)
def test_when_no_name_is_valid_the_default_applies(ordering: str) -> None:
    assert _ordered(ordering) == DEFAULT


def test_ordering_is_kept_across_pages() -> None:
    first = call("/api/portfolios/?ordering=-client__name,title&limit=4")
    second = call("/api/portfolios/?ordering=-client__name,title&limit=4&offset=4")

    assert first.ids() + second.ids() == [2, 5, 1, 6, 4, 3]
    assert first.body["next"].endswith(
        "/Prod/api/portfolios/?limit=4&offset=4&ordering=-client__name%2Ctitle"
    )
