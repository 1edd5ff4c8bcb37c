"""Re-render: batches of portfolios whose employer, tag or link changed (SQS, RerenderQueue)
-> their documents and cards rendered again. Powertools glue only; the rule lives in
``portfolio.domain.catalogue.rerender_batch``.

One message per invocation (the event source's BatchSize); a failed batch is reported as
such, SQS delivers it again after the queue's visibility timeout, and after its redrive
policy's attempts keeps it in RerenderFailureQueue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from portfolio.domain.catalogue import rerender_batch
from portfolio.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    rerender_batch(record.body)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
