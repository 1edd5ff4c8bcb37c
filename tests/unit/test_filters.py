"""The contract's Filters rows: how each parameter is read, what is ignored, and the 400."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio.domain.errors import InvalidFilters
from portfolio.domain.filters import FILTER_PARAMETERS, Filters, date_bounds, parse_filters
from tests.unit.builders import micros

pytestmark = pytest.mark.unit

INTEGER_FILTERS = ("id_min", "id_max", "order_min", "order_max", "employer_id", "tag_id")
BOOLEAN_FILTERS = ("has_image", "has_description", "has_employer", "is_active")
DATETIME_FROM = ("created_from", "updated_from", "completed_at_from")
DATETIME_TO = ("created_to", "updated_to", "completed_at_to")
LAST_MICROSECOND_OF_DAY = 86_400_000_000 - 1


def test_no_parameters_apply_no_filter() -> None:
    """Given no parameters, when parsed, then no filter is applied."""
    assert parse_filters({}).is_empty()
    assert parse_filters({}) == Filters()


@pytest.mark.parametrize("name", FILTER_PARAMETERS)
def test_an_empty_value_does_not_apply_the_filter(name: str) -> None:
    """Given ``?name=`` with an empty value, when parsed, then that filter is not applied
    (and it is no error)."""
    assert parse_filters({name: ""}).is_empty()


def test_unknown_parameters_are_ignored() -> None:
    """Given parameters that are not filters (misspelt, other case, the list's own), when
    parsed, then nothing is applied and nothing is refused."""
    params = {"ID_MIN": "abc", "idmin": "x", "search": "a", "ordering": "-id", "limit": "0", "foo": "bar"}
    assert parse_filters(params).is_empty()


@pytest.mark.parametrize("name", INTEGER_FILTERS)
@pytest.mark.parametrize(("raw", "value"), [("7", 7), ("-3", -3), ("0", 0), (" 42 ", 42), ("+5", 5)])
def test_integer_filters_read_integers(name: str, raw: str, value: int) -> None:
    """Given an integer value, when parsed, then the filter applies with that integer."""
    assert getattr(parse_filters({name: raw}), name) == value


@pytest.mark.parametrize(("raw", "value"), [("2.9", 2), ("-2.9", -2), ("1e3", 1000), ("10.0", 10)])
def test_a_decimal_is_truncated_as_django_prepares_it_for_an_integer_column(raw: str, value: int) -> None:
    """Given a decimal or exponent value (django-filter's NumberFilter accepts them), when
    parsed, then it is truncated toward zero, as Django's int() does for an integer column."""
    assert parse_filters({"id_min": raw}).id_min == value


@pytest.mark.parametrize("name", INTEGER_FILTERS)
@pytest.mark.parametrize("raw", ["abc", "1x", "0x10", "1,5", "NaN", "Infinity", "-inf", "--1", " "])
def test_a_non_number_is_refused_with_djangos_message(name: str, raw: str) -> None:
    """Given a value that is not a number, when parsed, then it is refused with "Enter a
    number."."""
    with pytest.raises(InvalidFilters) as raised:
        parse_filters({name: raw})
    assert raised.value.errors == {name: ["Enter a number."]}


def test_a_number_above_django_filters_ceiling_is_refused() -> None:
    """Given a number above 1e50 (django-filter's NumberFilter limit), when parsed, then it
    is refused with Django's MaxValueValidator message; 1e50 itself is accepted."""
    with pytest.raises(InvalidFilters) as raised:
        parse_filters({"order_max": "1e51"})
    assert raised.value.errors == {"order_max": ["Ensure this value is less than or equal to 1e+50."]}
    assert parse_filters({"order_max": "1e50"}).order_max is not None


def test_a_huge_bound_still_means_beyond_every_id() -> None:
    """Given an id_min far beyond any id, or an id_max far below any, when parsed, then the
    bounds keep their meaning (nothing above / nothing below) and parsing stays fast."""
    filters = parse_filters({"id_min": "1e49", "id_max": "-1e999999"})
    assert filters.id_min is not None
    assert filters.id_min > 2**63
    assert filters.id_max is not None
    assert filters.id_max < -(2**63)


@pytest.mark.parametrize("name", ["created_date", "updated_date"])
@pytest.mark.parametrize(
    "raw", ["2024-03-09", "03/09/2024", "03/09/24", "3/9/2024", " 2024-03-09 ", "Mar 9 2024", "9 March, 2024"]
)
def test_date_filters_read_djangos_date_formats(name: str, raw: str) -> None:
    """Given a date in YYYY-MM-DD or another of Django's default input formats, when parsed,
    then the filter applies to that calendar date."""
    assert getattr(parse_filters({name: raw}), name) == dt.date(2024, 3, 9)


@pytest.mark.parametrize("raw", ["2023-13-45", "2023-02-29", "09/03/2024x", "2024/03/09", "yesterday"])
def test_an_invalid_date_is_refused_with_djangos_message(raw: str) -> None:
    """Given a value that is no date, when parsed, then it is refused with "Enter a valid
    date."."""
    with pytest.raises(InvalidFilters) as raised:
        parse_filters({"created_date": raw})
    assert raised.value.errors == {"created_date": ["Enter a valid date."]}


def test_a_datetime_date_filter_is_no_date() -> None:
    """Given a datetime given to a date filter, when parsed, then it is refused (DateField
    reads dates only)."""
    with pytest.raises(InvalidFilters):
        parse_filters({"updated_date": "2024-03-09T10:00:00Z"})


@pytest.mark.parametrize("name", DATETIME_FROM + DATETIME_TO)
@pytest.mark.parametrize(
    ("raw", "instant"),
    [
        ("2024-03-09T10:20:30Z", "2024-03-09T10:20:30+00:00"),
        ("2024-03-09T10:20:30", "2024-03-09T10:20:30+00:00"),  # no offset means UTC
        ("2024-03-09 10:20:30.123456", "2024-03-09T10:20:30.123456+00:00"),
        ("2024-03-09T13:50:30+03:30", "2024-03-09T10:20:30+00:00"),
        ("2024-03-09T05:20:30-05:00", "2024-03-09T10:20:30+00:00"),
        ("2024-03-09T10:20", "2024-03-09T10:20:00+00:00"),
        ("03/09/2024 10:20", "2024-03-09T10:20:00+00:00"),
    ],
)
def test_datetime_filters_read_iso_8601_with_or_without_offset(name: str, raw: str, instant: str) -> None:
    """Given an ISO 8601 datetime (or one of Django's datetime formats), when parsed, then the
    bound is that instant in UTC (no offset means UTC), to the microsecond."""
    assert getattr(parse_filters({name: raw}), name) == micros(instant)


@pytest.mark.parametrize("name", DATETIME_FROM)
@pytest.mark.parametrize("raw", ["2024-03-09", "03/09/2024"])
def test_a_bare_date_as_a_lower_bound_is_the_start_of_that_utc_day(name: str, raw: str) -> None:
    """Given a bare date as ``*_from``, when parsed, then the bound is that day's midnight
    UTC."""
    assert getattr(parse_filters({name: raw}), name) == micros("2024-03-09T00:00:00+00:00")


@pytest.mark.parametrize("name", DATETIME_TO)
@pytest.mark.parametrize("raw", ["2024-03-09", "03/09/2024", "20240309"])
def test_a_bare_date_as_an_upper_bound_covers_that_whole_utc_day(name: str, raw: str) -> None:
    """Given a bare date as ``*_to``, when parsed, then the bound is the last microsecond of
    that UTC day (the contract's rule), so everything on that day is included."""
    assert getattr(parse_filters({name: raw}), name) == micros("2024-03-09T23:59:59.999999+00:00")


def test_a_midnight_datetime_as_an_upper_bound_is_that_instant() -> None:
    """Given an explicit midnight datetime as ``*_to``, when parsed, then it is that instant
    (only a bare date covers the day)."""
    assert parse_filters({"created_to": "2024-03-09T00:00:00Z"}).created_to == micros("2024-03-09T00:00")


@pytest.mark.parametrize("name", DATETIME_FROM + DATETIME_TO)
@pytest.mark.parametrize(
    "raw", ["yesterday", "2024-03-09T25:00", "2024-13-01", "10:20", "2024-03-09T10:20:30+24:00"]
)
def test_an_invalid_datetime_is_refused_with_djangos_message(name: str, raw: str) -> None:
    """Given a value that is no date or datetime, when parsed, then it is refused with
    "Enter a valid date/time."."""
    with pytest.raises(InvalidFilters) as raised:
        parse_filters({name: raw})
    assert raised.value.errors == {name: ["Enter a valid date/time."]}


@pytest.mark.parametrize("name", BOOLEAN_FILTERS)
@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("1", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
    ],
)
def test_booleans_read_true_1_false_0_in_any_case(name: str, raw: str, value: bool) -> None:
    """Given true/1 or false/0 in any letter case, when parsed, then the filter applies with
    that boolean."""
    assert getattr(parse_filters({name: raw}), name) is value


@pytest.mark.parametrize("name", BOOLEAN_FILTERS)
@pytest.mark.parametrize("raw", ["maybe", "yes", "no", "on", "t", "2", " true", "None"])
def test_any_other_boolean_value_is_ignored_without_error(name: str, raw: str) -> None:
    """Given any other boolean value, when parsed, then the filter is not applied and it is
    no error (django-filter's BooleanWidget)."""
    assert parse_filters({name: raw}).is_empty()


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("3", {3}),
        ("1,2,3", {1, 2, 3}),
        ("3,2,3,2", {2, 3}),
        ("1, 2", {1, 2}),
        ("1,,2,", {1, 2}),
        ("2.7", {2}),
    ],
)
def test_tags_in_reads_a_comma_separated_list_of_numbers(raw: str, tags: set[int]) -> None:
    """Given a comma-separated list of numbers (empty items skipped), when parsed, then the
    filter applies with that set of tag ids."""
    assert parse_filters({"tags_in": raw}).tags_in == frozenset(tags)


