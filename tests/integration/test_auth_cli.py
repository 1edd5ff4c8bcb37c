"""``portfolio user create|update`` and ``portfolio token create|revoke|list`` against
DynamoDB (moto), checked through what they print and what the authorizer then decides."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portfolio.cli import main
from portfolio.data import auth as store
from portfolio.domain.auth import NotAuthenticated, authorize, key_hash
from tests.support.events import load_event

pytestmark = pytest.mark.integration


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def decision(key: str) -> str:
    event = load_event("authorizer_request")
    event["headers"]["Authorization"] = f"Token {key}"
    try:
        answer: dict[str, Any] = authorize(event)
    except NotAuthenticated:
        return "401"
    (statement,) = answer["policyDocument"]["Statement"]
    return "allowed" if statement["Effect"] == "Allow" else "403"


def new_key(capsys: pytest.CaptureFixture[str], user: str) -> str:
    status, out, _ = run(capsys, "token", "create", "--user", user)
    assert status == 0
    return out.strip()


def test_user_create_prints_the_user(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "user", "create", "editor", "--staff", "--perm", "4202")
    assert status == 0
    assert out == "created user editor (id 1): active, staff; permissions: 4202\n"
    status, out, _ = run(capsys, "user", "create", "chief", "--admin")
    assert out == "created user chief (id 2): active, staff, admin; permissions: none\n"


def test_token_create_prints_the_key_once_and_stores_only_its_hash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a staff user holding 4202
    run(capsys, "user", "create", "editor", "--staff", "--perm", "4202")
    # When a token is created
    status, out, err = run(capsys, "token", "create", "--user", "editor")
    # Then standard output is the key alone, standard error says it is shown once
    assert status == 0
    key = out.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert "shown only this once" in err
    assert key not in err
    # And what is stored is the key's hash, under which the key works
    (token,) = store.tokens("editor")
    assert token.key_hash == key_hash(key)
    assert token.token_id in err
    assert decision(key) == "allowed"


def test_token_list_shows_ids_users_and_times_never_keys(capsys: pytest.CaptureFixture[str]) -> None:
    # Given two users with tokens, one token used
    run(capsys, "user", "create", "editor", "--staff", "--perm", "4202")
    run(capsys, "user", "create", "chief", "--admin")
    used = new_key(capsys, "editor")
    unused = new_key(capsys, "chief")
    decision(used)
    # When the tokens are listed, all then one user's
    status, everything, _ = run(capsys, "token", "list")
    _, editors, _ = run(capsys, "token", "list", "--user", "editor")
    # Then each line has id, user, created and last used; no key, no hash
    assert status == 0
    lines = everything.splitlines()
    assert lines[0].split() == ["ID", "USER", "CREATED", "LAST", "USED"]
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    assert set(rows) == {"editor", "chief"}
    timestamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(timestamp, rows["editor"][2])
    assert re.fullmatch(timestamp, rows["editor"][3])
    assert rows["chief"][3] == "never"
    for key in (used, unused):
        assert key not in everything
        assert key_hash(key) not in everything
    assert [line.split()[1] for line in editors.splitlines()[1:]] == ["editor"]


def test_token_revoke_makes_the_key_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "user", "create", "editor", "--staff", "--perm", "4202")
    key = new_key(capsys, "editor")
    (token,) = store.tokens("editor")
    status, out, _ = run(capsys, "token", "revoke", token.token_id)
    assert status == 0
    assert out.startswith(f"revoked token {token.token_id} of editor")
    assert decision(key) == "401"
    _, listed, _ = run(capsys, "token", "list")
    assert token.token_id not in listed
    # Revoking it again is a clean error
    status, _, err = run(capsys, "token", "revoke", token.token_id)
    assert (status, err) == (2, f"portfolio token: no token {token.token_id}\n")


def test_user_update_activates_deactivates_grants_and_revokes(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "user", "create", "editor", "--staff")
    key = new_key(capsys, "editor")
    assert decision(key) == "403"

    status, out, _ = run(capsys, "user", "update", "editor", "--grant", "4202")
    assert (status, out) == (0, "updated user editor (id 1): active, staff; permissions: 4202\n")
    assert decision(key) == "allowed"

    _, out, _ = run(capsys, "user", "update", "editor", "--inactive")
    assert out == "updated user editor (id 1): inactive, staff; permissions: 4202\n"
    assert decision(key) == "401"

    run(capsys, "user", "update", "editor", "--active", "--revoke", "4202")
    assert decision(key) == "403"


def test_one_update_may_grant_some_codes_and_revoke_others(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a user holding 4202 and 4205
    run(capsys, "user", "create", "editor", "--staff", "--perm", "4202", "--perm", "4205")
    # When one command grants 4203 and revokes 4202 (DynamoDB takes no ADD and DELETE of one
    # attribute in one update)
    status, out, err = run(capsys, "user", "update", "editor", "--grant", "4203", "--revoke", "4202")
    # Then both are applied
    assert (status, err) == (0, "")
    assert out == "updated user editor (id 1): active, staff; permissions: 4203, 4205\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("user", "create", "editor"), "portfolio user: user editor already exists\n"),
        (("user", "create", "bad name"), "portfolio user: 'bad name' is not a valid username"),
        (("user", "update", "nobody", "--active"), "portfolio user: no user nobody\n"),
        (("user", "update", "editor"), "portfolio user: nothing to change"),
        (
            ("user", "update", "editor", "--grant", "4202", "--revoke", "4202"),
            "portfolio user: cannot both grant and revoke 4202\n",
        ),
        (("token", "create", "--user", "nobody"), "portfolio token: no user nobody\n"),
        (("token", "list", "--user", "nobody"), "portfolio token: no user nobody\n"),
        (("token", "revoke", "000000000000"), "portfolio token: no token 000000000000\n"),
    ],
)
def test_refusals_are_clean_messages_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    run(capsys, "user", "create", "editor")
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(message)


@pytest.mark.parametrize("code", ["abc", "0", "-5"])
def test_a_permission_code_must_be_a_positive_integer(capsys: pytest.CaptureFixture[str], code: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["user", "create", "editor", "--perm", code])
    assert exit_.value.code == 2
    assert "is not a permission code" in capsys.readouterr().err
    assert store.get_user("editor") is None
