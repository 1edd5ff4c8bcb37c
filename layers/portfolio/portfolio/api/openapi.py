"""The OpenAPI document of the API (the read routes and the upload routes), generated from the code.

Powertools generates the skeleton from the resolver's routes (paths, operation ids, path
parameters); this module adds what lives elsewhere in the code: the query parameters (from
the domain's parsers), the response bodies (from ``portfolio.api.schemas``), the slash-less
301 forms, and the token security scheme. Imported only by the ``/api/openapi.json`` route.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portfolio.api import schemas
from portfolio.api.routes import LIST_PATH, OPENAPI_PATH, RETRIEVE_PATH
from portfolio.domain.ordering import ORDERING_FIELDS

TITLE = "Portfolio API"
VERSION = "1.0.0"

_COMPONENT_REF = "#/components/schemas/{model}"

# Every query parameter the list (and retrieve) reads. Values are strings on the wire: the
# API reads them leniently where the original does (limit, offset, booleans, ordering), so the
# schema does not narrow them further.
_QUERY_PARAMETERS: dict[str, str] = {
    "limit": "Page size: a positive integer, at most 100 (default 10; anything else means 10).",
    "offset": "Results to skip: a non-negative integer (default 0).",
    "search": "Terms (whitespace or comma separated, quoted phrases kept), each contained in "
    "title, slug, excerpt, year or employer name.",
    "ordering": f"Comma-separated fields, '-' for descending: {', '.join(ORDERING_FIELDS)}. "
    "Default: order,-created_at.",
    "id_min": "id >= value (a number).",
    "id_max": "id <= value (a number).",
    "created_date": "created_at's UTC date equals value (YYYY-MM-DD).",
    "updated_date": "updated_at's UTC date equals value (YYYY-MM-DD).",
    "created_from": "created_at >= value (date or ISO 8601 datetime).",
    "created_to": "created_at <= value (a bare date covers that whole UTC day).",
    "updated_from": "updated_at >= value.",
    "updated_to": "updated_at <= value (a bare date covers that whole UTC day).",
    "has_image": "true/1 or false/0: cover image present or absent.",
    "has_description": "true/1 or false/0: description non-empty or empty.",
    "has_employer": "true/1 or false/0: employer present or absent.",
    "order_min": "order >= value.",
    "order_max": "order <= value.",
    "completed_at_from": "completed_at >= value (portfolios without completed_at never match).",
    "completed_at_to": "completed_at <= value.",
    "employer_id": "The employer's id.",
    "tag_id": "Has this tag.",
    "tags_in": "Comma-separated tag ids: has at least one of them.",
    "is_active": "true/1 or false/0.",
}


def query_parameter_names() -> tuple[str, ...]:
    return tuple(_QUERY_PARAMETERS)


def _query_parameters(*, paginated: bool) -> list[dict[str, Any]]:
    skip = set() if paginated else {"limit", "offset", "ordering"}
    return [
        {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
        for name, text in _QUERY_PARAMETERS.items()
        if name not in skip
    ]


def _json(model_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _COMPONENT_REF.format(model=model_name)}}},
    }


_NOT_MODIFIED = {
    "description": "Not modified: If-None-Match named the current ETag (no body)",
    "headers": {"ETag": {"schema": {"type": "string"}}},
}


# What the API's authorizer answers in front of every route (template.yaml: the slash-less
# forms and this document included): a refused token, a user without the permission, or the
# authorizer unable to decide (it fails closed).
_AUTHORIZER_RESPONSES = {
    "401": _json("ErrorDetail", "Missing, malformed, unknown or revoked token, or inactive user"),
    "403": _json("ErrorDetail", "The token's user is neither an admin nor staff with permission 4202"),
    "503": _json("ErrorDetail", "DynamoDB is unavailable after bounded retries; retry later"),
}


def _error_responses(*, not_found: bool) -> dict[str, Any]:
    responses = {
        "400": {
            "description": "Invalid filter values (every bad parameter with its messages), or a "
            "search holding a NUL character",
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": _COMPONENT_REF.format(model="FilterErrors")},
                            {"$ref": _COMPONENT_REF.format(model="SearchErrors")},
                        ]
                    }
                }
            },
        },
        **_AUTHORIZER_RESPONSES,
    }
    if not_found:
        responses["404"] = _json("ErrorDetail", "No such portfolio, or it does not match the filters")
    return responses


def _redirect(canonical: str) -> dict[str, Any]:
    # OpenAPI requires every templated path segment ({id}) to be declared as a parameter.
    path_parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", canonical)
    ]
    return {
        "get": {
            "summary": f"Redirects to {canonical}",
            "description": "Django's APPEND_SLASH: the same URL with the slash added, query kept.",
            "operationId": "redirect_" + re.sub(r"\W+", "_", canonical).strip("_"),
            "parameters": path_parameters,
            "responses": {
                "301": {
                    "description": "Moved permanently",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
                "404": _json("ErrorDetail", "No such route"),
                **_AUTHORIZER_RESPONSES,
            },
        }
    }


UPLOADS_PATH = "/api/uploads/"
UPLOAD_PATH = "/api/uploads/{upload_id}/"

# The upload routes' callers: admins and staff with UploadPermission (the authorizer's policy).
_UPLOAD_AUTHORIZER_RESPONSES = {
    **_AUTHORIZER_RESPONSES,
    "403": _json("ErrorDetail", "The token's user is neither an admin nor staff with the upload permission"),
}
_NO_STORE = {"Cache-Control": {"schema": {"type": "string", "const": "no-store"}}}


def _upload_paths() -> dict[str, Any]:
    """The upload API (UploadsFunction; docs/images.md): its routes share this document."""
    upload_id = {
        "name": "upload_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The upload's id (anything else is a 404)",
    }
    create = {
        "summary": "Ask for an upload form",
        "description": "Checks the request (file, type, size, name, attachments and that their targets "
        "exist) and answers a presigned S3 POST for one key under uploads/, valid 15 minutes.",
        "operationId": "createUpload",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": _COMPONENT_REF.format(model="UploadRequest")}}
            },
        },
        "responses": {
            "201": {**_json("UploadForm", "The form to post the file with"), "headers": _NO_STORE},
            "400": {
                "description": "Bad fields (each with its messages), or a body that is not JSON",
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": _COMPONENT_REF.format(model="UploadErrors")},
                                {"$ref": _COMPONENT_REF.format(model="ErrorDetail")},
                            ]
                        }
                    }
                },
            },
            "415": _json("ErrorDetail", "A body of another type than application/json"),
            **_UPLOAD_AUTHORIZER_RESPONSES,
        },
    }
    status = {
        "summary": "Where an upload stands",
        "description": "pending until the thumbnails function has processed the upload and made its "
        "attachments, then ready (image_data) or failed (error). Only the upload's owner, or an admin.",
        "operationId": "getUpload",
        "parameters": [upload_id],
        "responses": {
            "200": {**_json("UploadStatus", "The upload's status"), "headers": _NO_STORE},
            "404": _json("ErrorDetail", "No such upload, or another editor's"),
            **_UPLOAD_AUTHORIZER_RESPONSES,
        },
    }
    redirect = _redirect(UPLOAD_PATH)
    redirect["get"]["responses"].update(_UPLOAD_AUTHORIZER_RESPONSES)
    return {
        UPLOADS_PATH: {"post": create},
        UPLOAD_PATH: {"get": status},
        UPLOAD_PATH.rstrip("/"): redirect,
    }


def _components() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        schemas.PortfolioPage,
        schemas.PortfolioDetail,
        schemas.ErrorDetail,
        schemas.FilterErrors,
        schemas.SearchErrors,
        schemas.UploadRequest,
        schemas.UploadForm,
        schemas.UploadStatus,
        schemas.UploadErrors,
    ]
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template=_COMPONENT_REF
    )
    return definitions["$defs"]


def openapi_document(app: ApiGatewayResolver, *, server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``, served at ``server_url`` (the API's base)."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description="Read API of the portfolio catalogue (contract: shared/spec/portfolio-api.md), "
            "and the upload API editors add images with (docs/images.md).",
            servers=None,
        )
    )
    paths = document.get("paths", {})
    # Powertools keys routes without their trailing slash; the API's canonical URLs have one.
    list_operation = paths.pop(LIST_PATH.rstrip("/"), {}).get("get", {})
    retrieve_operation = paths.pop(RETRIEVE_PATH.rstrip("/"), {}).get("get", {})
    openapi_operation = paths.pop(OPENAPI_PATH, {}).get("get", {})

    list_operation.update(
        summary="List portfolios",
        operationId="listPortfolios",
        parameters=_query_parameters(paginated=True),
        responses={
            "200": _json("PortfolioPage", "A page of portfolios"),
            "304": _NOT_MODIFIED,
            **_error_responses(not_found=False),
        },
    )
    retrieve_operation.update(
        summary="Retrieve a portfolio",
        operationId="retrievePortfolio",
        parameters=[
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
                "description": "The portfolio's id (anything else is a 404)",
            },
            *_query_parameters(paginated=False),
        ],
        responses={
            "200": _json("PortfolioDetail", "The portfolio"),
            "304": _NOT_MODIFIED,
            **_error_responses(not_found=True),
        },
    )
    openapi_operation.update(
        summary="This document",
        operationId="openapiDocument",
        responses={
            "200": {"description": "The OpenAPI document", "content": {"application/json": {}}},
            **_AUTHORIZER_RESPONSES,
        },
    )
    document["paths"] = {
        LIST_PATH: {"get": list_operation},
        LIST_PATH.rstrip("/"): _redirect(LIST_PATH),
        RETRIEVE_PATH: {"get": retrieve_operation},
        RETRIEVE_PATH.rstrip("/"): _redirect(RETRIEVE_PATH),
        OPENAPI_PATH: {"get": openapi_operation},
        **_upload_paths(),
        **paths,
    }
    document["servers"] = [{"url": server_url}]
    components = document.setdefault("components", {})
    components["schemas"] = _components()
    components["securitySchemes"] = {
        "TokenAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'DRF token authentication: "Token <key>"',
        }
    }
    document["security"] = [{"TokenAuth": []}]
    return document
