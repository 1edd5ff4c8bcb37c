"""The contract's "Authentication and permission" table, the key rules, and the policies the
authorizer answers with (evaluated as API Gateway evaluates them)."""

from __future__ import annotations

import hashlib

import pytest

from portfolio.data.auth import ApiToken, User
from portfolio.domain.auth import (
    PORTFOLIO_PERMISSION,
    AuthFailure,
    Caller,
    Capability,
    Outcome,
    decide,
    generate_key,
    generate_token_id,
    key_hash,
    stage_policy,
    well_formed_key,
)
from portfolio.local.gateway import PolicyResult, evaluate_policy, method_arn

pytestmark = pytest.mark.unit


def a_user(
    *,
    active: bool = True,
    staff: bool = False,
    admin: bool = False,
    permissions: frozenset[int] = frozenset(),
) -> User:
    return User(
        username="someone",
        user_id=7,
        is_active=active,
        is_staff=staff,
        is_superuser=admin,
        permissions=permissions,
        date_joined=1_700_000_000,
    )


A_TOKEN = ApiToken(
    token_id="abcdef012345",
    key_hash="0" * 64,
    username="someone",
    created_at=1_700_000_000,
    last_used_at=None,
)
WITH_4202 = frozenset({PORTFOLIO_PERMISSION})


@pytest.mark.parametrize(
    ("token", "user", "outcome", "failure"),
    [
        pytest.param(
            None, None, Outcome.NOT_AUTHENTICATED, AuthFailure.INVALID_TOKEN, id="unknown or revoked key"
        ),
        pytest.param(A_TOKEN, None, Outcome.NOT_AUTHENTICATED, AuthFailure.USER_INACTIVE, id="user deleted"),
        pytest.param(
            A_TOKEN,
            a_user(active=False, admin=True),
            Outcome.NOT_AUTHENTICATED,
            AuthFailure.USER_INACTIVE,
            id="inactive admin",
        ),
        pytest.param(
            A_TOKEN,
            a_user(active=False, staff=True, permissions=WITH_4202),
            Outcome.NOT_AUTHENTICATED,
            AuthFailure.USER_INACTIVE,
            id="inactive staff with 4202",
        ),
        pytest.param(A_TOKEN, a_user(admin=True), Outcome.ALLOW, None, id="active admin"),
        pytest.param(
            A_TOKEN, a_user(admin=True, staff=True), Outcome.ALLOW, None, id="active admin and staff"
        ),
        pytest.param(
            A_TOKEN,
            a_user(staff=True, permissions=WITH_4202),
            Outcome.ALLOW,
            None,
            id="active staff with 4202",
        ),
        pytest.param(A_TOKEN, a_user(staff=True), Outcome.DENY, None, id="staff without 4202"),
        pytest.param(
            A_TOKEN,
            a_user(staff=True, permissions=frozenset({1, 4201})),
            Outcome.DENY,
            None,
            id="staff, other codes",
        ),
        pytest.param(A_TOKEN, a_user(permissions=WITH_4202), Outcome.DENY, None, id="4202 but not staff"),
        pytest.param(A_TOKEN, a_user(), Outcome.DENY, None, id="plain active user"),
    ],
)
def test_the_decision_table(
    token: ApiToken | None, user: User | None, outcome: Outcome, failure: AuthFailure | None
) -> None:
    # Given what a well-formed key's hash found (token, then its user)
    # When the rules decide
    decision = decide(token, user)
    # Then the outcome (401 / 403 / allowed) and the DRF reason are the contract's
    assert decision.outcome is outcome
    assert decision.failure is failure


def test_the_drf_messages_of_the_contract() -> None:
    assert AuthFailure.NOT_PROVIDED.message == "Authentication credentials were not provided."
    assert AuthFailure.NO_CREDENTIALS.message == "Invalid token header. No credentials provided."
    assert (
        AuthFailure.CONTAINS_SPACES.message == "Invalid token header. Token string should not contain spaces."
    )
    assert AuthFailure.INVALID_TOKEN.message == "Invalid token."
    assert AuthFailure.USER_INACTIVE.message == "User inactive or deleted."


def test_keys_are_40_random_hex_characters_stored_as_their_sha256() -> None:
    # Given many fresh keys
    keys = {generate_key() for _ in range(200)}
    # Then each has DRF's shape, none repeats, and what is stored is the SHA-256 of the key
    assert len(keys) == 200
    assert all(well_formed_key(key) and len(key) == 40 for key in keys)
    key = next(iter(keys))
    assert key_hash(key) == hashlib.sha256(key.encode()).hexdigest()
    assert key not in key_hash(key)
    assert len({generate_token_id() for _ in range(200)}) == 200


@pytest.mark.parametrize(
    "key",
    [
        "",
        "abc",
        "0123456789ABCDEF0123456789ABCDEF01234567",
        "0123456789abcdef0123456789abcdef0123456",
        "é" * 40,
    ],
)
def test_a_key_that_cannot_be_ours_is_recognised_without_a_lookup(key: str) -> None:
    assert not well_formed_key(key)


