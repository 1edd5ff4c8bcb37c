"""The local stack's function environment: the template's, with bounds for an emulator's
DynamoDB (slower than DynamoDB by orders of magnitude on large reads) and local
observability, the caller's own choices winning (`portfolio serve` honours DYNAMODB_*)."""

from __future__ import annotations

import pytest

from portfolio.data.deadline import worst_request_seconds
from portfolio.infra.template import functions, load_template
from portfolio.local.stack import LOCAL_DYNAMODB_BOUNDS, local_environment

pytestmark = pytest.mark.unit

TEMPLATE_ENVIRONMENT = {
    "MEDIA_BUCKET": "bucket",
    "DYNAMODB_READ_TIMEOUT_S": "1",  # the authorizer's, tight as on AWS
    "POWERTOOLS_TRACE_DISABLED": "false",
}


def test_the_emulator_gets_looser_dynamodb_bounds_than_aws() -> None:
    environment = local_environment(TEMPLATE_ENVIRONMENT, {})
    assert environment["MEDIA_BUCKET"] == "bucket"
    assert {name: environment[name] for name in LOCAL_DYNAMODB_BOUNDS} == LOCAL_DYNAMODB_BOUNDS
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "false"  # the template's own choice kept


def test_the_callers_bounds_and_observability_win() -> None:
    caller = {"DYNAMODB_READ_TIMEOUT_S": "9", "DYNAMODB_MAX_ATTEMPTS": "3", "POWERTOOLS_LOG_LEVEL": "DEBUG"}
    environment = local_environment(TEMPLATE_ENVIRONMENT, caller)
    assert environment["DYNAMODB_READ_TIMEOUT_S"] == "9"
    assert environment["DYNAMODB_MAX_ATTEMPTS"] == "3"
    assert environment["DYNAMODB_CONNECT_TIMEOUT_S"] == LOCAL_DYNAMODB_BOUNDS["DYNAMODB_CONNECT_TIMEOUT_S"]
    assert environment["POWERTOOLS_LOG_LEVEL"] == "DEBUG"


def test_one_request_at_the_local_bounds_still_fits_the_read_functions_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the local bounds in effect
    from portfolio.config import settings

    for name, value in LOCAL_DYNAMODB_BOUNDS.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    try:
        worst = worst_request_seconds()
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    # Then a request's worst case leaves the read function time to answer (its 1 s margin)
    timeout = functions(load_template())["ReadApiFunction"].timeout_s
    assert worst < timeout - 1
