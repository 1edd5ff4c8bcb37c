"""The local API Gateway front answers CORS, preflights and compression as API Gateway does
for a template (portfolio.local.api, .gateway, .compression), and the read function's CORS
helpers (portfolio.api.cors) shape its answers — without sockets or AWS."""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import replace
from typing import Any

import pytest

from portfolio.api.cors import cors_config, vary_on_origin
from portfolio.config import CorsSettings
from portfolio.infra.template import ApiRoute, default_stack
from portfolio.local.api import ApiFront, AuthorizerSpec
from portfolio.local.compression import compress_reply, negotiated_coding
from portfolio.local.proxy import ApiStage, HttpReply, HttpRequest
from tests.support.local import FakeFunction

pytestmark = pytest.mark.unit

ORIGIN = "https://app.example.com"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": {"Fn::If": ["AnyOrigin", "'*'", "method.request.header.Origin"]},
    "Vary": {"Fn::If": ["AnyOrigin", {"Ref": "AWS::NoValue"}, "'Origin'"]},
}
TEMPLATE: dict[str, Any] = {
    "Parameters": {"Origins": {"Type": "String", "Default": "*"}},
    "Conditions": {"AnyOrigin": {"Fn::Equals": [{"Ref": "Origins"}, "*"]}},
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "MinimumCompressionSize": 100,
                "GatewayResponses": {
                    "UNAUTHORIZED": {
                        "StatusCode": "401",
                        "ResponseParameters": {"Headers": {**CORS_HEADERS, "WWW-Authenticate": "'Token'"}},
                        "ResponseTemplates": {"application/json": '{"detail": "Invalid token."}'},
                    },
                    "MISSING_AUTHENTICATION_TOKEN": {
                        "StatusCode": "404",
                        "ResponseParameters": {"Headers": CORS_HEADERS},
                        "ResponseTemplates": {"application/json": '{"detail": "Not found."}'},
                    },
                    "DEFAULT_5XX": {
                        "ResponseParameters": {"Headers": CORS_HEADERS},
                        "ResponseTemplates": {"application/json": '{"detail": "Unavailable."}'},
                    },
                },
            },
        }
    },
}
STAGE = ApiStage(api_id="abcdef1234", stage="Prod", account_id="123456789012", region="us-east-1")
BIG = json.dumps({"results": ["x" * 20] * 10})  # 250 bytes: over the template's 100
SMALL = '{"ok":true}'


def _route(method: str, *, auth_none: bool = False) -> ApiRoute:
    return ApiRoute(
        "Read", f"{method}Items", method, "/api/items/", "functions/read/", "app.h", None, auth_none
    )


def _front(answer: Any, *, origins: str = "*") -> tuple[ApiFront, FakeFunction, FakeFunction]:
    read = FakeFunction("Read", answer)
    authorizer = FakeFunction("Authorizer", RuntimeError("never called in these tests"))
    front = ApiFront(
        TEMPLATE,
        [_route("GET"), _route("OPTIONS", auth_none=True)],
        functions={"Read": read, "Authorizer": authorizer},  # type: ignore[dict-item]
        stage=STAGE,
        authorizers={"Token": AuthorizerSpec("Token", "Authorizer", "Authorization", 300)},
        default_authorizer="Token",
        stack=replace(default_stack(TEMPLATE), parameters={"Origins": origins}),
    )
    return front, read, authorizer


def _request(method: str = "GET", path: str = "/api/items/", **headers: str) -> HttpRequest:
    return HttpRequest(
        method=method,
        raw_path=path,
        raw_query="",
        headers=[
            ("Host", "127.0.0.1:3000"),
            *((name.replace("_", "-"), value) for name, value in headers.items()),
        ],
        body=b"",
        client_ip="127.0.0.1",
        scheme="http",
        server_port=3000,
    )


def _answer(body: str, **headers: str) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", **headers}, "body": body}


def _headers(reply: HttpReply) -> dict[str, str]:
    return dict(reply.headers)


# --- preflight and gateway responses ---------------------------------------------------------


def test_a_preflight_reaches_the_function_without_a_token_or_the_authorizer() -> None:
    preflight = {"statusCode": 204, "headers": {"Access-Control-Allow-Origin": "*"}, "body": ""}
    front, read, authorizer = _front(preflight)
    reply = front.handle(_request("OPTIONS", Origin=ORIGIN, Access_Control_Request_Method="GET"))
    assert reply.status == 204
    assert _headers(reply)["Access-Control-Allow-Origin"] == "*"
    assert [event["httpMethod"] for event in read.events] == ["OPTIONS"]
    assert authorizer.events == []


