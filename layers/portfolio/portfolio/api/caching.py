"""HTTP caching for authenticated JSON: a strong ETag on every answer, ``304 Not Modified``
for a matching ``If-None-Match``, and a Cache-Control that keeps the data in the caller's
own cache only and has it revalidated on every use (a revoked token must not keep reading
from a shared cache)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from aws_lambda_powertools.event_handler import Response

from portfolio.api.responses import JSON_CONTENT_TYPE, SECURITY_HEADERS

CACHE_CONTROL = "private, no-cache"
# What the body depends on besides the URL: the representation asked for, and the caller.
VARY = "Accept, Authorization"


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names this representation (RFC 9110: weak comparison)."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or _opaque(tag) in {_opaque(candidate) for candidate in candidates}


def cacheable_json_response(
    body: str, request_headers: Mapping[str, str], headers: Mapping[str, str] | None = None
) -> Response[str]:
    """200 with the body and its ETag, or 304 (no body) when the client already has it."""
    tag = entity_tag(body)
    caching = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if none_match(request_headers.get("If-None-Match"), tag):
        return Response(status_code=304, content_type=None, body="", headers={**SECURITY_HEADERS, **caching})
    return Response(
        status_code=200,
        content_type=JSON_CONTENT_TYPE,
        body=body,
        headers={**SECURITY_HEADERS, **(headers or {}), **caching},
    )
