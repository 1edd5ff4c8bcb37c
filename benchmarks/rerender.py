"""A shared record's new image (issue 11): what the upload's invocation costs, and what one
re-render batch costs, at 1,000 and 20,000 portfolios showing one employer.

    .venv/bin/python -m benchmarks rerender       (BENCH_RERENDER_SIZES=1000,20000)

For each size, in process on moto: import that many demo portfolios all showing one
employer, then give the employer another image as the thumbnails function does
(``attach_media``) and measure the call (wall time, AWS requests by operation). At the
smallest size it also measures RerenderFunction's work on one queued batch
(``rerender_batch``) and the path before the queue: every portfolio rendered inside the
upload's invocation (``refresh_portfolios``). Wall times of writes are moto's, not
DynamoDB's: moto deep-copies the tables a transaction touches for every item of it, so a
batch takes seconds at 1,000 portfolios and minutes at 20,000 (the requests are what to
read); before the queue, 20,000 portfolios had to render within the function's 60 s.

Budgets: the upload's DynamoDB requests do not grow with the portfolios (the same at every
size), its SQS requests are one per 1,000 portfolios (10 batches of 100 per call), and a
batch of 100 portfolios takes at most 10 DynamoDB requests.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.read_api import _prepare_environment

BATCH_REQUEST_BUDGET = 10
SIZES = [int(size) for size in os.environ.get("BENCH_RERENDER_SIZES", "1000,20000").split(",") if size]


@dataclass
class Measured:
    seconds: float
    calls: Counter[str]

    def count(self, service: str) -> int:
        return sum(number for name, number in self.calls.items() if name.startswith(f"{service}."))

    def summary(self) -> str:
        return ", ".join(f"{name} {number}" for name, number in sorted(self.calls.items()))


def _measure(work: Callable[[], Any]) -> tuple[Measured, Any]:
    from botocore.client import BaseClient

    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls[f"{client.meta.service_model.service_name}.{operation}"] += 1
        return original(client, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        result = work()
        return Measured(time.perf_counter() - started, calls), result
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@dataclass
class SizeResult:
    size: int
    upload: Measured
    batch: Measured | None
    batches: int
    inline: Measured | None


def _run(size: int) -> SizeResult:
    import boto3
    from moto import mock_aws

    from portfolio.config import settings
    from portfolio.data import rerender_queue
    from portfolio.domain import card_cache
    from portfolio.domain.catalogue import (
        AttachTarget,
        attach_media,
        import_catalogue,
        refresh_portfolios,
        rerender_batch,
    )
    from portfolio.domain.demo import demo_catalogue, with_one_employer
    from portfolio.domain.import_format import parse_import
    from portfolio.infra.template import create_tables

    card_cache.reset()
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="RerenderQueue")["QueueUrl"]
        items = demo_catalogue(size)
        employer = with_one_employer(items)
        import_catalogue(parse_import(items))
        new_image = int(items[0]["image_data"]["id"])
        inline = None
        if size == min(SIZES):
            os.environ.pop("RERENDER_QUEUE_URL", None)
            settings.cache_clear()
            inline, _ = _measure(lambda: refresh_portfolios(range(1, size + 1)))
        os.environ["RERENDER_QUEUE_URL"] = url
        settings.cache_clear()
        rerender_queue.reset_clients()
        upload, _ = _measure(lambda: attach_media(new_image, AttachTarget.EMPLOYER, int(employer["id"])))
        batches = int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
        )
        batch = None
        if size == min(SIZES):
            (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
            batch, _ = _measure(lambda: rerender_batch(message["Body"]))
        os.environ.pop("RERENDER_QUEUE_URL", None)
        settings.cache_clear()
        return SizeResult(size=size, upload=upload, batch=batch, batches=batches, inline=inline)


def main() -> int:
    _prepare_environment()
    results = [_run(size) for size in SIZES]
    for result in results:
        print(f"\n{result.size:,} portfolios showing one employer; its new image:")
        if result.inline is not None:
            print(
                f"  before (rendered in the upload's invocation): {result.inline.seconds:.1f} s, "
                f"{result.inline.count('dynamodb')} DynamoDB requests ({result.inline.summary()})"
            )
        print(
            f"  the upload's invocation now: {result.upload.seconds * 1000:.0f} ms, "
            f"{result.upload.count('dynamodb')} DynamoDB + {result.upload.count('sqs')} SQS requests "
            f"({result.upload.summary()}); {result.batches} batches queued"
        )
        if result.batch is not None:
            print(
                f"  one batch (100) in RerenderFunction: {result.batch.seconds:.2f} s on moto, "
                f"{result.batch.count('dynamodb')} DynamoDB requests ({result.batch.summary()})"
            )
    failures = []
    dynamodb = {result.upload.count("dynamodb") for result in results}
    if len(dynamodb) != 1:
        failures.append(f"the upload's DynamoDB requests grow with the portfolios: {sorted(dynamodb)}")
    for result in results:
        if result.upload.count("sqs") != -(-result.size // 1000):
            failures.append(f"{result.size:,}: {result.upload.count('sqs')} SQS requests")
    for result in results:
        if result.batch is not None and result.batch.count("dynamodb") > BATCH_REQUEST_BUDGET:
            failures.append(f"a batch took {result.batch.count('dynamodb')} DynamoDB requests")
    print()
    print("budgets: " + ("met" if not failures else "NOT met: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
