"""The queue of re-render batches (template.yaml: RerenderQueue, read by RerenderFunction).

When an upload gives an employer, tag or link a new image, every portfolio showing that record
must be rendered again: thousands for a common tag. The upload's invocation only sends their
ids here, a bounded batch per message; RerenderFunction renders one batch per invocation, and
SQS retries a batch that fails (then keeps it in RerenderFailureQueue). The client is made on
first use and kept (``reset_clients()`` drops it: tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from portfolio.config import settings

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# Portfolios per message: one batch renders in seconds (a few BatchGets and transactions of
# 50 portfolios), far inside RerenderFunction's timeout.
BATCH_SIZE = 100
# SendMessageBatch takes at most 10 messages.
_ENTRIES_PER_CALL = 10
_SQS_CONFIG = Config(
    connect_timeout=3, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 3}
)


class RerenderNotQueued(RuntimeError):
    """SQS refused some batches (the upload's invocation fails and is retried)."""


@dataclass(frozen=True, slots=True)
class RerenderBatch:
    portfolio_ids: tuple[int, ...]
    # Why (for the logs): "employer 12 image 345".
    reason: str

    def body(self) -> str:
        return json.dumps({"portfolio_ids": list(self.portfolio_ids), "reason": self.reason})

    @classmethod
    def parse(cls, body: str) -> RerenderBatch:
        """The batch a message holds; ``ValueError`` for anything else."""
        try:
            data: Any = json.loads(body)
        except (TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not JSON: {error}") from None
        ids = data.get("portfolio_ids") if isinstance(data, dict) else None
        if not isinstance(ids, list) or not all(type(item) is int and item > 0 for item in ids):
            raise ValueError("portfolio_ids must be a list of positive integers")
        reason = data.get("reason")
        return cls(portfolio_ids=tuple(ids), reason=reason if isinstance(reason, str) else "")


def batches(portfolio_ids: Iterable[int], *, reason: str, size: int = BATCH_SIZE) -> list[RerenderBatch]:
    ordered = sorted(set(portfolio_ids))
    return [
        RerenderBatch(portfolio_ids=tuple(ordered[start : start + size]), reason=reason)
        for start in range(0, len(ordered), size)
    ]


@cache
def _sqs() -> SQSClient:
    return boto3.client("sqs", region_name=settings().region, config=_SQS_CONFIG)


def reset_clients() -> None:
    _sqs.cache_clear()


def queue_configured() -> bool:
    return bool(settings().rerender_queue_url)


def enqueue(to_send: Sequence[RerenderBatch]) -> None:
    """Send the batches to the queue; ``RerenderNotQueued`` when SQS refused any."""
    url = settings().rerender_queue_url
    for start in range(0, len(to_send), _ENTRIES_PER_CALL):
        chunk = to_send[start : start + _ENTRIES_PER_CALL]
        reply = _sqs().send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(index), "MessageBody": batch.body()} for index, batch in enumerate(chunk)],
        )
        failed = reply.get("Failed") or []
        if failed:
            reasons = sorted({str(entry.get("Code")) for entry in failed})
            raise RerenderNotQueued(f"{len(failed)} re-render batch(es) refused by SQS: {', '.join(reasons)}")
