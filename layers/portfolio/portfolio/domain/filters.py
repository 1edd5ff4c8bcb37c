"""The list's filter parameters, parsed as the original's django-filter FilterSet parses them.

Each parameter is read as Django's form fields read it:

- numbers are ``forms.DecimalField`` (``NumberFilter``) with django-filter's 1e50 ceiling, and
  compared with integer columns the way Django prepares them (``int()``, truncating);
- dates are ``forms.DateField`` (``YYYY-MM-DD`` and Django's other default input formats);
- datetimes are ``forms.DateTimeField`` (ISO 8601 first, then the input formats, then dates),
  naive values in UTC; a bare date given to a ``*_to`` bound covers that whole UTC day (the
  contract's rule);
- booleans are django-filter's ``BooleanWidget``: ``true``/``1``, ``false``/``0``, anything
  else means "not given";
- ``tags_in`` is a ``BaseInFilter`` of numbers (comma-separated).

An empty value means "not given"; unknown parameters are ignored; every bad parameter is
reported at once, in the filterset's field order, with Django's messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any

from portfolio.domain.errors import InvalidFilters

ENTER_A_NUMBER = "Enter a number."
ENTER_A_VALID_DATE = "Enter a valid date."
ENTER_A_VALID_DATETIME = "Enter a valid date/time."
# django-filter's NumberFilter adds MaxValueValidator(1e50); Django renders the limit with str().
NUMBER_CEILING = Decimal(1e50)  # noqa: RUF032 (the float 1e50 exactly, as Django compares)
NUMBER_CEILING_MESSAGE = f"Ensure this value is less than or equal to {1e50}."

# Django's default (en) input formats.
DATE_INPUT_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%b %d %Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%d %b, %Y",
    "%B %d %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%d %B, %Y",
)
DATETIME_INPUT_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M:%S.%f",
    "%m/%d/%y %H:%M",
)

# Django's django.utils.dateparse.datetime_re, for what datetime.fromisoformat refuses.
_DATETIME_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)
# Integer comparisons are clamped here: far beyond any stored value, and int() of a huge
# Decimal (1e999999999) would never finish.
_INT_CLAMP = 10**20


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Django form fields ------------------------------------------------------------------


def _decimal(raw: str) -> Decimal:
    """forms.DecimalField.clean plus NumberFilter's max validator (non-empty input)."""
    try:
        value = Decimal(str(raw))
    except (DecimalException, ValueError) as exc:
        raise _Invalid(ENTER_A_NUMBER) from exc
    if not value.is_finite():
        raise _Invalid(ENTER_A_NUMBER)
    if value > NUMBER_CEILING:
        raise _Invalid(NUMBER_CEILING_MESSAGE)
    return value


def _as_integer(value: Decimal) -> int:
    """How Django prepares a Decimal for an integer column: int(), truncating toward zero."""
    if value > _INT_CLAMP:
        return _INT_CLAMP
    if value < -_INT_CLAMP:
        return -_INT_CLAMP
    return int(value)


def _parse_date_formats(value: str) -> dt.date | None:
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except (ValueError, TypeError):
            continue
    return None


def _date(raw: str) -> dt.date:
    """forms.DateField.clean (non-empty input)."""
    parsed = _parse_date_formats(raw.strip())
    if parsed is None:
        raise _Invalid(ENTER_A_VALID_DATE)
    return parsed


def _parse_datetime(value: str) -> dt.datetime | None:
    """django.utils.dateparse.parse_datetime."""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        match = _DATETIME_RE.match(value)
        if not match:
            return None
        parts = match.groupdict()
        micro = parts.pop("microsecond")
        tzinfo_raw = parts.pop("tzinfo")
        tzinfo: dt.tzinfo | None = None
        if tzinfo_raw == "Z":
            tzinfo = dt.UTC
        elif tzinfo_raw is not None:
            offset_mins = int(tzinfo_raw[-2:]) if len(tzinfo_raw) > 3 else 0
            offset = 60 * int(tzinfo_raw[1:3]) + offset_mins
            if tzinfo_raw[0] == "-":
                offset = -offset
            tzinfo = dt.timezone(dt.timedelta(minutes=offset))
        numbers = {key: int(val) for key, val in parts.items() if val is not None}
        if micro:
            numbers["microsecond"] = int(micro.ljust(6, "0"))
        return dt.datetime(**numbers, tzinfo=tzinfo)


@dataclass(frozen=True, slots=True)
class _Instant:
    """A parsed datetime bound: microseconds since the epoch (UTC), and whether the input was
    a bare date (which, as a ``*_to`` bound, covers the whole day)."""

    micros: int
    bare_date: bool


