"""GET /api/openapi.json: the OpenAPI 3.1 document generated from the code, valid, and
describing both routes, every query parameter of the contract and every documented status.
Real responses validate against the schemas it publishes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from tests.integration.support import EXECUTE_API_HOST, call, catalogue, employer, image, portfolio, tag

pytestmark = pytest.mark.integration

FILTERS = [
    "id_min",
    "id_max",
    "created_date",
    "updated_date",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "has_image",
    "has_description",
    "has_employer",
    "order_min",
    "order_max",
    "completed_at_from",
    "completed_at_to",
    "employer_id",
    "tag_id",
    "tags_in",
    "is_active",
]


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Any]]:
    items = [
        portfolio(
            1,
            image_data=image(10),
            employer_data=employer(1, "Snapp", image_data=image(11)),
            tags_data=[tag(1)],
            images_data=[image(12), image(13, thumbnails=False)],
            meta=[
                {"id": 1, "key": "client", "value_text": "x", "value_file": None},
                {
                    "id": 2,
                    "key": "brochure",
                    "value_text": None,
                    "value_file": {
                        "id": 20,
                        "type": "document",
                        "name": "brochure.pdf",
                        "size": 1000,
                        "human_readable_size": "1000 B",
                        "f": "http://localhost:8000/media/core_media/2024/01/01/brochure.pdf",
                    },
                },
            ],
            description="described",
            completed_at="2024-01-01T00:00:00Z",
        ),
        portfolio(2),
    ]
    with catalogue(items):
        reply = call("/api/openapi.json")
        assert reply.status == 200, reply.text[:500]
        yield reply.body


@pytest.fixture(autouse=True)
def aws(served: dict[str, Any]) -> None:
    """This module's tests only read: they share the module's catalogue (no fresh tables)."""


def _operation(document: dict[str, Any], path: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path]["get"]
    return operation


def _parameters(operation: dict[str, Any], where: str) -> list[str]:
    return [parameter["name"] for parameter in operation["parameters"] if parameter["in"] == where]


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A JSON Schema validator for ``schema``, its $refs resolved in ``document``."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def test_the_document_is_json_served_on_the_api() -> None:
    reply = call("/api/openapi.json")

    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    assert reply.body["servers"] == [{"url": f"https://{EXECUTE_API_HOST}/Prod"}]


def test_the_document_is_a_valid_openapi_3_1_document(served: dict[str, Any]) -> None:
    assert served["openapi"].startswith("3.1")

    OpenAPIV31SpecValidator(served).validate()


def test_the_list_is_described_with_every_query_parameter(served: dict[str, Any]) -> None:
    operation = _operation(served, "/api/portfolios/")

    assert sorted(_parameters(operation, "query")) == sorted(
        ["limit", "offset", "search", "ordering", *FILTERS]
    )
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


def test_the_retrieve_is_described_with_its_id_search_and_filters(served: dict[str, Any]) -> None:
    operation = _operation(served, "/api/portfolios/{id}/")

    assert _parameters(operation, "path") == ["id"]
    assert sorted(_parameters(operation, "query")) == sorted(["search", *FILTERS])
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])


@pytest.mark.parametrize("path", ["/api/portfolios", "/api/portfolios/{id}"])
def test_the_slashless_forms_are_described_as_301_with_a_location(served: dict[str, Any], path: str) -> None:
    responses = _operation(served, path)["responses"]

    assert "301" in responses
    assert "Location" in responses["301"]["headers"]


def test_a_real_list_page_validates_against_the_documented_200_schema(served: dict[str, Any]) -> None:
    schema = _operation(served, "/api/portfolios/")["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    reply = call("/api/portfolios/?limit=1")

    _validator(served, schema).validate(reply.body)
    assert reply.body["next"] is not None


def test_a_real_retrieve_validates_against_the_documented_200_schema(served: dict[str, Any]) -> None:
    schema = _operation(served, "/api/portfolios/{id}/")["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    reply = call("/api/portfolios/1/")

    _validator(served, schema).validate(reply.body)


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/portfolios/?id_min=x&created_date=y", "/api/portfolios/", "400"),
        ("/api/portfolios/?search=%00", "/api/portfolios/", "400"),
        ("/api/portfolios/9/", "/api/portfolios/{id}/", "404"),
        ("/api/portfolios/x/", "/api/portfolios/{id}/", "404"),
    ],
)
def test_real_errors_validate_against_the_documented_schemas(
    served: dict[str, Any], url: str, path: str, status: str
) -> None:
    schema = _operation(served, path)["responses"][status]["content"]["application/json"]["schema"]
    reply = call(url)

    assert str(reply.status) == status
    _validator(served, schema).validate(reply.body)


def test_the_schemas_reject_a_body_that_breaks_the_contract(served: dict[str, Any]) -> None:
    # The published schema is strict enough to catch a drifted response: an unknown field
    schema = _operation(served, "/api/portfolios/{id}/")["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    body = call("/api/portfolios/1/").body

    with pytest.raises(jsonschema.ValidationError):
        _validator(served, schema).validate({**body, "year": 2024})
