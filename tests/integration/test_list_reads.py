"""What a list call reads, whatever the catalogue's size: a cold container loads the packed
snapshot of every card; a warm one asks only whether the catalogue changed (one GetItem),
then reads the page's documents (one BatchGetItem). A change written by any other process
is in the very next answer. No request scans a table (``call`` checks that on every API
call of the suite; the last tests prove that the check would catch one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.thumbnails.app import lambda_handler as thumbnails
from portfolio.data import card_snapshots, catalogue_feed
from portfolio.data.models import CatalogueFeedModel, PortfolioCardModel
from portfolio.domain import card_cache
from tests.integration.support import call, dynamodb_requests
from tests.support import media as support
from tests.support.catalogue import fixture_portfolios, import_portfolios
from tests.support.context import FakeLambdaContext

pytestmark = pytest.mark.integration

FEED = "SequencesTable"
DOCUMENTS = "PortfolioDocumentsTable"
CARDS = "PortfoliosTable"


@pytest.fixture(autouse=True)
def data_set(aws: None) -> list[dict[str, Any]]:
    items = fixture_portfolios()[:30]
    import_portfolios(items)
    return items


def reads(url: str) -> list[tuple[str, tuple[str, ...], str | None]]:
    reply = call(url)
    assert reply.status == 200
    return [(request.operation, request.tables, request.index) for request in reply.requests]


class Containers:
    """Two warm read-function containers in one process: each keeps its own cards."""

    def __init__(self) -> None:
        self.kept: dict[str, Any] = {"a": None, "b": None}

    def call(self, container: str, url: str) -> Any:
        card_cache._kept = self.kept[container]
        try:
            return call(url)
        finally:
            self.kept[container] = card_cache._kept


@pytest.fixture
def containers() -> Iterator[Containers]:
    yield Containers()
    card_cache.reset()


def test_a_cold_container_loads_the_packed_snapshot_then_reads_two_items_per_call() -> None:
    # When a new container answers its first list
    first = reads("/api/portfolios/")
    # Then it read the version, the snapshot the import packed (pointer, parts) and the page
    assert first[:2] == [("GetItem", (FEED,), None), ("GetItem", (FEED,), None)]
    assert ("BatchGetItem", (FEED,), None) in first
    assert first[-1] == ("BatchGetItem", (DOCUMENTS,), None)
    assert not any(operation == "Query" for operation, *_ in first)
    # And every later call, filtered, searched or ordered, reads the version and the page only
    for url in (
        "/api/portfolios/",
        "/api/portfolios/?search=app&is_active=true&has_image=true&ordering=-year,title",
        "/api/portfolios/?employer_id=3&ordering=-created_at",
        "/api/portfolios/?created_from=2022-01-01&tags_in=1,2&offset=2",
    ):
        assert [op for op, *_ in reads(url)] in (["GetItem", "BatchGetItem"], ["GetItem"]), url


@pytest.mark.parametrize("damage", ["no snapshot", "a part missing", "a part corrupt"])
def test_without_a_sound_snapshot_a_cold_container_loads_the_index(
    damage: str, data_set: list[dict[str, Any]]
) -> None:
    # Given a stored snapshot that is gone or damaged
    pointer = CatalogueFeedModel.get(card_snapshots.POINTER_NAME)
    first_part = CatalogueFeedModel.get(f"{card_snapshots.PART_PREFIX}{pointer.snapshot_id}#0")
    if damage == "no snapshot":
        pointer.delete()
    elif damage == "a part missing":
        first_part.delete()
    else:
        first_part.data = b"\x00" + (first_part.data or b"")[1:]  # (zlib data starts with "x")
        first_part.save()
    # When a new container lists
    reply = call("/api/portfolios/?limit=100")
    # Then it loads every card from catalogue-index and answers in full
    assert ("Query", "catalogue-index") in {(request.operation, request.index) for request in reply.requests}
    assert reply.body["count"] == len(data_set)


def test_a_snapshot_behind_the_feed_is_brought_up_to_date(data_set: list[dict[str, Any]]) -> None:
    # Given a snapshot packed before a later import (which packs no new one here)
    later = fixture_portfolios()[30:33]
    original = card_snapshots.write_snapshot
    card_snapshots.write_snapshot = lambda: 0  # type: ignore[assignment]
    try:
        import_portfolios(later)
    finally:
        card_snapshots.write_snapshot = original  # type: ignore[assignment]
    # When a new container lists
    reply = call("/api/portfolios/?limit=100")
    # Then it shows the later portfolios too: it applied the changes since the snapshot
    assert reply.body["count"] == len(data_set) + len(later)
    assert not any(request.operation == "Query" for request in reply.requests)


def test_a_change_by_another_process_is_in_the_very_next_answer_of_every_container(
    containers: Containers, data_set: list[dict[str, Any]]
) -> None:
    # Given two warm containers that both listed the catalogue
    portfolio = data_set[0]["id"]
    for container in ("a", "b"):
        assert containers.call(container, "/api/portfolios/?limit=100").status == 200
    # When the thumbnails function (another process) makes an upload the portfolio's cover
    bucket = support.create_template_buckets()
    etag = support.put_upload(
        bucket, "uploads/x/new.jpg", support.jpeg((64, 48)), {"attach": f"cover:{portfolio}"}
    )
    (outcome,) = thumbnails(support.s3_event(bucket, "uploads/x/new.jpg", etag), FakeLambdaContext())[
        "uploads"
    ]
    assert outcome["status"] == "ready"
    # Then the very next list of each container shows it, ordered by the new updated_at
    for container in ("a", "b"):
        reply = containers.call(container, "/api/portfolios/?ordering=-updated_at&limit=1")
        requests = reply.requests
        (first,) = reply.body["results"]
        assert (first["id"], first["image_data"]["id"]) == (portfolio, outcome["media_id"])
        # having read only the change and the card it names, not every card again
        assert not any(request.operation == "Query" for request in requests)
        assert ("BatchGetItem", (CARDS,)) in {(request.operation, request.tables) for request in requests}


def test_an_import_of_many_portfolios_makes_every_container_reload(
    containers: Containers, data_set: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a warm container
    assert containers.call("a", "/api/portfolios/").body["count"] == len(data_set)
    # When an import writes more portfolios than a change lists
    monkeypatch.setattr(catalogue_feed, "MAX_LISTED_IDS", 5)
    more = fixture_portfolios()[30:60]
    import_portfolios(more)
    # Then its next list loads every card again and counts them all
    reply = containers.call("a", "/api/portfolios/")
    assert reply.body["count"] == len(data_set) + len(more)
    assert ("BatchGetItem", (FEED,)) in {(request.operation, request.tables) for request in reply.requests}


def test_a_container_of_another_catalogue_never_serves_its_cards(containers: Containers) -> None:
    # Given a warm container, and its kept cards claiming another catalogue's epoch
    assert containers.call("a", "/api/portfolios/").status == 200
    kept = containers.kept["a"]
    kept.epoch = "another table"
    kept.snapshot.replace([])
    reply = containers.call("a", "/api/portfolios/")
    # Then it loads this catalogue's cards
    assert ("BatchGetItem", (FEED,)) in {(request.operation, request.tables) for request in reply.requests}
    assert reply.body["count"] > 0


def test_the_request_recorder_sees_a_scan() -> None:
    # The guard in call() relies on these hooks: a Scan through the data layer is recorded
    with dynamodb_requests() as requests:
        list(PortfolioCardModel.scan(limit=1))

    assert [request.operation for request in requests] == ["Scan"]


def test_an_api_call_that_scans_fails_the_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a data layer that (wrongly) scans for its cards
    from portfolio.data import portfolios as store

    def scanning_read_all_cards() -> list[Any]:
        list(PortfolioCardModel.scan())
        return []

    monkeypatch.setattr(store, "read_all_cards", scanning_read_all_cards)
    monkeypatch.setattr(card_snapshots, "read_snapshot", lambda: None)
    card_cache.reset()

    # Then calling the API through the suite's helper fails
    with pytest.raises(AssertionError, match="scanned"):
        call("/api/portfolios/")
