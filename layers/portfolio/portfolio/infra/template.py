"""What the tests and the local stack need from template.yaml.

Nothing here re-declares a table, an index or a route: it is all read from the template, so
the two cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_NAME = "template.yaml"


def find_template(start: Path | None = None) -> Path:
    """template.yaml of this checkout: looked up from ``start`` (default: the working
    directory), then next to this package."""
    candidates = [start or Path.cwd()]
    candidates.append(Path(__file__).resolve())
    for origin in candidates:
        for folder in (origin, *origin.parents):
            path = folder / TEMPLATE_NAME
            if path.is_file():
                return path
    raise FileNotFoundError(f"no {TEMPLATE_NAME} above {candidates[0]} or this package")


@cache
def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template as plain data (intrinsic functions as ``{"Ref": ...}`` / ``{"Fn::...": ...}``)."""
    from cfn_flip import load_yaml  # a dependency of the tools, not of the Lambda layer

    source = (path or find_template()).read_text(encoding="utf-8")
    # Round-trip through JSON to turn cfn-flip's ordered dicts into plain ones.
    return json.loads(json.dumps(load_yaml(source)))


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }


def dynamodb_table_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """CreateTable arguments (without TableName) for every AWS::DynamoDB::Table."""
    definitions = {}
    for logical_id, resource in resources(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        definition: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        definitions[logical_id] = definition
    return definitions


def global_environment(template: dict[str, Any]) -> dict[str, Any]:
    """Globals > Function > Environment > Variables."""
    return dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))


def table_environment(template: dict[str, Any]) -> dict[str, str]:
    """Environment variable -> logical id of the table it names (``!Ref SomeTable``), over
    the Globals and every function's own environment."""
    tables = set(resources(template, "AWS::DynamoDB::Table"))
    variables = dict(global_environment(template))
    for function in resources(template, "AWS::Serverless::Function").values():
        variables.update(function.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    return {
        name: value["Ref"]
        for name, value in variables.items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }


def create_tables(client: Any, names: dict[str, str], template: dict[str, Any] | None = None) -> None:
    """Create every table of the template that does not exist yet; ``names`` maps logical
    ids to physical names (default: the logical id)."""
    template = template or load_template()
    existing = set(client.list_tables().get("TableNames", []))
    for logical_id, definition in dynamodb_table_definitions(template).items():
        table_name = names.get(logical_id, logical_id)
        if table_name not in existing:
            client.create_table(TableName=table_name, **definition)


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """An ``Api`` event of a function: ``method`` ``path`` runs ``function`` (its logical id),
    with ``authorizer`` (None: the API's default) unless ``auth_none``."""

    function: str
    event: str
    method: str
    path: str
    code_uri: str
    handler: str
    authorizer: str | None
    auth_none: bool


def api_routes(template: dict[str, Any]) -> list[ApiRoute]:
    routes = []
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        props = function.get("Properties", {})
        for event_name, event in props.get("Events", {}).items():
            if event.get("Type") != "Api":
                continue
            event_props = event["Properties"]
            auth = event_props.get("Auth", {}) or {}
            authorizer = auth.get("Authorizer")
            routes.append(
                ApiRoute(
                    function=logical_id,
                    event=event_name,
                    method=event_props["Method"].upper(),
                    path=event_props["Path"],
                    code_uri=props["CodeUri"],
                    handler=props["Handler"],
                    authorizer=None if authorizer in (None, "NONE") else authorizer,
                    auth_none=authorizer == "NONE",
                )
            )
    return routes
