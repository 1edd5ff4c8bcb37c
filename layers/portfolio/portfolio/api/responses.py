"""JSON responses as DRF's JSONRenderer writes them (compact, UTF-8, no ASCII escapes)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

JSON_CONTENT_TYPE = "application/json"

# Django's security middleware headers, which the original sends on every response.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# What DRF's read-only views add to their answers.
VIEW_HEADERS = {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"}
# Answers of the upload routes: a signed form, or the state of one editor's upload, are
# never kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}


def render_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status_code,
        content_type=JSON_CONTENT_TYPE,
        body=render_json(data),
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def json_text_response(
    text: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response[str]:
    """A response whose body is JSON text already rendered (stored documents spliced)."""
    return Response(
        status_code=status_code,
        content_type=JSON_CONTENT_TYPE,
        body=text,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def detail_response(detail: str, status_code: int, headers: dict[str, str] | None = None) -> Response[str]:
    """DRF's error shape: ``{"detail": "..."}``."""
    return json_response({"detail": detail}, status_code, headers)


def redirect_response(location: str) -> Response[str]:
    """Django's HttpResponsePermanentRedirect: 301, ``Location``, empty body."""
    return Response(
        status_code=301,
        content_type="text/html; charset=utf-8",
        body="",
        headers={**SECURITY_HEADERS, "Location": location},
    )


def without_body(response: dict[str, Any]) -> dict[str, Any]:
    """A resolved proxy response as HEAD answers it: same status and headers, no body."""
    return {**response, "body": "", "isBase64Encoded": False}
