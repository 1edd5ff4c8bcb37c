"""Who may call the API, decided the way the original decided it, and the users and tokens
behind that decision.

The original runs DRF's ``TokenAuthentication`` and a ``PortfolioPermission``: an active
admin (superuser), or an active staff user holding permission code 4202, may read. Here the
same rules run in API Gateway's REQUEST Lambda authorizer (``authorize``), which can say only
three things, each turned into a response by a Gateway Response in template.yaml:

- an Allow policy: the request goes on to the read function;
- a Deny policy: 403 (a known user without the permission);
- the error "Unauthorized": 401 (every DRF 401 case; ``NotAuthenticated.failure`` keeps
  which one, for the log).

A policy covers every route of the stage, not just the ARN being called: API Gateway caches
the decision by Authorization header and applies it to whatever route the same header calls
next. So it allows exactly the route groups the caller's permissions open (reading
portfolios: admin or 4202; uploading images: admin or the upload permission, 4203 by
default) and nothing else, whichever route warmed the cache. Keys are 40 hex characters from
``secrets`` (as DRF's are), shown once, stored only as their SHA-256 and looked up by it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from portfolio.config import settings
from portfolio.data import auth as store
from portfolio.data.auth import ApiToken, User
from portfolio.domain.errors import DomainError, ServiceUnavailable
from portfolio.observability import MetricUnit, logger, metrics

# PortfolioPermission: the permission code a staff user needs to read portfolios.
PORTFOLIO_PERMISSION = 4202
# The permission code a staff user needs to upload images through the API, unless the
# template's UploadPermission (UPLOAD_PERMISSION) names another.
DEFAULT_UPLOAD_PERMISSION = 4203


class Capability(StrEnum):
    """A group of routes one permission opens."""

    READ_PORTFOLIOS = "read_portfolios"
    UPLOAD_IMAGES = "upload_images"


# The routes of each group, as (method, path pattern) in the stage's execute-api ARNs. The
# slash-less forms are included (the read function answers them with a 301).
ROUTE_GROUPS: dict[Capability, tuple[tuple[str, str], ...]] = {
    Capability.READ_PORTFOLIOS: (
        ("GET", "/api/portfolios*"),
        ("HEAD", "/api/portfolios*"),
        ("GET", "/api/openapi.json"),
        ("HEAD", "/api/openapi.json"),
    ),
    Capability.UPLOAD_IMAGES: (
        ("POST", "/api/uploads*"),
        ("GET", "/api/uploads*"),
        ("HEAD", "/api/uploads*"),
    ),
}

# The Lambda error message API Gateway answers with 401 (any other error is a 5xx).
UNAUTHORIZED = "Unauthorized"

PERMISSION_DENIED = "You do not have permission to perform this action."

# DRF's keys: 20 random bytes as 40 lowercase hex characters (``Token.generate_key``).
KEY_BYTES = 20
_KEY_SHAPE = re.compile(r"[0-9a-f]{40}")
TOKEN_ID_BYTES = 6

# `last used` is kept to this resolution: a token's item is written at most once per this
# many seconds however busy the token is (and API Gateway's cache already spares most calls).
LAST_USED_RESOLUTION_S = 15 * 60

# Django's UnicodeUsernameValidator and User.username's max_length.
_USERNAME = re.compile(r"[\w.@+-]{1,150}")

# An API Gateway REST method ARN: arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>
_METHOD_ARN = re.compile(
    r"arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+/[A-Za-z0-9_-]+/(?:[A-Z]+|\*)/[^\s]*"
)


class AuthFailure(StrEnum):
    """Why a request is not authenticated (401), with DRF's message for each case."""

    NOT_PROVIDED = "not_provided"
    NO_CREDENTIALS = "no_credentials"
    CONTAINS_SPACES = "contains_spaces"
    INVALID_CHARACTERS = "invalid_characters"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a reason code, not a secret)
    USER_INACTIVE = "user_inactive"
    # Not a DRF case: the authorizer was called with something that is not an API Gateway
    # REQUEST authorizer event. Refused like a request without credentials.
    MALFORMED_EVENT = "malformed_event"

    @property
    def message(self) -> str:
        return _FAILURE_MESSAGES[self]


_FAILURE_MESSAGES = {
    AuthFailure.NOT_PROVIDED: "Authentication credentials were not provided.",
    AuthFailure.NO_CREDENTIALS: "Invalid token header. No credentials provided.",
    AuthFailure.CONTAINS_SPACES: "Invalid token header. Token string should not contain spaces.",
    AuthFailure.INVALID_CHARACTERS: (
        "Invalid token header. Token string should not contain invalid characters."
    ),
    AuthFailure.INVALID_TOKEN: "Invalid token.",
    AuthFailure.USER_INACTIVE: "User inactive or deleted.",
    AuthFailure.MALFORMED_EVENT: "Authentication credentials were not provided.",
}


