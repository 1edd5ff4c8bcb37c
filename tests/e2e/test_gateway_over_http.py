"""What API Gateway does in front of the functions, over HTTP on the local stack: the token
authorizer (401/403 with the template's gateway responses, the keyword in any case, a
decision cached for every route), unknown routes and methods (404 JSON), function errors."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10
DENIED = {"detail": "You do not have permission to perform this action."}


def _get(stack: RunningStack, path: str, authorization: str | None) -> requests.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return requests.get(f"{stack.api_url}{path}", headers=headers, allow_redirects=False, timeout=TIMEOUT_S)


@pytest.mark.parametrize("user", ["admin", "staff_4202"])
def test_admins_and_staff_with_the_permission_may_list_and_retrieve(stack: RunningStack, user: str) -> None:
    key = stack.tokens[user]
    assert _get(stack, "/api/portfolios/", f"Token {key}").status_code == 200
    assert _get(stack, "/api/portfolios/148/", f"Token {key}").status_code == 200


def test_the_keyword_is_case_insensitive(stack: RunningStack) -> None:
    assert _get(stack, "/api/portfolios/", f"token {stack.tokens['admin']}").status_code == 200
    assert _get(stack, "/api/portfolios/", f"TOKEN {stack.tokens['admin']}").status_code == 200


def test_staff_without_the_permission_get_a_403(stack: RunningStack) -> None:
    response = _get(stack, "/api/portfolios/", f"Token {stack.tokens['staff']}")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == DENIED


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Token",
        "Token ",
        "Token abc def",
        "Token 0000000000000000000000000000000000000000",
        "Bearer x",
    ],
    ids=["no header", "empty", "no key", "blank key", "spaces", "unknown key", "other scheme"],
)
def test_a_missing_or_bad_token_gets_a_401_asking_for_a_token(
    stack: RunningStack, authorization: str | None
) -> None:
    response = _get(stack, "/api/portfolios/", authorization)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_an_inactive_users_token_gets_a_401(stack: RunningStack) -> None:
    response = _get(stack, "/api/portfolios/", f"Token {stack.tokens['inactive']}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_cached_decision_serves_every_route_of_the_api(stack: RunningStack) -> None:
    # Given a token first used on the list (its Allow is cached for the stage's TTL)
    key = stack.tokens["staff_4202"]
    assert _get(stack, "/api/portfolios/?limit=1", f"Token {key}").status_code == 200
    # Then the same header is allowed on the other routes too, not only the first method ARN
    assert _get(stack, "/api/portfolios/148/", f"Token {key}").status_code == 200
    assert _get(stack, "/api/portfolios/150/?search=site", f"Token {key}").status_code in (200, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/nothing/"),
        ("GET", "/api/portfolios/148/extra/"),
        ("GET", "/"),
        ("POST", "/api/portfolios/"),
        ("DELETE", "/api/portfolios/148/"),
    ],
)
def test_an_unknown_path_or_method_is_a_json_404_with_or_without_a_token(
    stack: RunningStack, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": f"Token {stack.tokens['admin']}"}):
        response = requests.request(method, f"{stack.api_url}{path}", headers=headers, timeout=TIMEOUT_S)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_bad_input_is_answered_never_a_5xx(stack: RunningStack) -> None:
    admin = f"Token {stack.tokens['admin']}"
    for path in (
        "/api/portfolios/?limit=%FF%FE&search=%00",
        "/api/portfolios/%D8%A8/",
        "/api/portfolios/?id_min=abc&created_date=2023-13-45",
        "/api/portfolios/" + "x" * 2000 + "/",
    ):
        response = _get(stack, path, admin)
        assert 400 <= response.status_code < 500, path
        assert response.headers["Content-Type"] == "application/json", path


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "BREW"])
def test_any_other_method_is_the_templates_404_json(stack: RunningStack, method: str) -> None:
    # Given a method no route has (even one HTTP servers usually refuse themselves)
    response = requests.request(
        method,
        f"{stack.api_url}/api/portfolios/",
        headers={"Authorization": f"Token {stack.tokens['admin']}"},
        timeout=TIMEOUT_S,
    )
    # Then the answer is API Gateway's (the template's MISSING_AUTHENTICATION_TOKEN response)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/portfolios/", "/api/portfolios/148/", "/api/portfolios/999999/"])
def test_head_is_the_get_without_a_body_and_needs_the_token(stack: RunningStack, path: str) -> None:
    # Given what GET answers
    admin = {"Authorization": f"Token {stack.tokens['admin']}"}
    got = requests.get(f"{stack.api_url}{path}", headers=admin, timeout=TIMEOUT_S)
    # When HEAD asks the same, with and without the token
    head = requests.head(f"{stack.api_url}{path}", headers=admin, timeout=TIMEOUT_S)
    anonymous = requests.head(f"{stack.api_url}{path}", timeout=TIMEOUT_S)
    # Then it has the GET's status, type and ETag and no body, behind the same authorizer
    assert head.status_code == got.status_code
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.headers.get("ETag") == got.headers.get("ETag")
    assert head.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert head.content == b""
    assert anonymous.status_code == 401
