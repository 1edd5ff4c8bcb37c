"""The local stack routes requests as API Gateway matches resources (portfolio.local.routing)."""

from __future__ import annotations

import pytest

from portfolio.infra.template import ApiRoute, api_routes, load_template
from portfolio.local.routing import RouteTable, resource_path

pytestmark = pytest.mark.unit


def _route(path: str, method: str = "GET", function: str = "Fn") -> ApiRoute:
    return ApiRoute(
        function=function,
        event=f"{method}{path}",
        method=method,
        path=path,
        code_uri="functions/x/",
        handler="app.lambda_handler",
        authorizer=None,
        auth_none=False,
    )


@pytest.fixture
def table() -> RouteTable:
    return RouteTable(
        [
            _route("/api/portfolios/", function="List"),
            _route("/api/portfolios/{id}/", function="Retrieve"),
            _route("/api/portfolios/featured/", function="Featured"),
            _route("/files/{path+}", method="ANY", function="Files"),
        ]
    )


@pytest.mark.parametrize("path", ["/api/portfolios/", "/api/portfolios"])
def test_a_path_with_or_without_its_trailing_slash_is_the_same_resource(table: RouteTable, path: str) -> None:
    # When a request names the list with or without the slash
    match = table.match("GET", path)
    # Then both reach the list route, whose resource API Gateway names without the slash
    assert match is not None
    assert match.route.function == "List"
    assert match.resource_path == "/api/portfolios"


def test_a_path_parameter_takes_one_segment_decoded(table: RouteTable) -> None:
    match = table.match("GET", "/api/portfolios/%D8%A8%20x/")
    assert match is not None
    assert match.route.function == "Retrieve"
    assert match.resource_path == "/api/portfolios/{id}"
    assert match.path_parameters == {"id": "ب x"}


def test_a_literal_segment_wins_over_a_parameter(table: RouteTable) -> None:
    match = table.match("GET", "/api/portfolios/featured")
    assert match is not None
    assert match.route.function == "Featured"


def test_a_greedy_parameter_takes_the_rest_of_the_path_for_any_method(table: RouteTable) -> None:
    match = table.match("DELETE", "/files/a/b%2Fc.txt")
    assert match is not None
    assert match.route.function == "Files"
    assert match.path_parameters == {"path": "a/b/c.txt"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/nothing/"),
        ("GET", "/api/portfolios/1/extra/"),
        ("GET", "/api/portfolios//"),
        ("GET", "/api//portfolios/"),
        ("GET", "/"),
        ("POST", "/api/portfolios/"),
        ("HEAD", "/api/nothing/"),
        ("GET", "/files/"),
    ],
)
def test_an_unknown_path_or_method_matches_nothing(table: RouteTable, method: str, path: str) -> None:
    # Then API Gateway would answer with MISSING_AUTHENTICATION_TOKEN
    assert table.match(method, path) is None


def test_the_templates_routes_are_matched_to_the_functions_it_names() -> None:
    # Given the real template's Api events
    table = RouteTable(api_routes(load_template()))
    # Then the contract's routes reach the read API, the slash-less forms included
    for path in ("/api/portfolios/", "/api/portfolios", "/api/portfolios/7/", "/api/portfolios/7"):
        match = table.match("GET", path)
        assert match is not None, path
        assert match.route.function == "ReadApiFunction"
    assert table.match("GET", "/api/portfolios/7/x/") is None


def test_resource_path_drops_the_trailing_slash_but_keeps_the_root() -> None:
    assert resource_path("/api/portfolios/{id}/") == "/api/portfolios/{id}"
    assert resource_path("/") == "/"
