"""``portfolio import FILE`` and ``portfolio seed-demo --count N``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from portfolio.cli import CommandError


def _import(args: argparse.Namespace) -> int:
    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.import_format import ImportError_, parse_import

    path = Path(args.file)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} is not JSON: {error}") from error
    try:
        summary = import_catalogue(parse_import(data, media_prefix=args.media_prefix))
    except ImportError_ as error:
        raise CommandError(f"{path} was not imported (nothing written):\n{error}") from error
    sys.stdout.write(
        f"imported {summary.portfolios} portfolios ({summary.media} media, {summary.employers} employers, "
        f"{summary.tags} tags, {summary.links} links)\n"
    )
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.demo import demo_catalogue
    from portfolio.domain.import_format import parse_import
    from portfolio.local.media import encoded_image_bytes

    if args.count < 0:
        raise CommandError("--count must be zero or more")
    # Image sizes as the local stack's files have them (`portfolio serve` draws the files).
    items = demo_catalogue(args.count, seed=args.seed, image_bytes=encoded_image_bytes)
    summary = import_catalogue(parse_import(items))
    sys.stdout.write(f"seeded {summary.portfolios} demo portfolios\n")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = subparsers.add_parser(
        "import", help="Import a data set in the contract's import format (ids preserved)"
    )
    importer.add_argument("file", help="JSON array of portfolios as GET /api/portfolios/{id}/ returns them")
    importer.add_argument(
        "--media-prefix",
        default="/media/",
        help="Path prefix of the file's media URLs; what follows it is the storage key (default /media/)",
    )
    importer.set_defaults(run=_import)

    seed = subparsers.add_parser("seed-demo", help="Write a realistic demo catalogue")
    seed.add_argument("--count", type=int, default=50, help="How many portfolios (default 50)")
    seed.add_argument("--seed", type=int, default=4202, help="Random seed (same seed, same catalogue)")
    seed.set_defaults(run=_seed_demo)
