"""When DynamoDB misbehaves on a read path, the caller gets a clean 503 with Retry-After, never
a stack trace and never API Gateway's 502/504: requests are retried a bounded number of times
(botocore standard mode), and none starts unless it can finish before the invocation ends.

Faults are injected below the data layer, in botocore itself: a hook answers DynamoDB's HTTP
request with the error DynamoDB would send (or raises the timeout botocore would raise).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from portfolio.config import settings
from portfolio.data.models import ALL_MODELS
from tests.integration.support import call, portfolio
from tests.support.catalogue import import_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

pytestmark = pytest.mark.integration

PORTFOLIO = portfolio(1, title="Store", slug="store", excerpt="An online store")


class _RawResponse:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _error_response(status: int, code: str, message: str) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}).encode()
    return AWSResponse(
        "https://dynamodb.us-east-1.amazonaws.com/", status, {"x-amzn-ErrorType": code}, _RawResponse(body)
    )


@pytest.fixture
def fault() -> Iterator[Callable[[Callable[..., Any]], list[str]]]:
    """Install a fault on every DynamoDB client of the data layer; returns the attempts seen."""
    installed: list[tuple[Any, Callable[..., Any]]] = []
    attempts: list[str] = []

    def install(behaviour: Callable[..., Any]) -> list[str]:
        def handler(request: Any, **_: Any) -> Any:
            attempts.append(request.headers.get("X-Amz-Target", b"").decode())
            return behaviour()

        for model in ALL_MODELS:
            client = model._get_connection().connection.client
            client.meta.events.register_first("before-send.dynamodb", handler)
            installed.append((client, handler))
        return attempts

    yield install
    for client, handler in installed:
        client.meta.events.unregister("before-send.dynamodb", handler)


def _read_timeout() -> Any:
    raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")


def _connect_timeout() -> Any:
    raise ConnectTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")


FAULTS = {
    "throttled": lambda: _error_response(400, "ProvisionedThroughputExceededException", "Rate exceeded"),
    "throttling": lambda: _error_response(400, "ThrottlingException", "Rate of requests exceeds the allowed"),
    "internal error": lambda: _error_response(500, "InternalServerError", "Internal server error"),
    "unavailable": lambda: _error_response(503, "ServiceUnavailable", "Service unavailable"),
    "read timeout": _read_timeout,
    "connect timeout": _connect_timeout,
}


@pytest.mark.parametrize("url", ["/api/portfolios/", "/api/portfolios/1/"], ids=["list", "retrieve"])
@pytest.mark.parametrize("name", list(FAULTS))
def test_a_failing_dynamodb_gives_a_503_with_retry_after_after_bounded_retries(
    url: str, name: str, fault: Callable[[Callable[..., Any]], list[str]]
) -> None:
    # Given a catalogue, and DynamoDB failing every request in this way
    import_portfolios([PORTFOLIO])
    attempts = fault(FAULTS[name])
    # When a client reads
    reply = call(url)
    # Then it gets the API's 503, told when to retry, with no trace of the failure's internals
    assert reply.status == 503
    assert reply.header("Retry-After") == "1"
    assert reply.body == {"detail": "The service is temporarily unavailable, please retry."}
    # and the failing request was tried exactly as often as configured, then given up
    assert len(attempts) == settings().dynamodb_max_attempts


def test_no_request_starts_when_it_could_outlive_the_invocation() -> None:
    # Given a catalogue, and an invocation with less time left than one DynamoDB request needs
    import_portfolios([PORTFOLIO])
    from functions.read_api.app import lambda_handler

    context = FakeLambdaContext()
    context.get_remaining_time_in_millis = lambda: 3_000  # type: ignore[method-assign]
    # When a client reads, Then the API answers 503 at once instead of letting Lambda time out
    response = lambda_handler(api_event("/api/portfolios/"), context)
    assert response["statusCode"] == 503
    assert json.loads(response["body"]) == {"detail": "The service is temporarily unavailable, please retry."}


def test_with_time_left_the_same_request_is_answered() -> None:
    import_portfolios([PORTFOLIO])
    reply = call("/api/portfolios/")
    assert reply.status == 200
    assert reply.body["count"] == 1


def test_a_lone_surrogate_in_a_parameter_never_breaks_the_links() -> None:
    # Given a hand-made event whose query holds a lone surrogate (no HTTP client can send one)
    import_portfolios([PORTFOLIO, portfolio(2, title="Blog", slug="blog")])
    # When the list pages through it, and the slash-less URL redirects with it
    page = call("/api/portfolios/", query=[("limit", "1"), ("note", "\udc80")])
    redirect = call("/api/portfolios", query=[("note", "\udc80")])
    # Then the answers are the usual ones, the parameter kept in the links
    assert page.status == 200
    assert "note=%ED%B2%80" in page.body["next"]
    assert redirect.status == 301
