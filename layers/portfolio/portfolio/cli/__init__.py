"""The ``portfolio`` console script.

Each command group lives in its own module with a ``register(subparsers)`` function; the
commands talk to whatever AWS endpoint boto3 is configured for (``AWS_ENDPOINT_URL`` for the
local stack or moto), with table and bucket names from the environment variables that
template.yaml defines.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from boto3.exceptions import Boto3Error
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)
from pynamodb.exceptions import PynamoDBException

# Command modules, in the order `portfolio --help` lists them.
COMMAND_MODULES = (
    "portfolio.cli.catalogue",
    "portfolio.cli.auth",
    "portfolio.cli.serve",
    "portfolio.cli.media",
)


class CommandError(Exception):
    """A command cannot do what was asked; the message says why (exit status 2)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portfolio", description="Portfolio API tools")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except CommandError as error:
        sys.stderr.write(f"portfolio {args.command}: {error}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except AWS_ERRORS as error:
        sys.stderr.write(f"portfolio {args.command}: {aws_failure(error)}\n")
        return 1
    return int(result or 0)


# What a command's AWS calls raise when the stack cannot be reached or refuses a call.
AWS_ERRORS: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError, ClientError, Boto3Error)

LOCAL_STACK_HINT = (
    "no AWS endpoint or credentials in this shell? For the local stack run `make serve`, then in "
    "this shell `set -a; . ./.local.env; set +a`; for a deployed stack, set AWS credentials, "
    "AWS_REGION and the table and bucket names of its outputs (README, Environment)."
)


def aws_failure(error: Exception) -> str:
    """One paragraph for a failed AWS call: what failed, and a hint when the cause is likely
    a shell without the stack's environment (no endpoint, no credentials, no such table)."""
    cause = error.__cause__ if isinstance(error, PynamoDBException) and error.__cause__ else error
    message = f"an AWS call failed: {error}"
    likely_unconfigured = isinstance(cause, NoCredentialsError | EndpointConnectionError | NoRegionError) or (
        isinstance(cause, ClientError)
        and cause.response.get("Error", {}).get("Code") in ("ResourceNotFoundException", "NoSuchBucket")
    )
    if likely_unconfigured or (not os.environ.get("AWS_ENDPOINT_URL") and "credentials" in str(error)):
        message += f"\n{LOCAL_STACK_HINT}"
    return message
