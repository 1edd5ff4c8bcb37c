"""CORS, preflights and compression over HTTP on the local stack, compared with what
template.yaml configures API Gateway (and the read function) to answer: a browser on another
origin can read every answer, its preflights need no token, and large answers are gzipped
for a client that accepts it."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
import requests

from portfolio.infra.template import cors_spec, load_template, minimum_compression_size, preflight_functions
from portfolio.local.gateway import gateway_reply
from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10
ORIGIN = "http://127.0.0.1:1"  # some other origin than the stack's
NO_COMPRESSION = {"Accept-Encoding": "identity"}


def _url(stack: RunningStack, sam_path: str) -> str:
    concrete = sam_path.replace("{id}", "148").replace("{upload_id}", "0123456789abcdef0123456789abcdef")
    return stack.api_url + concrete


# (function, SAM path) of every route with a preflight.
PREFLIGHTS = sorted(
    (function, path)
    for function in preflight_functions(load_template())
    for path in cors_spec(load_template(), function=function).preflight_paths
)


def _raw(response: requests.Response) -> bytes:
    """The body as sent on the wire (requests would decode gzip)."""
    return response.raw.read(decode_content=False)


def _get(stack: RunningStack, path: str, headers: dict[str, str]) -> requests.Response:
    return requests.get(
        f"{stack.api_url}{path}", headers=headers, allow_redirects=False, stream=True, timeout=TIMEOUT_S
    )


@pytest.mark.parametrize(("function", "sam_path"), PREFLIGHTS)
def test_a_preflight_on_every_route_is_answered_as_the_template_says_without_a_token(
    stack: RunningStack, function: str, sam_path: str
) -> None:
    spec = cors_spec(load_template(), function=function)
    # Powertools answers every preflight with all the methods of the function's routes
    methods = sorted({method for path_methods in spec.methods.values() for method in path_methods})
    for url in (_url(stack, sam_path), _url(stack, sam_path).rstrip("/")):
        # When a browser asks, without a token, whether it may GET with one
        response = requests.options(
            url,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=TIMEOUT_S,
        )
        # Then the answer is the template's: any origin (its default), its headers, the
        # route's methods, its cache time
        assert response.status_code == 204, url
        assert response.content == b""
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Allow-Headers"] == ",".join(spec.allowed_headers)
        assert response.headers["Access-Control-Allow-Methods"] == ",".join(methods)
        assert set(spec.methods[sam_path]) <= set(methods)
        assert response.headers["Access-Control-Max-Age"] == str(spec.max_age_s)


@pytest.mark.parametrize(
    "path", ["/api/portfolios/?limit=2", "/api/portfolios/148/", "/api/portfolios", "/api/openapi.json"]
)
def test_the_functions_answers_allow_the_frontends_origin(
    stack: RunningStack, admin: dict[str, str], path: str
) -> None:
    response = _get(stack, path, {**admin, "Origin": ORIGIN})
    assert response.status_code in (200, 301)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("user", "path", "response_type"),
    [
        (None, "/api/portfolios/", "UNAUTHORIZED"),
        ("unknown key", "/api/portfolios/148/", "UNAUTHORIZED"),
        ("staff", "/api/portfolios/", "ACCESS_DENIED"),
        ("admin", "/api/nothing/", "MISSING_AUTHENTICATION_TOKEN"),
    ],
)
def test_api_gateways_own_answers_carry_the_templates_cors_headers(
    stack: RunningStack, user: str | None, path: str, response_type: str
) -> None:
    headers = {"Origin": ORIGIN}
    if user is not None:
        headers["Authorization"] = f"Token {stack.tokens.get(user, '0' * 40)}"
    response = _get(stack, path, headers)
    # The gateway response the template configures, rendered for this request's headers
    expected = gateway_reply(load_template(), response_type, request_headers=headers)
    assert response.status_code == expected.status
    assert json.loads(_raw(response)) == json.loads(expected.body)
    for name, value in expected.headers.items():
        assert response.headers[name] == value, name
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def _page(
    stack: RunningStack, admin: dict[str, str], accept_encoding: str
) -> tuple[requests.Response, bytes]:
    response = _get(stack, "/api/portfolios/?limit=20", {**admin, "Accept-Encoding": accept_encoding})
    assert response.status_code == 200
    return response, _raw(response)


def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    minimum = minimum_compression_size(load_template())
    assert minimum is not None
    # Given a page whose JSON is over the template's minimum compression size
    plain_response, plain = _page(stack, admin, "identity")
    assert "Content-Encoding" not in plain_response.headers
    assert len(plain) >= minimum
    # When a client accepting gzip asks for it
    response, wire = _page(stack, admin, "gzip, deflate, br")
    # Then it gets the same JSON, gzipped, several times smaller
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) == len(wire)
    assert json.loads(gzip.decompress(wire)) == json.loads(plain)
    assert len(wire) * 3 < len(plain)
    # And the caching headers do not change with the encoding
    assert response.headers["ETag"] == plain_response.headers["ETag"]


def test_small_answers_are_never_compressed(stack: RunningStack, admin: dict[str, str]) -> None:
    minimum = minimum_compression_size(load_template())
    assert minimum is not None
    gzip_ok = {"Accept-Encoding": "gzip"}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("/api/portfolios/999999/", admin),  # the function's 404
        ("/api/portfolios/", {}),  # API Gateway's 401
        ("/api/portfolios", admin),  # the function's 301 (empty body)
    ]
    for path, headers in cases:
        response = _get(stack, path, {**headers, **gzip_ok})
        body = _raw(response)
        assert len(body) < minimum, path
        assert "Content-Encoding" not in response.headers, path
    # And for a client accepting no compression even a large one is sent as is
    response = _get(stack, "/api/portfolios/?limit=20", {**admin, **NO_COMPRESSION})
    assert "Content-Encoding" not in response.headers