def test_tags_in_with_only_empty_items_matches_nothing() -> None:
    """Given ``tags_in=,`` (items, all empty), when parsed, then the filter applies with no
    tag at all, which matches nothing (Django drops NULLs from an IN list)."""
    assert parse_filters({"tags_in": ","}).tags_in == frozenset()


@pytest.mark.parametrize("raw", ["1,x", "x", "1;2", "1 2", "1,1e51"])
def test_tags_in_with_a_bad_item_is_refused(raw: str) -> None:
    """Given a list with an item that is not a number, when parsed, then the whole parameter
    is refused with the item's message."""
    with pytest.raises(InvalidFilters) as raised:
        parse_filters({"tags_in": raw})
    assert list(raised.value.errors) == ["tags_in"]


def test_every_bad_parameter_is_reported_at_once_in_the_filtersets_order() -> None:
    """Given the contract's example of four bad parameters (given in another order) and a
    good one, when parsed, then the 400 lists exactly the four, in the filterset's order,
    in django-filter's words."""
    params = {
        "completed_at_from": "yesterday",
        "tags_in": "1,x",
        "id_max": "5",
        "created_date": "2023-13-45",
        "id_min": "abc",
    }
    with pytest.raises(InvalidFilters) as raised:
        parse_filters(params)
    assert list(raised.value.errors.items()) == [
        ("id_min", ["Enter a number."]),
        ("created_date", ["Enter a valid date."]),
        ("completed_at_from", ["Enter a valid date/time."]),
        ("tags_in", ["Enter a number."]),
    ]