class NotAuthenticated(DomainError):
    """401. The message is exactly the word API Gateway maps to 401; never the key."""

    def __init__(self, failure: AuthFailure) -> None:
        super().__init__(UNAUTHORIZED)
        self.failure = failure


class AuthCommandError(DomainError):
    """A user or token command cannot do what was asked (the message says why)."""


class InvalidUsername(AuthCommandError):
    pass


class UserAlreadyExists(AuthCommandError):
    pass


class UserNotFound(AuthCommandError):
    pass


class TokenNotFound(AuthCommandError):
    pass


class InvalidPermissionChange(AuthCommandError):
    pass


# --- the Authorization header (DRF TokenAuthentication.authenticate) ---------------------------


def token_key(authorization: str | None) -> str:
    """The key in an ``Authorization`` header value, read as DRF reads it; raises
    ``NotAuthenticated`` with DRF's reason otherwise.

    DRF splits the header's bytes on ASCII whitespace, compares the first word with
    ``token`` case-insensitively, wants exactly one more word, and decodes it as UTF-8.
    """
    if authorization is None:
        raise NotAuthenticated(AuthFailure.NOT_PROVIDED)
    # API Gateway hands over text; its UTF-8 bytes are what the client sent (surrogatepass:
    # a lone surrogate from a hand-made event must not raise here, only fail to decode below).
    words = authorization.encode("utf-8", "surrogatepass").split()
    if not words or words[0].lower() != b"token":
        raise NotAuthenticated(AuthFailure.NOT_PROVIDED)
    if len(words) == 1:
        raise NotAuthenticated(AuthFailure.NO_CREDENTIALS)
    if len(words) > 2:
        raise NotAuthenticated(AuthFailure.CONTAINS_SPACES)
    key = _decoded(words[1])
    if key is None:
        raise NotAuthenticated(AuthFailure.INVALID_CHARACTERS)
    return key


def _decoded(word: bytes) -> str | None:
    try:
        return word.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- keys ----------------------------------------------------------------------------------------


def generate_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def generate_token_id() -> str:
    return secrets.token_hex(TOKEN_ID_BYTES)


def key_hash(key: str) -> str:
    """What is stored and looked up instead of the key: its SHA-256, in hex. Keys are 160
    random bits, so an unsalted fast hash is enough (nothing to brute-force)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def well_formed_key(key: str) -> bool:
    """Whether ``key`` could be one of ours; any other string is an invalid token without a
    database read."""
    return _KEY_SHAPE.fullmatch(key) is not None


# --- the decision table --------------------------------------------------------------------------


class Outcome(Enum):
    ALLOW = "allow"
    DENY = "deny"  # 403
    NOT_AUTHENTICATED = "not_authenticated"  # 401


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    failure: AuthFailure | None = None
    user: User | None = None
    capabilities: frozenset[Capability] = frozenset()


def may_read_portfolios(user: User) -> bool:
    """PortfolioPermission: an admin, or staff holding the portfolio permission."""
    return user.is_superuser or (user.is_staff and PORTFOLIO_PERMISSION in user.permissions)


def may_upload_images(user: User, *, upload_permission: int = DEFAULT_UPLOAD_PERMISSION) -> bool:
    """An admin, or staff holding the upload permission."""
    return user.is_superuser or (user.is_staff and upload_permission in user.permissions)


def capabilities(user: User, *, upload_permission: int = DEFAULT_UPLOAD_PERMISSION) -> frozenset[Capability]:
    """The route groups an active ``user`` may call."""
    granted = set()
    if may_read_portfolios(user):
        granted.add(Capability.READ_PORTFOLIOS)
    if may_upload_images(user, upload_permission=upload_permission):
        granted.add(Capability.UPLOAD_IMAGES)
    return frozenset(granted)


def decide(
    token: ApiToken | None, user: User | None, *, upload_permission: int = DEFAULT_UPLOAD_PERMISSION
) -> Decision:
    """The contract's table, for a well-formed header whose key was looked up: ``token`` is
    what the key's hash found (None: unknown or revoked), ``user`` the token's user (None:
    deleted). ALLOW carries the route groups the user may call; DENY (403) is a user who may
    call none."""
    if token is None:
        return Decision(Outcome.NOT_AUTHENTICATED, AuthFailure.INVALID_TOKEN)
    if user is None or not user.is_active:
        return Decision(Outcome.NOT_AUTHENTICATED, AuthFailure.USER_INACTIVE, user)
    granted = capabilities(user, upload_permission=upload_permission)
    if granted:
        return Decision(Outcome.ALLOW, user=user, capabilities=granted)
    return Decision(Outcome.DENY, user=user)


# --- what API Gateway gets back ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """Who called, as the read function finds it in ``requestContext.authorizer``."""

    user_id: int
    username: str
    is_admin: bool

    def context(self) -> dict[str, str]:
        # API Gateway passes context values on as strings; sending strings keeps them exact.
        return {
            "user_id": str(self.user_id),
            "username": self.username,
            "is_admin": "true" if self.is_admin else "false",
        }

    @classmethod
    def from_user(cls, user: User) -> Caller:
        return cls(user_id=user.user_id, username=user.username, is_admin=user.is_superuser)

    @classmethod
    def from_request_context(cls, authorizer: Mapping[str, Any] | None) -> Caller | None:
        """The caller from a proxy event's ``requestContext.authorizer`` (None if absent)."""
        if not authorizer:
            return None
        try:
            return cls(
                user_id=int(authorizer["user_id"]),
                username=str(authorizer["username"]),
                is_admin=str(authorizer["is_admin"]).lower() == "true",
            )
        except (KeyError, TypeError, ValueError):
            return None


