"""API users and tokens in DynamoDB: the only code that reads or writes their tables.

The authorizer's path is two GetItems (the token by the SHA-256 of its key, then its user)
and, at most once per token every few minutes, one conditional UpdateItem. Everything else
here serves the ``portfolio user`` / ``portfolio token`` commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, PynamoDBException, UpdateError
from pynamodb.expressions.update import Action

from portfolio.data.catalogue import allocate_ids
from portfolio.data.models import TokenModel, UserModel, update_attributes

# Sequence (SequencesTable) that hands out user ids.
USER_SEQUENCE = "user"
_CONDITION_FAILED = "ConditionalCheckFailedException"

# What a DynamoDB call here can raise when the table cannot be reached or read (throttled,
# missing, timed out after the client's bounded retries).
STORE_ERRORS: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError, ClientError)


@dataclass(frozen=True, slots=True)
class User:
    """An API user as stored (DRF's ``User`` flags and the permission codes it holds)."""

    username: str
    user_id: int
    is_active: bool
    is_staff: bool
    is_superuser: bool
    permissions: frozenset[int]
    date_joined: int


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as stored: never its key, only the key's SHA-256 (hex)."""

    token_id: str
    key_hash: str
    username: str
    created_at: int
    last_used_at: int | None


def _user(model: UserModel) -> User:
    return User(
        username=model.username,
        user_id=int(model.user_id),
        is_active=bool(model.is_active),
        is_staff=bool(model.is_staff),
        is_superuser=bool(model.is_superuser),
        permissions=frozenset(int(code) for code in (model.permissions or ())),
        date_joined=int(model.date_joined),
    )


def _token(model: TokenModel) -> ApiToken:
    return ApiToken(
        token_id=model.token_id,
        key_hash=model.key_hash,
        username=model.username,
        created_at=int(model.created_at),
        last_used_at=None if model.last_used_at is None else int(model.last_used_at),
    )


def _condition_failed(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == _CONDITION_FAILED


# --- the authorizer's path ---------------------------------------------------------------------


def get_token(key_hash: str) -> ApiToken | None:
    try:
        return _token(TokenModel.get(key_hash))
    except DoesNotExist:
        return None


def get_user(username: str) -> User | None:
    try:
        return _user(UserModel.get(username))
    except DoesNotExist:
        return None


def record_token_use(key_hash: str, *, now: int, cutoff: int) -> bool:
    """Set the token's ``last_used_at`` to ``now`` if it is unset or at most ``cutoff`` (and
    the token still exists). One conditional write: of concurrent authorizers noting the same
    use, one writes. True when this call wrote."""
    try:
        update_attributes(
            TokenModel(key_hash=key_hash),
            actions=[TokenModel.last_used_at.set(now)],
            condition=TokenModel.key_hash.exists()
            & (TokenModel.last_used_at.does_not_exist() | (TokenModel.last_used_at <= cutoff)),
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


# --- users -------------------------------------------------------------------------------------


def next_user_id() -> int:
    return allocate_ids(USER_SEQUENCE, 1)[0]


def add_user(user: User) -> bool:
    """Store a new user; False (nothing written) when the username is taken."""
    model = UserModel(
        username=user.username,
        user_id=user.user_id,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        permissions=set(user.permissions) or None,
        date_joined=user.date_joined,
    )
    try:
        model.save(condition=UserModel.username.does_not_exist())
    except PutError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def change_user(
    username: str,
    *,
    is_active: bool | None = None,
    grant: Iterable[int] = (),
    revoke: Iterable[int] = (),
) -> User | None:
    """Apply the changes in one conditional UpdateItem (two when codes are both granted and
    revoked); the user as it now is, or None when there is no such user (nothing written)."""
    granted, revoked = set(grant), set(revoke)
    first: list[Action] = []
    if is_active is not None:
        first.append(UserModel.is_active.set(is_active))
    # DynamoDB refuses ADD and DELETE on the same attribute in one update. Revoking goes first,
    # so that between the two writes the user holds fewer permissions, never more.
    if revoked:
        first.append(UserModel.permissions.delete(revoked))
    second: list[Action] = [UserModel.permissions.add(granted)] if granted else []
    steps = [actions for actions in (first, second) if actions]
    if not steps:
        return get_user(username)
    model = UserModel(username=username)
    for actions in steps:
        try:
            model.update(actions=actions, condition=UserModel.username.exists())
        except UpdateError as error:
            if _condition_failed(error):
                return None
            raise
    return _user(model)


# --- tokens ------------------------------------------------------------------------------------


def add_token(token: ApiToken) -> None:
    TokenModel(
        key_hash=token.key_hash,
        token_id=token.token_id,
        username=token.username,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
    ).save(condition=TokenModel.key_hash.does_not_exist())


def find_token(token_id: str) -> ApiToken | None:
    for entry in TokenModel.token_id_index.query(token_id, limit=1):
        return get_token(entry.key_hash)
    return None


def delete_token(key_hash: str) -> bool:
    """Delete the token; False when it was already gone."""
    try:
        TokenModel(key_hash=key_hash).delete(condition=TokenModel.key_hash.exists())
    except DeleteError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def tokens(username: str | None = None) -> list[ApiToken]:
    """Every token (of one user), oldest first. Without a user this scans the table: the CLI
    lists a handful of tokens; no request path calls it."""
    if username is not None:
        found = [_token(model) for model in TokenModel.user_index.query(username)]
    else:
        found = [_token(model) for model in TokenModel.scan()]
    return sorted(found, key=lambda token: (token.created_at, token.token_id))
