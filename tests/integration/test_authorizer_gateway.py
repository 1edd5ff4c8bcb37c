"""The authorizer behind API Gateway's behaviour (portfolio.local.gateway) and the template's
gateway responses, in front of the read function: what a client sees, cache included."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from functions.authorizer.app import lambda_handler as authorizer_handler
from functions.read_api.app import lambda_handler as read_handler
from portfolio.domain.auth import (
    PORTFOLIO_PERMISSION,
    Caller,
    create_user,
    issue_token,
    list_tokens,
    revoke_token,
    update_user,
)
from portfolio.infra.template import create_tables, load_template
from portfolio.local.gateway import (
    AuthorizationResult,
    GatewayReply,
    LocalAuthorizer,
    gateway_reply,
    method_arn,
)
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

pytestmark = pytest.mark.integration

HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"
TTL = 300


class Clock:
    def __init__(self) -> None:
        self.now = 50_000.0

    def __call__(self) -> float:
        return self.now


class Gateway:
    """API Gateway in front of the read function, with the template's authorizer settings."""

    def __init__(self, ttl: int = TTL) -> None:
        self.clock = Clock()
        self.authorizer = LocalAuthorizer(authorizer_handler, ttl_seconds=ttl, clock=self.clock)

    def authorize(
        self, method: str, path: str, key: str | None
    ) -> tuple[dict[str, Any], AuthorizationResult]:
        """The proxy event of this call, and the authorizer's (possibly cached) answer for it."""
        headers = {} if key is None else {"Authorization": f"Token {key}"}
        event = api_event(path, headers=headers, host=HOST)
        if key is None:
            del event["headers"]["Authorization"]
        arn = method_arn(
            region="eu-west-1",
            account_id="123456789012",
            api_id="abc123defg",
            stage="Prod",
            method=method,
            resource_path=path.partition("?")[0],
        )
        return event, self.authorizer.authorize(event, method_arn=arn)

    def get(self, path: str, key: str | None) -> GatewayReply:
        event, result = self.authorize("GET", path, key)
        if not result.allowed:
            return gateway_reply(load_template(), result.response_type or "ACCESS_DENIED")
        event["requestContext"]["authorizer"] = result.context
        self.last_caller = Caller.from_request_context(result.context)
        response = read_handler(event, FakeLambdaContext())
        headers = dict(response.get("headers") or {})
        headers.update(
            {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
        )
        return GatewayReply(status=response["statusCode"], headers=headers, body=response["body"])


def detail(reply: GatewayReply) -> Any:
    return json.loads(reply.body)["detail"]


def editor_key(**flags: Any) -> str:
    create_user("editor", **(flags or {"is_staff": True, "permissions": [PORTFOLIO_PERMISSION]}))
    return issue_token("editor").key


def test_a_token_allowed_on_list_is_allowed_on_retrieve_and_openapi_from_the_cache() -> None:
    # Given an editor's key and API Gateway with the authorizer's cache
    gateway = Gateway()
    key = editor_key()
    # When the key lists, then retrieves, then reads the OpenAPI document
    listed = gateway.get("/api/portfolios/", key)
    retrieved = gateway.get("/api/portfolios/148/", key)
    described = gateway.get("/api/openapi.json", key)
    # Then every call reaches the read function, and the authorizer ran once
    assert listed.status == 200
    assert json.loads(listed.body)["count"] == 0
    assert retrieved.status == 404
    assert detail(retrieved) == "No Portfolio matches the given query."
    assert described.status == 200
    assert gateway.authorizer.calls == 1


def test_the_read_function_sees_who_called() -> None:
    gateway = Gateway()
    key = editor_key(is_superuser=True)
    gateway.get("/api/portfolios/", key)
    assert gateway.last_caller == Caller(user_id=1, username="editor", is_admin=True)


def test_without_a_header_the_answer_is_drf_401_and_the_authorizer_is_not_called() -> None:
    gateway = Gateway()
    for path in ("/api/portfolios/", "/api/portfolios", "/api/portfolios/148/"):
        reply = gateway.get(path, None)
        assert reply.status == 401
        assert reply.headers["WWW-Authenticate"] == "Token"
        assert reply.headers["Content-Type"] == "application/json"
        assert detail(reply) == "Invalid token."
    assert gateway.authorizer.calls == 0


def test_an_unknown_key_is_401_each_time() -> None:
    gateway = Gateway()
    for _ in range(2):
        reply = gateway.get("/api/portfolios/", "0123456789abcdef0123456789abcdef01234567")
        assert (reply.status, reply.headers.get("WWW-Authenticate"), detail(reply)) == (
            401,
            "Token",
            "Invalid token.",
        )
    # An "Unauthorized" answer is not cached: each call asks again.
    assert gateway.authorizer.calls == 2


def test_staff_without_the_permission_get_403_on_every_route() -> None:
    gateway = Gateway()
    key = editor_key(is_staff=True)
    for path in ("/api/portfolios/", "/api/portfolios/148/", "/api/openapi.json"):
        reply = gateway.get(path, key)
        assert (reply.status, detail(reply)) == (403, "You do not have permission to perform this action.")
    assert gateway.authorizer.calls == 1


def _upload_route_decision(gateway: Gateway, key: str) -> bool:
    # The upload routes come with issue 10's function; the authorizer's answer for them (cached
    # like any other) is what API Gateway would apply.
    return gateway.authorize("POST", "/api/uploads/", key)[1].allowed


@pytest.mark.parametrize("upload_first", [True, False], ids=["upload-route-first", "read-route-first"])
def test_an_upload_only_token_never_reads_and_a_read_only_token_never_uploads_with_the_cache_warm(
    upload_first: bool,
) -> None:
    # Given an uploader (4203 only) and a reader (4202 only), API Gateway caching their answers
    gateway = Gateway()
    create_user("uploader", is_staff=True, permissions=[4203])
    uploader = issue_token("uploader").key
    reader = editor_key()
    for key, reads, uploads in ((uploader, False, True), (reader, True, False)):
        # When each calls an upload route and the read routes, in either order
        if upload_first:
            assert _upload_route_decision(gateway, key) is uploads
        for path in ("/api/portfolios/", "/api/portfolios/148/", "/api/openapi.json"):
            reply = gateway.get(path, key)
            # Then reading is refused with DRF's 403 exactly when 4202 is missing
            assert (reply.status == 403) is not reads, (path, reply.status)
        if not upload_first:
            assert _upload_route_decision(gateway, key) is uploads
    # And each key's decision came from one authorizer run, reused on the other routes
    assert gateway.authorizer.calls == 2


def test_a_revoked_token_works_until_the_cache_expires_then_is_401() -> None:
    # Given a key already allowed (its decision cached)
    gateway = Gateway()
    key = editor_key()
    assert gateway.get("/api/portfolios/", key).status == 200
    # When its token is revoked
    (token,) = list_tokens("editor")
    revoke_token(token.token_id)
    # Then API Gateway's cache still allows it for the rest of the TTL (the documented window)
    gateway.clock.now += TTL - 1
    assert gateway.get("/api/portfolios/148/", key).status == 404
    # And once the TTL has passed, it is refused
    gateway.clock.now += 1
    reply = gateway.get("/api/portfolios/", key)
    assert (reply.status, detail(reply)) == (401, "Invalid token.")


def test_with_caching_off_a_revocation_or_a_grant_takes_effect_at_once() -> None:
    gateway = Gateway(ttl=0)
    key = editor_key(is_staff=True)
    assert gateway.get("/api/portfolios/", key).status == 403
    update_user("editor", grant=[PORTFOLIO_PERMISSION])
    assert gateway.get("/api/portfolios/", key).status == 200
    update_user("editor", active=False)
    assert gateway.get("/api/portfolios/", key).status == 401


def test_a_dynamodb_failure_is_a_503_that_is_not_cached() -> None:
    # Given a valid key, and the users table unreachable
    gateway = Gateway()
    key = editor_key()
    client = boto3.client("dynamodb")
    client.delete_table(TableName="UsersTable")
    # When the key calls, then the table is back
    failed = gateway.get("/api/portfolios/", key)
    create_tables(client, names={})
    create_user("editor", is_staff=True, permissions=[PORTFOLIO_PERMISSION])
    recovered = gateway.get("/api/portfolios/", key)
    # Then the failure answered the JSON 503 (fail closed), and was not remembered
    assert failed.status == 503
    assert failed.headers["Retry-After"] == "1"
    assert detail(failed) == "The service is temporarily unavailable, please retry."
    assert recovered.status == 200
    assert gateway.authorizer.calls == 2


def test_a_deactivated_user_is_refused_once_the_cache_expires() -> None:
    gateway = Gateway()
    key = editor_key()
    assert gateway.get("/api/portfolios/", key).status == 200
    update_user("editor", active=False)
    gateway.clock.now += TTL
    reply = gateway.get("/api/portfolios/", key)
    assert (reply.status, reply.headers["WWW-Authenticate"]) == (401, "Token")
