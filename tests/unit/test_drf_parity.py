"""Parity with the original: our parsers and DRF / django-filter, run side by side on the
same inputs (hypothesis-generated, plus hand-picked nasty ones).

Frontends switch base URLs and expect the same answers, so wherever the contract defers to
DRF or django-filter, the real code is the oracle. The one documented deviation (a bare date
given to a ``*_to`` filter covers the whole UTC day) is applied to the reference's value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django import forms
from django.utils.encoding import filepath_to_uri
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio.api.routes import PathShape, match_list_path, match_retrieve_path
from portfolio.domain.errors import InvalidFilters, InvalidSearch
from portfolio.domain.filters import FILTER_PARAMETERS, Filters, parse_filters
from portfolio.domain.ordering import ORDERING_FIELDS, parse_ordering
from portfolio.domain.pagination import RequestUrl, next_link, parse_limit, parse_offset, previous_link
from portfolio.domain.rendering import media_url, render_timestamp
from portfolio.domain.search import search_terms
from tests.unit.drf_reference import (
    EMPTY_VALUES,
    ORIGINAL_FILTERS,
    django_route,
    drf_limit,
    drf_links,
    drf_offset,
    drf_ordering,
    drf_render_datetime,
    drf_search_terms,
    original_filter_form,
)

pytestmark = pytest.mark.unit

# No example database: the tests leave nothing behind in the working tree.
PARITY = settings(max_examples=300, deadline=None, database=None)

# Characters no input can be trusted not to hold (surrogates are tested on their own).
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))


# --- search -------------------------------------------------------------------------------

SEARCH_SPECIALS = [
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2003",
    "\u2028", "\u3000", "\u200b", "\ufeff", '"', "'", "\\", ",", "a", "b", "É", "é", "ß", "ی", "\x00",
]  # fmt: skip


def our_search(raw: str | None) -> list[str] | tuple[str, ...]:
    try:
        return search_terms(raw)
    except InvalidSearch as invalid:
        return tuple(invalid.messages)


@PARITY
@given(st.text(alphabet=st.one_of(st.sampled_from(SEARCH_SPECIALS), ANY_CHARACTER), max_size=30))
@example('"a phrase" alone')
@example(r'"say \"hi\"" it\'s')
@example(r"'it\'s' \\\\ back\slash")
@example('"unterminated phrase')
@example("lone ' quote")
@example('"')
@example("'")
@example('""')
@example("\"\",''")
@example("a,b,,c, d ,")
@example(',"a, b",')
@example('"a, ,b"x')
@example('x"y z"w')
@example("\u3000full\u2003width\xa0space")
@example("\x1cfile\x1dgroup\x1erecord\x1funit")
@example("nul\x00inside")
@example("\x00")
@example("   ")
@example("")
def test_search_terms_are_drfs(raw: str) -> None:
    """Given any ``?search=`` value, when we split it into terms, then we get exactly DRF's
    SearchFilter terms (or its 400 messages)."""
    assert our_search(raw) == drf_search_terms(raw)


def test_no_search_parameter_means_no_terms_as_in_drf() -> None:
    """Given no ``search`` parameter, when split, then there are no terms (DRF: none)."""
    assert our_search(None) == drf_search_terms(None) == []


@pytest.mark.parametrize("raw", ["\ud800", "café\udfff", "\x00\udc80", "a\ud83d b"])
def test_a_lone_surrogate_is_refused_as_drf_refuses_it(raw: str) -> None:
    """Given a search holding a lone surrogate (only a JSON-escaped event can carry one),
    when it is parsed, then the answer is DRF CharField's 400 messages."""
    assert our_search(raw) == drf_search_terms(raw)


# --- ordering -----------------------------------------------------------------------------

ORDERING_TOKENS = st.one_of(
    st.sampled_from(ORDERING_FIELDS),
    st.sampled_from(ORDERING_FIELDS).map(lambda name: f"-{name}"),
    st.sampled_from(ORDERING_FIELDS).map(lambda name: f" \t-{name}\xa0 "),
    st.sampled_from(
        ["", " ", "-", "--title", "+title", "TITLE", "id", "pk", "?", "client", "client__id", "-year\x00"]
    ),
    st.text(alphabet=st.one_of(st.sampled_from("-_, \t"), ANY_CHARACTER), max_size=8),
)


