"""The authorizer function against DynamoDB (moto): every row of the contract's table, the
caller in the policy's context, `last used` bookkeeping, and failing closed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from functions.authorizer.app import lambda_handler
from portfolio.data import auth as store
from portfolio.domain.auth import (
    LAST_USED_RESOLUTION_S,
    PORTFOLIO_PERMISSION,
    ROUTE_GROUPS,
    Capability,
    authorize,
    create_user,
    issue_token,
    revoke_token,
    update_user,
)
from portfolio.domain.errors import ServiceUnavailable
from portfolio.observability import logger
from tests.support.context import FakeLambdaContext
from tests.support.events import load_event

pytestmark = pytest.mark.integration

STAGE_RESOURCE = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/*/*"


def routes_of(*groups: Capability) -> list[str]:
    """The stage's ARNs of these route groups, as the policy lists them."""
    return [
        f"arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/{method}{path}"
        for group in groups
        for method, path in ROUTE_GROUPS[group]
    ]


def request_with(authorization: str | None) -> dict[str, Any]:
    event = load_event("authorizer_request")
    if authorization is None:
        del event["headers"]["Authorization"]
    else:
        event["headers"]["Authorization"] = authorization
    return event


def call(event: Any) -> dict[str, Any]:
    return lambda_handler(event, FakeLambdaContext(function_name="AuthorizerFunction"))


def key_for(username: str, **flags: Any) -> str:
    create_user(username, **flags)
    return issue_token(username).key


