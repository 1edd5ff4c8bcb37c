"""A request's time budget for DynamoDB.

API Gateway gives up on an integration after 29 s and the read function's own timeout comes
first; either would answer with a bare gateway error instead of the API's 503. So each
DynamoDB request is bounded (connect and read timeouts, a bounded number of attempts: see
``portfolio.config``), and no request starts unless its worst case still fits in what is left
of the invocation; otherwise the call ends with ``ServiceUnavailable`` (503, Retry-After).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from portfolio.config import settings
from portfolio.domain.errors import ServiceUnavailable

_deadline: ContextVar[float | None] = ContextVar("dynamodb_deadline", default=None)

# Standard-mode backoff before a retry is at most ~1 s for the first retries.
_BACKOFF_ALLOWANCE_S = 1.0


def worst_request_seconds() -> float:
    """How long one DynamoDB request can take, retries included."""
    config = settings()
    attempts = max(config.dynamodb_max_attempts, 1)
    per_attempt = config.dynamodb_connect_timeout_s + config.dynamodb_read_timeout_s
    return attempts * per_attempt + (attempts - 1) * _BACKOFF_ALLOWANCE_S


@contextmanager
def request_deadline(seconds_left: float) -> Iterator[None]:
    """Within this block, DynamoDB requests must be able to finish in ``seconds_left``."""
    token = _deadline.set(time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _deadline.reset(token)


def ensure_time_for_a_request() -> None:
    """Raise ``ServiceUnavailable`` when a request started now might outlive the deadline."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() + worst_request_seconds() > deadline:
        raise ServiceUnavailable("not enough time left for another DynamoDB request")