@pytest.mark.parametrize(
    ("request_", "status"),
    [(_request(Origin=ORIGIN), 401), (_request(path="/nowhere/", Origin=ORIGIN), 404)],
    ids=["no token", "no route"],
)
def test_gateway_responses_allow_any_origin_with_the_default(request_: HttpRequest, status: int) -> None:
    front, _, _ = _front(_answer(SMALL))
    reply = front.handle(request_)
    assert reply.status == status
    assert _headers(reply)["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in _headers(reply)


def test_with_a_list_gateway_responses_echo_the_callers_origin() -> None:
    front, _, _ = _front(_answer(SMALL), origins=f"{ORIGIN},https://b.example")
    reply = front.handle(_request(Origin=ORIGIN))
    assert (reply.status, _headers(reply)["Access-Control-Allow-Origin"]) == (401, ORIGIN)
    assert _headers(reply)["Vary"] == "Origin"
    assert _headers(reply)["WWW-Authenticate"] == "Token"


def test_a_failing_function_is_a_502_with_cors_headers() -> None:
    front, _, _ = _front(RuntimeError("boom"))
    reply = front.handle(_request("OPTIONS", Origin=ORIGIN))
    assert reply.status == 502
    assert _headers(reply)["Access-Control-Allow-Origin"] == "*"
    assert json.loads(reply.body) == {"detail": "Unavailable."}


# --- compression -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        (None, None),
        ("", None),
        ("*", None),
        ("identity", None),
        ("br", None),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("gzip, deflate, br", "gzip"),
        ("deflate", "deflate"),
        ("deflate;q=1.0, gzip;q=0.5", "deflate"),
        ("gzip;q=0", None),
        ("gzip;q=0, deflate", "deflate"),
        ("gzip;q=abc", None),
    ],
)
def test_the_coding_is_one_api_gateway_supports_that_the_client_accepts(
    accept_encoding: str | None, coding: str | None
) -> None:
    assert negotiated_coding(accept_encoding) == coding


def test_an_answer_from_the_minimum_size_is_compressed_below_it_is_not() -> None:
    body = b"a" * 100
    reply = HttpReply(200, [("Content-Type", "application/json")], body)
    compressed = compress_reply(reply, "gzip", 100)
    assert ("Content-Encoding", "gzip") in compressed.headers
    assert gzip.decompress(compressed.body) == body
    assert compress_reply(reply, "gzip", 101) == reply
    assert compress_reply(reply, "gzip", None) == reply
    assert compress_reply(reply, None, 0) == reply
    deflated = compress_reply(reply, "deflate", 0)
    assert zlib.decompress(deflated.body) == body


def test_an_answer_already_encoded_is_left_alone() -> None:
    reply = HttpReply(200, [("Content-Encoding", "br")], b"x" * 500)
    assert compress_reply(reply, "gzip", 0) == reply


def test_the_front_compresses_a_large_answer_for_a_client_accepting_gzip() -> None:
    front, _, _ = _front(_answer(BIG))
    # (through the preflight route, which needs no token: the function's answer comes back as is)
    reply = front.handle(_request("OPTIONS", Accept_Encoding="gzip, deflate"))
    assert _headers(reply)["Content-Encoding"] == "gzip"
    assert gzip.decompress(reply.body).decode() == BIG
    plain = front.handle(_request("OPTIONS"))
    assert "Content-Encoding" not in _headers(plain)
    assert plain.body.decode() == BIG


def test_the_front_leaves_small_answers_and_gateway_responses_uncompressed() -> None:
    front, _, _ = _front(_answer(SMALL))
    assert "Content-Encoding" not in _headers(front.handle(_request("OPTIONS", Accept_Encoding="gzip")))
    assert "Content-Encoding" not in _headers(front.handle(_request(Accept_Encoding="gzip")))


# --- the read function's CORS helpers --------------------------------------------------------


def test_no_origin_configured_means_no_cors() -> None:
    assert cors_config(CorsSettings()) is None
    answer = {"statusCode": 200, "multiValueHeaders": {"Vary": ["Accept"]}}
    assert vary_on_origin(answer, CorsSettings()) == answer


def test_the_configured_request_headers_are_exactly_those_allowed() -> None:
    config = cors_config(
        CorsSettings(allowed_origins=("*",), allowed_headers=("Authorization",), max_age_s=60)
    )
    assert config is not None
    headers = config.to_dict(ORIGIN)
    assert headers["Access-Control-Allow-Headers"] == "Authorization"
    assert headers["Access-Control-Max-Age"] == "60"


def test_with_a_list_every_answer_varies_on_origin() -> None:
    cors = CorsSettings(allowed_origins=(ORIGIN, "https://b.example"))
    multi = {"statusCode": 200, "multiValueHeaders": {"Vary": ["Accept, Authorization"]}}
    assert vary_on_origin(multi, cors)["multiValueHeaders"]["Vary"] == ["Accept, Authorization, Origin"]
    single = {"statusCode": 404, "headers": {"vary": "Accept"}}
    assert vary_on_origin(single, cors)["headers"] == {"Vary": "Accept, Origin"}
    bare = {"statusCode": 204, "headers": {}}
    assert vary_on_origin(bare, cors)["headers"] == {"Vary": "Origin"}
    already = {"statusCode": 200, "headers": {"Vary": "origin"}}
    assert vary_on_origin(already, cors)["headers"] == {"Vary": "origin"}
    # With any origin the answer does not depend on it
    assert vary_on_origin(bare, CorsSettings(allowed_origins=("*",))) == bare
