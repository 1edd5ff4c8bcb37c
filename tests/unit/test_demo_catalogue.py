"""`portfolio seed-demo` writes a catalogue that looks like a real portfolio site, and the
import path accepts it."""

from __future__ import annotations

import pytest

from portfolio.domain.demo import demo_catalogue
from portfolio.domain.import_format import parse_import

pytestmark = pytest.mark.unit


def test_the_demo_catalogue_is_a_valid_data_set_in_the_import_format() -> None:
    # Given a demo catalogue, When it is validated as an import, Then it passes with every id kept
    portfolios = demo_catalogue(300)
    data_set = parse_import(portfolios)
    assert [record.id for record in data_set.portfolios] == list(range(1, 301))


def test_the_demo_catalogue_is_varied_like_a_real_one() -> None:
    portfolios = demo_catalogue(400)
    titles = [item["title"] for item in portfolios]
    employers = {item["employer_data"]["name"] for item in portfolios if item["employer_data"]}
    tags = {tag["name"] for item in portfolios for tag in item["tags_data"]}
    assert len(set(titles)) == len(titles)  # titles are unique, as in the original
    assert sum(not title.isascii() for title in titles) >= 20  # a share of Persian titles
    assert any(not name.isascii() for name in employers)
    assert len(employers) >= 10
    assert len(tags) >= 15
    assert any(item["image_data"] is None for item in portfolios)
    assert any(item["employer_data"] is None for item in portfolios)
    assert any(item["images_data"] for item in portfolios)
    assert any(entry["value_file"] for item in portfolios for entry in item["meta"])
    assert {item["is_active"] for item in portfolios} == {True, False}
    assert any(item["completed_at"] is None for item in portfolios)
    assert any(item["year"] is None for item in portfolios)


def test_the_same_seed_gives_the_same_catalogue() -> None:
    assert demo_catalogue(50, seed=7) == demo_catalogue(50, seed=7)
    assert demo_catalogue(50, seed=7) != demo_catalogue(50, seed=8)


def test_each_demo_images_recorded_size_is_that_of_the_file_the_local_stack_stores() -> None:
    # Given the demo catalogue as the local stack and seed-demo make it
    from portfolio.local.media import encoded_image_bytes, image_files

    data_set = parse_import(demo_catalogue(30, image_bytes=encoded_image_bytes))
    images = [record for record in data_set.media.values() if record.type == "image"]
    assert images
    # Then each record's size is its stored file's, and human_readable_size follows it
    for record in images:
        original, *_ = image_files(record)
        assert record.size == len(original.body), record.key
