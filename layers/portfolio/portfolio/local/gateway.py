"""What API Gateway (REST) does around a Lambda authorizer, for the local stack and the tests.

- ``authorizer_event``: the REQUEST authorizer event API Gateway sends for a proxy request.
- ``LocalAuthorizer``: the identity-source check (401 without calling the function when the
  header is missing or empty), the result cache keyed by the identity source for the TTL,
  the evaluation of the (possibly cached) policy against *this* request's method ARN, and
  the mapping of the function's errors to gateway response types.
- ``gateway_reply``: the template's Gateway Response for a response type, with the
  fallbacks API Gateway applies (DEFAULT_4XX / DEFAULT_5XX, then its own defaults).

Pure Python: no AWS client, nothing deployed. Where API Gateway's behaviour is not
documented, the choice made here is the one that refuses (a statement with a condition this
cannot evaluate never allows and always denies).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from portfolio.infra.template import StackContext, default_stack, resolve

# The Lambda error message API Gateway turns into a 401; any other error is a 5xx.
_UNAUTHORIZED_MESSAGE = "Unauthorized"

# API Gateway's own status and message for the response types (its documentation's table;
# the messages are those of its default bodies, {"message": ...}).
_DEFAULT_STATUS: dict[str, int] = {
    "ACCESS_DENIED": 403,
    "API_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500,
    "BAD_REQUEST_PARAMETERS": 400,
    "BAD_REQUEST_BODY": 400,
    "DEFAULT_4XX": 400,
    "DEFAULT_5XX": 500,
    "EXPIRED_TOKEN": 403,
    "INTEGRATION_FAILURE": 504,
    "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403,
    "INVALID_SIGNATURE": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "QUOTA_EXCEEDED": 429,
    "REQUEST_TOO_LARGE": 413,
    "RESOURCE_NOT_FOUND": 404,
    "THROTTLED": 429,
    "UNAUTHORIZED": 401,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403,
}
_DEFAULT_MESSAGE: dict[str, str | None] = {
    "ACCESS_DENIED": "User is not authorized to access this resource",
    "AUTHORIZER_CONFIGURATION_ERROR": None,
    "AUTHORIZER_FAILURE": None,
    "DEFAULT_4XX": "Bad Request",
    "DEFAULT_5XX": "Internal server error",
    "INTEGRATION_FAILURE": "Internal server error",
    "INTEGRATION_TIMEOUT": "Endpoint request timed out",
    "MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
    "QUOTA_EXCEEDED": "Limit Exceeded",
    "REQUEST_TOO_LARGE": "Request Too Long",
    "RESOURCE_NOT_FOUND": "Resource not found",
    "THROTTLED": "Too Many Requests",
    "UNAUTHORIZED": "Unauthorized",
}
_EXPLICIT_DENY_MESSAGE = "User is not authorized to access this resource with an explicit deny"


@dataclass(frozen=True)
class GatewayReply:
    status: int
    headers: dict[str, str]
    body: str


def method_arn(
    *, region: str, account_id: str, api_id: str, stage: str, method: str, resource_path: str
) -> str:
    """The ``methodArn`` API Gateway gives the authorizer: the request's stage, HTTP method and
    path (the path called, e.g. ``/api/portfolios/148/``, not the resource template)."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method}/{resource_path.lstrip('/')}"


def authorizer_event(proxy_event: dict[str, Any], *, method_arn: str) -> dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends for this proxy event (the request as the
    function would get it, without body, and without any earlier authorizer's context)."""
    context = dict(proxy_event.get("requestContext") or {})
    context.pop("authorizer", None)
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": proxy_event.get("resource"),
        "path": proxy_event.get("path"),
        "httpMethod": proxy_event.get("httpMethod"),
        "headers": proxy_event.get("headers"),
        "multiValueHeaders": proxy_event.get("multiValueHeaders"),
        "queryStringParameters": proxy_event.get("queryStringParameters"),
        "multiValueQueryStringParameters": proxy_event.get("multiValueQueryStringParameters"),
        "pathParameters": proxy_event.get("pathParameters"),
        "stageVariables": proxy_event.get("stageVariables"),
        "requestContext": context,
    }


