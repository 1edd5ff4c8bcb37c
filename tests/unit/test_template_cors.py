"""template.yaml configures what browsers need: CORS origins as a parameter (any in
development, a list in prod), a preflight without the authorizer on every route, CORS headers
on every gateway response, and gzip from a size up; the helpers the local stack uses read it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from portfolio.infra.template import (
    api_routes,
    bucket_cors_rules,
    cors_spec,
    default_stack,
    load_template,
    minimum_compression_size,
    preflight_functions,
    resources,
)
from portfolio.local.gateway import gateway_reply

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://app.example.com"
# What API Gateway sends for the response types the template configures, and for two it does
# not (they fall back to DEFAULT_4XX / DEFAULT_5XX).
RESPONSE_TYPES = [
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "THROTTLED",
    "AUTHORIZER_FAILURE",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "MISSING_AUTHENTICATION_TOKEN",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "REQUEST_TOO_LARGE",
    "API_CONFIGURATION_ERROR",
]


def _api() -> dict[str, Any]:
    (api,) = resources(load_template(), "AWS::Serverless::Api").values()
    return api["Properties"]


def _origins_pattern() -> re.Pattern[str]:
    return re.compile(load_template()["Parameters"]["CorsAllowedOrigins"]["AllowedPattern"])


def test_allowed_origins_are_a_parameter_any_by_default() -> None:
    parameter = load_template()["Parameters"]["CorsAllowedOrigins"]
    assert (parameter["Type"], parameter["Default"]) == ("String", "*")


@pytest.mark.parametrize(
    "value",
    ["*", "https://app.example.com", "https://app.example.com,http://127.0.0.1:8080"],
)
def test_the_parameter_takes_any_or_a_list_of_origins(value: str) -> None:
    assert _origins_pattern().fullmatch(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "https://app.example.com/",
        "https://a.example.com, https://b.example.com",
        "app.example.com",
        "*,x",
    ],
    ids=["empty", "path", "space", "no scheme", "star in a list"],
)
def test_the_parameter_refuses_what_is_not_an_origin(value: str) -> None:
    # CloudFormation matches AllowedPattern against the whole value
    assert not _origins_pattern().fullmatch(value)


def test_prod_lists_its_origins_and_no_wildcard() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    overrides = config["prod"]["deploy"]["parameters"]["parameter_overrides"]
    match = re.search(r'CorsAllowedOrigins="([^"]*)"', overrides)
    assert match is not None, overrides
    origins = match.group(1)
    assert "*" not in origins
    assert _origins_pattern().fullmatch(origins)
    assert len(origins.split(",")) >= 2


def test_every_route_has_a_preflight_without_the_authorizer_on_the_same_function() -> None:
    routes = api_routes(load_template())
    functions_of = {}
    for route in routes:
        if route.method != "OPTIONS":
            functions_of.setdefault(route.path, set()).add(route.function)
    preflights = {route.path: route for route in routes if route.method == "OPTIONS"}
    # Given every path with a route, there is an OPTIONS route on it, and on no other path
    assert set(preflights) == set(functions_of)
    for path, preflight in preflights.items():
        # That the path's function answers (CORS from its own configuration)
        assert functions_of[path] == {preflight.function}
        # Without any authorizer: a browser never sends a token on a preflight
        assert preflight.auth_none


def test_there_is_no_mock_preflight_which_could_not_choose_among_origins() -> None:
    assert "Cors" not in _api()


@pytest.mark.parametrize(
    ("function", "methods"),
    [
        ("ReadApiFunction", {("GET", "HEAD", "OPTIONS")}),
        ("UploadsFunction", {("OPTIONS", "POST"), ("GET", "OPTIONS")}),
    ],
)
def test_each_api_function_takes_its_cors_from_the_parameter(
    function: str, methods: set[tuple[str, ...]]
) -> None:
    assert set(preflight_functions(load_template())) == {"ReadApiFunction", "UploadsFunction"}
    spec = cors_spec(load_template(), function=function)
    assert spec.allowed_origins == ("*",)
    assert spec.allowed_headers == ("Authorization", "Content-Type")
    # Browsers may reuse a preflight's answer; Chromium caps the time at 2 hours
    assert spec.max_age_s is not None
    assert 0 < spec.max_age_s <= 7200
    assert set(spec.methods.values()) == methods
    with_list = replace(default_stack(load_template()), parameters={"CorsAllowedOrigins": f"{ORIGIN},x://y"})
    assert cors_spec(load_template(), with_list, function=function).allowed_origins == (ORIGIN, "x://y")


@pytest.mark.parametrize("response_type", RESPONSE_TYPES)
def test_every_gateway_response_allows_any_origin_by_default(response_type: str) -> None:
    reply = gateway_reply(load_template(), response_type, request_headers={"Origin": ORIGIN})
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in reply.headers


@pytest.mark.parametrize("response_type", RESPONSE_TYPES)
def test_with_a_list_every_gateway_response_echoes_the_callers_origin(response_type: str) -> None:
    # Given origins deployed as a list
    template = load_template()
    stack = replace(default_stack(template), parameters={"CorsAllowedOrigins": f"{ORIGIN},https://b.example"})
    # When API Gateway answers a browser's request itself
    reply = gateway_reply(template, response_type, request_headers={"origin": ORIGIN}, stack=stack)
    # Then the answer names the caller's origin, and says it depends on it
    assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert reply.headers["Vary"] == "Origin"
    # And without an Origin (not a browser's cross-origin call) there is nothing to echo
    plain = gateway_reply(template, response_type, request_headers={}, stack=stack)
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_every_configured_gateway_response_maps_the_cors_headers() -> None:
    for response_type, response in _api()["GatewayResponses"].items():
        headers = response["ResponseParameters"]["Headers"]
        assert headers["Access-Control-Allow-Origin"] == {
            "Fn::If": ["AllowsAnyOrigin", "'*'", "method.request.header.Origin"]
        }, response_type
        assert headers["Vary"] == {"Fn::If": ["AllowsAnyOrigin", {"Ref": "AWS::NoValue"}, "'Origin'"]}
    assert load_template()["Conditions"]["AllowsAnyOrigin"] == {
        "Fn::Equals": [{"Ref": "CorsAllowedOrigins"}, "*"]
    }


def test_answers_from_one_kilobyte_are_compressed() -> None:
    size = _api()["MinimumCompressionSize"]
    # API Gateway's range is 0..10485760 bytes
    assert isinstance(size, int)
    assert 0 <= size <= 10_485_760
    assert minimum_compression_size(load_template()) == size == 1024


def test_without_minimum_compression_size_nothing_is_compressed() -> None:
    template = {"Resources": {"Api": {"Type": "AWS::Serverless::Api", "Properties": {}}}}
    assert minimum_compression_size(template) is None


def test_the_media_bucket_takes_form_posts_from_the_apis_origins_only() -> None:
    # Given the template, with its default origins and with a list
    template = load_template()
    listed = replace(
        default_stack(template), parameters={"CorsAllowedOrigins": f"{ORIGIN},https://b.example"}
    )
    # Then the bucket's CORS allows POST (the upload forms), nothing else, from those origins
    (rule,) = bucket_cors_rules(template, default_stack(template))["MediaBucket"]
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == ["*"]
    assert "AllowedHeaders" not in rule  # a form post is a simple request: no preflight
    (rule,) = bucket_cors_rules(template, listed)["MediaBucket"]
    assert rule["AllowedOrigins"] == [ORIGIN, "https://b.example"]
