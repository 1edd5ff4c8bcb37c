"""The local API Gateway front (portfolio.local.api): routes, the authorizer in front of the
functions, and the answers API Gateway itself gives — without sockets or AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portfolio.infra.template import ApiRoute
from portfolio.local.api import ApiFront, AuthorizerSpec
from portfolio.local.proxy import ApiStage, HttpRequest
from tests.support.local import FakeFunction

pytestmark = pytest.mark.unit

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "GatewayResponses": {
                    "MISSING_AUTHENTICATION_TOKEN": {
                        "StatusCode": "404",
                        "ResponseTemplates": {"application/json": '{"detail": "Not found."}'},
                    },
                    "UNAUTHORIZED": {
                        "StatusCode": "401",
                        "ResponseParameters": {"Headers": {"WWW-Authenticate": "'Token'"}},
                        "ResponseTemplates": {"application/json": '{"detail": "Invalid token."}'},
                    },
                    "DEFAULT_5XX": {
                        "ResponseTemplates": {"application/json": '{"detail": "The service is unavailable."}'}
                    },
                }
            },
        }
    }
}
STAGE = ApiStage(api_id="abcdef1234", stage="Prod", account_id="123456789012", region="us-east-1")
ALLOW_ALL = {
    "principalId": "7",
    "policyDocument": {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:aws:execute-api:*"}
        ],
    },
    "context": {"user_id": "7", "is_admin": "true"},
}


def _route(path: str, function: str = "Read", *, auth_none: bool = False) -> ApiRoute:
    return ApiRoute(
        function=function,
        event=path,
        method="GET",
        path=path,
        code_uri="functions/read/",
        handler="app.handler",
        authorizer=None,
        auth_none=auth_none,
    )


def _front(
    read_answer: Any, *, authorizer_answer: Any = ALLOW_ALL
) -> tuple[ApiFront, FakeFunction, FakeFunction]:
    read = FakeFunction("Read", read_answer)
    authorizer = FakeFunction("Authorizer", authorizer_answer)
    front = ApiFront(
        TEMPLATE,
        [_route("/api/items/"), _route("/api/public/", auth_none=True)],
        functions={"Read": read, "Authorizer": authorizer},  # type: ignore[dict-item]
        stage=STAGE,
        authorizers={"Token": AuthorizerSpec("Token", "Authorizer", "Authorization", 300)},
        default_authorizer="Token",
    )
    return front, read, authorizer


def _request(path: str, headers: list[tuple[str, str]] | None = None) -> HttpRequest:
    return HttpRequest(
        method="GET",
        raw_path=path,
        raw_query="",
        headers=[
            ("Host", "127.0.0.1:3000"),
            *(headers if headers is not None else [("Authorization", "Token abc")]),
        ],
        body=b"",
        client_ip="127.0.0.1",
        scheme="http",
        server_port=3000,
    )


OK = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok":true}'}


def test_an_allowed_request_reaches_the_function_with_the_authorizers_context() -> None:
    front, read, _ = _front(OK)
    reply = front.handle(_request("/api/items"))
    assert (reply.status, reply.body) == (200, b'{"ok":true}')
    (event,) = read.events
    assert event["requestContext"]["authorizer"] == {"principalId": "7", "user_id": "7", "is_admin": "true"}
    assert event["resource"] == "/api/items"


def test_no_route_is_the_templates_missing_authentication_token_response_without_calling_anything() -> None:
    front, read, authorizer = _front(OK)
    reply = front.handle(_request("/api/other/"))
    assert reply.status == 404
    assert json.loads(reply.body) == {"detail": "Not found."}
    assert read.events == authorizer.events == []


def test_without_the_identity_header_the_answer_is_401_and_the_function_never_runs() -> None:
    front, read, authorizer = _front(OK)
    reply = front.handle(_request("/api/items/", headers=[]))
    assert reply.status == 401
    assert ("WWW-Authenticate", "Token") in reply.headers
    assert read.events == authorizer.events == []


def test_a_route_with_auth_none_skips_the_authorizer() -> None:
    front, read, authorizer = _front(OK)
    assert front.handle(_request("/api/public/", headers=[])).status == 200
    assert authorizer.events == []
    assert len(read.events) == 1


@pytest.mark.parametrize(
    "answer",
    [RuntimeError("boom"), {"body": "no status"}, "not an object"],
    ids=["function error", "no statusCode", "not an object"],
)
def test_a_failing_or_malformed_function_is_a_502_with_the_5xx_body(answer: Any) -> None:
    front, _, _ = _front(answer)
    reply = front.handle(_request("/api/items/"))
    assert reply.status == 502
    assert json.loads(reply.body) == {"detail": "The service is unavailable."}
