"""The read function's CORS, configured as template.yaml configures it (CorsAllowedOrigins to
its CORS_* environment): every answer a browser can get from it carries the headers that let
the frontend read it, a preflight is answered without a token, and with a list of origins
only a listed origin is named (and every answer says it varies with Origin)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from portfolio.config import settings
from portfolio.infra.template import default_stack, functions, load_template, resolve
from portfolio.local.functions import load_handler
from tests.integration.support import portfolio
from tests.support.catalogue import import_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@pytest.fixture
def deploy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Handler]]:
    """``deploy(origins)``: the read function's handler, freshly loaded (a cold start) with
    the CORS environment template.yaml gives it when deployed with CorsAllowedOrigins=origins."""
    template = load_template()
    spec = functions(template)["ReadApiFunction"]

    def load(origins: str) -> Handler:
        stack = replace(default_stack(template), parameters={"CorsAllowedOrigins": origins})
        for name, value in spec.environment.items():
            if name.startswith("CORS_"):
                monkeypatch.setenv(name, str(resolve(value, template, stack)))
        settings.cache_clear()
        return load_handler(spec, ROOT)

    import_portfolios([portfolio(1), portfolio(2)])
    yield load
    settings.cache_clear()


def _call(
    handler: Handler, url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    event = api_event(url, headers=headers)
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    if method == "OPTIONS":  # a preflight carries no token
        for field in ("headers", "multiValueHeaders"):
            event[field] = {name: value for name, value in event[field].items() if name != "Authorization"}
    answer = handler(event, FakeLambdaContext())
    merged = {name.lower(): str(value) for name, value in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        merged[name.lower()] = ", ".join(values)
    return answer["statusCode"], merged, answer.get("body") or ""


def _vary(headers: dict[str, str]) -> set[str]:
    return {token.strip().lower() for token in headers.get("vary", "").split(",") if token.strip()}


# Every kind of answer the function gives a browser: data, not modified, redirect, not found
# (a missing portfolio and a bad id), bad filters.
ANSWERS = [
    ("/api/portfolios/?limit=1", {}, 200),
    ("/api/portfolios/1/", {}, 200),
    ("/api/portfolios/1/", {"If-None-Match": "*"}, 304),
    ("/api/portfolios", {}, 301),
    ("/api/portfolios/99/", {}, 404),
    ("/api/portfolios/abc/", {}, 404),
    ("/api/portfolios/?id_min=abc", {}, 400),
    ("/api/openapi.json", {}, 200),
]


@pytest.mark.parametrize(("url", "headers", "status"), ANSWERS)
def test_with_any_origin_every_answer_lets_the_browser_read_it(
    deploy: Callable[[str], Handler], url: str, headers: dict[str, str], status: int
) -> None:
    # Given the function as deployed by default (CorsAllowedOrigins "*")
    handler = deploy("*")
    # When a frontend on some origin calls it
    got, answer_headers, _ = _call(handler, url, headers={"Origin": APP, **headers})
    # Then the answer allows any origin, and does not vary with it
    assert got == status
    assert answer_headers["access-control-allow-origin"] == "*"
    assert "origin" not in _vary(answer_headers)


@pytest.mark.parametrize(("url", "headers", "status"), ANSWERS)
def test_with_a_list_a_listed_origin_is_named_on_every_answer(
    deploy: Callable[[str], Handler], url: str, headers: dict[str, str], status: int
) -> None:
    # Given the function deployed with two origins
    handler = deploy(f"{APP},{ADMIN}")
    for origin in (APP, ADMIN):
        # When a frontend on either calls it
        got, answer_headers, _ = _call(handler, url, headers={"Origin": origin, **headers})
        # Then the answer names that origin, and says it depends on the Origin
        assert got == status
        assert answer_headers["access-control-allow-origin"] == origin
        assert "origin" in _vary(answer_headers)


def test_with_a_list_another_origin_gets_the_answer_without_cors(deploy: Callable[[str], Handler]) -> None:
    handler = deploy(f"{APP},{ADMIN}")
    status, headers, _ = _call(handler, "/api/portfolios/1/", headers={"Origin": "https://evil.example"})
    # The data is still sent (a browser then hides it from that page; curl never cared)
    assert status == 200
    assert "access-control-allow-origin" not in headers
    assert "origin" in _vary(headers)
    # And the caching headers keep what they say about the caller
    assert {"accept", "authorization"} <= _vary(headers)


@pytest.mark.parametrize(
    "path",
    ["/api/portfolios/", "/api/portfolios", "/api/portfolios/1/", "/api/portfolios/99", "/api/openapi.json"],
)
@pytest.mark.parametrize("origins", ["*", f"{APP},{ADMIN}"], ids=["any", "list"])
def test_a_preflight_is_answered_without_a_token(
    deploy: Callable[[str], Handler], path: str, origins: str
) -> None:
    # Given the function (its OPTIONS events have no authorizer: the request arrives without one)
    handler = deploy(origins)
    # When a browser asks whether it may GET with a token
    status, headers, body = _call(
        handler,
        path,
        method="OPTIONS",
        headers={
            "Origin": APP,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    # Then it may: no content, the template's methods, headers and cache time
    spec_env = functions(load_template())["ReadApiFunction"].environment
    assert (status, body) == (204, "")
    assert headers["access-control-allow-origin"] == ("*" if origins == "*" else APP)
    assert headers["access-control-allow-methods"] == "GET,HEAD,OPTIONS"
    assert headers["access-control-allow-headers"] == spec_env["CORS_ALLOWED_HEADERS"]
    assert headers["access-control-max-age"] == spec_env["CORS_MAX_AGE_S"]


def test_a_preflight_from_an_unlisted_origin_is_not_allowed(deploy: Callable[[str], Handler]) -> None:
    handler = deploy(f"{APP},{ADMIN}")
    status, headers, _ = _call(
        handler,
        "/api/portfolios/",
        method="OPTIONS",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    # 204 without Access-Control-Allow-Origin: the browser refuses to send the GET
    assert status == 204
    assert "access-control-allow-origin" not in headers


def test_without_the_cors_environment_nothing_is_opened(
    deploy: Callable[[str], Handler], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function deployed without CORS_ALLOWED_ORIGINS (not from this template)
    deploy("*")
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS")
    settings.cache_clear()
    handler = load_handler(functions(load_template())["ReadApiFunction"], ROOT)
    # Then no answer carries CORS headers
    _, headers, _ = _call(handler, "/api/portfolios/1/", headers={"Origin": APP})
    assert "access-control-allow-origin" not in headers


@pytest.mark.parametrize("origins", ["*", f"{APP},{ADMIN}"])
def test_a_frontend_may_read_the_etag_and_retry_after(deploy: Callable[[str], Handler], origins: str) -> None:
    # Given the function deployed for frontends on other origins
    handler = deploy(origins)
    # When one of them reads a portfolio
    _, answer_headers, _ = _call(handler, "/api/portfolios/1/", headers={"Origin": APP})
    # Then its code may read the ETag (to revalidate) and Retry-After (after a 503)
    exposed = {name.strip().lower() for name in answer_headers["access-control-expose-headers"].split(",")}
    assert {"etag", "retry-after"} <= exposed
