"""template.yaml puts every route behind the token authorizer, caches its decisions for every
route, answers API Gateway's own errors as DRF-shaped JSON, throttles the stage, and gives
the authorizer only the DynamoDB access it needs."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest

from portfolio.domain.auth import ROUTE_GROUPS, AuthFailure, Caller, Capability, stage_policy
from portfolio.infra.template import api_routes, load_template, resources
from portfolio.local.gateway import PolicyResult, evaluate_policy, gateway_reply, method_arn

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _api() -> dict[str, Any]:
    (api,) = resources(load_template(), "AWS::Serverless::Api").values()
    return api["Properties"]


def _authorizer() -> tuple[str, dict[str, Any]]:
    auth = _api()["Auth"]
    name = auth["DefaultAuthorizer"]
    return name, auth["Authorizers"][name]


def test_the_api_has_a_caching_request_authorizer_on_the_authorization_header() -> None:
    name, authorizer = _authorizer()
    assert name == "TokenAuthorizer"
    assert authorizer["FunctionPayloadType"] == "REQUEST"
    assert authorizer["FunctionArn"] == {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}
    assert authorizer["Identity"]["Headers"] == ["Authorization"]
    # The TTL is a parameter, 300 s unless deployed otherwise, within API Gateway's 0..3600.
    assert authorizer["Identity"]["ReauthorizeEvery"] == {"Ref": "AuthorizerCacheTtl"}
    ttl = load_template()["Parameters"]["AuthorizerCacheTtl"]
    assert (ttl["Type"], int(ttl["Default"]), int(ttl["MinValue"]), int(ttl["MaxValue"])) == (
        "Number",
        300,
        0,
        3600,
    )


def test_every_route_is_behind_the_authorizer_and_only_preflights_opt_out() -> None:
    # Given every Api event of the template but the CORS preflights (OPTIONS, which a browser
    # sends without a token: docs/browsers.md)
    every_route = api_routes(load_template())
    routes = [route for route in every_route if route.method != "OPTIONS"]
    assert routes
    # Then each takes the API's default authorizer: none names another, none says NONE
    for route in routes:
        assert (route.authorizer, route.auth_none) == (None, False), route
    # And the preflights are the only methods without it
    for route in every_route:
        if route.method == "OPTIONS":
            assert route.auth_none, route
    # API Gateway serves `/x` and `/x/` from one resource and method (SAM deploys `/x/` as
    # `/x`), so the contract's 301 for the slash-less URL comes from the same method and its
    # authorizer: there is no separate redirect route that could opt out, and with a caching
    # authorizer API Gateway answers 401 before anything runs when the header is missing.
    # docs/authentication.md lists this as a known difference.
    canonical = {(route.method, route.path.rstrip("/")) for route in routes}
    assert len(canonical) == len(routes), "a route and its slash-less twin would be one API Gateway resource"


def _arn(method: str, path: str) -> str:
    return method_arn(
        region="eu-west-1",
        account_id="123456789012",
        api_id="abc123defg",
        stage="Prod",
        method=method,
        resource_path=path,
    )


def _called_paths(path: str) -> list[str]:
    concrete = path.replace("{id}", "148").replace("{upload_id}", "0123456789abcdef0123456789abcdef")
    return [concrete, concrete.rstrip("/")] if concrete.endswith("/") else [concrete]


def _group_of(method: str, path: str) -> set[Capability]:
    """The route groups whose ARN patterns name this call (as the policy's wildcards match)."""
    return {
        capability
        for capability, patterns in ROUTE_GROUPS.items()
        for pattern_method, pattern in patterns
        if pattern_method == method and fnmatch.fnmatchcase(path, pattern)
    }


def test_every_route_behind_the_authorizer_is_in_exactly_one_route_group() -> None:
    # Given the template's routes behind the authorizer
    routes = [route for route in api_routes(load_template()) if not route.auth_none]
    # Then each of them, in both slash forms, is opened by exactly one permission
    for route in routes:
        for path in _called_paths(route.path):
            assert len(_group_of(route.method, path)) == 1, (route.method, path)


@pytest.mark.parametrize(
    "allowed",
    [
        {Capability.READ_PORTFOLIOS},
        {Capability.READ_PORTFOLIOS, Capability.UPLOAD_IMAGES},
        {Capability.UPLOAD_IMAGES},
        set(),
    ],
    ids=["reader", "reader-and-uploader", "uploader-only", "neither"],
)
def test_a_decision_cached_on_any_route_holds_for_every_route(allowed: set[Capability]) -> None:
    # Given the authorizer's answer for each route behind it, in turn
    routes = [route for route in api_routes(load_template()) if not route.auth_none]
    assert {route.function for route in routes} >= {"ReadApiFunction", "UploadsFunction"}
    for first in routes:
        policy = stage_policy(
            _arn(first.method, _called_paths(first.path)[0]),
            principal_id="7",
            allowed=allowed,
            caller=Caller(user_id=7, username="someone", is_admin=False),
        )
        # Then that (cached) answer decides every route, each in both slash forms: allowed
        # exactly when the route's group is, denied explicitly when no group is
        for route in routes:
            for path in _called_paths(route.path):
                expected = (
                    PolicyResult.ALLOW
                    if _group_of(route.method, path) <= allowed
                    else PolicyResult.EXPLICIT_DENY
                    if not allowed
                    else PolicyResult.IMPLICIT_DENY
                )
                assert evaluate_policy(policy["policyDocument"], _arn(route.method, path)) is expected, (
                    first.path,
                    route.method,
                    path,
                )


REQUIRED_RESPONSES = {
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "THROTTLED": 429,
    "AUTHORIZER_FAILURE": 503,
    "AUTHORIZER_CONFIGURATION_ERROR": 503,
    "INTEGRATION_FAILURE": None,
    "INTEGRATION_TIMEOUT": None,
    "MISSING_AUTHENTICATION_TOKEN": 404,
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
}


def test_api_gateway_errors_are_configured_as_drf_shaped_json() -> None:
    responses = _api()["GatewayResponses"]
    for response_type, status in REQUIRED_RESPONSES.items():
        response = responses[response_type]
        assert set(response["ResponseTemplates"]) == {"application/json"}, response_type
        assert response.get("StatusCode") == (None if status is None else str(status)), response_type
        # Rendered as API Gateway renders it, the body is {"detail": <text>}
        body = json.loads(gateway_reply(load_template(), response_type).body)
        assert list(body) == ["detail"], response_type
        assert isinstance(body["detail"], str), response_type


def test_the_401_carries_www_authenticate_and_one_of_the_contracts_401_messages() -> None:
    response = _api()["GatewayResponses"]["UNAUTHORIZED"]
    # (besides the CORS headers every gateway response carries: tests/unit/test_template_cors.py)
    assert response["ResponseParameters"]["Headers"]["WWW-Authenticate"] == "'Token'"
    detail = json.loads(response["ResponseTemplates"]["application/json"])["detail"]
    assert detail in {failure.message for failure in AuthFailure}


def test_the_stage_is_throttled_by_parameters() -> None:
    template = load_template()
    (settings,) = _api()["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    for name in ("ThrottlingRateLimit", "ThrottlingBurstLimit"):
        assert settings[name] == {"Ref": name}
        assert int(template["Parameters"][name]["Default"]) >= 1


def _function(logical_id: str) -> dict[str, Any]:
    return resources(load_template(), "AWS::Serverless::Function")[logical_id]["Properties"]


def test_the_authorizer_reads_only_its_two_tables_and_writes_only_tokens() -> None:
    # Given the authorizer function's policies
    (policy,) = _function("AuthorizerFunction")["Policies"]
    granted = {
        (resource["Fn::GetAtt"][0], action)
        for statement in policy["Statement"]
        for action in _listed(statement["Action"])
        for resource in statement["Resource"]
        if statement["Effect"] == "Allow"
    }
    # Then it may get a user, get a token and note a token's use: nothing else
    assert granted == {
        ("UsersTable", "dynamodb:GetItem"),
        ("TokensTable", "dynamodb:GetItem"),
        ("TokensTable", "dynamodb:UpdateItem"),
    }
    # And its update may touch only last_used_at (beside the key) and return nothing
    (update,) = [s for s in policy["Statement"] if "dynamodb:UpdateItem" in _listed(s["Action"])]
    assert _listed(update["Action"]) == ["dynamodb:UpdateItem"]
    assert update["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["key_hash", "last_used_at"]},
        "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
    }


def _listed(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_the_authorizer_handler_exists_and_its_dynamodb_calls_end_before_its_timeout() -> None:
    function = _function("AuthorizerFunction")
    module, _, handler = function["Handler"].partition(".")
    assert handler == "lambda_handler"
    assert (ROOT / function["CodeUri"] / f"{module}.py").is_file()
    # A DynamoDB outage must end in the function's own log line, not in a Lambda timeout.
    env = function["Environment"]["Variables"]
    worst_case_s = int(env["DYNAMODB_MAX_ATTEMPTS"]) * (
        float(env["DYNAMODB_CONNECT_TIMEOUT_S"]) + float(env["DYNAMODB_READ_TIMEOUT_S"])
    )
    assert worst_case_s < int(function["Timeout"])