@PARITY
@given(st.lists(ORDERING_TOKENS, max_size=6).map(",".join))
@example("")
@example(",")
@example("title,-title")
@example("-created_at, year ,unknown")
@example("unknown,also_unknown")
def test_ordering_is_drfs(raw: str) -> None:
    """Given any ``?ordering=`` value, when parsed, then the terms are those DRF's
    OrderingFilter passes to order_by() (the default when none is valid)."""
    assert [str(term) for term in parse_ordering(raw)] == drf_ordering(raw)


def test_no_ordering_parameter_is_drfs_default() -> None:
    """Given no ``ordering`` parameter, when parsed, then it is the view's default."""
    assert [str(term) for term in parse_ordering(None)] == drf_ordering(None) == ["order", "-created_at"]


# --- pagination ---------------------------------------------------------------------------

NASTY_INTEGERS = [
    "", " ", "0", "-0", "+0", "00", "1", " 5", "5 ", "+5", "-5", "1_0", "1__0", "_1", "1.0", "1e2",
    "abc", "0x10", "٣", "１２", "\u0663\u0660", "\t7\n", "99999999999999999999999", "1" * 5000,
]  # fmt: skip
INTEGER_TEXT = st.one_of(
    st.integers(min_value=-1000, max_value=10**6).map(str),
    st.integers().map(str),
    st.sampled_from(NASTY_INTEGERS),
    st.text(alphabet=st.one_of(st.sampled_from("0123456789+-_ ."), ANY_CHARACTER), max_size=6),
)


@PARITY
@given(st.one_of(st.none(), INTEGER_TEXT))
def test_limit_is_drfs(raw: str | None) -> None:
    """Given any ``?limit=`` value (or none), when parsed, then it is DRF's limit (default 10,
    at most 100, bad values fall back)."""
    assert parse_limit(raw) == drf_limit(raw)


@PARITY
@given(st.one_of(st.none(), INTEGER_TEXT))
def test_offset_is_drfs(raw: str | None) -> None:
    """Given any ``?offset=`` value (or none), when parsed, then it is DRF's offset."""
    assert parse_offset(raw) == drf_offset(raw)


QUERY_NAMES = st.one_of(
    st.sampled_from(["limit", "offset", "search", "ordering", "tags_in", "a", "b", "B", "é", "ی", ""]),
    st.text(ANY_CHARACTER, max_size=5),
)
QUERY_VALUES = st.one_of(
    st.sampled_from(["", " ", "+", "&", "=", "%", "%20", "#", "?", "a b", "ß", "é", "ی", "\x00", "1,2"]),
    st.text(ANY_CHARACTER, max_size=8),
)
BASES = st.sampled_from(
    [
        "https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/api/portfolios/",
        "https://api.example.com/api/portfolios/",
        "http://127.0.0.1:3000/api/portfolios/",
    ]
)


def client_query_string(pairs: list[tuple[str, str]], plus_for_space: bool) -> str:
    """A query string as a client may send it (spaces as ``+`` or as ``%20``)."""
    encode = quote_plus if plus_for_space else quote
    return "&".join(f"{encode(name, safe='')}={encode(value, safe='')}" for name, value in pairs)


@PARITY
@given(
    base=BASES,
    pairs=st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=6),
    plus_for_space=st.booleans(),
    limit=st.integers(min_value=1, max_value=100),
    offset=st.one_of(st.integers(min_value=0, max_value=300), st.sampled_from([0, 1, 10, 100])),
    count=st.one_of(st.integers(min_value=0, max_value=400), st.sampled_from([0, 1, 10, 11, 100, 101])),
)
def test_next_and_previous_links_are_drfs(
    *, base: str, pairs: list[tuple[str, str]], plus_for_space: bool, limit: int, offset: int, count: int
) -> None:
    """Given a request URL with any query (repeated names, blank values, Unicode) and any
    limit/offset/count, when the page's links are built, then ``next`` and ``previous`` are
    DRF's, character for character."""
    query: dict[str, list[str]] = {}
    for name, value in pairs:
        query.setdefault(name, []).append(value)
    absolute_uri = f"{base}?{client_query_string(pairs, plus_for_space)}" if pairs else base
    url = RequestUrl(base=base, query=query)

    ours = (
        next_link(url, limit=limit, offset=offset, count=count),
        previous_link(url, limit=limit, offset=offset),
    )

    assert ours == drf_links(absolute_uri, limit=limit, offset=offset, count=count)


