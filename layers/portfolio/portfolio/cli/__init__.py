"""The ``portfolio`` console script.

Each command group lives in its own module with a ``register(subparsers)`` function; the
commands talk to whatever AWS endpoint boto3 is configured for (``AWS_ENDPOINT_URL`` for the
local stack or moto), with table and bucket names from the environment variables that
template.yaml defines.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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
    return int(result or 0)