def test_all_filters_combine() -> None:
    """Given one valid value for every filter, when parsed, then every filter is applied."""
    params = {
        "id_min": "1",
        "id_max": "9",
        "created_date": "2024-01-02",
        "updated_date": "2024-01-03",
        "created_from": "2024-01-01",
        "created_to": "2024-01-31",
        "updated_from": "2024-01-01T00:00Z",
        "updated_to": "2024-02-01T00:00Z",
        "has_image": "true",
        "has_description": "0",
        "has_employer": "1",
        "order_min": "-1",
        "order_max": "10",
        "completed_at_from": "2020-01-01",
        "completed_at_to": "2030-01-01",
        "employer_id": "4",
        "tag_id": "5",
        "tags_in": "5,6",
        "is_active": "false",
    }
    filters = parse_filters(params)
    assert set(params) == set(FILTER_PARAMETERS)
    assert all(getattr(filters, name) is not None for name in FILTER_PARAMETERS)


@pytest.mark.parametrize("day", [dt.date(2024, 3, 9), dt.date(1970, 1, 1), dt.date(1969, 12, 31)])
def test_a_dates_bounds_are_its_first_and_last_utc_microsecond(day: dt.date) -> None:
    """Given a calendar date, when its bounds are taken, then they span exactly that UTC day."""
    low, high = date_bounds(day)
    start = micros(f"{day.isoformat()}T00:00:00+00:00")
    assert (low, high) == (start, start + LAST_MICROSECOND_OF_DAY)