# --- routes -------------------------------------------------------------------------------

PATH_PIECES = st.sampled_from(
    ["/", "/", "api", "portfolios", "1", "150", ".", "..", "x", "json", "é", " ", "\n", "%2F"]
)


def our_route(path: str) -> tuple[str, str | None, bool]:
    for name, match in (
        ("portfolio-list", match_list_path(path)),
        ("portfolio-detail", match_retrieve_path(path)),
    ):
        if match.shape is not PathShape.UNKNOWN:
            return name, match.portfolio_id, match.shape is PathShape.ADD_SLASH
    return "", None, False


@PARITY
@given(
    st.one_of(
        st.lists(PATH_PIECES, max_size=6).map(lambda pieces: "/api/portfolios" + "".join(pieces)),
        st.lists(st.one_of(PATH_PIECES, ANY_CHARACTER), max_size=8).map(lambda pieces: "/" + "".join(pieces)),
    )
)
@example("/api/portfolios")
@example("/api/portfolios/")
@example("/api/portfolios/150")
@example("/api/portfolios/150/")
@example("/api/portfolios/1.5")
@example("/api/portfolios/1.json")
@example("/api/portfolios//")
@example("/api/portfolios/a\nb/")
@example("/api/portfolios/1/\n")
def test_paths_route_as_the_original_router_and_append_slash(path: str) -> None:
    """Given any path, when routed, then it is the list, a retrieve (with the same id), a
    redirect adding a slash, or unknown, exactly as the original's DRF router and Django's
    APPEND_SLASH decide."""
    assert our_route(path) == django_route(path)


# --- rendering ----------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
FIRST_INSTANT = (dt.datetime(1, 1, 1, tzinfo=dt.UTC) - _EPOCH) // _MICROSECOND
LAST_INSTANT = (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC) - _EPOCH) // _MICROSECOND


@PARITY
@given(
    st.one_of(
        st.integers(min_value=FIRST_INSTANT, max_value=LAST_INSTANT),
        # Whole seconds, where DRF leaves the fraction out.
        st.integers(min_value=FIRST_INSTANT // 1_000_000, max_value=LAST_INSTANT // 1_000_000).map(
            lambda seconds: seconds * 1_000_000
        ),
        st.integers(min_value=0, max_value=2_000_000_000_000_000),
    )
)
@example(0)
@example(1)
@example(-1)
@example(FIRST_INSTANT)
@example(LAST_INSTANT)
@example(1_772_560_348_976_376)  # 2026-03-03T17:52:28.976376Z
@example(1_733_961_600_000_000)  # 2024-12-12T00:00:00Z
def test_timestamps_render_as_drfs_datetime_field(micros: int) -> None:
    """Given any stored instant, when rendered, then it is DRF DateTimeField's text."""
    assert render_timestamp(micros) == drf_render_datetime(micros)


@PARITY
@given(
    st.text(
        alphabet=st.one_of(st.sampled_from("/ ~!*()'#?&=%+;:@,$[]"), ANY_CHARACTER), min_size=1, max_size=20
    )
    .filter(lambda key: "\\" not in key)
    .map(lambda key: "core_media/" + key)
)
def test_media_urls_encode_keys_as_djangos_storage(key: str) -> None:
    """Given any storage key, when made a URL, then the key is encoded as Django's
    filepath_to_uri encodes it. (Keys with a backslash are left out: Django turns it into a
    slash, which on S3 would name another object; the original's file names never hold one.)"""
    assert media_url("https://media.example.com/media", key) == (
        "https://media.example.com/media/" + filepath_to_uri(key)
    )


# --- filters ------------------------------------------------------------------------------

