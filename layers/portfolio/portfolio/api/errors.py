"""Domain errors to HTTP: the one place where a status code is chosen for a failure.

Every documented status comes with DRF's JSON body; anything unexpected is logged with its
stack trace and answered with a plain 500 body (never a trace).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from portfolio.api.responses import NO_STORE, VIEW_HEADERS, detail_response, json_response
from portfolio.domain.errors import (
    InvalidFilters,
    InvalidLookup,
    InvalidSearch,
    InvalidUploadRequest,
    MalformedBody,
    PermissionDenied,
    PortfolioNotFound,
    ServiceUnavailable,
    UnsupportedMediaType,
    UploadNotFound,
)
from portfolio.observability import MetricUnit, logger, metrics

NOT_FOUND = "Not found."
NO_PORTFOLIO = "No Portfolio matches the given query."
SERVER_ERROR = "A server error occurred."
PERMISSION_DENIED = "You do not have permission to perform this action."
UNAVAILABLE = "The service is temporarily unavailable, please retry."
RETRY_AFTER_S = 1


def register_error_handlers(app: ApiGatewayResolver) -> None:
    """Attach the error mapping to a resolver."""

    @app.exception_handler(InvalidFilters)
    def _invalid_filters(error: InvalidFilters) -> Response[str]:
        return json_response(error.errors, 400, VIEW_HEADERS)

    @app.exception_handler(InvalidSearch)
    def _invalid_search(error: InvalidSearch) -> Response[str]:
        return json_response(error.messages, 400, VIEW_HEADERS)

    @app.exception_handler(PortfolioNotFound)
    def _no_portfolio(_: PortfolioNotFound) -> Response[str]:
        return detail_response(NO_PORTFOLIO, 404, VIEW_HEADERS)

    @app.exception_handler(InvalidLookup)
    def _invalid_lookup(_: InvalidLookup) -> Response[str]:
        return detail_response(NOT_FOUND, 404, VIEW_HEADERS)

    @app.exception_handler(InvalidUploadRequest)
    def _invalid_upload(error: InvalidUploadRequest) -> Response[str]:
        return json_response(error.errors, 400, NO_STORE)

    @app.exception_handler(MalformedBody)
    def _malformed_body(error: MalformedBody) -> Response[str]:
        return detail_response(str(error), 400, NO_STORE)

    @app.exception_handler(UnsupportedMediaType)
    def _unsupported_media_type(error: UnsupportedMediaType) -> Response[str]:
        return detail_response(str(error), 415, NO_STORE)

    @app.exception_handler(PermissionDenied)
    def _permission_denied(_: PermissionDenied) -> Response[str]:
        return detail_response(PERMISSION_DENIED, 403, NO_STORE)

    @app.exception_handler(UploadNotFound)
    def _no_upload(_: UploadNotFound) -> Response[str]:
        return detail_response(NOT_FOUND, 404, NO_STORE)

    @app.not_found
    def _unknown_route(_: NotFoundError) -> Response[str]:
        return detail_response(NOT_FOUND, 404)

    @app.exception_handler([ServiceUnavailable, PynamoDBException, BotoCoreError, ClientError])
    def _dependency_failed(error: Exception) -> Response[str]:
        # DynamoDB throttled, failed or timed out after the client's bounded retries.
        logger.warning("dependency failure", extra={"error": type(error).__name__, "reason": str(error)})
        metrics.add_metric(name="DependencyFailures", unit=MetricUnit.Count, value=1)
        return detail_response(UNAVAILABLE, 503, {"Retry-After": str(RETRY_AFTER_S)})

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error")
        metrics.add_metric(name="UnhandledErrors", unit=MetricUnit.Count, value=1)
        return detail_response(SERVER_ERROR, 500)
