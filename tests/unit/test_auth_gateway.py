"""The local API Gateway emulation around a Lambda authorizer: identity-source check, result
cache, policy evaluation per request, error mapping, and the gateway responses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portfolio.infra.template import load_template
from portfolio.local.gateway import (
    LocalAuthorizer,
    PolicyResult,
    authorizer_event,
    evaluate_policy,
    gateway_reply,
    method_arn,
)
from tests.support.events import api_event

pytestmark = pytest.mark.unit

STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/Prod"
LIST_ARN = f"{STAGE_ARN}/GET/api/portfolios/"
RETRIEVE_ARN = f"{STAGE_ARN}/GET/api/portfolios/148/"


def a_policy(effect: str, *resources: str, principal: str = "7", **context: Any) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": list(resources)}],
        },
        **({"context": context} if context else {}),
    }


class Recorder:
    """An authorizer function: answers what it is told to and keeps the events it got."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        assert context.aws_request_id  # a Lambda context object, as the runtime passes
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def a_request(path: str = "/api/portfolios/", authorization: str | None = "Token abc") -> dict[str, Any]:
    return api_event(path, headers={} if authorization is None else {"Authorization": authorization})


def without_authorization(path: str = "/api/portfolios/") -> dict[str, Any]:
    event = api_event(path)
    event["headers"] = {name: v for name, v in event["headers"].items() if name.lower() != "authorization"}
    return event


# --- identity source -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_without_the_identity_header_the_answer_is_401_and_the_function_is_not_called(
    value: str | None,
) -> None:
    function = Recorder(a_policy("Allow", f"{STAGE_ARN}/*/*"))
    gateway = LocalAuthorizer(function, ttl_seconds=300)
    event = without_authorization() if value is None else a_request(authorization=value)
    result = gateway.authorize(event, method_arn=LIST_ARN)
    assert (result.allowed, result.response_type) == (False, "UNAUTHORIZED")
    assert function.events == []


def test_the_identity_header_is_found_whatever_its_case() -> None:
    function = Recorder(a_policy("Allow", f"{STAGE_ARN}/*/*"))
    event = without_authorization()
    event["headers"]["authorization"] = "Token abc"
    assert LocalAuthorizer(function, ttl_seconds=0).authorize(event, method_arn=LIST_ARN).allowed


# --- cache ---------------------------------------------------------------------------------------


def test_a_cached_stage_wide_allow_serves_another_route_without_calling_the_function() -> None:
    # Given an authorizer that allows the whole stage
    function = Recorder(a_policy("Allow", f"{STAGE_ARN}/*/*", user_id="7", is_admin=True))
    gateway = LocalAuthorizer(function, ttl_seconds=300, clock=Clock())
    # When the same token calls list, then retrieve
    first = gateway.authorize(a_request(), method_arn=LIST_ARN)
    second = gateway.authorize(a_request("/api/portfolios/148/"), method_arn=RETRIEVE_ARN)
    # Then both are allowed, the second from the cache, with the context the function gave
    assert first.allowed
    assert second.allowed
    assert len(function.events) == 1
    assert second.context == {"principalId": "7", "user_id": "7", "is_admin": "true"}


def test_a_cached_allow_for_one_method_arn_refuses_the_next_route_as_api_gateway_does() -> None:
    # Given an authorizer that allows only the ARN it was called for (the classic mistake)
    function = Recorder(a_policy("Allow", LIST_ARN))
    gateway = LocalAuthorizer(function, ttl_seconds=300, clock=Clock())
    assert gateway.authorize(a_request(), method_arn=LIST_ARN).allowed
    # When the same token calls another route within the TTL
    result = gateway.authorize(a_request("/api/portfolios/148/"), method_arn=RETRIEVE_ARN)
    # Then the cached policy is evaluated against the new route: 403, without a new call
    assert (result.allowed, result.response_type, result.explicit_deny) == (False, "ACCESS_DENIED", False)
    assert len(function.events) == 1


def test_the_cache_is_keyed_by_the_identity_header_and_expires_after_the_ttl() -> None:
    clock = Clock()
    function = Recorder(a_policy("Allow", f"{STAGE_ARN}/*/*"))
    gateway = LocalAuthorizer(function, ttl_seconds=300, clock=clock)
    gateway.authorize(a_request(authorization="Token one"), method_arn=LIST_ARN)
    gateway.authorize(a_request(authorization="Token two"), method_arn=LIST_ARN)
    assert len(function.events) == 2
    clock.now += 299
    gateway.authorize(a_request(authorization="Token one"), method_arn=LIST_ARN)
    assert len(function.events) == 2
    clock.now += 1
    gateway.authorize(a_request(authorization="Token one"), method_arn=LIST_ARN)
    assert len(function.events) == 3


