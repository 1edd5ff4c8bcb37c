"""Fuzzing the API over HTTP with schemathesis, from the OpenAPI document it serves.

``fuzz`` is meant to run in a child process of the test (``tests/e2e/test_fuzz_openapi.py``):
generating cases makes schemathesis patch Hypothesis for the whole process (falsifying
examples printed blank, a larger example buffer), which must not leak into the
property-based tests a pytest-xdist worker runs afterwards. So the request and its answer
come back as plain, picklable data, and a failure as its text.
"""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err
from schemathesis.specs.openapi.schemas import OpenApiSchema

from portfolio.api.routes import RETRIEVE_PATH

TIMEOUT_S = 10

# The checks that make "conforms to the document": no 5xx, a documented status, the
# documented content type, a body valid against the documented schema, documented headers
# valid against theirs. Left out on purpose: positive_data_acceptance and
# negative_data_rejection (the query parameters are documented as strings and read leniently,
# as the original reads them, so neither "valid" nor "invalid" input has a single answer),
# unsupported_method (an undeclared method is API Gateway's business: a 404 Gateway Response,
# tested in test_gateway_over_http), and the stateful checks (the only write, an upload form,
# has no link to follow).
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)


@dataclass(frozen=True)
class Campaign:
    """One caller's fuzzing run: every operation of ``document``, sent to ``api_url`` with
    ``authorization``; ``examples`` per operation that takes input (path or query parameters),
    ``examples_without_input`` for the others; ``negative_examples`` of requests outside the
    document on the operations with query parameters (none when 0)."""

    api_url: str
    document: dict
    authorization: str
    examples: int
    examples_without_input: int
    negative_examples: int = 0
    # Retrieves draw their id from these half of the time, so that fuzzed search and filters
    # meet stored portfolios, not only 404s.
    portfolio_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a campaign saw: answers by (operation, status), every operation the document has,
    and the first failure's report (a schemathesis failure names the check and carries a
    curl command that reproduces it), or None."""

    answers: dict[tuple[str, int], int] = field(default_factory=dict)
    operations: frozenset[str] = frozenset()
    failure: str | None = None

    @property
    def requests(self) -> int:
        return sum(self.answers.values())

    @property
    def statuses(self) -> set[int]:
        return {status for _, status in self.answers}


def _operations(api: OpenApiSchema) -> list[schemathesis.APIOperation]:
    operations = []
    for result in api.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


def _parameters_in(operation: schemathesis.APIOperation, *locations: ParameterLocation) -> bool:
    return any(parameter.location in locations for parameter in operation.iter_parameters())


def _settings(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        # The same requests on every run: CI results do not depend on luck.
        derandomize=True,
        database=None,
        deadline=None,
        # A loaded CI machine is slow to generate, and the answers are what is under test.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def _strategy(
    operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode, portfolio_ids: tuple[int, ...]
) -> st.SearchStrategy[schemathesis.Case]:
    generated = operation.as_strategy(mode)
    positive = mode is schemathesis.GenerationMode.POSITIVE
    if operation.path != RETRIEVE_PATH or not positive or not portfolio_ids:
        return generated
    stored = st.sampled_from(portfolio_ids).flatmap(
        lambda portfolio_id: operation.as_strategy(mode, path_parameters={"id": portfolio_id})
    )
    return st.one_of(generated, stored)


def _run(campaign: Campaign, api: OpenApiSchema, answers: Counter[tuple[str, int]]) -> None:
    headers = {"Authorization": campaign.authorization}
    checks = [getattr(schemathesis.checks, name) for name in CHECK_NAMES]
    plan: list[tuple[schemathesis.GenerationMode, schemathesis.APIOperation, int]] = []
    for operation in _operations(api):
        takes_input = _parameters_in(
            operation, ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.BODY
        )
        examples = campaign.examples if takes_input else campaign.examples_without_input
        plan.append((schemathesis.GenerationMode.POSITIVE, operation, examples))
    # A string path parameter has no value outside the document: only the query and the body
    # can be negated.
    for operation in _operations(api):
        if campaign.negative_examples and _parameters_in(
            operation, ParameterLocation.QUERY, ParameterLocation.BODY
        ):
            plan.append((schemathesis.GenerationMode.NEGATIVE, operation, campaign.negative_examples))

    with requests.Session() as session:
        for mode, operation, examples in plan:

            @hypothesis.given(case=_strategy(operation, mode, campaign.portfolio_ids))
            @_settings(examples)
            def answer_conforms(case: schemathesis.Case) -> None:
                response = case.call(
                    headers=headers, session=session, allow_redirects=False, timeout=TIMEOUT_S
                )
                answers[(case.operation.label, response.status_code)] += 1
                case.validate_response(response, checks=checks, headers=headers)

            answer_conforms()


def fuzz(campaign: Campaign) -> Outcome:
    """Run ``campaign``; every failure comes back as text (see the module's docstring)."""
    api = schemathesis.openapi.from_dict(campaign.document)
    api.config.update(base_url=campaign.api_url)
    operations = frozenset(operation.label for operation in _operations(api))
    answers: Counter[tuple[str, int]] = Counter()
    try:
        _run(campaign, api, answers)
    # schemathesis reports failed checks as an exception group that is not an Exception.
    except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 (every failure goes back as text)
        report = "".join(traceback.format_exception(error))
        return Outcome(answers=dict(answers), operations=operations, failure=report)
    return Outcome(answers=dict(answers), operations=operations)