@contextmanager
def log_output(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """Every log line written meanwhile (the Powertools logger, at ``level``)."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    logger.setLevel(level)
    try:
        yield stream
    finally:
        logger.setLevel("WARNING")
        handler.setStream(previous)


def effect_of(answer: dict[str, Any]) -> tuple[str, list[str]]:
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Action"] == "execute-api:Invoke"
    return statement["Effect"], statement["Resource"]


def test_an_active_admin_is_allowed_on_the_whole_stage_with_the_caller_in_the_context() -> None:
    # Given an admin's key
    key = key_for("chief", is_superuser=True, is_staff=True)
    # When the authorizer is asked
    answer = call(request_with(f"Token {key}"))
    # Then every route of the stage is allowed (reading and uploading), and the read function
    # will know who called
    effect, resources = effect_of(answer)
    assert (effect, sorted(resources)) == (
        "Allow",
        sorted(routes_of(Capability.READ_PORTFOLIOS, Capability.UPLOAD_IMAGES)),
    )
    user = store.get_user("chief")
    assert user is not None
    assert answer["principalId"] == str(user.user_id)
    assert answer["context"] == {"user_id": str(user.user_id), "username": "chief", "is_admin": "true"}


def test_an_admin_without_the_staff_flag_is_allowed_too() -> None:
    key = key_for("root", is_superuser=True)
    assert effect_of(call(request_with(f"Token {key}")))[0] == "Allow"


def test_active_staff_holding_4202_is_allowed_and_the_keyword_is_case_insensitive() -> None:
    key = key_for("editor", is_staff=True, permissions=[PORTFOLIO_PERMISSION])
    for keyword in ("Token", "token", "TOKEN"):
        answer = call(request_with(f"{keyword} {key}"))
        # (the read routes only: uploading takes the upload permission)
        effect, resources = effect_of(answer)
        assert (effect, sorted(resources)) == ("Allow", sorted(routes_of(Capability.READ_PORTFOLIOS)))
        assert answer["context"]["is_admin"] == "false"


@pytest.mark.parametrize(
    "flags",
    [
        pytest.param({"is_staff": True}, id="staff without 4202"),
        pytest.param({"is_staff": True, "permissions": [4201]}, id="staff with another code"),
        pytest.param({"permissions": [PORTFOLIO_PERMISSION]}, id="4202 without staff"),
        pytest.param({}, id="plain user"),
    ],
)
def test_a_known_user_without_the_permission_is_denied_on_the_whole_stage(flags: dict[str, Any]) -> None:
    key = key_for("reader", **flags)
    answer = call(request_with(f"Token {key}"))
    # A Deny policy: API Gateway answers 403, and the cached Deny holds for every route.
    assert effect_of(answer) == ("Deny", [STAGE_RESOURCE])
    assert "context" not in answer


def _refused(event: Any) -> None:
    with pytest.raises(Exception, match=r"\AUnauthorized\Z"):
        call(event)


def test_unknown_revoked_and_inactive_are_401() -> None:
    # Given a key never issued, a revoked key, and the key of a user since deactivated
    unknown = "0123456789abcdef0123456789abcdef01234567"
    create_user("leaver", is_staff=True, permissions=[PORTFOLIO_PERMISSION])
    revoked = issue_token("leaver")
    revoke_token(revoked.token.token_id)
    inactive = key_for("sleeper", is_superuser=True)
    update_user("sleeper", active=False)
    # Then each is refused with the error API Gateway turns into 401
    for key in (unknown, revoked.key, inactive):
        _refused(request_with(f"Token {key}"))


def test_a_user_reactivated_or_granted_is_allowed_again() -> None:
    key = key_for("returner", is_staff=True)
    assert effect_of(call(request_with(f"Token {key}")))[0] == "Deny"
    update_user("returner", grant=[PORTFOLIO_PERMISSION], active=False)
    _refused(request_with(f"Token {key}"))
    update_user("returner", active=True)
    assert effect_of(call(request_with(f"Token {key}")))[0] == "Allow"
    update_user("returner", revoke=[PORTFOLIO_PERMISSION])
    assert effect_of(call(request_with(f"Token {key}")))[0] == "Deny"


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(request_with(None), id="no Authorization header"),
        pytest.param(request_with("Token"), id="Token without key"),
        pytest.param(request_with("Token abc def"), id="key with spaces"),
        pytest.param(request_with("Token " + "f" * 8192), id="8 KB header"),
        pytest.param(request_with("Token ñandú"), id="non-ASCII"),
        pytest.param(request_with("   "), id="only spaces"),
        pytest.param({k: v for k, v in request_with(None).items() if k != "headers"}, id="no headers map"),
        pytest.param(None, id="null event"),
        pytest.param(["not", "an", "event"], id="list event"),
        pytest.param({"headers": "Token x"}, id="nonsense event"),
    ],
)
def test_bad_input_through_the_handler_is_a_clean_401(event: Any) -> None:
    _refused(event)


def test_a_dynamodb_failure_fails_closed_with_a_log_line() -> None:
    # Given a valid admin key, and then the tokens table gone (DynamoDB answers an error)
    key = key_for("chief", is_superuser=True)
    boto3.client("dynamodb").delete_table(TableName="TokensTable")
    # When the authorizer is asked (the log at its production level)
    with log_output("INFO") as stream, pytest.raises(ServiceUnavailable) as failure:
        call(request_with(f"Token {key}"))
    # Then it refuses with an error that is not "Unauthorized" (API Gateway: a 5xx, not cached),
    # and says so in its log, without the key
    assert str(failure.value) != "Unauthorized"
    logged = stream.getvalue()
    assert "token store unavailable" in logged
    assert "ResourceNotFoundException" in logged
    assert key not in logged


def test_no_key_appears_in_any_log_line() -> None:
    # Given every log line, for an allowed, a denied, an unknown and a malformed call
    allowed = key_for("chief", is_superuser=True)
    denied = key_for("reader")
    unknown = "0123456789abcdef0123456789abcdef01234567"
    with log_output() as stream:
        call(request_with(f"Token {allowed}"))
        call(request_with(f"Token {denied}"))
        for header in (f"Token {unknown}", f"Token {allowed} {allowed}"):
            with pytest.raises(Exception, match="Unauthorized"):
                call(request_with(header))
    logged = stream.getvalue()
    # Then each decision is logged with its reason, and no key is anywhere
    assert logged.count("authorizer: ") >= 4
    assert "invalid_token" in logged
    assert "contains_spaces" in logged
    for key in (allowed, denied, unknown):
        assert key not in logged


def test_last_used_is_written_at_most_once_per_resolution() -> None:
    # Given a fresh token
    issued = key_for("editor", is_staff=True, permissions=[PORTFOLIO_PERMISSION])
    event = request_with(f"Token {issued}")
    (token,) = store.tokens("editor")
    assert token.last_used_at is None
    # When it is used, then used again soon after
    authorize(event, now=10_000)
    authorize(event, now=10_000 + LAST_USED_RESOLUTION_S - 1)
    # Then `last used` is the first use
    (token,) = store.tokens("editor")
    assert token.last_used_at == 10_000
    # And once the resolution has passed, the next use is recorded
    authorize(event, now=10_000 + LAST_USED_RESOLUTION_S)
    (token,) = store.tokens("editor")
    assert token.last_used_at == 10_000 + LAST_USED_RESOLUTION_S


def test_racing_authorizers_write_last_used_once() -> None:
    # Given two authorizers that both read the token before either wrote
    key = key_for("editor", is_superuser=True)
    (token,) = store.tokens("editor")
    assert key not in token.key_hash
    # When both try to note the same use
    first = store.record_token_use(token.key_hash, now=20_000, cutoff=20_000 - LAST_USED_RESOLUTION_S)
    second = store.record_token_use(token.key_hash, now=20_001, cutoff=20_001 - LAST_USED_RESOLUTION_S)
    # Then only the first writes (a conditional update), and a revoked token is never recreated
    assert (first, second) == (True, False)
    revoke_token(token.token_id)
    assert store.record_token_use(token.key_hash, now=30_000, cutoff=30_000) is False
    assert store.get_token(token.key_hash) is None


def test_noting_a_use_writes_only_last_used_and_reads_nothing_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a token, and every DynamoDB request the authorizer sends recorded
    from botocore.client import BaseClient

    issued = key_for("editor", is_superuser=True)
    sent: list[tuple[str, dict[str, Any]]] = []
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        sent.append((operation, params))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    # When a call notes its use
    authorize(request_with(f"Token {issued}"), now=40_000)
    # Then its one write sets last_used_at alone and asks for nothing back, as the role's
    # condition (dynamodb:Attributes, dynamodb:ReturnValues) demands
    (update,) = [params for operation, params in sent if operation == "UpdateItem"]
    assert update.get("ReturnValues", "NONE") == "NONE"
    assert set(update["ExpressionAttributeNames"].values()) <= {"key_hash", "last_used_at"}
    assert update["UpdateExpression"].startswith("SET ")
