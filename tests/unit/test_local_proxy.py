"""HTTP requests become API Gateway REST proxy events, and proxy results HTTP answers, in the
local stack (portfolio.local.proxy)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from portfolio.local.proxy import (
    ApiStage,
    HttpRequest,
    MalformedProxyResult,
    http_reply,
    proxy_event,
)
from tests.support.events import load_event

pytestmark = pytest.mark.unit

STAGE = ApiStage(api_id="abcdef1234", stage="Prod", account_id="123456789012", region="us-east-1")


def _request(
    path: str = "/api/portfolios/",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    method: str = "GET",
) -> HttpRequest:
    return HttpRequest(
        method=method,
        raw_path=path,
        raw_query=query,
        headers=headers if headers is not None else [("Host", "127.0.0.1:3000"), ("User-Agent", "tests")],
        body=body,
        client_ip="127.0.0.1",
        scheme="http",
        server_port=3000,
    )


def _event(request: HttpRequest, **kwargs: object) -> dict:
    return proxy_event(
        request,
        stage=STAGE,
        resource_path=kwargs.pop("resource_path", "/api/portfolios"),  # type: ignore[arg-type]
        path_parameters=kwargs.pop("path_parameters", {}),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_event_has_every_field_of_the_event_sam_generates() -> None:
    # Given the event `sam local generate-event apigateway aws-proxy` wrote for retrieve
    generated = load_event("retrieve_portfolio")
    # When the local stack builds the event of a retrieve request
    event = _event(
        _request("/api/portfolios/148/"), resource_path="/api/portfolios/{id}", path_parameters={"id": "148"}
    )
    # Then it has the same fields, at the top and in requestContext and its identity
    assert set(generated) <= set(event)
    assert set(generated["requestContext"]) - {"authorizer"} <= set(event["requestContext"])
    assert set(generated["requestContext"]["identity"]) <= set(event["requestContext"]["identity"])
    assert event["resource"] == event["requestContext"]["resourcePath"] == "/api/portfolios/{id}"
    assert event["pathParameters"] == {"id": "148"}
    assert event["requestContext"]["stage"] == "Prod"
    assert event["requestContext"]["apiId"] == "abcdef1234"
    assert event["requestContext"]["domainName"] == "127.0.0.1"


def test_query_parameters_are_decoded_with_the_last_value_of_a_repeated_name_in_the_single_map() -> None:
    event = _event(_request(query="search=web+site&limit=5&search=%D8%B3%D8%A7%DB%8C%D8%AA&empty="))
    assert event["queryStringParameters"] == {"search": "سایت", "limit": "5", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {
        "search": ["web site", "سایت"],
        "limit": ["5"],
        "empty": [""],
    }


def test_no_query_string_and_no_path_parameters_are_null_as_api_gateway_sends_them() -> None:
    event = _event(_request())
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["body"] is None


def test_the_path_is_the_one_the_client_called_still_encoded_in_both_places() -> None:
    # The local stack serves the API at the root, as `sam local start-api` does: the links a
    # handler builds from requestContext.path must be ones the client can follow.
    event = _event(_request("/api/portfolios/%D8%A8/"), resource_path="/api/portfolios/{id}")
    assert event["path"] == "/api/portfolios/%D8%A8/"
    assert event["requestContext"]["path"] == "/api/portfolios/%D8%A8/"


def test_headers_keep_the_last_value_and_every_value_and_api_gateway_sets_the_forwarded_ones() -> None:
    # Given a client that repeats a header and tries to set the forwarded scheme itself
    headers = [
        ("Host", "127.0.0.1:3000"),
        ("Accept", "text/html"),
        ("Accept", "application/json"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-For", "10.0.0.1"),
    ]
    event = _event(_request(headers=headers))
    # Then the single map has the last value, the multi map all of them
    assert event["headers"]["Accept"] == "application/json"
    assert event["multiValueHeaders"]["Accept"] == ["text/html", "application/json"]
    # And the forwarded headers say what API Gateway saw, not what the client claimed
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Forwarded-Port"] == "3000"
    assert event["headers"]["X-Forwarded-For"] == "10.0.0.1, 127.0.0.1"
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_the_request_time_and_id_are_in_the_request_context() -> None:
    now = dt.datetime(2026, 3, 3, 17, 52, 28, 976000, tzinfo=dt.UTC)
    event = _event(_request(), request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef", now=now)
    assert event["requestContext"]["requestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert event["requestContext"]["requestTime"] == "03/Mar/2026:17:52:28 +0000"
    assert event["requestContext"]["requestTimeEpoch"] == 1772560348976


def test_a_text_body_is_passed_as_text_and_a_binary_one_as_base64() -> None:
    assert _event(_request(body="سلام".encode(), method="POST"))["body"] == "سلام"
    binary = _event(_request(body=b"\xff\xd8\xff", method="POST"))
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\xd8\xff"


def test_a_proxy_result_becomes_the_http_answer_with_both_header_maps_merged() -> None:
    reply = http_reply(
        {
            "statusCode": 301,
            "headers": {"Location": "/api/portfolios/", "Vary": "Accept"},
            "multiValueHeaders": {"Vary": ["Accept", "Cookie"]},
            "body": "",
            "isBase64Encoded": False,
        }
    )
    assert reply.status == 301
    assert sorted(reply.headers) == [("Location", "/api/portfolios/"), ("Vary", "Accept"), ("Vary", "Cookie")]
    assert reply.body == b""


def test_a_base64_body_is_decoded() -> None:
    reply = http_reply(
        {"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}
    )
    assert reply.body == b"\x89PNG"


@pytest.mark.parametrize(
    "result",
    [
        None,
        "ok",
        {"body": "no status"},
        {"statusCode": 99},
        {"statusCode": "abc"},
        {"statusCode": True},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "multiValueHeaders": {"Vary": "Accept"}},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
    ],
)
def test_a_result_api_gateway_cannot_send_is_malformed(result: object) -> None:
    # Then API Gateway answers 502 instead of passing it on
    with pytest.raises(MalformedProxyResult):
        http_reply(result)
