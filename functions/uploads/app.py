"""Uploads API: POST /api/uploads/ (a signed S3 form for one image) and
GET /api/uploads/{upload_id}/ (where that upload stands).

Routing and Powertools decorators only; the rules live in ``portfolio.domain.uploads``. The
caller is who the token authorizer says (``requestContext.authorizer``): its policy lets only
tokens that may upload reach these routes.

No ``from __future__ import annotations``: Powertools reads the routes' annotations for the
OpenAPI document (see functions/read_api/app.py).
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from portfolio.api.cors import cors_config, vary_on_origin
from portfolio.api.errors import register_error_handlers
from portfolio.api.request import json_body, location_with_slash
from portfolio.api.responses import NO_STORE, json_response, redirect_response, render_json
from portfolio.domain.auth import Caller
from portfolio.domain.errors import PermissionDenied
from portfolio.domain.uploads import upload_create, upload_status
from portfolio.observability import logger, metrics, tracer

app = APIGatewayRestResolver(serializer=render_json, cors=cors_config())
register_error_handlers(app)


def _caller() -> Caller:
    context = app.current_event.get("requestContext") or {}
    caller = Caller.from_request_context(context.get("authorizer"))
    if caller is None:  # only without the authorizer in front (a misconfigured route)
        raise PermissionDenied("no caller in the request context")
    return caller


# Powertools matches a rule with or without its trailing slash. The slash-less POST is taken
# as it is (a redirect would turn the browser's POST into a GET); the slash-less GET is sent
# to the slash form, as Django's APPEND_SLASH does.
@app.post("/api/uploads/")
@tracer.capture_method
def create_upload() -> Response[str]:
    issued = upload_create(caller=_caller(), body=json_body(app.current_event))
    return json_response(issued.json(), 201, NO_STORE)


@app.get("/api/uploads/<upload_id>/")
@tracer.capture_method
def get_upload(upload_id: str) -> Response[str]:
    if not app.current_event.path.endswith("/"):
        return redirect_response(location_with_slash(app.current_event))
    return json_response(upload_status(caller=_caller(), upload_id=upload_id), 200, NO_STORE)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event carries the caller's key.
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False, clear_state=True
)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return vary_on_origin(app.resolve(event, context))
