"""Integration level: the handlers and the data access code against moto in-process, with
every table of template.yaml created fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from portfolio.infra.template import create_tables


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    from portfolio.domain import card_cache

    card_cache.reset()  # each test is a new container
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        yield
