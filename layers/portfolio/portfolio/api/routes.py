"""The original's URL shapes (Django + DRF router), which API Gateway and Powertools both
blur: they route ``/x`` and ``/x/`` (and ``/x//``) to the same handler.

DRF's router matches ``^api/portfolios/$`` and ``^api/portfolios/(?P<pk>[^/.]+)/$``; Django's
APPEND_SLASH redirects a slash-less path (301) when the path with a slash would match;
anything else is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

LIST_PATH = "/api/portfolios/"
RETRIEVE_PATH = "/api/portfolios/{id}/"
OPENAPI_PATH = "/api/openapi.json"

_LIST = re.compile(r"/api/portfolios/")
_RETRIEVE = re.compile(r"/api/portfolios/(?P<id>[^/.]+)/")


class PathShape(Enum):
    CANONICAL = "canonical"
    ADD_SLASH = "add_slash"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PathMatch:
    shape: PathShape
    portfolio_id: str | None = None


def _match(pattern: re.Pattern[str], path: str) -> PathMatch:
    if match := pattern.fullmatch(path):
        return PathMatch(PathShape.CANONICAL, match.groupdict().get("id"))
    if not path.endswith("/") and (match := pattern.fullmatch(path + "/")):
        return PathMatch(PathShape.ADD_SLASH, match.groupdict().get("id"))
    return PathMatch(PathShape.UNKNOWN)


def match_list_path(path: str) -> PathMatch:
    return _match(_LIST, path)


def match_retrieve_path(path: str) -> PathMatch:
    return _match(_RETRIEVE, path)
