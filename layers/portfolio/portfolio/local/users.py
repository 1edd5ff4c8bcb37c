"""Ready users and tokens for the local stack: one of each kind the contract tells apart, so
the first ``curl`` works by copy and paste and the authorizer's answers can be tried at once.

The users are made with the same functions as ``portfolio user create`` and ``portfolio token
create``. Against an endpoint that already has them (a second run), the users are kept (and
put back in the state below) and each gets a new token.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

PERMISSION_CODE = 4202
# The template's UploadPermission default (the local stack deploys the defaults).
UPLOAD_PERMISSION_CODE = 4203
MANAGED_CODES = (PERMISSION_CODE, UPLOAD_PERMISSION_CODE)


@dataclass(frozen=True, slots=True)
class LocalUser:
    token_name: str
    username: str
    is_staff: bool
    is_superuser: bool
    permissions: tuple[int, ...]
    is_active: bool = True


LOCAL_USERS = (
    LocalUser("admin", "local-admin", is_staff=True, is_superuser=True, permissions=()),
    LocalUser(
        "staff_4202", "local-staff-4202", is_staff=True, is_superuser=False, permissions=(PERMISSION_CODE,)
    ),
    # An editor: reads portfolios and uploads images through the API.
    LocalUser(
        "editor",
        "local-editor",
        is_staff=True,
        is_superuser=False,
        permissions=(PERMISSION_CODE, UPLOAD_PERMISSION_CODE),
    ),
    # Uploads only: the upload routes answer it, the read routes are its 403.
    LocalUser(
        "uploader", "local-uploader", is_staff=True, is_superuser=False, permissions=(UPLOAD_PERMISSION_CODE,)
    ),
    # Staff without the permission: the authorizer's 403.
    LocalUser("staff", "local-staff", is_staff=True, is_superuser=False, permissions=()),
    # Would be allowed, but inactive: the authorizer's 401.
    LocalUser(
        "inactive",
        "local-inactive",
        is_staff=True,
        is_superuser=False,
        permissions=(PERMISSION_CODE,),
        is_active=False,
    ),
)


def ready_tokens() -> dict[str, str]:
    """Create the local users (or restore them) and a token for each: token name -> key."""
    from portfolio.domain.auth import UserAlreadyExists, create_user, issue_token, update_user

    keys = {}
    for user in LOCAL_USERS:
        # A second run against the same endpoint finds the users: they are put back below.
        with contextlib.suppress(UserAlreadyExists):
            create_user(
                user.username,
                is_staff=user.is_staff,
                is_superuser=user.is_superuser,
                permissions=user.permissions,
            )
        update_user(
            user.username,
            active=user.is_active,
            grant=user.permissions,
            revoke=tuple(code for code in MANAGED_CODES if code not in user.permissions),
        )
        keys[user.token_name] = issue_token(user.username).key
    return keys
