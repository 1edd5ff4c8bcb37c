"""Every request leaves a structured JSON log line with the request's correlation id, and no
log line ever holds the caller's token."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import pytest

from functions.read_api import app as read_api
from portfolio.domain.auth import NotAuthenticated
from tests.support.catalogue import import_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

pytestmark = pytest.mark.integration

TOKEN = "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def _log_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_log_lines_are_json_with_the_correlation_id_and_never_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a catalogue, and the logger at its most talkative
    import_portfolios([])
    stream = io.StringIO()
    handler = read_api.logger.registered_handler
    previous_stream = handler.setStream(stream)
    read_api.logger.setLevel("DEBUG")
    event = api_event("/api/portfolios/?search=x", headers={"Authorization": TOKEN})
    try:
        # When a request fails in an unexpected place (its stack trace is logged)
        monkeypatch.setattr(read_api, "portfolio_list", _explode)
        response = read_api.lambda_handler(event, FakeLambdaContext())
    finally:
        read_api.logger.setLevel("WARNING")
        handler.setStream(previous_stream)
    # Then the caller sees a plain 500 body, and the log is JSON with the correlation id
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"detail": "A server error occurred."}
    output = stream.getvalue() + capsys.readouterr().out
    lines = _log_lines(output)
    assert lines, output
    request_id = event["requestContext"]["requestId"]
    assert any(line.get("correlation_id") == request_id for line in lines)
    assert "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b" not in output


def _explode(**_: object) -> object:
    raise RuntimeError("boom")


def _fresh_function_module(name: str) -> ModuleType:
    """The function's module imported anew (Powertools reads POWERTOOLS_LOGGER_LOG_EVENT when
    the handler is decorated), beside the one the other tests use."""
    path = Path(__file__).parents[2] / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"fresh_{name}_app", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("function", ["read_api", "authorizer"])
def test_event_logging_turned_on_never_logs_the_callers_key(
    function: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given event logging turned on in the function's environment when it is loaded
    import_portfolios([])
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    module = _fresh_function_module(function)
    stream = io.StringIO()
    handler = module.logger.registered_handler
    previous_stream = handler.setStream(stream)
    module.logger.setLevel("DEBUG")
    event = api_event("/api/portfolios/", headers={"Authorization": TOKEN})
    event.setdefault("methodArn", "arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/api/portfolios/")
    try:
        # When a request with a key arrives
        with contextlib.suppress(NotAuthenticated):  # the authorizer's 401 for this unknown key
            module.lambda_handler(event, FakeLambdaContext())
    finally:
        module.logger.setLevel("WARNING")
        handler.setStream(previous_stream)
    # Then the log shows lines, but never the key
    output = stream.getvalue() + capsys.readouterr().out
    assert _log_lines(output), output
    assert "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b" not in output
