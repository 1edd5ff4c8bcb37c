"""How values are rendered in list items: timestamps as DRF writes them, file sizes for
humans, media URLs on the media host. Each test imports the few portfolios it needs."""

from __future__ import annotations

import pytest

from tests.integration.support import MEDIA_BASE, call, image, portfolio
from tests.support.catalogue import import_portfolios

pytestmark = pytest.mark.integration


def _only_item() -> dict:
    reply = call("/api/portfolios/")
    assert reply.status == 200
    (item,) = reply.body["results"]
    return item


@pytest.mark.parametrize(
    ("stored", "rendered"),
    [
        ("2024-12-12T00:00:00Z", "2024-12-12T00:00:00Z"),
        ("2026-03-03T17:52:28.976376Z", "2026-03-03T17:52:28.976376Z"),
        ("2024-05-06T07:08:09.000500Z", "2024-05-06T07:08:09.000500Z"),
        ("2024-05-06T07:08:09.500000Z", "2024-05-06T07:08:09.500000Z"),
        # An offset in the data set is shown in UTC
        ("2024-05-06T10:08:09.123456+03:00", "2024-05-06T07:08:09.123456Z"),
        ("2024-05-06T00:30:00-01:00", "2024-05-06T01:30:00Z"),
    ],
)
def test_timestamps_are_utc_with_z_and_microseconds_only_when_non_zero(stored: str, rendered: str) -> None:
    import_portfolios([portfolio(1, created_at=stored, updated_at=stored, completed_at=stored)])

    item = _only_item()

    assert (item["created_at"], item["updated_at"], item["completed_at"]) == (rendered,) * 3


def test_a_portfolio_never_completed_shows_completed_at_null() -> None:
    import_portfolios([portfolio(1, completed_at=None)])

    assert _only_item()["completed_at"] is None


@pytest.mark.parametrize(
    ("size", "readable"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.00 KB"),
        (11740, "11.46 KB"),
        (73062, "71.35 KB"),
        (1048576, "1.00 MB"),
        (3391490, "3.23 MB"),
        (5 * 1024**3 + 1024**3 // 4, "5.25 GB"),
    ],
)
def test_human_readable_size_is_1024_based_with_two_decimals(size: int, readable: str) -> None:
    import_portfolios([portfolio(1, image_data=image(7, size=size, human_readable_size=readable))])

    cover = _only_item()["image_data"]

    assert (cover["size"], cover["human_readable_size"]) == (size, readable)


def test_f_is_the_media_base_url_plus_the_storage_key_in_the_original_layout() -> None:
    # Given an image stored (by the original) under core_media/YYYY/MM/DD with its thumbnails
    import_portfolios([portfolio(1, image_data=image(7, key="core_media/2025/06/11/shot_010.jpg"))])

    cover = _only_item()["image_data"]

    assert cover["f"] == f"{MEDIA_BASE}/core_media/2025/06/11/shot_010.jpg"
    assert [(thumb["id"], thumb["f"], thumb["size"]) for thumb in cover["thumbnails"]] == [
        (71, f"{MEDIA_BASE}/core_media/2025/06/11/thumbnails/shot_010_thumbnail_64x64.jpg", 64),
        (72, f"{MEDIA_BASE}/core_media/2025/06/11/thumbnails/shot_010_thumbnail_128x128.jpg", 128),
        (73, f"{MEDIA_BASE}/core_media/2025/06/11/thumbnails/shot_010_thumbnail_512x512.jpg", 512),
        (74, f"{MEDIA_BASE}/core_media/2025/06/11/thumbnails/shot_010_thumbnail_1080x1080.jpg", 1080),
    ]


def test_a_storage_key_with_spaces_and_non_ascii_is_percent_encoded_in_f() -> None:
    # Django's storage url(): the key percent-encoded (filepath_to_uri)
    cover = image(7, key="core_media/2025/06/11/my photo ع.png")
    cover["f"] = "http://localhost:8000/media/core_media/2025/06/11/my%20photo%20%D8%B9.png"
    import_portfolios([portfolio(1, image_data=cover)])

    served = _only_item()["image_data"]

    assert served["f"] == f"{MEDIA_BASE}/core_media/2025/06/11/my%20photo%20%D8%B9.png"


def test_image_type_name_dimensions_and_mode_are_the_stored_ones() -> None:
    import_portfolios(
        [portfolio(1, image_data=image(7, name="the editor's name", width=156, height=195, mode="CMYK"))]
    )

    cover = _only_item()["image_data"]

    assert (cover["type"], cover["name"], cover["width"], cover["height"], cover["mode"]) == (
        "image",
        "the editor's name",
        156,
        195,
        "CMYK",
    )