def test_a_ttl_of_zero_calls_the_function_every_time() -> None:
    function = Recorder(a_policy("Allow", f"{STAGE_ARN}/*/*"))
    gateway = LocalAuthorizer(function, ttl_seconds=0)
    for _ in range(3):
        gateway.authorize(a_request(), method_arn=LIST_ARN)
    assert gateway.calls == len(function.events) == 3


def test_a_cached_deny_keeps_refusing_until_the_ttl_ends() -> None:
    clock = Clock()
    function = Recorder(a_policy("Deny", f"{STAGE_ARN}/*/*"))
    gateway = LocalAuthorizer(function, ttl_seconds=60, clock=clock)
    results = [gateway.authorize(a_request(), method_arn=arn) for arn in (LIST_ARN, RETRIEVE_ARN)]
    assert [(r.allowed, r.response_type, r.explicit_deny) for r in results] == [
        (False, "ACCESS_DENIED", True)
    ] * 2
    assert len(function.events) == 1


# --- function errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "response_type"),
    [
        pytest.param(Exception("Unauthorized"), "UNAUTHORIZED", id="Unauthorized"),
        pytest.param(RuntimeError("boom"), "AUTHORIZER_CONFIGURATION_ERROR", id="other error"),
        pytest.param(
            {"errorMessage": "Unauthorized", "errorType": "X"}, "UNAUTHORIZED", id="runtime payload 401"
        ),
        pytest.param(
            {"errorMessage": "Task timed out"}, "AUTHORIZER_CONFIGURATION_ERROR", id="runtime payload"
        ),
        pytest.param(None, "AUTHORIZER_CONFIGURATION_ERROR", id="no answer"),
        pytest.param({"principalId": "7"}, "AUTHORIZER_CONFIGURATION_ERROR", id="no policy"),
        pytest.param(
            {**a_policy("Allow", "*"), "context": {"nested": {"a": 1}}},
            "AUTHORIZER_CONFIGURATION_ERROR",
            id="nested context",
        ),
        pytest.param(
            {"principalId": "7", "policyDocument": {"Statement": [{"Effect": "Maybe"}]}},
            "AUTHORIZER_CONFIGURATION_ERROR",
            id="bad effect",
        ),
    ],
)
def test_function_errors_map_as_api_gateway_maps_them_and_are_not_cached(
    answer: Any, response_type: str
) -> None:
    function = Recorder(answer)
    gateway = LocalAuthorizer(function, ttl_seconds=300, clock=Clock())
    for _ in range(2):
        result = gateway.authorize(a_request(), method_arn=LIST_ARN)
        assert (result.allowed, result.response_type, result.context) == (False, response_type, None)
    assert len(function.events) == 2


def test_the_function_gets_the_request_authorizer_event() -> None:
    function = Recorder(a_policy("Allow", "*"))
    request = a_request("/api/portfolios/148/", authorization="Token abc")
    request["requestContext"]["authorizer"] = {"principalId": "someone else"}
    LocalAuthorizer(function, ttl_seconds=0).authorize(request, method_arn=RETRIEVE_ARN)
    (event,) = function.events
    assert event == authorizer_event(request, method_arn=RETRIEVE_ARN)
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == RETRIEVE_ARN
    assert event["headers"]["Authorization"] == "Token abc"
    assert event["path"] == "/api/portfolios/148/"
    assert "authorizer" not in event["requestContext"]


# --- policy evaluation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resources", "result"),
    [
        (["*"], PolicyResult.ALLOW),
        ([f"{STAGE_ARN}/*/*"], PolicyResult.ALLOW),
        ([f"{STAGE_ARN}/GET/*"], PolicyResult.ALLOW),
        ([f"{STAGE_ARN}/GET/api/portfolios/???/"], PolicyResult.ALLOW),
        ([f"{STAGE_ARN}/GET/api/portfolios/??/"], PolicyResult.IMPLICIT_DENY),
        ([f"{STAGE_ARN}/POST/*"], PolicyResult.IMPLICIT_DENY),
        ([LIST_ARN], PolicyResult.IMPLICIT_DENY),
        ([LIST_ARN, RETRIEVE_ARN], PolicyResult.ALLOW),
        ([RETRIEVE_ARN.upper()], PolicyResult.IMPLICIT_DENY),
    ],
)
def test_resources_match_with_iam_wildcards(resources: list[str], result: PolicyResult) -> None:
    assert evaluate_policy(a_policy("Allow", *resources)["policyDocument"], RETRIEVE_ARN) is result


