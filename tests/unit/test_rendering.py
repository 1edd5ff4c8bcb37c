"""The contract's Objects rows that are pure rendering: timestamps, human-readable sizes and
media URLs (the original's data set is the ground truth where it has examples)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from portfolio.domain.rendering import (
    human_readable_size,
    media_url,
    render_timestamp,
    timestamp_micros,
    with_media_urls,
)
from tests.support.catalogue import fixture_portfolios
from tests.unit.builders import micros

pytestmark = pytest.mark.unit

MEDIA = "https://media.example.com/media"


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        ("2026-03-03T17:52:28.976376+00:00", "2026-03-03T17:52:28.976376Z"),
        ("2024-12-12T00:00:00+00:00", "2024-12-12T00:00:00Z"),
        ("2024-12-12T00:00:00.000001+00:00", "2024-12-12T00:00:00.000001Z"),
        ("2024-12-12T00:00:00.100000+00:00", "2024-12-12T00:00:00.100000Z"),
        ("1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59.999999+00:00", "1969-12-31T23:59:59.999999Z"),
        ("2024-06-01T15:30:00+03:30", "2024-06-01T12:00:00Z"),
    ],
)
def test_timestamps_are_iso_8601_utc_with_z_and_microseconds_only_when_non_zero(
    instant: str, text: str
) -> None:
    """Given a stored instant, when rendered, then it is ISO 8601 in UTC with a ``Z``, with
    all six microsecond digits when there are any and none otherwise."""
    assert render_timestamp(micros(instant)) == text


def test_timestamp_micros_reads_a_naive_datetime_as_utc() -> None:
    """Given a naive datetime, when converted, then it is taken as UTC."""
    assert timestamp_micros(dt.datetime(1970, 1, 1, 0, 0, 1)) == 1_000_000


def walk(value: Any) -> Any:
    """Every dict inside a document, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_every_timestamp_of_the_originals_data_set_renders_back_identically() -> None:
    """Given every timestamp in the original's dump, when read and rendered again, then the
    text is the original's, character for character."""
    texts = {
        obj[name]
        for obj in walk(fixture_portfolios())
        for name in ("created_at", "updated_at", "completed_at")
        if isinstance(obj.get(name), str)
    }
    assert len(texts) > 100
    for text in texts:
        assert render_timestamp(timestamp_micros(dt.datetime.fromisoformat(text))) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (1023, "1023 B"),
        (1024, "1.00 KB"),
        (1536, "1.50 KB"),
        (73062, "71.35 KB"),
        (1024**2 - 1024, "1023.00 KB"),
        (1024**2, "1.00 MB"),
        (5 * 1024**2 + 1024**2 // 4, "5.25 MB"),
        (1024**3, "1.00 GB"),
        (3 * 1024**3 // 2, "1.50 GB"),
        (1024**4, "1.00 TB"),
        (2048 * 1024**4, "2048.00 TB"),
    ],
)
def test_human_readable_size_is_1024_based_with_two_decimals(size: int, text: str) -> None:
    """Given a size in bytes, when made human-readable, then below 1024 it is "N B", above it
    the largest unit (KB, MB, GB, TB) that keeps the number under 1024, with two decimals."""
    assert human_readable_size(size) == text


def test_every_size_of_the_originals_data_set_reads_as_the_original_wrote_it() -> None:
    """Given every file in the original's dump, when its size is made human-readable, then it
    is the original's ``human_readable_size``."""
    pairs = {
        (obj["size"], obj["human_readable_size"])
        for obj in walk(fixture_portfolios())
        if "human_readable_size" in obj
    }
    assert len(pairs) > 20
    assert {size: human_readable_size(size) for size, _ in pairs} == dict(pairs)


@pytest.mark.parametrize(
    ("key", "url"),
    [
        (
            "core_media/2026/03/02/image_test_media_file_0.bmp",
            f"{MEDIA}/core_media/2026/03/02/image_test_media_file_0.bmp",
        ),
        ("core_media/2026/03/02/my photo (1).png", f"{MEDIA}/core_media/2026/03/02/my%20photo%20(1).png"),
        ("core_media/تصویر.jpg", f"{MEDIA}/core_media/%D8%AA%D8%B5%D9%88%DB%8C%D8%B1.jpg"),
        ("core_media/a#b?c&d=e%f.png", f"{MEDIA}/core_media/a%23b%3Fc%26d%3De%25f.png"),
        ("core_media/~user/it's!*.png", f"{MEDIA}/core_media/~user/it's!*.png"),
    ],
)
def test_a_media_url_is_the_base_then_the_percent_encoded_key(key: str, url: str) -> None:
    """Given a storage key, when made a URL, then it is the media base URL, a slash, and the
    key percent-encoded as Django's storage does (UTF-8; ``/~!*()'`` kept)."""
    assert media_url(MEDIA, key) == url


def image(media_id: int, key: str) -> dict[str, Any]:
    return {
        "id": media_id,
        "type": "image",
        "name": "x",
        "size": 1,
        "human_readable_size": "1 B",
        "f": key,
        "width": 1,
        "height": 1,
        "mode": "RGB",
        "thumbnails": [{"id": media_id * 10, "f": f"thumbnails/{key}", "size": 64}],
    }


def test_with_media_urls_turns_every_nested_key_into_a_url_and_nothing_else() -> None:
    """Given a stored document with keys in the cover, its thumbnails, the employer's and a
    tag's and a link's image, the gallery and a meta file (some with non-ASCII names), when
    made public, then every ``f`` is a URL, every other value (texts that look like keys,
    null images, null files) is unchanged, and the stored document is not modified."""
    document = {
        "id": 1,
        "title": "core_media/not-a-key.png",
        "image_data": image(1, "core_media/cover.png"),
        "employer_data": {
            "id": 2,
            "name": "f",
            "image_data": image(2, "core_media/کارفرما.png"),
            "description": None,
        },
        "tags_data": [
            {"id": 3, "name": "t", "image_data": image(3, "core_media/tag.svg")},
            {"id": 4, "name": "u", "image_data": None},
        ],
        "links_data": [
            {
                "id": 5,
                "name": "l",
                "url": "https://x.test/f",
                "image_data": image(5, "core_media/l.png"),
                "description": None,
            }
        ],
        "images_data": [image(6, "core_media/g 1.png"), image(7, "core_media/g2.png")],
        "meta": [
            {
                "id": 8,
                "key": "f",
                "value_text": "core_media/x",
                "value_file": {
                    "id": 9,
                    "type": "file",
                    "name": "n",
                    "size": 1,
                    "human_readable_size": "1 B",
                    "f": "core_media/سند.pdf",
                },
            },
            {"id": 10, "key": "k", "value_text": None, "value_file": None},
        ],
    }
    stored = copy.deepcopy(document)

    public = with_media_urls(document, MEDIA)

    assert document == stored
    urls = [obj["f"] for obj in walk(public) if "f" in obj]
    keys = [obj["f"] for obj in walk(stored) if "f" in obj]
    assert len(urls) == len(keys) == 13
    assert urls == [media_url(MEDIA, key) for key in keys]
    assert public["image_data"]["thumbnails"][0]["f"] == f"{MEDIA}/thumbnails/core_media/cover.png"
    assert public["meta"][0]["value_file"]["f"] == f"{MEDIA}/core_media/%D8%B3%D9%86%D8%AF.pdf"

    def without_f(value: Any) -> Any:
        if isinstance(value, dict):
            return {name: without_f(item) for name, item in value.items() if name != "f"}
        if isinstance(value, list):
            return [without_f(item) for item in value]
        return value

    assert without_f(public) == without_f(stored)