# --- policy evaluation ---------------------------------------------------------------------------


class PolicyResult(Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


class InvalidAuthorizerOutput(ValueError):
    """The authorizer's answer is not one API Gateway accepts (it answers 5xx)."""


def _wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    # IAM wildcards: `*` any run of characters (slashes included), `?` any one character.
    parts = [".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _as_list(value: Any, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
        raise InvalidAuthorizerOutput(f"statement {what} must be a string or a list of strings")
    return items


@dataclass(frozen=True)
class _Statement:
    allow: bool
    actions: tuple[re.Pattern[str], ...]
    resources: tuple[re.Pattern[str], ...]
    conditional: bool

    def matches(self, arn: str) -> bool:
        invoke = any(action.fullmatch("execute-api:Invoke") for action in self.actions)
        return invoke and any(resource.fullmatch(arn) for resource in self.resources)


def _statements(policy_document: Any) -> list[_Statement]:
    if not isinstance(policy_document, Mapping):
        raise InvalidAuthorizerOutput("policyDocument must be an object")
    statements = policy_document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise InvalidAuthorizerOutput("policyDocument.Statement must hold at least one statement")
    parsed = []
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") not in ("Allow", "Deny"):
            raise InvalidAuthorizerOutput("a statement's Effect must be Allow or Deny")
        parsed.append(
            _Statement(
                allow=statement["Effect"] == "Allow",
                # Action names are case-insensitive in IAM; resource ARNs are not.
                actions=tuple(
                    _wildcard(action, ignore_case=True)
                    for action in _as_list(statement.get("Action"), "Action")
                ),
                resources=tuple(
                    _wildcard(resource) for resource in _as_list(statement.get("Resource"), "Resource")
                ),
                conditional="Condition" in statement,
            )
        )
    return parsed


def evaluate_policy(policy_document: Any, arn: str) -> PolicyResult:
    """``execute-api:Invoke`` on ``arn`` under this policy, as IAM evaluates it: an explicit
    Deny wins over any Allow; nothing matching is an implicit deny. A condition cannot be
    evaluated here: such an Allow never allows, such a Deny always denies."""
    return _evaluate(_statements(policy_document), arn)


def _evaluate(statements: Iterable[_Statement], arn: str) -> PolicyResult:
    statements = list(statements)
    if any(
        not statement.allow and (statement.conditional or statement.matches(arn)) for statement in statements
    ):
        return PolicyResult.EXPLICIT_DENY
    if any(
        statement.allow and not statement.conditional and statement.matches(arn) for statement in statements
    ):
        return PolicyResult.ALLOW
    return PolicyResult.IMPLICIT_DENY


def _context_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise InvalidAuthorizerOutput("context values must be strings, numbers or booleans")


@dataclass(frozen=True)
class _AuthorizerOutput:
    principal_id: str
    statements: tuple[_Statement, ...]
    context: dict[str, str]


def _parse_output(output: Any) -> _AuthorizerOutput:
    if not isinstance(output, Mapping):
        raise InvalidAuthorizerOutput("the authorizer must answer an object")
    principal_id = output.get("principalId")
    if not isinstance(principal_id, str | int) or isinstance(principal_id, bool):
        raise InvalidAuthorizerOutput("principalId is missing")
    context = output.get("context") or {}
    if not isinstance(context, Mapping):
        raise InvalidAuthorizerOutput("context must be an object")
    return _AuthorizerOutput(
        principal_id=str(principal_id),
        # API Gateway refuses a malformed policy whatever the request.
        statements=tuple(_statements(output.get("policyDocument"))),
        context={str(name): _context_value(value) for name, value in context.items()},
    )


# --- the authorizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationResult:
    allowed: bool
    context: dict[str, Any] | None  # what API Gateway puts in requestContext.authorizer when allowed
    response_type: str | None  # None when allowed, else the gateway response type
    explicit_deny: bool = False


@dataclass
class _InvocationContext:
    """The Lambda context object the authorizer function is handed."""

    function_name: str = "AuthorizerFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:AuthorizerFunction"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/AuthorizerFunction"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 6_000


def _header(headers: Any, name: str) -> str | None:
    if not isinstance(headers, Mapping):
        return None
    wanted = name.lower()
    for header, value in headers.items():
        if isinstance(header, str) and header.lower() == wanted and isinstance(value, str):
            return value
    return None


@dataclass(frozen=True)
class _Cached:
    expires_at: float
    output: _AuthorizerOutput


class LocalAuthorizer:
    """API Gateway's REQUEST authorizer behaviour: identity-source check (401 without calling
    the Lambda), result cache keyed by the identity source for ttl_seconds, policy evaluation of
    the (possibly cached) policy against this request's method ARN, errors as API Gateway maps them.

    Only policies are cached: an error ("Unauthorized" or a failure) is asked again next time.
    ``calls`` counts the function's invocations.
    """

    def __init__(
        self,
        handler: Callable[[dict[str, Any], Any], dict[str, Any]],
        *,
        ttl_seconds: int,
        identity_header: str = "Authorization",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._handler = handler
        self._ttl = max(int(ttl_seconds), 0)
        self._identity_header = identity_header
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self.calls = 0

    def _cached(self, identity: str) -> _AuthorizerOutput | None:
        if self._ttl == 0:
            return None
        with self._lock:
            entry = self._cache.get(identity)
            if entry is None:
                return None
            if self._clock() >= entry.expires_at:
                del self._cache[identity]
                return None
            return entry.output

    def _remember(self, identity: str, output: _AuthorizerOutput) -> None:
        if self._ttl == 0:
            return
        with self._lock:
            now = self._clock()
            # Expired entries go when a new one comes: the cache never outgrows the live tokens.
            for stale in [key for key, entry in self._cache.items() if now >= entry.expires_at]:
                del self._cache[stale]
            self._cache[identity] = _Cached(expires_at=now + self._ttl, output=output)

    def _invoke(self, proxy_event: dict[str, Any], arn: str) -> _AuthorizerOutput | str:
        """The function's output, or the response type its failure maps to."""
        self.calls += 1
        context = _InvocationContext(aws_request_id=str(uuid.uuid4()))
        try:
            output = self._handler(authorizer_event(proxy_event, method_arn=arn), context)
        except Exception as error:  # noqa: BLE001 (a function error is API Gateway's answer, never a crash)
            return "UNAUTHORIZED" if str(error) == _UNAUTHORIZED_MESSAGE else "AUTHORIZER_CONFIGURATION_ERROR"
        if isinstance(output, Mapping) and "errorMessage" in output and "policyDocument" not in output:
            # A Lambda runtime's error payload, from a handler invoked through one.
            unauthorized = output.get("errorMessage") == _UNAUTHORIZED_MESSAGE
            return "UNAUTHORIZED" if unauthorized else "AUTHORIZER_CONFIGURATION_ERROR"
        try:
            return _parse_output(output)
        except InvalidAuthorizerOutput:
            return "AUTHORIZER_CONFIGURATION_ERROR"

    def authorize(self, proxy_event: dict[str, Any], *, method_arn: str) -> AuthorizationResult:
        identity = _header(proxy_event.get("headers"), self._identity_header)
        if identity is None or not identity.strip():
            return AuthorizationResult(allowed=False, context=None, response_type="UNAUTHORIZED")
        output = self._cached(identity)
        if output is None:
            answer = self._invoke(proxy_event, method_arn)
            if isinstance(answer, str):
                return AuthorizationResult(allowed=False, context=None, response_type=answer)
            output = answer
            self._remember(identity, output)
        # The (possibly cached) policy is evaluated against this request's method ARN.
        result = _evaluate(output.statements, method_arn)
        if result is PolicyResult.ALLOW:
            return AuthorizationResult(
                allowed=True,
                context={"principalId": output.principal_id, **output.context},
                response_type=None,
            )
        return AuthorizationResult(
            allowed=False,
            context=None,
            response_type="ACCESS_DENIED",
            explicit_deny=result is PolicyResult.EXPLICIT_DENY,
        )


# --- gateway responses ---------------------------------------------------------------------------


def _gateway_responses(template: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Api":
            responses.update(resource.get("Properties", {}).get("GatewayResponses", {}) or {})
    return responses


_VARIABLE = re.compile(
    r"\$\{(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)\}|\$(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)"
)


def _lookup(values: Mapping[str, Any], path: str) -> Any:
    if path in values:  # flat form: {"error.message": ...}
        return values[path]
    current: Any = values
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def _render(text: str, variables: Mapping[str, Any]) -> str:
    # Simple substitution, as API Gateway does for gateway responses (no VTL): an unknown
    # variable is empty.
    def replace(match: re.Match[str]) -> str:
        source = match.group(1) or match.group(3)
        path = (match.group(2) or match.group(4))[1:]
        value = _lookup(variables, path) if source == "context" else None
        if value is None:
            return "null" if path == "error.messageString" else ""
        return str(value)

    return _VARIABLE.sub(replace, text)


_REQUEST_HEADER = "method.request.header."


def _header_value(
    expression: Any, variables: Mapping[str, Any], request_headers: Mapping[str, str]
) -> str | None:
    # A static value is quoted ('Token'); `context.x` takes a $context variable;
    # `method.request.header.Name` the request's header (none: the header is left out).
    if not isinstance(expression, str):
        return None
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1]
    if expression.startswith("context."):
        value = _lookup(variables, expression.removeprefix("context."))
        return None if value is None else str(value)
    if expression.startswith(_REQUEST_HEADER):
        return _header(request_headers, expression.removeprefix(_REQUEST_HEADER))
    return None


def gateway_reply(
    template: dict[str, Any],
    response_type: str,
    *,
    context: dict[str, Any] | None = None,
    request_headers: Mapping[str, str] | None = None,
    stack: StackContext | None = None,
) -> GatewayReply:
    """The template's GatewayResponses entry for this type (falling back to DEFAULT_4XX/DEFAULT_5XX
    and API Gateway's own defaults), with $context.error.messageString etc. substituted.

    Header values may use intrinsic functions (resolved with ``stack``, default: the
    parameters' defaults) and map the request's headers (``method.request.header.Origin``,
    from ``request_headers``).

    ``context`` holds ``$context`` values by path, nested (``{"authorizer": {...}}``) or flat
    (``{"requestId": ...}``); ``error.message``, ``error.messageString`` and
    ``error.responseType`` default to API Gateway's own for the type.
    """
    responses = _gateway_responses(template)
    status = _DEFAULT_STATUS.get(response_type, 500)
    family = "DEFAULT_4XX" if 400 <= status < 500 else "DEFAULT_5XX"
    # A type the template does not configure answers as its family's default does.
    configured = responses.get(response_type) or responses.get(family) or {}
    if "StatusCode" in configured:
        status = int(configured["StatusCode"])

    message = _DEFAULT_MESSAGE.get(response_type, _DEFAULT_MESSAGE[family])
    variables: dict[str, Any] = {
        "error": {
            "message": message,
            "messageString": "null" if message is None else json.dumps(message),
            "responseType": response_type,
        },
    }
    for name, value in (context or {}).items():
        if name == "error" and isinstance(value, Mapping):
            variables["error"] = {**variables["error"], **value}
        else:
            variables[name] = value

    templates = configured.get("ResponseTemplates")
    if templates:
        content_type, body_template = next(iter(templates.items()))
        body = _render(str(body_template), variables)
    else:
        content_type, body = "application/json", json.dumps({"message": message})

    headers = {"Content-Type": content_type}
    parameters = (configured.get("ResponseParameters") or {}).get("Headers", {})
    stack = stack or default_stack(template)
    for name, expression in parameters.items():
        value = _header_value(resolve(expression, template, stack), variables, request_headers or {})
        if value is not None:
            headers[name] = value
    return GatewayReply(status=status, headers=headers, body=body)
