"""An HTTP request as the API Gateway REST proxy event a Lambda function receives, and the
function's proxy result as the HTTP answer API Gateway sends back.

The event has the shape of ``events/*.json`` (what ``sam local generate-event apigateway
aws-proxy`` writes, and what API Gateway sends): ``path`` as the client sent it (still
percent-encoded), decoded path and query parameters (``+`` is a space), the last value of a
repeated query parameter or header in the single-value maps and every value in the
multi-value ones, the X-Forwarded-* headers API Gateway adds, and a ``requestContext`` with
the stage, the resource, a request id and the authorizer's context.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

# Headers API Gateway sets itself (X-Forwarded-For: appends the client's address to).
_GATEWAY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id"})


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str
    scheme: str
    server_port: int


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class ApiStage:
    """Where the API runs: what ``requestContext`` says about it."""

    api_id: str
    stage: str
    account_id: str
    region: str


class MalformedProxyResult(ValueError):
    """A function's answer that API Gateway cannot turn into an HTTP response (a 502)."""


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def _host_name(host: str) -> str:
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def proxy_event(
    request: HttpRequest,
    *,
    stage: ApiStage,
    resource_path: str,
    path_parameters: Mapping[str, str],
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The REST proxy event for ``request`` on the resource ``resource_path``.

    ``requestContext.path`` is the path the client called. On an execute-api host it starts
    with the stage (``/Prod/api/...``); the local stack serves the API at the root, as
    ``sam local start-api`` and a custom domain do, so here it equals ``path`` and the links a
    handler builds from it (``next``, ``previous``, ``Location``) are ones the client can follow.
    """
    now = now or dt.datetime.now(dt.UTC)
    request_id = request_id or str(uuid.uuid4())
    client_headers = [
        (name, value) for name, value in request.headers if name.lower() not in _GATEWAY_HEADERS
    ]
    forwarded_for = ", ".join(
        [value for name, value in request.headers if name.lower() == "x-forwarded-for"] + [request.client_ip]
    )
    epoch = int(now.timestamp())
    trace_id = f"Root=1-{epoch:08x}-{uuid.uuid4().hex[:24]}"
    headers_list = [
        *client_headers,
        ("X-Forwarded-For", forwarded_for),
        ("X-Forwarded-Port", str(request.server_port)),
        ("X-Forwarded-Proto", request.scheme),
        ("X-Amzn-Trace-Id", trace_id),
    ]
    multi_headers = _multi(headers_list)
    headers = {name: values[-1] for name, values in multi_headers.items()}
    host = next((value for name, value in headers.items() if name.lower() == "host"), "")
    query = _multi(parse_qsl(request.raw_query, keep_blank_values=True))
    user_agent = next((value for name, value in headers.items() if name.lower() == "user-agent"), None)
    body: str | None
    if request.body:
        try:
            body, encoded = request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(request.body).decode("ascii"), True
    else:
        body, encoded = None, False
    domain = _host_name(host) or "localhost"
    return {
        "resource": resource_path,
        "path": request.raw_path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": resource_path.strip("/").replace("/", "-")[:10] or "root",
            "resourcePath": resource_path,
            "httpMethod": request.method,
            "extendedRequestId": request_id[:16],
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": request.raw_path,
            "accountId": stage.account_id,
            "protocol": "HTTP/1.1",
            "stage": stage.stage,
            "domainPrefix": domain.split(".")[0],
            "requestTimeEpoch": epoch * 1000 + now.microsecond // 1000,
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.client_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
            },
            "domainName": domain,
            "apiId": stage.api_id,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def http_reply(result: Any) -> HttpReply:
    """The HTTP answer for a function's proxy result, or MalformedProxyResult when API
    Gateway would refuse it (a 502)."""
    if not isinstance(result, dict):
        raise MalformedProxyResult(f"the result is a {type(result).__name__}, not an object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResult(f"statusCode {status!r} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResult("headers and multiValueHeaders must be objects")
    # API Gateway merges the two maps; a name in both keeps the multi-value list.
    for name, value in single.items():
        if name not in multi:
            headers.append((str(name), str(value)))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedProxyResult(f"multiValueHeaders[{name!r}] is not a list")
        headers.extend((str(name), str(value)) for value in values)
    body = result.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        raise MalformedProxyResult("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise MalformedProxyResult(f"body is not base64: {error}") from error
    else:
        payload = body.encode("utf-8")
    return HttpReply(status=status, headers=headers, body=payload)
