"""template.yaml and the code agree: every table the code reads is declared there with the
keys, indexes and projections its pynamodb model expects, under the environment variable the
code reads. A drift here would fail at deploy time or, worse, at the first request."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.config import DEFAULT_TABLE_NAMES, TABLE_ENV_VARS
from portfolio.data.models import ALL_MODELS
from portfolio.infra.template import (
    dynamodb_table_definitions,
    global_environment,
    load_template,
    table_environment,
)

pytestmark = pytest.mark.unit


def _sorted(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def _model_indexes(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        index["index_name"]: {
            "KeySchema": _sorted(index["key_schema"], "KeyType"),
            "ProjectionType": index["projection"]["ProjectionType"],
            "NonKeyAttributes": sorted(index["projection"].get("NonKeyAttributes", [])),
        }
        for index in schema.get("global_secondary_indexes", [])
    }


def _template_indexes(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        index["IndexName"]: {
            "KeySchema": _sorted(index["KeySchema"], "KeyType"),
            "ProjectionType": index["Projection"]["ProjectionType"],
            "NonKeyAttributes": sorted(index["Projection"].get("NonKeyAttributes", [])),
        }
        for index in definition.get("GlobalSecondaryIndexes", [])
    }


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_every_model_matches_its_table_in_the_template(model: Any) -> None:
    # Given the template's tables (the test environment names each table by its logical id)
    definitions = dynamodb_table_definitions(load_template())
    # When we look up the model's table
    table = model.Meta.table_name
    assert table in definitions, f"{model.__name__} reads {table}, which template.yaml does not declare"
    definition = definitions[table]
    schema = model._get_schema()
    # Then keys, attribute types, indexes and projections are the same
    assert _sorted(schema["key_schema"], "AttributeName") == _sorted(definition["KeySchema"], "AttributeName")
    assert _sorted(schema["attribute_definitions"], "AttributeName") == _sorted(
        definition["AttributeDefinitions"], "AttributeName"
    )
    assert _model_indexes(schema) == _template_indexes(definition)


def test_every_table_in_the_template_has_a_model() -> None:
    declared = set(dynamodb_table_definitions(load_template()))
    modelled = {model.Meta.table_name for model in ALL_MODELS}
    # Tables the code reads through another library (Powertools idempotency) are not models.
    unmodelled = declared - modelled
    assert all("Idempotency" in name for name in unmodelled), unmodelled


def test_the_code_reads_the_table_environment_names_the_template_sets() -> None:
    # Given the environment variables the template gives every function
    from_template = table_environment(load_template())
    # Then config reads exactly those names, and its defaults are the tables' logical ids
    assert set(TABLE_ENV_VARS) <= set(from_template)
    for variable in TABLE_ENV_VARS:
        assert DEFAULT_TABLE_NAMES[variable] == from_template[variable]


def test_the_template_sets_the_media_settings_the_code_reads() -> None:
    variables = global_environment(load_template())
    assert {"MEDIA_BUCKET", "MEDIA_BASE_URL", "POWERTOOLS_SERVICE_NAME"} <= set(variables)
