"""Routing, errors and hostile input of the read API.

- The slash-less forms answer 301 to the same URL with the slash, query kept (APPEND_SLASH).
- Anything else under /api/ is a JSON 404 ``{"detail": "Not found."}``.
- Invalid filters are one 400 listing every bad parameter in django-filter's words.
- Hostile query strings (huge numbers, NaN, Infinity, Unicode digits, very long values, NUL
  in any parameter) each get their documented status, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.integration.support import call, catalogue, portfolio

pytestmark = pytest.mark.integration

NOT_FOUND = {"detail": "Not found."}
ENTER_A_NUMBER = ["Enter a number."]
ENTER_A_DATE = ["Enter a valid date."]
ENTER_A_DATETIME = ["Enter a valid date/time."]
CEILING = ["Ensure this value is less than or equal to 1e+50."]

NUMBER_FILTERS = ("id_min", "id_max", "order_min", "order_max", "employer_id", "tag_id", "tags_in")
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
EVERYONE = [1, 2, 3]  # also their default order (order 3, 4, 5)


@pytest.fixture(scope="module")
def three_portfolios() -> Iterator[None]:
    with catalogue([portfolio(1, order=3), portfolio(2, order=4), portfolio(3, order=5)]):
        yield


@pytest.fixture(autouse=True)
def aws(three_portfolios: None) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


# --- 301: APPEND_SLASH -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "location_path", "location_query"),
    [
        ("/api/portfolios", "/Prod/api/portfolios/", []),
        (
            "/api/portfolios?search=a+b&limit=5&tags_in=1,2",
            "/Prod/api/portfolios/",
            [("search", "a b"), ("limit", "5"), ("tags_in", "1,2")],
        ),
        ("/api/portfolios/2", "/Prod/api/portfolios/2/", []),
        (
            "/api/portfolios/2?search=x&search=y",
            "/Prod/api/portfolios/2/",
            [("search", "x"), ("search", "y")],
        ),
        # the router would match "abc" with a slash: redirect first, 404 after
        ("/api/portfolios/abc", "/Prod/api/portfolios/abc/", []),
    ],
)
def test_a_slashless_url_is_redirected_with_the_slash_added_and_the_query_kept(
    url: str, location_path: str, location_query: list[tuple[str, str]]
) -> None:
    reply = call(url)

    assert reply.status == 301
    location = urlsplit(reply.header("Location") or "")
    assert location.path == location_path
    assert parse_qsl(location.query, keep_blank_values=True) == location_query
    assert reply.text == ""


def test_a_redirect_keeps_a_persian_search_value() -> None:
    reply = call("/api/portfolios", query=[("search", "پنل فروشندگان")])

    location = urlsplit(reply.header("Location") or "")
    assert parse_qsl(location.query) == [("search", "پنل فروشندگان")]


def test_a_redirect_on_a_custom_domain_has_no_stage() -> None:
    def on_custom_domain(event: dict[str, Any]) -> None:
        event["requestContext"]["path"] = event["path"]

    reply = call("/api/portfolios?limit=5", host="api.example.com", adjust=on_custom_domain)

    assert reply.status == 301
    assert reply.header("Location") == "/api/portfolios/?limit=5"


def test_under_sam_local_a_redirect_goes_to_the_called_path_not_the_route_template() -> None:
    # Given the event sam local start-api sends: the route's template in requestContext.path
    def as_sam_local_sends_it(event: dict[str, Any]) -> None:
        event["requestContext"]["path"] = "/api/portfolios/{id}/"

    # When the slash-less retrieve URL is called
    reply = call("/api/portfolios/7?x=1", host="127.0.0.1:3001", adjust=as_sam_local_sends_it)

    # Then the redirect adds the slash to the path the client called
    assert reply.status == 301
    assert reply.header("Location") == "/api/portfolios/7/?x=1"


def test_a_redirect_needs_no_token() -> None:
    def without_token(event: dict[str, Any]) -> None:
        event["headers"].pop("Authorization", None)
        event["multiValueHeaders"].pop("Authorization", None)

    reply = call("/api/portfolios/3", adjust=without_token)

    assert reply.status == 301
    assert reply.header("Location") == "/Prod/api/portfolios/3/"


def test_a_redirect_is_followed_to_the_same_answer() -> None:
    redirected = call("/api/portfolios?ordering=-order&limit=2")
    location = (redirected.header("Location") or "").removeprefix("/Prod")

    followed = call(location)

    assert followed.status == 200
    assert followed.ids() == [3, 2]


# --- 404: unknown paths ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api",
        "/api/nope",
        "/api/nope/",
        "/api/portfolio/",
        "/api/PORTFOLIOS/",
        "/api/portfolios//",
        "/api/portfolios/2//",
        "/api/portfolios/2/extra/",
        "/api/portfolios/2.0/",
        "/api/portfolios/2.0",
        "/api/portfolios/2.json",
        "/api/portfolios/2/images/",
    ],
)
def test_an_unknown_path_under_api_is_a_json_404(path: str) -> None:
    reply = call(path)

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == NOT_FOUND


# --- 400: invalid filters --------------------------------------------------------------


def test_the_contracts_example_lists_every_bad_parameter_at_once() -> None:
    reply = call("/api/portfolios/?id_min=abc&created_date=2023-13-45&completed_at_from=yesterday")

    assert reply.status == 400
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == {
        "id_min": ["Enter a number."],
        "created_date": ["Enter a valid date."],
        "completed_at_from": ["Enter a valid date/time."],
    }


def test_the_contracts_four_invalid_values_are_reported_together() -> None:
    reply = call(
        "/api/portfolios/?id_min=abc&created_date=2023-13-45&tags_in=1,x&completed_at_from=yesterday"
        "&is_active=maybe&limit=abc&ordering=bogus"
    )

    assert reply.status == 400
    assert reply.body == {
        "id_min": ENTER_A_NUMBER,
        "created_date": ENTER_A_DATE,
        "completed_at_from": ENTER_A_DATETIME,
        "tags_in": ENTER_A_NUMBER,
    }


def test_every_invalid_filter_is_reported_and_valid_ones_are_not() -> None:
    query = [(name, "x") for name in (*NUMBER_FILTERS, *DATE_FILTERS, *DATETIME_FILTERS)]
    query += [("has_image", "x"), ("search", "ok"), ("order_min", "2")]  # valid or ignored
    query = [pair for pair in query if pair != ("order_min", "x")]

    reply = call("/api/portfolios/", query=query)

    assert reply.status == 400
    expected = {name: ENTER_A_NUMBER for name in NUMBER_FILTERS if name != "order_min"}
    expected |= dict.fromkeys(DATE_FILTERS, ENTER_A_DATE)
    expected |= dict.fromkeys(DATETIME_FILTERS, ENTER_A_DATETIME)
    assert reply.body == expected


# --- Hostile input ---------------------------------------------------------------------

LONG = "9" * 5000


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        # limit and offset: never an error, anything odd falls back
        ([("limit", "99999999999999999999999999")], 200, EVERYONE),
        ([("limit", LONG)], 200, EVERYONE),
        ([("limit", "1e999999999")], 200, EVERYONE),
        ([("limit", "NaN")], 200, EVERYONE),
        ([("limit", "Infinity")], 200, EVERYONE),
        ([("limit", "-Infinity")], 200, EVERYONE),
        ([("limit", "٢")], 200, [1, 2]),  # Arabic-Indic digit two: an integer, as Python's int() reads it
        ([("offset", LONG)], 200, EVERYONE),
        ([("offset", "1e999999999")], 200, EVERYONE),
        ([("offset", "NaN")], 200, EVERYONE),
        ([("offset", "99999999999999999999999999")], 200, []),
        ([("offset", "١")], 200, [2, 3]),
        # numbers: Decimal semantics, django-filter's 1e50 ceiling
        ([("id_min", "1e999999999")], 400, {"id_min": CEILING}),
        ([("id_max", LONG)], 400, {"id_max": CEILING}),
        ([("id_min", "-1e999999999")], 200, EVERYONE),
        ([("id_max", "1e49")], 200, EVERYONE),
        ([("id_min", "1e-999999999")], 200, EVERYONE),
        ([("id_min", "NaN")], 400, {"id_min": ENTER_A_NUMBER}),
        ([("id_min", "sNaN")], 400, {"id_min": ENTER_A_NUMBER}),
        ([("order_max", "Infinity")], 400, {"order_max": ENTER_A_NUMBER}),
        ([("order_max", "-Infinity")], 400, {"order_max": ENTER_A_NUMBER}),
        ([("employer_id", "1e49")], 200, []),
        ([("employer_id", "-1e49")], 200, []),
        ([("tag_id", "inf")], 400, {"tag_id": ENTER_A_NUMBER}),
        ([("tags_in", "1,NaN")], 400, {"tags_in": ENTER_A_NUMBER}),
        ([("tags_in", "1e999999999")], 400, {"tags_in": CEILING}),
        ([("tags_in", ",".join(str(n) for n in range(2000)))], 200, []),
        ([("order_min", "٤")], 200, [2, 3]),  # Arabic-Indic four
        ([("id_max", "۲")], 200, [1, 2]),  # Persian two
        # dates and datetimes
        ([("created_date", "٢٠٢٤-٠١-١٠")], 400, {"created_date": ENTER_A_DATE}),
        ([("created_date", "99999-01-01")], 400, {"created_date": ENTER_A_DATE}),
        ([("created_from", "9" * 3000)], 400, {"created_from": ENTER_A_DATETIME}),
        ([("created_to", "0000-01-01")], 400, {"created_to": ENTER_A_DATETIME}),
        ([("updated_to", "2024-01-01T00:00:00+99:00")], 400, {"updated_to": ENTER_A_DATETIME}),
        ([("completed_at_to", "9999-12-31T23:59:59.999999-23:59")], 200, []),
        ([("completed_at_from", "0001-01-01T00:00:00+14:00")], 200, []),
        # search, ordering and booleans
        ([("search", "x" * 8000)], 200, []),
        ([("search", '"' * 3000)], 200, []),  # one quoted phrase: 2998 quotes
        ([("search", "\\" * 3000)], 200, []),
        ([("ordering", "title," * 2000)], 200, EVERYONE),
        ([("ordering", "-" * 5000)], 200, [1, 2, 3]),
        ([("is_active", "t" * 5000)], 200, EVERYONE),
    ],
)
def test_hostile_values_get_their_documented_status(
    query: list[tuple[str, str]], status: int, expected: list[int] | dict[str, list[str]]
) -> None:
    reply = call("/api/portfolios/", query=query)

    assert reply.status == status, reply.text[:300]
    assert reply.header("Content-Type") == "application/json"
    if status == 200:
        assert reply.ids() == expected
    else:
        assert reply.body == expected


NUL_STATUS: dict[str, tuple[int, Any]] = {
    "search": (400, ["Null characters are not allowed."]),
    **{name: (400, {name: ENTER_A_NUMBER}) for name in NUMBER_FILTERS},
    **{name: (400, {name: ENTER_A_DATE}) for name in DATE_FILTERS},
    **{name: (400, {name: ENTER_A_DATETIME}) for name in DATETIME_FILTERS},
    **dict.fromkeys((*BOOLEAN_FILTERS, "limit", "offset", "ordering", "unknown"), (200, None)),
}


@pytest.mark.parametrize("name", sorted(NUL_STATUS))
@pytest.mark.parametrize("value", ["\x00", "1\x00", "\x002024-01-01"])
def test_a_nul_character_in_any_parameter_gets_its_documented_status(name: str, value: str) -> None:
    status, body = NUL_STATUS[name]

    for url in ("/api/portfolios/", "/api/portfolios/2/"):
        reply = call(url, query=[(name, value)])

        assert reply.status == status, (url, reply.text[:300])
        assert reply.header("Content-Type") == "application/json"
        if body is not None:
            assert reply.body == body


@pytest.mark.parametrize("portfolio_id", [LONG, "9" * 40, "-" + LONG, "%00", "1%002"])
def test_a_hostile_id_is_a_404(portfolio_id: str) -> None:
    reply = call(f"/api/portfolios/{portfolio_id}/")

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/json"
    assert set(reply.body) == {"detail"}