NUMBER_FILTERS = ("id_min", "id_max", "order_min", "order_max", "employer_id", "tag_id")
DATE_FILTERS = ("created_date", "updated_date")
DATETIME_FILTERS = (
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "completed_at_from",
    "completed_at_to",
)
BOOLEAN_FILTERS = ("has_image", "has_description", "has_employer", "is_active")

NASTY_NUMBERS = [
    "0", "-0", "7", " 7 ", "\t7\n", "+7", "-7", "2.5", "-2.5", "2.9", "-2.9", "2.", ".5", "1_000", "1__0",
    "1e3", "1E+3", "1e-3", "0e5", "1e50", "1E+50", "1e51", "-1e51", "1e-999999",
    "100000000000000007629769841091887003294964970946560",
    "100000000000000007629769841091887003294964970946561",
    "-100000000000000007629769841091887003294964970946561",
    "99999999999999999999999", "-99999999999999999999999", "9223372036854775808",
    "1e999999999999999999", "-1e999999999999999999", "-1e9999999999999999999999", "0e999999999999999999",
    "NaN", "nan", "-NaN", "sNaN", "Infinity", "-inf", "abc", "1,5", "0x1A", "٣", "١٢", "\u0663.5", "１２",
    "--1", "1-", " ", "\t", "1\x00", "\x00", "1 2", "½", "²",
]  # fmt: skip
NASTY_DATES = [
    "2024-01-31", "2024-1-5", "2024-02-29", "2023-02-29", "2023-13-45", "2023-00-10", "0001-01-01",
    "9999-12-31", "10000-01-01", "01/31/2024", "1/5/2024", "01/31/24", "1/5/69", "1/5/68", "31/01/2024",
    "Jan 31 2024", "jan 31, 2024", "31 Jan 2024", "31 Jan, 2024", "January 31 2024", "JANUARY 31, 2024",
    "31 January 2024", "31 January, 2024", "Sept 1 2024", " 2024-01-31 ", "20240131", "2024-W05-3",
    "2024-031", "2024-01-31T00:00", "2024-01-31 00:00:00", "2024-01-31Z", "yesterday", "today", " ",
    "٢٠٢٤-٠١-٣١", "２０２４-０１-３１", "2024/01/31", "2024-01-31\x00",
]  # fmt: skip
NASTY_DATETIMES = [
    *NASTY_DATES,
    "2024-01-31T10:20:30", "2024-01-31T10:20:30Z", "2024-01-31T10:20:30.123456Z",
    "2024-01-31T10:20:30.1234567Z", "2024-01-31T10:20:30,5+03:30", "2024-01-31 10:20:30.5 +0330",
    "2024-01-31T10:20+05", "2024-01-31T10:20:30-00:00", "2024-01-31T10:20:30+14:00",
    "2024-01-31T10:20:30+24:00", "2024-01-31T10:20:30+23:59:59", "2024-01-31T24:00:00",
    "2024-01-31T25:00:00", "2024-01-31T10:60", "2024-01-31T10", "2024-01-31T1:2", "2024-01-31 1:2:3",
    "20240131T102030Z", "2024-01-31T10:20:30.000", "01/31/2024 10:20", "01/31/2024 10:20:30.5",
    "01/31/24 10:20:30", "2024-01-31 10:20:30", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59.999999", "0001-01-01T00:00:00", "2024-01-31T10:20:30 Z", "2024-01-31T10:20:30z",
]  # fmt: skip
NASTY_BOOLEANS = [
    "true", "True", "TRUE", "tRuE", "1", "0", "false", "False", "FALSE", "yes", "no", "on", "off", "t", "f",
    "2", "-1", "01", " true", "true ", "maybe", "null", "None", "ｔｒｕｅ", "\u0130", " ", "\x00",
]  # fmt: skip
NASTY_TAG_LISTS = [
    "1", "1,2,3", "3,2,1,2", ",", ",,", "1,", ",1", "1,,2", "1, 2", " 1 , 2 ", "1,x", "x,1", "1;2", "1 2",
    "2.5,3.9", "-1,0", "1e51,2", "1,1e51", "NaN,1", "٣,１２", "1,2,3,4,5,6,7,8,9,10,11,12", " ",
]  # fmt: skip


