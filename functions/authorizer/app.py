"""Token authorizer of PortfolioApi (a REQUEST Lambda authorizer).

Decorators only; the decision is ``portfolio.domain.auth.authorize``. Its "Unauthorized"
error is how a Lambda authorizer asks API Gateway for a 401, so it is meant to propagate.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from portfolio.domain.auth import authorize
from portfolio.observability import logger, metrics


# log_event=False whatever the environment says: the event carries the caller's key.
# No @tracer.capture_lambda_handler: it logs every raised error with a stack trace, and every
# 401 is a raised error here. X-Ray still traces the invocation (Tracing: Active) and its
# DynamoDB calls (the Powertools tracer patches botocore when portfolio.observability loads).
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False, clear_state=True
)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return authorize(event)