def test_an_explicit_deny_wins_over_any_allow() -> None:
    document = {
        "Statement": [
            {"Action": "execute-api:*", "Effect": "Allow", "Resource": "*"},
            {
                "Action": "execute-api:Invoke",
                "Effect": "Deny",
                "Resource": f"{STAGE_ARN}/GET/api/portfolios/*",
            },
        ]
    }
    assert evaluate_policy(document, RETRIEVE_ARN) is PolicyResult.EXPLICIT_DENY
    assert evaluate_policy(document, f"{STAGE_ARN}/GET/api/openapi.json") is PolicyResult.ALLOW


def test_other_actions_and_unevaluable_conditions_never_allow() -> None:
    other_action = {"Statement": [{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]}
    conditional = {"Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*", "Condition": {"x": {}}}]}
    assert evaluate_policy(other_action, LIST_ARN) is PolicyResult.IMPLICIT_DENY
    assert evaluate_policy(conditional, LIST_ARN) is PolicyResult.IMPLICIT_DENY


def test_the_method_arn_names_the_called_path() -> None:
    arn = method_arn(
        region="eu-west-1",
        account_id="123456789012",
        api_id="abc123defg",
        stage="Prod",
        method="GET",
        resource_path="/api/portfolios/148/",
    )
    assert arn == RETRIEVE_ARN


# --- gateway responses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response_type", "status", "detail", "extra_headers"),
    [
        ("UNAUTHORIZED", 401, "Invalid token.", {"WWW-Authenticate": "Token"}),
        ("ACCESS_DENIED", 403, "You do not have permission to perform this action.", {}),
        ("THROTTLED", 429, "Request was throttled.", {}),
        (
            "AUTHORIZER_FAILURE",
            503,
            "The service is temporarily unavailable, please retry.",
            {"Retry-After": "1"},
        ),
        (
            "AUTHORIZER_CONFIGURATION_ERROR",
            503,
            "The service is temporarily unavailable, please retry.",
            {"Retry-After": "1"},
        ),
        ("INTEGRATION_FAILURE", 504, "The service is temporarily unavailable, please retry.", {}),
        ("INTEGRATION_TIMEOUT", 504, "The request took too long, please retry.", {}),
        ("MISSING_AUTHENTICATION_TOKEN", 404, "Not found.", {}),
        # Not configured: the DEFAULT_4XX / DEFAULT_5XX templates with API Gateway's status.
        ("REQUEST_TOO_LARGE", 413, "Request Too Long", {}),
        ("QUOTA_EXCEEDED", 429, "Limit Exceeded", {}),
        ("API_CONFIGURATION_ERROR", 500, "The service is temporarily unavailable.", {}),
    ],
)
def test_the_templates_gateway_responses_are_drf_shaped_json(
    response_type: str, status: int, detail: str, extra_headers: dict[str, str]
) -> None:
    # Given the project's template
    # When API Gateway answers with one of its own responses
    reply = gateway_reply(load_template(), response_type)
    # Then it is JSON {"detail": ...} with the right status and headers (CORS: any origin, the
    # template's default; docs/browsers.md)
    assert reply.status == status
    assert json.loads(reply.body) == {"detail": detail}
    cors = {"Access-Control-Allow-Origin": "*"}
    assert reply.headers == {"Content-Type": "application/json", **cors, **extra_headers}


def test_without_gateway_responses_api_gateway_defaults_apply() -> None:
    reply = gateway_reply({"Resources": {}}, "UNAUTHORIZED")
    assert (reply.status, json.loads(reply.body)) == (401, {"message": "Unauthorized"})


def test_context_variables_are_substituted() -> None:
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::Serverless::Api",
                "Properties": {
                    "GatewayResponses": {
                        "DEFAULT_4XX": {
                            "StatusCode": "418",
                            "ResponseParameters": {"Headers": {"X-Request": "context.requestId"}},
                            "ResponseTemplates": {
                                "application/json": '{"m": $context.error.messageString, '
                                '"t": "${context.error.responseType}", '
                                '"u": "$context.authorizer.user_id", "x": "$context.nothing"}'
                            },
                        }
                    }
                },
            }
        }
    }
    reply = gateway_reply(
        template, "ACCESS_DENIED", context={"requestId": "r-1", "authorizer": {"user_id": "7"}}
    )
    assert reply.status == 418
    assert reply.headers["X-Request"] == "r-1"
    assert json.loads(reply.body) == {
        "m": "User is not authorized to access this resource",
        "t": "ACCESS_DENIED",
        "u": "7",
        "x": "",
    }