def number_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_NUMBERS),
        st.integers().map(str),
        st.decimals().map(str),
        st.floats().map(str),
        st.builds("{}e{}".format, st.integers(-9, 9), st.integers(-(10**24), 10**24)),
        st.text(alphabet=st.sampled_from("0123456789+-.eE_ ,"), max_size=8),
        st.text(ANY_CHARACTER, max_size=4),
    )


DATE_PATTERNS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%b %d %Y", "%d %B, %Y", "%Y%m%d", "%d.%m.%Y"]


def date_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_DATES),
        st.dates().map(dt.date.isoformat),
        st.tuples(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(DATE_PATTERNS)).map(
            lambda day_and_pattern: day_and_pattern[0].strftime(day_and_pattern[1])
        ),
        st.text(alphabet=st.sampled_from("0123456789-/: TZ+.,"), max_size=12),
        st.text(ANY_CHARACTER, max_size=4),
    )


OFFSETS = st.one_of(
    st.none(),
    st.integers(min_value=-1439, max_value=1439).map(
        lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
    ),
    st.just(dt.UTC),
)


def _iso(value: dt.datetime, sep: str, timespec: str, zulu: bool, comma: bool) -> str:
    text = value.isoformat(sep=sep, timespec=timespec)
    if zulu:
        text = text.replace("+00:00", "Z")
    if comma:
        text = text.replace(".", ",")
    return text


def datetime_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_DATETIMES),
        st.builds(
            _iso,
            st.datetimes(timezones=OFFSETS),
            sep=st.sampled_from(["T", " ", "t"]),
            timespec=st.sampled_from(["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"]),
            zulu=st.booleans(),
            comma=st.booleans(),
        ),
        date_texts(),
        st.text(alphabet=st.sampled_from("0123456789-/: TZ+.,"), max_size=26),
    )


def boolean_texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_BOOLEANS), st.text(ANY_CHARACTER, max_size=5))


def tag_list_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TAG_LISTS),
        st.lists(st.one_of(st.just(""), number_texts()), max_size=5).map(",".join),
    )


VALUES_BY_FILTER: dict[str, st.SearchStrategy[str]] = {
    **dict.fromkeys(NUMBER_FILTERS, number_texts()),
    **dict.fromkeys(DATE_FILTERS, date_texts()),
    **dict.fromkeys(DATETIME_FILTERS, datetime_texts()),
    **dict.fromkeys(BOOLEAN_FILTERS, boolean_texts()),
    "tags_in": tag_list_texts(),
}
# Parameters that are not filters: the filterset ignores them.
OTHER_PARAMETERS = ("search", "ordering", "limit", "offset", "ID_MIN", "tags", "unknown")

_DAY = dt.timedelta(days=1)
# Beyond this, an integer bound is past every stored id and order (we clamp; Django's int()
# of 1e999999 would not finish and the database answers "none" / "all" the same way).
_HUGE = Decimal(10) ** 19


def is_bare_date(raw: str) -> bool:
    """Whether a datetime filter's input is a date alone: Django's DateField reads it, or it
    is an ISO 8601 date (what datetime.fromisoformat reads as midnight)."""
    try:
        forms.DateField().to_python(raw)
    except forms.ValidationError:
        try:
            dt.date.fromisoformat(raw.strip())
        except ValueError:
            return False
    return True


def is_small(value: Decimal | int) -> bool:
    # Comparisons only: abs() of Decimal("-1e999999999999999999") overflows the context.
    return -_HUGE < value < _HUGE


def assert_same_integer_bound(ours: int | None, cleaned: Decimal | None) -> None:
    if cleaned is None:
        assert ours is None
        return
    assert ours is not None
    if is_small(cleaned):
        assert ours == int(cleaned)  # Django's IntegerField.get_prep_value: int(), truncating
    else:
        assert not is_small(ours)
        assert (ours > 0) == (cleaned > 0)


