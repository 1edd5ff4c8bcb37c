"""Read API: GET (and HEAD) /api/portfolios/, /api/portfolios/{id}/ and /api/openapi.json.

Routing and Powertools decorators only; the rules live in ``portfolio.domain``.

No ``from __future__ import annotations`` here: Powertools reads the routes' annotations to
generate the OpenAPI document, resolving strings in the globals of the function it holds,
which is Tracer's wrapper (whose module has no ``Response``), so they must be real objects.
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from portfolio.api.caching import cacheable_json_response
from portfolio.api.cors import cors_config, vary_on_origin
from portfolio.api.errors import register_error_handlers
from portfolio.api.request import location_with_slash, query_params, request_url
from portfolio.api.responses import (
    VIEW_HEADERS,
    json_response,
    redirect_response,
    render_json,
    without_body,
)
from portfolio.api.routes import PathShape, match_list_path, match_retrieve_path
from portfolio.data.deadline import request_deadline
from portfolio.domain.errors import InvalidLookup
from portfolio.domain.portfolios import portfolio_list, portfolio_retrieve
from portfolio.observability import logger, metrics, tracer

# Seconds kept back from the invocation's time to answer (503) when DynamoDB is too slow.
DEADLINE_MARGIN_S = 1.0

# CORS from the function's environment (template.yaml: CorsAllowedOrigins), on every answer;
# OPTIONS reaches the function only as a preflight, which the resolver answers itself.
app = APIGatewayRestResolver(serializer=render_json, cors=cors_config())
register_error_handlers(app)


@app.get("/api/portfolios/")
@app.head("/api/portfolios/", include_in_schema=False)
@tracer.capture_method
def list_portfolios() -> Response[str]:
    event = app.current_event
    shape = match_list_path(event.path).shape
    if shape is PathShape.ADD_SLASH:
        return redirect_response(location_with_slash(event))
    if shape is PathShape.UNKNOWN:
        raise InvalidLookup(event.path)
    page = portfolio_list(params=query_params(event), url=request_url(event))
    return cacheable_json_response(page.json(), event.headers, VIEW_HEADERS)


@app.get("/api/portfolios/<id>/")
@app.head("/api/portfolios/<id>/", include_in_schema=False)
@tracer.capture_method
def retrieve_portfolio(id: str) -> Response[str]:
    event = app.current_event
    match = match_retrieve_path(event.path)
    if match.shape is PathShape.ADD_SLASH:
        return redirect_response(location_with_slash(event))
    if match.shape is PathShape.UNKNOWN or match.portfolio_id is None:
        raise InvalidLookup(event.path)
    portfolio = portfolio_retrieve(raw_id=match.portfolio_id, params=query_params(event))
    return cacheable_json_response(portfolio, event.headers, VIEW_HEADERS)


@app.get("/api/openapi.json")
@app.head("/api/openapi.json", include_in_schema=False)
@tracer.capture_method
def openapi_document() -> Response[str]:
    from portfolio.api.openapi import openapi_document as build  # only this route needs it

    server = request_url(app.current_event).base.removesuffix("/api/openapi.json")
    return json_response(build(app, server_url=server or "/"))


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event carries the caller's key.
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False, clear_state=True
)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with request_deadline(context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN_S):
        response = vary_on_origin(app.resolve(event, context))
    # HEAD is the GET without its body, whatever the answer (an error, a redirect).
    return without_body(response) if event.get("httpMethod") == "HEAD" else response
