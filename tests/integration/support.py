"""Calling the read API handler the way API Gateway does, and building catalogues for it.

``call(url)`` runs ``functions.read_api.app.lambda_handler`` on a REST proxy event and gives
back the status, the headers, the parsed body and every DynamoDB request the call made
(recorded with botocore event hooks on the clients of the data layer). Every call checks
that no request was a Scan: the contract's "no request path ever scans a table" holds for
every API call the integration suite makes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto import mock_aws
from pynamodb.models import Model

from portfolio.infra.template import create_tables
from tests.support.catalogue import FIXTURE_MEDIA_BASE, import_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

EXECUTE_API_HOST = "abc.execute-api.eu-west-1.amazonaws.com"
# What the test environment serves media from (tests/conftest.py).
MEDIA_BASE = "http://media.example.test/media"

LIST_FIELDS = [
    "id",
    "title",
    "slug",
    "excerpt",
    "order",
    "image_data",
    "employer_data",
    "tags_data",
    "links_data",
    "is_active",
    "completed_at",
    "created_at",
    "updated_at",
]
DETAIL_FIELDS = [*LIST_FIELDS, "description", "images_data", "meta"]

IMAGE_FIELDS = [
    "id",
    "type",
    "name",
    "size",
    "human_readable_size",
    "f",
    "width",
    "height",
    "mode",
    "thumbnails",
]


# --- DynamoDB requests -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DynamoDBRequest:
    operation: str  # "Query", "GetItem", "BatchGetItem", "Scan", ...
    tables: tuple[str, ...]
    index: str | None


class _Recorder:
    """Collects the DynamoDB requests made while ``recording`` is on."""

    HOOK_ID = "portfolio-integration-tests-request-recorder"

    def __init__(self) -> None:
        self.requests: list[DynamoDBRequest] = []
        self.recording = False

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.recording:
            return
        tables = (params["TableName"],) if "TableName" in params else tuple(params.get("RequestItems", ()))
        self.requests.append(DynamoDBRequest(model.name, tables, params.get("IndexName")))

    def attach(self) -> None:
        """Hook every client the data layer uses (pynamodb keeps one per model class and may
        replace it, so this runs before each call; botocore ignores a repeated unique id)."""
        from portfolio.data import models

        for candidate in vars(models).values():
            is_table = isinstance(candidate, type) and issubclass(candidate, Model)
            if is_table and getattr(getattr(candidate, "Meta", None), "table_name", None):
                client = candidate._get_connection().connection.client
                client.meta.events.register("before-parameter-build.dynamodb", self, unique_id=self.HOOK_ID)


_RECORDER = _Recorder()


@contextmanager
def dynamodb_requests() -> Iterator[list[DynamoDBRequest]]:
    """The DynamoDB requests the data layer makes inside the block."""
    _RECORDER.attach()
    _RECORDER.requests = []
    _RECORDER.recording = True
    try:
        yield _RECORDER.requests
    finally:
        _RECORDER.recording = False


# --- Calling the handler -----------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names lower-cased
    text: str
    requests: list[DynamoDBRequest] = field(default_factory=list)

    @property
    def body(self) -> Any:
        return json.loads(self.text) if self.text else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def ids(self) -> list[int]:
        """The ids of a list page's results, in order."""
        return [item["id"] for item in self.body["results"]]


def invoke(event: dict[str, Any]) -> Reply:
    """Run the read API's Lambda handler on ``event`` (no Scan allowed)."""
    from functions.read_api.app import lambda_handler

    with dynamodb_requests() as requests:
        response = lambda_handler(event, FakeLambdaContext())
    scans = [request for request in requests if request.operation == "Scan"]
    assert not scans, f"{event['path']} scanned: {scans}"
    headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ", ".join(values)
    body = response.get("body") or ""
    assert not response.get("isBase64Encoded"), "the API answers text"
    return Reply(status=response["statusCode"], headers=headers, text=body, requests=list(requests))


def call(
    url: str,
    *,
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    host: str = EXECUTE_API_HOST,
    stage: str = "Prod",
    adjust: Callable[[dict[str, Any]], None] | None = None,
) -> Reply:
    """GET ``url`` (a path with an optional query string) through API Gateway's proxy event.

    ``query`` gives the decoded parameters explicitly (values API Gateway would decode, such
    as a NUL); ``adjust`` may edit the event before the call (e.g. a custom domain).
    """
    event = api_event(url, headers=headers, query=query, stage=stage, host=host)
    if adjust is not None:
        adjust(event)
    return invoke(event)