def assert_same_value(name: str, ours: Any, cleaned: Any, raw: str | None) -> None:
    """Our parsed value of one filter is what the original's form cleaned (None: not applied)."""
    if name in NUMBER_FILTERS:
        assert_same_integer_bound(ours, cleaned)
    elif name in DATETIME_FILTERS:
        if cleaned is None:
            assert ours is None
            return
        expected = (cleaned - _EPOCH) // _MICROSECOND
        if name.endswith("_to") and raw is not None and is_bare_date(raw):
            expected += _DAY // _MICROSECOND - 1  # the contract's whole-day rule
        assert ours == expected
    elif name == "tags_in":
        if cleaned in EMPTY_VALUES:
            assert ours is None
            return
        assert ours is not None
        present = [value for value in cleaned if value is not None]  # Django drops NULLs from IN
        assert {tag for tag in ours if is_small(tag)} == {int(value) for value in present if is_small(value)}
        huge_signs = {value > 0 for value in present if not is_small(value)}
        assert {tag > 0 for tag in ours if not is_small(tag)} == huge_signs
    else:  # dates and booleans: the cleaned value itself
        assert ours == (None if cleaned in EMPTY_VALUES else cleaned)


def assert_filters_parse_as_original(pairs: list[tuple[str, str]]) -> None:
    errors, cleaned = original_filter_form(pairs)
    last_values = dict(pairs)  # QueryDict.get(): the last value of a repeated name

    if errors:
        with pytest.raises(InvalidFilters) as raised:
            parse_filters(last_values)
        # Same parameters, same messages, same order (the 400 body's key order).
        assert list(raised.value.errors.items()) == list(errors.items())
        return
    parsed = parse_filters(last_values)
    for name in ORIGINAL_FILTERS:
        assert_same_value(name, getattr(parsed, name), cleaned.get(name), last_values.get(name))


def test_our_filters_are_the_originals_in_its_order() -> None:
    """Given the original filterset, when its fields are listed, then ours are the same
    parameters in the same order (and Filters holds one value per parameter)."""
    assert FILTER_PARAMETERS == ORIGINAL_FILTERS
    assert tuple(Filters.__slots__) == ORIGINAL_FILTERS


PARAMETER_PAIRS = st.lists(
    st.one_of(
        st.sampled_from(ORIGINAL_FILTERS).flatmap(
            lambda name: VALUES_BY_FILTER[name].map(lambda value: (name, value))
        ),
        st.tuples(st.sampled_from(OTHER_PARAMETERS), st.text(ANY_CHARACTER, max_size=5)),
        st.tuples(st.sampled_from(ORIGINAL_FILTERS), st.just("")),
    ),
    max_size=8,
)


@settings(PARITY, max_examples=600)
@given(PARAMETER_PAIRS)
@example(
    [
        ("id_min", "abc"),
        ("created_date", "2023-13-45"),
        ("tags_in", "1,x"),
        ("completed_at_from", "yesterday"),
    ]
)
@example([("is_active", "maybe"), ("id_max", ""), ("tags_in", ","), ("created_to", "2024-01-31")])
@example([("id_min", "abc"), ("id_min", "5")])
@example([("id_min", "5"), ("id_min", "abc")])
def test_filter_parameters_parse_as_the_original_filterset(pairs: list[tuple[str, str]]) -> None:
    """Given any query (several filters, repeated names, empty and unknown parameters), when
    the filters are parsed, then the applied filters and their values, or the 400's
    parameters, messages and order, are those of the original's django-filter form."""
    assert_filters_parse_as_original(pairs)


HAND_PICKED = [
    *((name, value) for name in NUMBER_FILTERS for value in NASTY_NUMBERS),
    *((name, value) for name in DATE_FILTERS for value in NASTY_DATES),
    *((name, value) for name in ("created_from", "created_to") for value in NASTY_DATETIMES),
    *(("completed_at_to", value) for value in NASTY_DATETIMES),
    *((name, value) for name in BOOLEAN_FILTERS for value in NASTY_BOOLEANS),
    *(("tags_in", value) for value in NASTY_TAG_LISTS),
]


@pytest.mark.parametrize(("name", "value"), HAND_PICKED)
def test_a_hand_picked_value_parses_as_the_original(name: str, value: str) -> None:
    """Given one nasty value of one filter, when parsed, then it is the original's reading."""
    assert_filters_parse_as_original([(name, value)])
