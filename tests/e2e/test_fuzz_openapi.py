"""Property-based fuzzing over HTTP (issue 6, "Bad input"): schemathesis generates requests
from the OpenAPI document the local stack serves at ``/api/openapi.json``, and every answer
must be one the document promises: never a 5xx, a status documented for the operation, the
documented content type, a body valid against the documented schema, documented headers
valid against theirs (``tests/support/fuzzing.py`` says which checks, and why not others).

Callers: an admin and a staff user with permission 4202 (their requests reach the function:
200, 301, 400, 404; the admin's also go outside the document: unknown parameters, missing
or garbled headers, upload requests the schema refuses), an editor (the read routes and the
upload routes: 201 forms, 400 refusals, 404 for unknown uploads; the 4202 user gets the
authorizer's 403 there), a staff user without the permission (403 from the authorizer), an
inactive user's token and a key nobody holds (401). Every operation of the document is
fuzzed, the slash-less 301 forms and the document itself included.

Deterministic for CI: Hypothesis is derandomized and keeps no example database, and the
session's stack imports the shared data set, so every run sends the same requests to the
same data. Bounded: about 750 requests (at least 300 are required), about 40 s on a 2-core
machine, run by ``make test`` beside the other levels. Each campaign runs in a child process
(``tests/support/fuzzing.py`` says why).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest
import requests

from portfolio.api.routes import LIST_PATH, OPENAPI_PATH, RETRIEVE_PATH
from tests.e2e.stack import RunningStack
from tests.support.fuzzing import Campaign, Outcome, fuzz

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10
# Far above what a campaign takes; a hung stack fails the test instead of CI's whole run.
CAMPAIGN_TIMEOUT_S = 240
# The floor, met by the admin's campaign alone.
MIN_REQUESTS = 300
# What a permitted caller's requests reach (the authorizer's 401 and 403 are the refused
# callers' tests).
REACHED_BY_A_PERMITTED_CALLER = {200, 301, 400, 404}
NOBODYS_KEY = "0" * 40

Fuzzer = Callable[[Campaign], Outcome]


@pytest.fixture(scope="module")
def fuzzer() -> Iterator[Fuzzer]:
    # One child process for the module ("spawn": this process runs threads, which fork copies
    # badly); it imports schemathesis once and serves every campaign.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield lambda campaign: executor.submit(fuzz, campaign).result(timeout=CAMPAIGN_TIMEOUT_S)


def _admin(stack: RunningStack) -> dict[str, str]:
    return {"Authorization": f"Token {stack.tokens['admin']}"}


@pytest.fixture(scope="module")
def document(stack: RunningStack) -> dict:
    response = requests.get(f"{stack.api_url}{OPENAPI_PATH}", headers=_admin(stack), timeout=TIMEOUT_S)
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def portfolio_ids(stack: RunningStack) -> tuple[int, ...]:
    """The id of every portfolio the stack holds, walking the list's ``next`` links."""
    ids: list[int] = []
    url: str | None = f"{stack.api_url}{LIST_PATH}?limit=100"
    while url is not None:
        page = requests.get(url, headers=_admin(stack), timeout=TIMEOUT_S).json()
        ids.extend(portfolio["id"] for portfolio in page["results"])
        url = page["next"]
    assert ids
    return tuple(ids)


def _conformed(outcome: Outcome) -> None:
    if outcome.failure is not None:
        pytest.fail(f"a fuzzed request got an answer the document does not allow:\n{outcome.failure}")


def test_an_admins_fuzzed_requests_get_documented_answers_never_a_5xx(
    stack: RunningStack, document: dict, portfolio_ids: tuple[int, ...], fuzzer: Fuzzer
) -> None:
    # When an admin sends generated requests to every operation, inside the document and out
    outcome = fuzzer(
        Campaign(
            api_url=stack.api_url,
            document=document,
            authorization=f"Token {stack.tokens['admin']}",
            examples=120,
            examples_without_input=12,
            negative_examples=60,
            portfolio_ids=portfolio_ids,
        )
    )
    # Then every answer conformed
    _conformed(outcome)
    # And the run was large enough to reach every answer the function gives, stored portfolios too
    assert outcome.requests >= MIN_REQUESTS, outcome.answers
    assert outcome.statuses >= REACHED_BY_A_PERMITTED_CALLER, outcome.answers
    assert outcome.answers.get((f"GET {RETRIEVE_PATH}", 200), 0) > 0, outcome.answers
    assert {operation for operation, _ in outcome.answers} == outcome.operations


def test_an_editors_fuzzed_requests_get_documented_answers_uploads_included(
    stack: RunningStack, document: dict, portfolio_ids: tuple[int, ...], fuzzer: Fuzzer
) -> None:
    # When an editor (reads and uploads) sends generated requests, bodies of upload requests
    # inside the schema and outside it
    outcome = fuzzer(
        Campaign(
            api_url=stack.api_url,
            document=document,
            authorization=f"Token {stack.tokens['editor']}",
            examples=40,
            examples_without_input=6,
            negative_examples=30,
            portfolio_ids=portfolio_ids,
        )
    )
    # Then every answer conformed, forms were handed out and bad requests refused
    _conformed(outcome)
    assert outcome.answers.get(("POST /api/uploads/", 201), 0) > 0, outcome.answers
    assert outcome.answers.get(("POST /api/uploads/", 400), 0) > 0, outcome.answers
    assert outcome.answers.get(("GET /api/uploads/{upload_id}/", 404), 0) > 0, outcome.answers


def test_fuzzed_requests_of_staff_with_the_permission_get_documented_answers(
    stack: RunningStack, document: dict, portfolio_ids: tuple[int, ...], fuzzer: Fuzzer
) -> None:
    outcome = fuzzer(
        Campaign(
            api_url=stack.api_url,
            document=document,
            authorization=f"Token {stack.tokens['staff_4202']}",
            examples=40,
            examples_without_input=6,
            portfolio_ids=portfolio_ids,
        )
    )
    _conformed(outcome)
    assert outcome.statuses >= REACHED_BY_A_PERMITTED_CALLER, outcome.answers


@pytest.mark.parametrize(
    ("caller", "status"),
    [("staff", 403), ("inactive", 401), (None, 401)],
    ids=["staff without the permission", "inactive user", "a key nobody holds"],
)
def test_a_refused_callers_fuzzed_requests_all_get_the_authorizers_documented_answer(
    stack: RunningStack, document: dict, fuzzer: Fuzzer, caller: str | None, status: int
) -> None:
    key = stack.tokens[caller] if caller is not None else NOBODYS_KEY
    outcome = fuzzer(
        Campaign(
            api_url=stack.api_url,
            document=document,
            authorization=f"Token {key}",
            examples=12,
            examples_without_input=3,
        )
    )
    _conformed(outcome)
    # Every operation, the slash-less forms and the document included, is behind the authorizer
    assert outcome.statuses == {status}, outcome.answers
    assert {operation for operation, _ in outcome.answers} == outcome.operations


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        (LIST_PATH, {"200", "400", "401", "403"}),
        (LIST_PATH.rstrip("/"), {"301", "401", "403"}),
        (RETRIEVE_PATH, {"200", "400", "401", "403", "404"}),
        (RETRIEVE_PATH.rstrip("/"), {"301", "401", "403", "404"}),
        (OPENAPI_PATH, {"200", "401", "403"}),
    ],
)
def test_every_answer_the_fuzzing_meets_is_documented(document: dict, path: str, statuses: set[str]) -> None:
    assert statuses <= set(document["paths"][path]["get"]["responses"])
