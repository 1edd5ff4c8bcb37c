"""Catalogues for the tests: the shared data set, and small ones built in the test."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = DATA / "portfolios.json"
FIXTURE_MEDIA_BASE = "http://localhost:8000/media"


@cache
def _fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def fixture_portfolios() -> list[dict[str, Any]]:
    """The shared data set (a fresh copy)."""
    return json.loads(_fixture_text())


def import_portfolios(items: list[dict[str, Any]]) -> None:
    """Import a data set in the contract's format through the real write path."""
    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.import_format import parse_import

    import_catalogue(parse_import(items))
