"""What the handlers need from an API Gateway REST proxy event, beyond Powertools' view."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from portfolio.domain.errors import MalformedBody, UnsupportedMediaType
from portfolio.domain.pagination import RequestUrl

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def query_params(event: APIGatewayProxyEvent) -> dict[str, str]:
    """One value per parameter: the last one given, as Django's QueryDict.get() returns."""
    multi = event.multi_value_query_string_parameters
    if multi:
        return {name: values[-1] for name, values in multi.items() if values}
    return dict(event.query_string_parameters)


def _query_lists(event: APIGatewayProxyEvent) -> dict[str, list[str]]:
    multi = event.multi_value_query_string_parameters
    if multi:
        return {name: list(values) for name, values in multi.items()}
    return {name: [value] for name, value in event.query_string_parameters.items()}


def _first(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    # Behind proxies these headers may list several hops ("https,http"): the client's is first.
    return value.split(",")[0].strip() if value else None


def _called_path(event: APIGatewayProxyEvent) -> str:
    """The path the client called. On an execute-api host, ``requestContext.path`` holds the
    stage (``/Prod/api/...``) while ``path`` does not; the client called the former. It is
    taken only when it ends with ``path``: ``sam local start-api`` puts the route's template
    there (``/api/portfolios/{id}/``), which no client called."""
    context = event.get("requestContext") or {}
    called = context.get("path")
    return called if isinstance(called, str) and called.endswith(event.path) else event.path


def request_url(event: APIGatewayProxyEvent) -> RequestUrl:
    """The absolute URL the client called (what DRF's build_absolute_uri() returns). Scheme
    and port come from API Gateway's X-Forwarded-* headers."""
    headers = event.headers
    context = event.get("requestContext") or {}
    scheme = _first(headers, "X-Forwarded-Proto") or "https"
    host = headers.get("Host") or context.get("domainName") or "localhost"
    port = _first(headers, "X-Forwarded-Port")
    if port and ":" not in host and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return RequestUrl(base=f"{scheme}://{host}{_called_path(event)}", query=_query_lists(event))


def location_with_slash(event: APIGatewayProxyEvent) -> str:
    """Where Django's APPEND_SLASH sends this request: its path (with the stage, when called
    on an execute-api host) plus a slash, and its query string kept."""
    path = _called_path(event) + "/"
    pairs = [(name, value) for name, values in _query_lists(event).items() for value in values]
    encoded = urlencode(pairs, errors="surrogatepass")
    return f"{path}?{encoded}" if encoded else path


def _media_type(headers: Mapping[str, str]) -> str | None:
    value = next((value for name, value in headers.items() if name.lower() == "content-type"), None)
    return value.partition(";")[0].strip().lower() if value is not None else None


def json_body(event: APIGatewayProxyEvent) -> Any:
    """The request's body parsed as DRF's JSONParser parses it: a body sent with another
    ``Content-Type`` is refused (415); one that is not UTF-8 JSON is a 400 saying why. A body
    sent without ``Content-Type`` is read as JSON too."""
    media_type = _media_type(event.headers)
    if media_type is not None and media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(media_type)
    try:
        text = event.decoded_body or ""
    except (ValueError, UnicodeDecodeError) as error:  # bad base64, or not UTF-8
        raise MalformedBody(f"JSON parse error - {error}") from error
    try:
        return json.loads(text)
    except RecursionError as error:  # nested deeper than the parser goes
        raise MalformedBody("JSON parse error - too deeply nested") from error
    except ValueError as error:  # JSONDecodeError, or an integer too long to convert
        raise MalformedBody(f"JSON parse error - {error}") from error
