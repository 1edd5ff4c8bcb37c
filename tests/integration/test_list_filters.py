"""GET /api/portfolios/ filters (django-filter): every parameter of the contract's table on a
purpose-made catalogue whose boundaries sit exactly on the filter values — inclusive bounds,
UTC dates, offsets, a bare date as ``_to`` covering its day, booleans, empty values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.support import call, catalogue, employer, image, portfolio, tag

pytestmark = pytest.mark.integration

EVERYONE = [1, 2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def filterable() -> Iterator[None]:
    tags = {tag_id: tag(tag_id) for tag_id in range(1, 6)}
    first, second, third = employer(10, "First"), employer(20, "Second"), employer(30, "Third")
    items = [
        portfolio(1, order=0, is_active=True, image_data=image(101), description="text",
                  employer_data=first, tags_data=[tags[1], tags[2]],
                  created_at="2024-01-10T00:00:00Z", updated_at="2024-06-01T00:00:00Z",
                  completed_at="2022-05-05T00:00:00Z"),
        portfolio(2, order=1, is_active=False, image_data=None, description="",
                  employer_data=first, tags_data=[tags[2], tags[3]],
                  created_at="2024-01-10T23:59:59.999999Z", updated_at="2024-06-01T10:00:00Z",
                  completed_at=None),
        portfolio(3, order=2, is_active=True, image_data=image(103), description=None,
                  employer_data=second, tags_data=[],
                  created_at="2024-01-11T00:00:00Z", updated_at="2024-06-02T00:00:00Z",
                  completed_at="2022-05-05T23:59:59Z"),
        portfolio(4, order=3, is_active=True, image_data=None, description="x",
                  employer_data=None, tags_data=[tags[3]],
                  created_at="2024-01-09T23:30:00Z", updated_at="2024-05-31T23:59:59Z",
                  completed_at="2022-05-06T00:00:00Z"),
        portfolio(5, order=5, is_active=False, image_data=image(105), description=" ",
                  employer_data=third, tags_data=[tags[1], tags[2], tags[3], tags[4]],
                  created_at="2024-02-01T12:00:00.500000Z", updated_at="2024-07-01T00:00:00Z",
                  completed_at=None),
        portfolio(6, order=5, is_active=True, image_data=None, description=None,
                  employer_data=None, tags_data=[tags[5]],
                  created_at="2023-12-31T12:00:00Z", updated_at="2024-06-15T00:00:00Z",
                  completed_at="2021-01-01T00:00:00Z"),
    ]  # fmt: skip
    with catalogue(items):
        yield


@pytest.fixture(autouse=True)
def aws(filterable: None) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def _matching(query: str) -> list[int]:
    """The ids the list answers for ``query``, ascending; every match on one page."""
    reply = call(f"/api/portfolios/?{query}&limit=100")
    assert reply.status == 200, reply.body
    ids = reply.ids()
    assert reply.body["count"] == len(ids) == len(set(ids))
    return sorted(ids)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("id_min=3", [3, 4, 5, 6]),
        ("id_max=3", [1, 2, 3]),
        ("id_min=2&id_max=4", [2, 3, 4]),
        ("id_min=3&id_max=3", [3]),
        ("id_min=4&id_max=2", []),
        ("id_min=-5", EVERYONE),
    ],
)
def test_id_bounds_are_inclusive(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("order_min=2", [3, 4, 5, 6]),
        ("order_max=2", [1, 2, 3]),
        ("order_min=5&order_max=5", [5, 6]),
        ("order_min=0&order_max=0", [1]),
        ("order_min=6", []),
    ],
)
def test_order_bounds_are_inclusive(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 1 at 00:00:00, 2 at 23:59:59.999999 the same UTC day; 4 is the evening before (UTC)
        ("created_date=2024-01-10", [1, 2]),
        ("created_date=01/10/2024", [1, 2]),
        ("created_date=01/10/24", [1, 2]),
        ("created_date=2024-02-01", [5]),
        ("created_date=2024-01-12", []),
        ("updated_date=2024-06-01", [1, 2]),
        ("updated_date=2024-05-31", [4]),
    ],
)
def test_created_and_updated_date_match_the_utc_calendar_day(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("created_from=2024-01-10", [1, 2, 3, 5]),
        ("created_from=2024-01-10T00:00:00Z", [1, 2, 3, 5]),
        ("created_from=2024-01-10T23:59:59.999999", [2, 3, 5]),  # no offset: UTC
        ("created_from=2024-01-11T00:00:00.000001Z", [5]),
        # a bare date as the upper bound covers its whole UTC day (2 is at 23:59:59.999999)
        ("created_to=2024-01-10", [1, 2, 4, 6]),
        ("created_to=01/10/2024", [1, 2, 4, 6]),
        # a datetime as the upper bound is that instant, inclusive
        ("created_to=2024-01-10T00:00:00Z", [1, 4, 6]),
        ("created_to=2024-01-10T00:00:00", [1, 4, 6]),
        ("created_to=2024-01-10 00:00", [1, 4, 6]),
        ("created_from=2024-01-10&created_to=2024-01-10", [1, 2]),
        ("created_from=2024-01-11&created_to=2024-01-10", []),
    ],
)
def test_created_range_is_inclusive(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 03:00 in Tehran (+03:30) is 23:30 UTC the day before: exactly 4's creation
        ("created_from=2024-01-10T03:00:00%2B03:30", [1, 2, 3, 4, 5]),
        ("created_from=2024-01-10T03:00:01%2B03:30", [1, 2, 3, 5]),
        ("created_to=2024-01-10T03:00:00%2B03:30", [4, 6]),
        # 19:00 in New York (-05:00) is midnight UTC: exactly 1's creation
        ("created_to=2024-01-09T19:00:00-05:00", [1, 4, 6]),
        ("created_from=2024-01-09T19:00:00-05:00&created_to=2024-01-09T19:00:00-05:00", [1]),
    ],
)
def test_datetime_bounds_with_an_offset_are_compared_in_utc(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("updated_from=2024-06-01T10:00:00Z", [2, 3, 5, 6]),
        ("updated_from=2024-06-01", [1, 2, 3, 5, 6]),
        ("updated_to=2024-06-01", [1, 2, 4]),
        ("updated_to=2024-05-31T23:59:59Z", [4]),
        ("updated_from=2024-06-02&updated_to=2024-06-15", [3, 6]),
    ],
)
def test_updated_range_is_inclusive(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("completed_at_from=2022-05-05", [1, 3, 4]),
        ("completed_at_from=2022-05-05T23:59:59Z", [3, 4]),
        ("completed_at_to=2022-05-05", [1, 3, 6]),
        ("completed_at_to=2022-05-05T00:00:00Z", [1, 6]),
        ("completed_at_from=2022-05-05&completed_at_to=2022-05-05", [1, 3]),
        # a portfolio never completed never matches, however wide the range
        ("completed_at_from=1900-01-01", [1, 3, 4, 6]),
        ("completed_at_to=2999-12-31", [1, 3, 4, 6]),
    ],
)
def test_completed_at_range_is_inclusive_and_never_matches_null(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


@pytest.mark.parametrize(
    ("name", "with_it", "without_it"),
    [
        ("has_image", [1, 3, 5], [2, 4, 6]),
        # "" and null are no description; a single space is one
        ("has_description", [1, 4, 5], [2, 3, 6]),
        ("has_employer", [1, 2, 3, 5], [4, 6]),
        ("is_active", [1, 3, 4, 6], [2, 5]),
    ],
)
def test_booleans_accept_true_1_false_0_in_any_case(
    name: str, with_it: list[int], without_it: list[int]
) -> None:
    for value in ("true", "True", "TRUE", "1"):
        assert _matching(f"{name}={value}") == with_it, value
    for value in ("false", "False", "FALSE", "0"):
        assert _matching(f"{name}={value}") == without_it, value


@pytest.mark.parametrize("value", ["maybe", "yes", "no", "2", "on", "t", "%20true"])
def test_a_boolean_that_is_not_true_or_false_is_ignored(value: str) -> None:
    for name in ("has_image", "has_description", "has_employer", "is_active"):
        assert _matching(f"{name}={value}") == EVERYONE, name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("employer_id=10", [1, 2]),
        ("employer_id=20", [3]),
        ("employer_id=99", []),
        ("tag_id=2", [1, 2, 5]),
        ("tag_id=5", [6]),
        ("tag_id=99", []),
        ("tags_in=3", [2, 4, 5]),
        ("tags_in=1,5", [1, 5, 6]),
        ("tags_in=1,,2", [1, 2, 5]),
        ("tags_in=99,98", []),
    ],
)
def test_employer_and_tag_filters(query: str, expected: list[int]) -> None:
    assert _matching(query) == expected


def test_tags_in_with_many_tags_gives_each_portfolio_once() -> None:
    # Portfolio 5 has four of the tags asked for, 1 and 2 two each
    reply = call("/api/portfolios/?tags_in=1,2,3,4,5,6,7,8,9,10")

    assert reply.body["count"] == 5
    assert sorted(reply.ids()) == [1, 2, 4, 5, 6]


def test_filters_combine_with_and() -> None:
    assert _matching("has_image=true&is_active=true&order_max=2") == [1, 3]
    assert _matching("has_employer=true&tags_in=3&created_from=2024-01-10") == [2, 5]
    assert _matching("employer_id=10&is_active=false&tag_id=3") == [2]


def test_an_empty_value_means_the_filter_is_not_applied() -> None:
    query = "&".join(
        f"{name}="
        for name in (
            "id_min", "id_max", "created_date", "updated_date", "created_from", "created_to",
            "updated_from", "updated_to", "has_image", "has_description", "has_employer",
            "order_min", "order_max", "completed_at_from", "completed_at_to", "employer_id",
            "tag_id", "tags_in", "is_active",
        )
    )  # fmt: skip

    assert _matching(query) == EVERYONE


def test_unknown_parameters_are_ignored() -> None:
    assert _matching("foo=bar&id_minimum=3&employer=10&tags=1") == EVERYONE


def test_the_last_value_of_a_repeated_parameter_applies() -> None:
    # Django's QueryDict.get(): the last value
    assert _matching("employer_id=20&employer_id=10") == [1, 2]


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("id_min=abc", {"id_min": ["Enter a number."]}),
        ("order_max=--1", {"order_max": ["Enter a number."]}),
        ("employer_id=1.2.3", {"employer_id": ["Enter a number."]}),
        ("tag_id=x", {"tag_id": ["Enter a number."]}),
        ("tags_in=1,x", {"tags_in": ["Enter a number."]}),
        ("created_date=2023-13-45", {"created_date": ["Enter a valid date."]}),
        ("updated_date=2024-01-01T00:00:00", {"updated_date": ["Enter a valid date."]}),
        ("created_from=yesterday", {"created_from": ["Enter a valid date/time."]}),
        ("updated_to=2024-02-30", {"updated_to": ["Enter a valid date/time."]}),
        ("completed_at_from=yesterday", {"completed_at_from": ["Enter a valid date/time."]}),
        ("completed_at_to=2024-01-01T25:00:00", {"completed_at_to": ["Enter a valid date/time."]}),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_parameter(query: str, body: dict[str, list[str]]) -> None:
    reply = call(f"/api/portfolios/?{query}")

    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == body
