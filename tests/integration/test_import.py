"""`portfolio import FILE`: the contract's import format in, the same objects out of the API.

Round trip on the shared data set (a dump of the original API): after the import, reading
every portfolio back through the retrieve handler gives the input objects, ids included;
only the host of `f` URLs may differ (here the media base URL of the test environment).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.read_api.app import lambda_handler
from portfolio.cli import main as portfolio_cli
from portfolio.domain.rendering import human_readable_size
from portfolio.infra.template import dynamodb_table_definitions, load_template
from tests.support.catalogue import FIXTURE, FIXTURE_MEDIA_BASE, fixture_portfolios
from tests.support.context import FakeLambdaContext
from tests.support.events import api_event

pytestmark = pytest.mark.integration

TEST_MEDIA_BASE = "http://media.example.test/media"


def _get(url: str) -> tuple[int, Any]:
    response = lambda_handler(api_event(url), FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None


def _as_served(value: Any) -> Any:
    """The fixture as this deployment serves it: same objects, `f` on this media host."""
    if isinstance(value, dict):
        return {
            key: (item.replace(FIXTURE_MEDIA_BASE, TEST_MEDIA_BASE, 1) if key == "f" else _as_served(item))
            for key, item in value.items()
            if key != "year"  # imported (search and ordering use it) but not exposed
        }
    if isinstance(value, list):
        return [_as_served(item) for item in value]
    return value


def _normalized(item: dict[str, Any]) -> str:
    # Sets come back in any order: compare them sorted.
    return json.dumps(
        {
            name: ({kind: sorted(value)} if kind in ("NS", "SS") else {kind: value})
            for name, attribute in item.items()
            for kind, value in attribute.items()
        },
        sort_keys=True,
    )


def _table_contents() -> dict[str, list[str]]:
    client = boto3.client("dynamodb")
    contents = {}
    for table in dynamodb_table_definitions(load_template()):
        items = client.scan(TableName=table)["Items"]  # a test's look at the tables, never a request's
        # The change feed says that cards were written, not what the catalogue holds.
        items = [item for item in items if not item.get("name", {}).get("S", "").startswith("catalogue-")]
        contents[table] = sorted(_normalized(item) for item in items)
    return contents


def test_every_portfolio_reads_back_as_imported(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the shared data set imported with the console script
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    assert "imported 122 portfolios" in capsys.readouterr().out
    # When each portfolio is read back through the API
    for expected in fixture_portfolios():
        status, body = _get(f"/api/portfolios/{expected['id']}/")
        # Then it is the input object (field order included), `f` on this host
        assert status == 200
        assert list(body) == [key for key in expected if key != "year"]
        assert body == _as_served(expected), expected["id"]


def test_the_list_holds_every_imported_portfolio_once() -> None:
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    ids: list[int] = []
    url: str | None = "/api/portfolios/?limit=100"
    while url:
        status, page = _get(url)
        assert status == 200
        ids += [item["id"] for item in page["results"]]
        url = page["next"].split("/Prod", 1)[1] if page["next"] else None
    assert sorted(ids) == sorted(item["id"] for item in fixture_portfolios())


def test_importing_the_same_file_twice_leaves_the_same_state() -> None:
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    first = _table_contents()
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    assert _table_contents() == first


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (
            lambda items: items[3].__setitem__("title", 42),
            "record 3 (id 11): title: Input should be a valid string",
        ),
        (
            lambda items: items[5]["image_data"].__setitem__("width", "wide"),
            "record 5 (id 16): image_data.width: Input should be a valid integer",
        ),
        (lambda items: items[8].pop("slug"), "record 8 (id 19): slug: Field required"),
        (
            lambda items: items[2].__setitem__("created_at", "yesterday"),
            "record 2 (id 10): created_at: 'yesterday' is not an ISO 8601 datetime",
        ),
        (
            lambda items: items[4].__setitem__("id", items[0]["id"]),
            "record 4 (id 4): id 4 already used by record 0",
        ),
        (lambda items: items[1].__setitem__("surprise", True), "record 1 (id 5): surprise: Extra inputs"),
    ],
)
def test_a_malformed_file_names_the_record_and_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corrupt: Any, message: str
) -> None:
    # Given the shared data set with one bad record
    items = fixture_portfolios()
    corrupt(items)
    # When it is imported
    status = portfolio_cli(["import", str(_write(tmp_path, items))])
    # Then the command fails with a message naming the record and field, and no table was written
    assert status == 2
    error = capsys.readouterr().err
    assert "nothing written" in error
    assert message in error
    assert all(not items for items in _table_contents().values())


def test_a_shared_object_that_differs_between_records_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two records showing employer 4 with different names
    items = fixture_portfolios()
    holders = [item for item in items if (item["employer_data"] or {}).get("id") == 4]
    holders[1]["employer_data"]["name"] = "someone else"
    # When imported, Then nothing is written and the conflict is named
    assert portfolio_cli(["import", str(_write(tmp_path, items))]) == 2
    assert "employer 4 differs from the one in record" in capsys.readouterr().err
    assert all(not items for items in _table_contents().values())


def test_a_file_that_is_not_a_data_set_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"id": 1,', encoding="utf-8")
    assert portfolio_cli(["import", str(path)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert portfolio_cli(["import", str(_write(tmp_path, {"id": 1}))]) == 2
    assert "must be a JSON array" in capsys.readouterr().err


def test_a_shared_record_changed_by_a_later_import_is_shown_changed_everywhere(tmp_path: Path) -> None:
    # Given the shared data set, in which employer 4 is shown by several portfolios
    items = fixture_portfolios()
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    holders = [item["id"] for item in items if (item["employer_data"] or {}).get("id") == 4]
    assert len(holders) >= 2
    # When a later file holding only one of them renames the employer
    renamed = next(item for item in items if item["id"] == holders[0])
    renamed["employer_data"]["name"] = "Divar (renamed)"
    assert portfolio_cli(["import", str(_write(tmp_path, [renamed]))]) == 0
    # Then every portfolio that shows that employer shows the new name, and is found by it
    for pid in holders:
        status, body = _get(f"/api/portfolios/{pid}/")
        assert status == 200
        assert body["employer_data"]["name"] == "Divar (renamed)"
    status, page = _get("/api/portfolios/?search=renamed&limit=100")
    assert sorted(item["id"] for item in page["results"]) == sorted(holders)


def test_a_file_changing_a_stored_media_record_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the shared data set imported, and a file showing one of its images with another size
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    before = _table_contents()
    item = next(item for item in fixture_portfolios() if item["image_data"])
    item["image_data"]["size"] += 1
    item["image_data"]["human_readable_size"] = human_readable_size(item["image_data"]["size"])
    # When it is imported, Then it is refused, naming the media, and nothing changed
    assert portfolio_cli(["import", str(_write(tmp_path, [item]))]) == 2
    assert f"media {item['image_data']['id']} differs from the stored one" in capsys.readouterr().err
    assert _table_contents() == before


def test_a_portfolio_too_large_for_dynamodb_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the shared data set imported, and a file renaming an employer beside a portfolio
    # whose description is over DynamoDB's 400 KB item limit
    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    before = _table_contents()
    items = fixture_portfolios()
    renamed = next(item for item in items if (item["employer_data"] or {}).get("id") == 4)
    renamed["employer_data"]["name"] = "Divar (renamed)"
    huge = next(item for item in items if item["id"] != renamed["id"])
    huge["description"] = "ک" * 210_000  # 420,000 bytes of UTF-8
    # When it is imported
    status = portfolio_cli(["import", str(_write(tmp_path, [renamed, huge]))])
    # Then it is refused with a message naming the portfolio and its size, no traceback, and
    # nothing changed (the employer keeps its name everywhere)
    assert status == 2
    error = capsys.readouterr().err
    assert f"portfolio {huge['id']}: its stored form would be" in error
    assert "Traceback" not in error
    assert _table_contents() == before


def test_a_re_run_repairs_what_an_interrupted_import_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the shared data set, in which employer 4 is shown by several portfolios
    from portfolio.data import catalogue as store

    assert portfolio_cli(["import", str(FIXTURE)]) == 0
    items = fixture_portfolios()
    holders = [item["id"] for item in items if (item["employer_data"] or {}).get("id") == 4]
    renamed = next(item for item in items if item["id"] == holders[0])
    renamed["employer_data"]["name"] = "Divar (renamed)"
    path = _write(tmp_path, [renamed])
    # And an import renaming it that fails after the employer is saved (DynamoDB unreachable)
    real_save = store.save_portfolios

    def unreachable(*_: Any, **__: Any) -> None:
        from pynamodb.exceptions import TransactWriteError

        raise TransactWriteError("Failed to write transaction items: Could not connect to the endpoint URL")

    monkeypatch.setattr(store, "save_portfolios", unreachable)
    status = portfolio_cli(["import", str(path)])
    # Then the command says what failed, without a traceback
    assert status == 1
    error = capsys.readouterr().err
    assert "Could not connect to the endpoint URL" in error
    assert "Traceback" not in error
    # When it is run again once DynamoDB answers
    monkeypatch.setattr(store, "save_portfolios", real_save)
    assert portfolio_cli(["import", str(path)]) == 0
    # Then every portfolio that shows the employer shows the new name (none left stale)
    for pid in holders:
        status, body = _get(f"/api/portfolios/{pid}/")
        assert body["employer_data"]["name"] == "Divar (renamed)", pid
    _, page = _get("/api/portfolios/?search=renamed&limit=100")
    assert sorted(item["id"] for item in page["results"]) == sorted(holders)
