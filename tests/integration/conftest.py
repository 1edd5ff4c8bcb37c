"""Integration level: the handlers and the data access code against moto in-process, with
every table of template.yaml created fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from portfolio.infra.template import create_tables
from tests.support.rerender import RERENDER_QUEUE


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    from portfolio.domain import card_cache

    card_cache.reset()  # each test is a new container
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        yield


@pytest.fixture
def rerender_queue(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """RerenderQueue on moto, named in the environment as the template names it: shared records'
    changes then queue their portfolios (``tests.support.rerender.drain`` renders them)."""
    from portfolio.config import settings

    url = boto3.client("sqs").create_queue(QueueName=RERENDER_QUEUE)["QueueUrl"]
    monkeypatch.setenv("RERENDER_QUEUE_URL", url)
    settings.cache_clear()
    yield url
    monkeypatch.delenv("RERENDER_QUEUE_URL", raising=False)
    settings.cache_clear()