def stage_policy(
    method_arn: str,
    *,
    principal_id: str,
    allowed: Iterable[Capability] = (),
    caller: Caller | None = None,
) -> dict[str, Any]:
    """The authorizer's answer for the stage the request came to: Allow on every route of the
    ``allowed`` groups (implicitly denying the others), or, with none, Deny on every route,
    so that the cached answer holds whatever route the same header calls next."""
    request = APIGatewayAuthorizerRequestEvent({"methodArn": method_arn})
    arn = request.parsed_arn
    response = APIGatewayAuthorizerResponse(
        principal_id=principal_id,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context=caller.context() if caller else None,
        partition=arn.partition,
    )
    groups = sorted(set(allowed))
    for capability in groups:
        for method, path in ROUTE_GROUPS[capability]:
            response.allow_route(method, path)
    if not groups:
        response.deny_all_routes()
    return response.asdict()


# --- the authorizer ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizerRequest:
    method_arn: str
    authorization: str | None


def read_authorizer_request(event: Any) -> AuthorizerRequest:
    """The method ARN and the Authorization header of a REQUEST authorizer event; any other
    shape is refused (401), never an unhandled error."""
    if not isinstance(event, Mapping):
        raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
    method_arn = event.get("methodArn")
    if not isinstance(method_arn, str) or not _METHOD_ARN.fullmatch(method_arn):
        raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
    headers = event.get("headers")
    if headers is None:
        return AuthorizerRequest(method_arn=method_arn, authorization=None)
    if not isinstance(headers, Mapping) or not all(isinstance(name, str) for name in headers):
        raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
    # Header names are case-insensitive (HTTP/2 clients send `authorization`).
    authorization = APIGatewayAuthorizerRequestEvent(dict(event)).headers.get("Authorization")
    if authorization is not None and not isinstance(authorization, str):
        raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
    values = _authorization_values(event.get("multiValueHeaders"))
    if len(values) > 1:
        # `headers` holds only the last of several values, and API Gateway caches the decision
        # by it. The original's server joins repeated headers with commas (gunicorn, WSGI), so
        # DRF reads them as one value; so does this, and no comma-joined value is a valid key.
        authorization = ",".join(values)
    return AuthorizerRequest(method_arn=method_arn, authorization=authorization)


def _authorization_values(multi_value_headers: Any) -> list[str]:
    """Every Authorization value a REQUEST event lists, whatever the case of the name."""
    if multi_value_headers is None:
        return []
    if not isinstance(multi_value_headers, Mapping):
        raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
    values: list[str] = []
    for name, listed in multi_value_headers.items():
        if not isinstance(name, str) or name.lower() != "authorization":
            continue
        if not isinstance(listed, list) or not all(isinstance(value, str) for value in listed):
            raise NotAuthenticated(AuthFailure.MALFORMED_EVENT)
        values.extend(listed)
    return values


def _count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def _lookup(hashed: str) -> tuple[ApiToken | None, User | None]:
    try:
        token = store.get_token(hashed)
        user = store.get_user(token.username) if token is not None else None
    except store.STORE_ERRORS as error:
        failure = error
    else:
        # Defence in depth: the item found must be the one asked for (constant-time compare).
        if token is not None and not hmac.compare_digest(token.key_hash, hashed):
            return None, None
        return token, user
    # Fail closed: no decision is made without the store. Raised outside the except block so
    # that nothing from the failure is chained onto what the Lambda runtime reports.
    logger.error(
        "authorizer: token store unavailable, refusing the request",
        extra={"error": type(failure).__name__, "code": getattr(failure, "cause_response_code", None)},
    )
    _count("AuthorizerStoreFailures")
    raise ServiceUnavailable("Authorizer unavailable")


