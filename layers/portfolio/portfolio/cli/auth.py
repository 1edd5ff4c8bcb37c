"""``portfolio user create|update`` and ``portfolio token create|revoke|list``.

A token's key is printed once, by ``token create``, alone on standard output (so that
``KEY=$(portfolio token create --user NAME)`` works); only its SHA-256 is stored, so it can
never be shown again. Nothing else ever prints a key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from portfolio.cli import CommandError

if TYPE_CHECKING:
    from portfolio.data.auth import User


def _time(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _describe(user: User) -> str:
    flags = [
        "active" if user.is_active else "inactive",
        *(["staff"] if user.is_staff else []),
        *(["admin"] if user.is_superuser else []),
    ]
    permissions = ", ".join(str(code) for code in sorted(user.permissions)) or "none"
    return f"user {user.username} (id {user.user_id}): {', '.join(flags)}; permissions: {permissions}"


def _user_create(args: argparse.Namespace) -> int:
    from portfolio.domain.auth import AuthCommandError, create_user

    try:
        # Django's createsuperuser makes the user staff too; --admin does the same.
        user = create_user(
            args.name,
            is_staff=args.staff or args.admin,
            is_superuser=args.admin,
            permissions=args.perm or (),
        )
    except AuthCommandError as error:
        raise CommandError(str(error)) from None
    sys.stdout.write(f"created {_describe(user)}\n")
    return 0


def _user_update(args: argparse.Namespace) -> int:
    from portfolio.domain.auth import AuthCommandError, update_user

    if args.active is None and not args.grant and not args.revoke:
        raise CommandError("nothing to change: give --active/--inactive, --grant or --revoke")
    try:
        user = update_user(args.name, active=args.active, grant=args.grant or (), revoke=args.revoke or ())
    except AuthCommandError as error:
        raise CommandError(str(error)) from None
    sys.stdout.write(f"updated {_describe(user)}\n")
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from portfolio.domain.auth import AuthCommandError, issue_token

    try:
        issued = issue_token(args.user)
    except AuthCommandError as error:
        raise CommandError(str(error)) from None
    sys.stdout.write(f"{issued.key}\n")
    sys.stderr.write(
        f"token {issued.token.token_id} created for {issued.token.username}. The key above is shown "
        "only this once: only its hash is stored.\n"
    )
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from portfolio.domain.auth import AuthCommandError, revoke_token

    try:
        token = revoke_token(args.id)
    except AuthCommandError as error:
        raise CommandError(str(error)) from None
    sys.stdout.write(
        f"revoked token {token.token_id} of {token.username} (API Gateway may accept it for up to "
        "AuthorizerCacheTtl seconds more)\n"
    )
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from portfolio.domain.auth import AuthCommandError, list_tokens

    try:
        tokens = list_tokens(args.user)
    except AuthCommandError as error:
        raise CommandError(str(error)) from None
    rows = [("ID", "USER", "CREATED", "LAST USED")]
    rows += [(t.token_id, t.username, _time(t.created_at), _time(t.last_used_at)) for t in tokens]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)))
        sys.stdout.write(f"  {row[3]}\n")
    return 0


def _permission_code(text: str) -> int:
    try:
        code = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a permission code (a positive integer)") from None
    if code <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a permission code (a positive integer)")
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    user = subparsers.add_parser("user", help="Create and change API users")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    create = user_commands.add_parser("create", help="Create an active user")
    create.add_argument("name", help="Username (letters, digits and @ . + - _; at most 150)")
    create.add_argument("--admin", action="store_true", help="Superuser (may read everything; also staff)")
    create.add_argument("--staff", action="store_true", help="Staff (may read with permission 4202)")
    create.add_argument(
        "--perm",
        type=_permission_code,
        action="append",
        metavar="CODE",
        help="Permission code to hold (repeatable); 4202 lets staff read portfolios, 4203 upload images",
    )
    create.set_defaults(run=_user_create)

    update = user_commands.add_parser("update", help="Activate, deactivate, grant or revoke permissions")
    update.add_argument("name", help="Username")
    state = update.add_mutually_exclusive_group()
    state.add_argument("--active", dest="active", action="store_const", const=True, help="Activate the user")
    state.add_argument(
        "--inactive", dest="active", action="store_const", const=False, help="Deactivate the user"
    )
    update.add_argument(
        "--grant", type=_permission_code, action="append", metavar="CODE", help="Grant a code"
    )
    update.add_argument(
        "--revoke", type=_permission_code, action="append", metavar="CODE", help="Revoke a code"
    )
    update.set_defaults(run=_user_update, active=None)

    token = subparsers.add_parser("token", help="Create, revoke and list API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")

    token_create = token_commands.add_parser("create", help="Create a token and print its key (once)")
    token_create.add_argument("--user", required=True, help="Username the token belongs to")
    token_create.set_defaults(run=_token_create)

    revoke = token_commands.add_parser("revoke", help="Revoke a token by its id")
    revoke.add_argument("id", help="Token id (as `portfolio token list` shows it)")
    revoke.set_defaults(run=_token_revoke)

    listing = token_commands.add_parser("list", help="List tokens: id, user, created, last used (never keys)")
    listing.add_argument("--user", help="Only this user's tokens")
    listing.set_defaults(run=_token_list)
