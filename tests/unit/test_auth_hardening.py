"""Bad input to the authorizer: every odd header and event shape ends in a clean 401 (the
error "Unauthorized"), decided before any lookup, never an unhandled error."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.domain.auth import AuthFailure, NotAuthenticated, authorize
from tests.support.events import load_event

pytestmark = pytest.mark.unit


def with_header(value: Any) -> dict[str, Any]:
    event = load_event("authorizer_request")
    event["headers"]["Authorization"] = value
    event["multiValueHeaders"]["Authorization"] = [value]
    return event


def refusal_for(event: Any) -> NotAuthenticated:
    with pytest.raises(NotAuthenticated) as refusal:
        authorize(event)
    # The Lambda error API Gateway turns into 401, exactly, whatever the input.
    assert str(refusal.value) == "Unauthorized"
    return refusal.value


@pytest.mark.parametrize(
    ("header", "failure"),
    [
        pytest.param("Token " + "a" * 8192, AuthFailure.INVALID_TOKEN, id="8 KB key"),
        pytest.param("Token " + "ab " * 2730, AuthFailure.CONTAINS_SPACES, id="8 KB of words"),
        pytest.param("Token " + "é" * 40, AuthFailure.INVALID_TOKEN, id="non-ASCII key"),
        pytest.param("Token \udcff" * 2, AuthFailure.CONTAINS_SPACES, id="lone surrogates"),
        pytest.param("Token \udcff", AuthFailure.INVALID_CHARACTERS, id="undecodable byte"),
        pytest.param("Токен " + "0" * 40, AuthFailure.NOT_PROVIDED, id="non-ASCII keyword"),
        pytest.param("        ", AuthFailure.NOT_PROVIDED, id="only spaces"),
        pytest.param("", AuthFailure.NOT_PROVIDED, id="empty"),
        pytest.param("Token", AuthFailure.NO_CREDENTIALS, id="no key"),
        pytest.param(
            "Token ABCDEF0123456789ABCDEF0123456789ABCDEF01", AuthFailure.INVALID_TOKEN, id="upper-case key"
        ),
        pytest.param(
            "Token 0123\x00456789abcdef0123456789abcdef0123456", AuthFailure.INVALID_TOKEN, id="NUL"
        ),
    ],
)
def test_odd_headers_are_refused_with_401(header: str, failure: AuthFailure) -> None:
    # Given a request whose Authorization header is odd
    # When the authorizer decides
    refusal = refusal_for(with_header(header))
    # Then it refuses it for the DRF reason, without a lookup
    assert refusal.failure is failure


def _without_headers() -> dict[str, Any]:
    event = load_event("authorizer_request")
    del event["headers"]
    return event


def _with(key: str, value: Any) -> dict[str, Any]:
    event = load_event("authorizer_request")
    event[key] = value
    return event


@pytest.mark.parametrize(
    ("event", "failure"),
    [
        pytest.param(_without_headers(), AuthFailure.NOT_PROVIDED, id="no headers map"),
        pytest.param(_with("headers", None), AuthFailure.NOT_PROVIDED, id="headers null"),
        pytest.param(_with("headers", {}), AuthFailure.NOT_PROVIDED, id="headers empty"),
        pytest.param(
            _with("headers", ["Authorization", "Token x"]), AuthFailure.MALFORMED_EVENT, id="headers list"
        ),
        pytest.param(
            _with("headers", {1: "Token x"}), AuthFailure.MALFORMED_EVENT, id="header name not text"
        ),
        pytest.param(
            _with("headers", {"Authorization": ["Token x"]}),
            AuthFailure.MALFORMED_EVENT,
            id="header value a list",
        ),
        pytest.param(_with("methodArn", None), AuthFailure.MALFORMED_EVENT, id="no method ARN"),
        pytest.param(
            _with("methodArn", "arn:aws:s3:::bucket"), AuthFailure.MALFORMED_EVENT, id="not a method ARN"
        ),
        pytest.param(_with("methodArn", 12), AuthFailure.MALFORMED_EVENT, id="method ARN a number"),
        pytest.param(None, AuthFailure.MALFORMED_EVENT, id="null event"),
        pytest.param([], AuthFailure.MALFORMED_EVENT, id="list event"),
        pytest.param("Token x", AuthFailure.MALFORMED_EVENT, id="text event"),
        pytest.param({}, AuthFailure.MALFORMED_EVENT, id="empty event"),
    ],
)
def test_unexpected_event_shapes_are_refused_with_401(event: Any, failure: AuthFailure) -> None:
    assert refusal_for(event).failure is failure


def test_the_header_name_is_case_insensitive() -> None:
    # Given the header as HTTP/2 clients send it (lower-case), with a key that cannot be ours
    event = load_event("authorizer_request")
    del event["headers"]["Authorization"]
    event["headers"]["authorization"] = "token nope"
    # Then it is read (and refused for the key, not for a missing header)
    assert refusal_for(event).failure is AuthFailure.INVALID_TOKEN


@pytest.mark.parametrize(
    ("values", "failure"),
    [
        pytest.param(["Token " + "0" * 40, "Token " + "1" * 40], AuthFailure.CONTAINS_SPACES, id="two keys"),
        pytest.param(["Token", "0" * 40], AuthFailure.NOT_PROVIDED, id="keyword and key apart"),
        pytest.param(["Token " + "0" * 40, ""], AuthFailure.INVALID_TOKEN, id="a key and an empty value"),
    ],
)
def test_more_than_one_authorization_value_never_authenticates(
    values: list[str], failure: AuthFailure
) -> None:
    # Given a request with several Authorization headers, the last one alone well formed
    event = load_event("authorizer_request")
    event["headers"]["Authorization"] = values[-1]
    event["multiValueHeaders"] = {"authorization": values}
    # When the authorizer decides, Then it reads them joined, as the original's server does,
    # and refuses before any lookup
    assert refusal_for(event).failure is failure


@pytest.mark.parametrize(
    "multi_value_headers",
    [["Authorization"], {"Authorization": "Token x"}, {"Authorization": [1]}],
    ids=["a list", "a value not in a list", "a value not text"],
)
def test_malformed_multi_value_headers_are_refused(multi_value_headers: Any) -> None:
    event = load_event("authorizer_request")
    event["multiValueHeaders"] = multi_value_headers
    assert refusal_for(event).failure is AuthFailure.MALFORMED_EVENT