def _record_use(token: ApiToken, now: int) -> None:
    """Best effort: a failure to note the use never refuses a caller."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION_S:
        return
    try:
        store.record_token_use(token.key_hash, now=now, cutoff=now - LAST_USED_RESOLUTION_S)
    except store.STORE_ERRORS as error:
        logger.warning(
            "authorizer: could not record token use",
            extra={"token_id": token.token_id, "error": type(error).__name__},
        )


def _authorize(event: Any, now: int) -> dict[str, Any]:
    request = read_authorizer_request(event)
    key = token_key(request.authorization)
    if not well_formed_key(key):
        raise NotAuthenticated(AuthFailure.INVALID_TOKEN)
    token, user = _lookup(key_hash(key))
    decision = decide(token, user, upload_permission=settings().upload_permission)
    if decision.outcome is Outcome.NOT_AUTHENTICATED or decision.user is None or token is None:
        raise NotAuthenticated(decision.failure or AuthFailure.INVALID_TOKEN)
    _record_use(token, now)
    caller = Caller.from_user(decision.user)
    allowed = decision.outcome is Outcome.ALLOW
    logger.info(
        "authorizer: allowed" if allowed else "authorizer: denied (no permission)",
        extra={"token_id": token.token_id, "user_id": caller.user_id, "is_admin": caller.is_admin},
    )
    _count("AuthorizerAllowed" if allowed else "AuthorizerDenied")
    return stage_policy(
        request.method_arn,
        principal_id=str(caller.user_id),
        allowed=decision.capabilities,
        caller=caller if allowed else None,
    )


def authorize(event: Any, *, now: int | None = None) -> dict[str, Any]:
    """The REQUEST authorizer: an Allow or Deny policy for the whole stage, or
    ``NotAuthenticated`` (401), or ``ServiceUnavailable`` when the token store cannot be
    read (API Gateway answers 5xx: fail closed)."""
    try:
        return _authorize(event, int(time.time()) if now is None else now)
    except NotAuthenticated as refusal:
        logger.info("authorizer: not authenticated", extra={"reason": refusal.failure.value})
        _count("AuthorizerUnauthenticated")
        raise


# --- users and tokens (the `portfolio user` / `portfolio token` commands) ------------------------


def _valid_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise InvalidUsername(
            f"{username!r} is not a valid username: up to 150 letters, digits and @ . + - _"
        )
    return username


def _valid_codes(codes: Iterable[int]) -> frozenset[int]:
    valid = frozenset(codes)
    bad = sorted(code for code in valid if code <= 0)
    if bad:
        raise InvalidPermissionChange(f"permission codes are positive integers, not {bad}")
    return valid


def create_user(
    username: str,
    *,
    is_staff: bool = False,
    is_superuser: bool = False,
    permissions: Iterable[int] = (),
    now: int | None = None,
) -> User:
    user = User(
        username=_valid_username(username),
        user_id=0,
        is_active=True,
        is_staff=is_staff,
        is_superuser=is_superuser,
        permissions=_valid_codes(permissions),
        date_joined=int(time.time()) if now is None else now,
    )
    if store.get_user(username) is not None:
        raise UserAlreadyExists(f"user {username} already exists")
    user = replace(user, user_id=store.next_user_id())
    if not store.add_user(user):
        raise UserAlreadyExists(f"user {username} already exists")
    return user


def update_user(
    username: str,
    *,
    active: bool | None = None,
    grant: Iterable[int] = (),
    revoke: Iterable[int] = (),
) -> User:
    granted, revoked = _valid_codes(grant), _valid_codes(revoke)
    if granted & revoked:
        raise InvalidPermissionChange(
            f"cannot both grant and revoke {', '.join(str(code) for code in sorted(granted & revoked))}"
        )
    user = store.change_user(username, is_active=active, grant=granted, revoke=revoked)
    if user is None:
        raise UserNotFound(f"no user {username}")
    return user


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token and its key: the only time the key exists outside the client."""

    token: ApiToken
    key: str = field(repr=False)


def issue_token(username: str, *, now: int | None = None) -> IssuedToken:
    if store.get_user(username) is None:
        raise UserNotFound(f"no user {username}")
    key = generate_key()
    token = ApiToken(
        token_id=generate_token_id(),
        key_hash=key_hash(key),
        username=username,
        created_at=int(time.time()) if now is None else now,
        last_used_at=None,
    )
    store.add_token(token)
    return IssuedToken(token=token, key=key)


def revoke_token(token_id: str) -> ApiToken:
    token = store.find_token(token_id)
    if token is None or not store.delete_token(token.key_hash):
        raise TokenNotFound(f"no token {token_id}")
    return token


def list_tokens(username: str | None = None) -> list[ApiToken]:
    if username is not None and store.get_user(username) is None:
        raise UserNotFound(f"no user {username}")
    return store.tokens(username)
