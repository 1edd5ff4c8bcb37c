"""Thumbnails: an object created under uploads/ in the media bucket (S3 event, asynchronous
invocation) -> its thumbnails and image record. Powertools glue only; the rules live in
``portfolio.domain.media``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from portfolio.domain.media import process_upload_event
from portfolio.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict[str, Any]:
    return process_upload_event(event, context)