ROUTES = [
    ("GET", "/api/portfolios/"),
    ("GET", "/api/portfolios"),
    ("GET", "/api/portfolios/148/"),
    ("GET", "/api/portfolios/148"),
    ("GET", "/api/openapi.json"),
]


def _arn(method: str, path: str, *, stage: str = "Prod", api_id: str = "abc123defg") -> str:
    return method_arn(
        region="eu-west-1",
        account_id="123456789012",
        api_id=api_id,
        stage=stage,
        method=method,
        resource_path=path,
    )


def test_an_allow_made_for_one_route_allows_every_route_of_the_stage_only() -> None:
    # Given the Allow the authorizer answers for a list call
    caller = Caller(user_id=7, username="someone", is_admin=False)
    policy = stage_policy(
        _arn("GET", "/api/portfolios/"), principal_id="7", allowed={Capability.READ_PORTFOLIOS}, caller=caller
    )
    # Then API Gateway's evaluation allows every route of that stage with it (as when cached)
    for method, path in ROUTES:
        assert evaluate_policy(policy["policyDocument"], _arn(method, path)) is PolicyResult.ALLOW, path
    # And nothing of another stage or another API
    assert evaluate_policy(policy["policyDocument"], _arn("GET", "/api/portfolios/", stage="Dev")) is (
        PolicyResult.IMPLICIT_DENY
    )
    assert evaluate_policy(
        policy["policyDocument"], _arn("GET", "/api/portfolios/", api_id="other12345")
    ) is (PolicyResult.IMPLICIT_DENY)
    # And the caller rides along for the read function
    assert policy["principalId"] == "7"
    assert policy["context"] == {"user_id": "7", "username": "someone", "is_admin": "false"}


def test_a_deny_made_for_one_route_denies_every_route_of_the_stage() -> None:
    policy = stage_policy(_arn("GET", "/api/portfolios/148/"), principal_id="7", allowed=())
    for method, path in ROUTES:
        assert evaluate_policy(policy["policyDocument"], _arn(method, path)) is PolicyResult.EXPLICIT_DENY, (
            path
        )
    assert "context" not in policy


UPLOAD_ROUTES = [
    ("POST", "/api/uploads/"),
    ("POST", "/api/uploads"),
    ("GET", "/api/uploads/0b9f6c3e2a1d4e5f/"),
    ("HEAD", "/api/uploads/0b9f6c3e2a1d4e5f/"),
]


@pytest.mark.parametrize(
    ("user", "reads", "uploads"),
    [
        (a_user(admin=True), True, True),
        (a_user(staff=True, permissions=frozenset({4202})), True, False),
        (a_user(staff=True, permissions=frozenset({4203})), False, True),
        (a_user(staff=True, permissions=frozenset({4202, 4203})), True, True),
        (a_user(permissions=frozenset({4203})), False, False),
    ],
    ids=["admin", "staff-4202", "staff-4203", "staff-both", "not-staff-4203"],
)
def test_each_permission_opens_its_own_routes_whichever_route_warmed_the_cache(
    user: User, reads: bool, uploads: bool
) -> None:
    # Given the decision for this user's token
    decision = decide(A_TOKEN, user)
    if not (reads or uploads):
        assert decision.outcome is Outcome.DENY
        return
    assert decision.outcome is Outcome.ALLOW
    # When its policy (cached by header, whichever route the first call was) meets every route
    for first_method, first_path in (ROUTES[0], UPLOAD_ROUTES[0]):
        policy = stage_policy(
            _arn(first_method, first_path), principal_id="7", allowed=decision.capabilities
        )["policyDocument"]
        # Then reading is allowed exactly with 4202 (or admin), uploading exactly with 4203
        for routes, expected in ((ROUTES, reads), (UPLOAD_ROUTES, uploads)):
            for method, path in routes:
                result = evaluate_policy(policy, _arn(method, path))
                assert (result is PolicyResult.ALLOW) is expected, (first_path, method, path, result)


def test_another_upload_permission_code_can_be_configured() -> None:
    staff = a_user(staff=True, permissions=frozenset({5100}))

    assert decide(A_TOKEN, staff, upload_permission=5100).capabilities == {Capability.UPLOAD_IMAGES}
    assert decide(A_TOKEN, staff).outcome is Outcome.DENY


def test_the_caller_is_read_back_from_the_request_context() -> None:
    # Given the context an Allow carries, as API Gateway hands it to the read function
    caller = Caller(user_id=12, username="chief", is_admin=True)
    request_context_authorizer = {"principalId": "12", **caller.context()}
    # Then the read side finds the same caller
    assert Caller.from_request_context(request_context_authorizer) == caller
    assert Caller.from_request_context(None) is None
    assert Caller.from_request_context({"principalId": "12"}) is None