def walk(url: str, **options: Any) -> tuple[list[int], list[Reply]]:
    """Follow ``next`` from ``url`` until it is null: every result id, and every page."""
    pages = [call(url, **options)]
    while (next_url := pages[-1].body["next"]) is not None:
        prefix = f"https://{EXECUTE_API_HOST}/Prod"
        assert next_url.startswith(prefix), next_url
        pages.append(call(next_url.removeprefix(prefix), **options))
        assert len(pages) < 1000, "next never ends"
    return [pid for page in pages for pid in page.ids()], pages


def as_served(value: Any) -> Any:
    """An object of the shared data set as this deployment serves it: ``f`` URLs on the test
    media host and no ``year`` (imported, searchable and sortable, but never shown)."""
    if isinstance(value, dict):
        return {
            key: (item.replace(FIXTURE_MEDIA_BASE, MEDIA_BASE, 1) if key == "f" else as_served(item))
            for key, item in value.items()
            if key != "year"
        }
    if isinstance(value, list):
        return [as_served(item) for item in value]
    return value


def list_item(value: dict[str, Any]) -> dict[str, Any]:
    """The list's view of a served portfolio: the detail-only fields left out."""
    return {name: value[name] for name in LIST_FIELDS}


# --- Catalogues --------------------------------------------------------------------------


@contextmanager
def catalogue(items: list[dict[str, Any]]) -> Iterator[None]:
    """Fresh tables of template.yaml in moto holding ``items`` (the contract's import format).

    For module-scoped fixtures of modules whose tests only read: the per-test ``aws`` fixture
    is then overridden by one that depends on the module's catalogue.
    """
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        import_portfolios(items)
        yield


_BASE_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def timestamp(value: dt.datetime) -> str:
    """A datetime as the original renders it (UTC, ``Z``)."""
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def image(
    media_id: int,
    *,
    name: str | None = None,
    size: int = 2048,
    human_readable_size: str | None = None,
    key: str | None = None,
    width: int | None = 800,
    height: int | None = 600,
    mode: str | None = "RGB",
    thumbnails: bool = True,
) -> dict[str, Any]:
    """An ``image_data`` object in the original's layout (thumbnails ids ``media_id * 10 + n``)."""
    from portfolio.domain.rendering import human_readable_size as readable

    stem = f"picture_{media_id}"
    key = key or f"core_media/2024/05/06/{stem}.png"
    folder, _, file_name = key.rpartition("/")
    file_stem, _, suffix = file_name.rpartition(".")
    return {
        "id": media_id,
        "type": "image",
        "name": name or file_name,
        "size": size,
        "human_readable_size": human_readable_size or readable(size),
        "f": f"{FIXTURE_MEDIA_BASE}/{key}",
        "width": width,
        "height": height,
        "mode": mode,
        "thumbnails": [
            {
                "id": media_id * 10 + position,
                "f": f"{FIXTURE_MEDIA_BASE}/{folder}/thumbnails/{file_stem}_thumbnail_{edge}x{edge}.{suffix}",
                "size": edge,
            }
            for position, edge in enumerate((64, 128, 512, 1080), start=1)
        ]
        if thumbnails
        else [],
    }


def employer(employer_id: int, name: str, *, image_data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": employer_id, "name": name, "image_data": image_data, "description": f"about {name}"}


def tag(tag_id: int, name: str | None = None) -> dict[str, Any]:
    return {"id": tag_id, "name": name or f"tag-{tag_id}", "image_data": None}


def portfolio(portfolio_id: int, **fields: Any) -> dict[str, Any]:
    """A portfolio in the import format: plain defaults (distinct title, slug and creation
    time per id), overridden by ``fields``."""
    created = _BASE_TIME + dt.timedelta(days=portfolio_id)
    item: dict[str, Any] = {
        "id": portfolio_id,
        "title": f"Portfolio {portfolio_id}",
        "slug": f"portfolio-{portfolio_id}",
        "excerpt": "",
        "order": 0,
        "image_data": None,
        "employer_data": None,
        "tags_data": [],
        "links_data": [],
        "is_active": True,
        "completed_at": None,
        "created_at": timestamp(created),
        "updated_at": timestamp(created + dt.timedelta(hours=1)),
        "description": None,
        "images_data": [],
        "meta": [],
    }
    unknown = set(fields) - {*item, "year"}
    assert not unknown, f"not a portfolio field: {unknown}"
    item.update(fields)
    return item
