"""Events for the handlers: the files in ``events/`` (the ones ``sam local invoke -e`` uses),
adjusted per test."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

EVENTS = Path(__file__).resolve().parents[2] / "events"


@cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of ``events/<name>.json``."""
    return copy.deepcopy(_read(name))


def api_event(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    stage: str = "Prod",
    host: str = "abc123.execute-api.eu-west-1.amazonaws.com",
) -> dict[str, Any]:
    """An API Gateway REST proxy event for GET ``url`` (a path with an optional query string),
    as API Gateway sends it: query values decoded (``+`` is a space), the last value of a
    repeated name in ``queryStringParameters``, every value in the multi-value map."""
    parts = urlsplit(url)
    path = parts.path
    pairs = query if query is not None else parse_qsl(parts.query, keep_blank_values=True)
    retrieve = path.startswith("/api/portfolios/") and path.rstrip("/") != "/api/portfolios"
    event = load_event("retrieve_portfolio" if retrieve else "list_portfolios")
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    event["path"] = path
    event["queryStringParameters"] = {name: values[-1] for name, values in multi.items()} or None
    event["multiValueQueryStringParameters"] = multi or None
    segments = path.strip("/").split("/")
    if retrieve and len(segments) >= 3:
        event["pathParameters"] = {"id": segments[2]}
    all_headers = {**event["headers"], "Host": host, **(headers or {})}
    event["headers"] = all_headers
    event["multiValueHeaders"] = {name: [value] for name, value in all_headers.items()}
    context = event["requestContext"]
    context["stage"] = stage
    context["path"] = f"/{stage}{path}"
    context["domainName"] = host
    return event


def upload_api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    caller: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A proxy event for the upload API (``events/create_upload.json`` or ``get_upload.json``):
    ``body`` sent as JSON (or ``raw_body`` as it is), ``caller`` as the token authorizer's
    context (``user_id``, ``username``, ``is_admin``; none: no authorizer context)."""
    event = load_event("create_upload" if method == "POST" else "get_upload")
    event["httpMethod"] = method
    event["path"] = path
    segments = path.strip("/").split("/")
    event["pathParameters"] = {"upload_id": segments[2]} if len(segments) >= 3 else None
    event["body"] = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {**event["headers"], **(headers or {})}
    event["headers"] = all_headers
    event["multiValueHeaders"] = {name: [value] for name, value in all_headers.items()}
    context = event["requestContext"]
    context["httpMethod"] = method
    context["path"] = f"/Prod{path}"
    if caller is None:
        context.pop("authorizer", None)
    else:
        context["authorizer"] = {**caller, "principalId": caller.get("user_id", "")}
    return event
