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


def test_the_templates_empty_endpoint_never_replaces_the_stacks() -> None:
    # Given the template's functions declaring AWS_ENDPOINT_URL empty (for sam local)
    template_environment = {**TEMPLATE_ENVIRONMENT, "AWS_ENDPOINT_URL": ""}
    # When the local stack builds its functions' environment
    environment = local_environment(template_environment, {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    # Then the variable is left out, so the stack's own endpoint (already in the process) stays
    assert "AWS_ENDPOINT_URL" not in environment
    # And a value someone did set in the template would still apply
    assert local_environment({"AWS_ENDPOINT_URL": "http://emulator:4566"}, {})["AWS_ENDPOINT_URL"] == (
        "http://emulator:4566"
    )


def test_a_deployed_function_resolves_to_aws_own_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the template's Globals as a deployed function gets them: the endpoint declared empty
    import boto3

    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["AWS_ENDPOINT_URL"] == ""
    monkeypatch.setenv("AWS_ENDPOINT_URL", variables["AWS_ENDPOINT_URL"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "deployed")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "deployed")
    # When the code makes its clients, Then they talk to AWS, not to an emulator
    for service, host in (("dynamodb", "dynamodb.eu-west-1.amazonaws.com"), ("s3", "amazonaws.com")):
        client = boto3.session.Session().client(service, region_name="eu-west-1")
        assert host in client.meta.endpoint_url, client.meta.endpoint_url
