"""The API as API Gateway serves it, on a local HTTP port.

A request is matched to one of the template's Api events (``portfolio.local.routing``); no
match is the template's MISSING_AUTHENTICATION_TOKEN gateway response. A matched route runs
the API's authorizer first, as API Gateway does (identity source, cached decisions, the
gateway responses for 401/403), then the function the event names, with the REST proxy
event (``portfolio.local.proxy``). A function that fails, or answers something API Gateway
cannot send, is a 502 with the template's DEFAULT_5XX body, as API Gateway answers it.
Gateway responses carry the headers the template maps (CORS included); a function's answer
is compressed as the API's MinimumCompressionSize says (``portfolio.local.compression``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portfolio.infra.template import (
    ApiRoute,
    StackContext,
    TemplateError,
    default_stack,
    minimum_compression_size,
    resolve,
    serverless_api,
)
from portfolio.local.compression import compress_reply
from portfolio.local.functions import LocalFunction
from portfolio.local.gateway import GatewayReply, LocalAuthorizer, gateway_reply, method_arn
from portfolio.local.proxy import (
    ApiStage,
    HttpReply,
    HttpRequest,
    MalformedProxyResult,
    http_reply,
    proxy_event,
)
from portfolio.local.routing import RouteTable
from portfolio.observability import logger

# API Gateway's default cache time for an authorizer's decision (SAM's ReauthorizeEvery).
DEFAULT_AUTHORIZER_TTL_S = 300


@dataclass(frozen=True, slots=True)
class AuthorizerSpec:
    """An authorizer of the API, as the template declares it."""

    name: str
    function: str
    identity_header: str
    ttl_seconds: int


def authorizer_specs(
    template: dict[str, Any], stack: StackContext
) -> tuple[dict[str, AuthorizerSpec], str | None]:
    """The API's Lambda authorizers by name, and its default authorizer (or None)."""
    _, api = serverless_api(template)
    auth = api.get("Auth", {}) or {}
    specs = {}
    for name, definition in (auth.get("Authorizers", {}) or {}).items():
        function_arn = definition.get("FunctionArn", {})
        if not (isinstance(function_arn, dict) and "Fn::GetAtt" in function_arn):
            raise TemplateError(f"authorizer {name}: FunctionArn must be !GetAtt <function>.Arn")
        target = function_arn["Fn::GetAtt"]
        function = (target.split(".", 1) if isinstance(target, str) else target)[0]
        identity = definition.get("Identity", {}) or {}
        headers = identity.get("Headers") or [identity.get("Header", "Authorization")]
        ttl = resolve(identity.get("ReauthorizeEvery", DEFAULT_AUTHORIZER_TTL_S), template, stack)
        specs[name] = AuthorizerSpec(
            name=name, function=function, identity_header=str(headers[0]), ttl_seconds=int(ttl)
        )
    default = auth.get("DefaultAuthorizer")
    return specs, (None if default in (None, "NONE") else default)


def _reply(gateway: GatewayReply) -> HttpReply:
    return HttpReply(
        status=gateway.status,
        headers=list(gateway.headers.items()),
        body=gateway.body.encode("utf-8"),
    )


def _as_handler(function: LocalFunction) -> Callable[[dict[str, Any], Any], Any]:
    # The function gets the context its own settings describe, not the caller's.
    return lambda event, _context: function.invoke(event)


