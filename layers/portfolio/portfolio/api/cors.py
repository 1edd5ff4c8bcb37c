"""CORS of the read API's answers, as template.yaml configures it (CorsAllowedOrigins, through
the read function's CORS_* environment; docs/browsers.md).

Powertools' ``CORSConfig`` adds the headers to every answer of the resolver (routes, errors,
not-found) for a request whose ``Origin`` is allowed, and answers a preflight (``OPTIONS``,
routed to the function without the authorizer) with 204 and ``Access-Control-Allow-Methods``.
With ``*`` it says ``Access-Control-Allow-Origin: *``; with a list, it names the caller's
origin when it is listed and sends no CORS header otherwise, so the answer then depends on
``Origin``: ``vary_on_origin`` says so (``Vary: Origin``) on every answer, for the browser's
cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import CORSConfig

from portfolio.config import CorsSettings, settings


class _ExactCORSConfig(CORSConfig):
    """Powertools' CORSConfig allowing exactly the configured request headers (it would add
    X-Amz-Date, X-Api-Key and X-Amz-Security-Token, which this API takes none of)."""

    def __init__(self, cors: CorsSettings) -> None:
        first, *others = cors.allowed_origins
        # A frontend reads Retry-After (503) and ETag (revalidation) only if they are exposed.
        super().__init__(
            allow_origin=first,
            extra_origins=others,
            max_age=cors.max_age_s,
            expose_headers=["ETag", "Retry-After"],
        )
        self.allow_headers = set(cors.allowed_headers)


def cors_config(cors: CorsSettings | None = None) -> CORSConfig | None:
    """The resolver's CORS configuration (default: this process's settings), or None when no
    origin is allowed."""
    cors = cors if cors is not None else settings().cors
    return _ExactCORSConfig(cors) if cors.enabled else None


def _with_token(value: str, token: str) -> str:
    tokens = [item.strip() for item in value.split(",") if item.strip()]
    if token.lower() in (item.lower() for item in tokens) or "*" in tokens:
        return value
    return ", ".join([*tokens, token])


def vary_on_origin(result: Mapping[str, Any], cors: CorsSettings | None = None) -> dict[str, Any]:
    """The proxy result with ``Origin`` in its ``Vary`` header when the allowed origins are a
    list (the answer then names the caller's origin, or nothing); unchanged for ``*`` or
    without CORS."""
    cors = cors if cors is not None else settings().cors
    answer = dict(result)
    if not cors.enabled or cors.any_origin:
        return answer
    single: dict[str, str] = dict(answer.get("headers") or {})
    multi: dict[str, list[str]] = {
        name: list(values) for name, values in (answer.get("multiValueHeaders") or {}).items()
    }
    for name in [name for name in single if name.lower() == "vary"]:
        single["Vary"] = _with_token(single.pop(name), "Origin")
    for name in [name for name in multi if name.lower() == "vary"]:
        multi["Vary"] = [_with_token(", ".join(multi.pop(name)), "Origin")]
    if not any(name.lower() == "vary" for name in (*single, *multi)):
        single["Vary"] = "Origin"
    answer["headers"] = single
    if multi:
        answer["multiValueHeaders"] = multi
    return answer