def _to_micros(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # no offset means UTC (TIME_ZONE = "UTC")
    return (value - _EPOCH) // _ONE_MICROSECOND


def _is_bare_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return _parse_date_formats(value) is not None
    return True


def _datetime(raw: str) -> _Instant:
    """forms.DateTimeField.clean (non-empty input)."""
    value = raw.strip()
    try:
        parsed = _parse_datetime(value)
    except (ValueError, OverflowError) as exc:
        raise _Invalid(ENTER_A_VALID_DATETIME) from exc
    if parsed is None:
        for fmt in DATETIME_INPUT_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except (ValueError, TypeError):
                continue
    if parsed is None:
        day = _parse_date_formats(value)
        if day is None:
            raise _Invalid(ENTER_A_VALID_DATETIME)
        parsed = dt.datetime(day.year, day.month, day.day)
    try:
        micros = _to_micros(parsed)
    except OverflowError as exc:
        raise _Invalid(ENTER_A_VALID_DATETIME) from exc
    return _Instant(micros=micros, bare_date=_is_bare_date(value))


def _boolean(raw: str) -> bool | None:
    """django-filter's BooleanWidget: anything but true/false/1/0 means "not given"."""
    return {"1": True, "0": False, "true": True, "false": False}.get(raw.lower())


def _number_list(raw: str) -> list[Decimal | None]:
    """BaseCSVField over DecimalField: each comma-separated item cleaned; "" is None."""
    return [_decimal(item) if item != "" else None for item in raw.split(",")]


# --- The filterset -----------------------------------------------------------------------

DAY_MICROS = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Filters:
    """The parsed filters; ``None`` means "not applied". Integer bounds are inclusive and
    already truncated as Django would; datetime bounds are inclusive microseconds (UTC)."""

    id_min: int | None = None
    id_max: int | None = None
    created_date: dt.date | None = None
    updated_date: dt.date | None = None
    created_from: int | None = None
    created_to: int | None = None
    updated_from: int | None = None
    updated_to: int | None = None
    has_image: bool | None = None
    has_description: bool | None = None
    has_employer: bool | None = None
    order_min: int | None = None
    order_max: int | None = None
    completed_at_from: int | None = None
    completed_at_to: int | None = None
    employer_id: int | None = None
    tag_id: int | None = None
    # None: not applied. frozenset(): the list held only empty items, which matches nothing
    # (Django drops NULLs from an IN list and an empty IN is an empty result).
    tags_in: frozenset[int] | None = None
    is_active: bool | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__slots__)


def _from_bound(instant: _Instant) -> int:
    return instant.micros


def _to_bound(instant: _Instant) -> int:
    # A bare date as the upper bound covers the whole UTC day.
    return instant.micros + DAY_MICROS - 1 if instant.bare_date else instant.micros


def _integer(raw: str) -> int:
    return _as_integer(_decimal(raw))


def _tags(raw: str) -> frozenset[int] | None:
    if raw == "":
        return None
    return frozenset(_as_integer(value) for value in _number_list(raw) if value is not None)


# Parameter name -> how to read it. The order is the original filterset's (it is the order of
# the keys in a 400 body).
_FIELDS: dict[str, Callable[[str], Any]] = {
    "id_min": _integer,
    "id_max": _integer,
    "created_date": _date,
    "updated_date": _date,
    "created_from": lambda raw: _from_bound(_datetime(raw)),
    "created_to": lambda raw: _to_bound(_datetime(raw)),
    "updated_from": lambda raw: _from_bound(_datetime(raw)),
    "updated_to": lambda raw: _to_bound(_datetime(raw)),
    "has_image": _boolean,
    "has_description": _boolean,
    "has_employer": _boolean,
    "order_min": _integer,
    "order_max": _integer,
    "completed_at_from": lambda raw: _from_bound(_datetime(raw)),
    "completed_at_to": lambda raw: _to_bound(_datetime(raw)),
    "employer_id": _integer,
    "tag_id": _integer,
    "tags_in": _tags,
    "is_active": _boolean,
}

FILTER_PARAMETERS: tuple[str, ...] = tuple(_FIELDS)


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Parse the filter parameters of a request (one value per name: the last one given).

    Raises ``InvalidFilters`` listing every bad parameter.
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, read in _FIELDS.items():
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = read(raw)
        except _Invalid as invalid:
            errors[name] = [invalid.message]
    if errors:
        raise InvalidFilters(errors)
    return Filters(**values)


def date_bounds(day: dt.date) -> tuple[int, int]:
    """The inclusive microsecond range of a UTC calendar day."""
    start = _to_micros(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
    return start, start + DAY_MICROS - 1