class ApiFront:
    """Requests in, the answers API Gateway would give out. Thread-safe."""

    def __init__(
        self,
        template: dict[str, Any],
        routes: list[ApiRoute],
        *,
        functions: dict[str, LocalFunction],
        stage: ApiStage,
        authorizers: dict[str, AuthorizerSpec],
        default_authorizer: str | None,
        stack: StackContext | None = None,
    ) -> None:
        self.template = template
        # Parameters and conditions the gateway responses and the compression refer to.
        self.stack = stack or default_stack(template)
        self._minimum_compression_size = minimum_compression_size(template, self.stack)
        self._routes = RouteTable(routes)
        self._functions = functions
        self._stage = stage
        self._authorizers = {
            name: LocalAuthorizer(
                _as_handler(functions[spec.function]),
                ttl_seconds=spec.ttl_seconds,
                identity_header=spec.identity_header,
            )
            for name, spec in authorizers.items()
        }
        self._default_authorizer = default_authorizer

    def _authorizer_for(self, route: ApiRoute) -> str | None:
        if route.auth_none:
            return None
        return route.authorizer or self._default_authorizer

    def gateway_reply(
        self, request: HttpRequest | None, response_type: str, context: dict[str, Any] | None = None
    ) -> HttpReply:
        """API Gateway's own answer of this type to ``request``, as the template shapes it."""
        headers = dict(request.headers) if request is not None else {}
        return _reply(
            gateway_reply(
                self.template, response_type, context=context, request_headers=headers, stack=self.stack
            )
        )

    def handle(self, request: HttpRequest) -> HttpReply:
        match = self._routes.match(request.method, request.raw_path)
        if match is None:
            return self.gateway_reply(request, "MISSING_AUTHENTICATION_TOKEN")
        event = proxy_event(
            request,
            stage=self._stage,
            resource_path=match.resource_path,
            path_parameters=match.path_parameters,
        )
        authorizer_name = self._authorizer_for(match.route)
        if authorizer_name is not None:
            arn = method_arn(
                region=self._stage.region,
                account_id=self._stage.account_id,
                api_id=self._stage.api_id,
                stage=self._stage.stage,
                method=request.method,
                resource_path=request.raw_path,
            )
            decision = self._authorizers[authorizer_name].authorize(event, method_arn=arn)
            if not decision.allowed:
                response_type = decision.response_type or "ACCESS_DENIED"
                context = {"requestId": event["requestContext"]["requestId"]}
                return self.gateway_reply(request, response_type, context)
            event["requestContext"]["authorizer"] = dict(decision.context or {})
        function = self._functions[match.route.function]
        try:
            answer = http_reply(function.invoke(event))
        except MalformedProxyResult as error:
            logger.error("malformed proxy result", extra={"function": function.name, "reason": str(error)})
        except Exception:  # noqa: BLE001 (a function error is API Gateway's 5xx, never a crash here)
            logger.exception("function error", extra={"function": function.name})
        else:
            accept_encoding = next(
                (value for name, value in request.headers if name.lower() == "accept-encoding"), None
            )
            return compress_reply(answer, accept_encoding, self._minimum_compression_size)
        # API Gateway answers a function error or a malformed result with 502 (Lambda developer
        # guide, "Handling Lambda errors with an API Gateway API"); no gateway response type
        # names that case, so the 5xx default shapes the body.
        return dataclasses.replace(self.gateway_reply(request, "DEFAULT_5XX"), status=502)


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalApiServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(length) if length > 0 else b""
        if self.headers.get("Transfer-Encoding"):
            # A chunked body is not read (the API takes none): the connection cannot be reused.
            self.close_connection = True
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=body,
            client_ip=self.client_address[0],
            scheme="http",
            server_port=self.server.server_address[1],
        )
        try:
            reply = self.server.front.handle(request)
        except Exception:  # noqa: BLE001 (whatever breaks in the local tooling, the client gets JSON)
            logger.exception("local API gateway error")
            reply = self.server.front.gateway_reply(request, "DEFAULT_5XX")
        self.send_response(reply.status)
        for name, value in reply.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    # Every method reaches the route table, which answers the ones the template lacks.
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, or a made-up one) too: http.server would answer it with its
        # own 501 HTML page, where API Gateway answers it from the route table like the rest.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class LocalApiServer(ThreadingHTTPServer):
    """The HTTP side: one thread per connection, every request to ``front``."""

    daemon_threads = True

    def __init__(self, host: str, port: int, front: ApiFront) -> None:
        super().__init__((host, port), _RequestHandler)
        self.front = front
