"""Real image files for a catalogue's image records, so that the ``f`` URLs the local API
lists load in a browser.

An imported or demo catalogue brings records (key, size in pixels, colour mode, thumbnail
keys) but not the files. For each image record this draws a picture of the recorded width,
height and mode in the key's format, and its thumbnails at their keys (longest edge N,
aspect ratio kept, never enlarged). Keys that already hold an object are left alone.
Other files (PDFs, videos) are not made up.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image, ImageDraw

from portfolio.domain.demo import THUMBNAIL_SIZES
from portfolio.domain.records import MediaRecord

# Extension -> Pillow format, Content-Type, and fast encoder settings (these are placeholders).
_FORMATS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "jpg": ("JPEG", "image/jpeg", {"quality": 75}),
    "jpeg": ("JPEG", "image/jpeg", {"quality": 75}),
    "png": ("PNG", "image/png", {"compress_level": 1}),
    "webp": ("WEBP", "image/webp", {"quality": 60, "method": 0}),
    "gif": ("GIF", "image/gif", {}),
    "bmp": ("BMP", "image/bmp", {}),
    "tif": ("TIFF", "image/tiff", {}),
    "tiff": ("TIFF", "image/tiff", {}),
}
# What each format can store; a recorded mode it cannot is drawn in the nearest one.
_MODES = {
    "JPEG": {"RGB", "L", "CMYK"},
    "PNG": {"RGB", "RGBA", "L", "LA", "P"},
    "WEBP": {"RGB", "RGBA"},
    "GIF": {"P", "L"},
    "BMP": {"RGB", "L", "P"},
    "TIFF": {"RGB", "RGBA", "L", "CMYK"},
}
_WORKERS = 2


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    body: bytes
    content_type: str


def _picture(width: int, height: int, mode: str) -> Image.Image:
    ramp = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge(
        "RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.new("L", ramp.size, 150))
    )
    label = f"{width} x {height} {mode}"
    ImageDraw.Draw(picture).text((max(width // 20, 2), max(height // 20, 2)), label, fill=(255, 255, 255))
    return picture.convert(mode) if mode != "RGB" else picture


def _encode(picture: Image.Image, pillow_format: str, options: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, pillow_format, **options)
    return buffer.getvalue()


@cache
def _encoded(width: int, height: int, mode: str, extension: str, edges: tuple[int, ...]) -> tuple[bytes, ...]:
    """The original and one thumbnail per edge (largest first), encoded. Cached: a catalogue
    reuses a few sizes and formats, and encoding is what takes the time."""
    pillow_format, _, options = _FORMATS[extension]
    picture = _picture(width, height, mode if mode in _MODES[pillow_format] else "RGB")
    encoded = [_encode(picture, pillow_format, options)]
    # Each thumbnail from the one before, with the cheapest filter: these are placeholders.
    previous = picture
    for edge in edges:
        smaller = previous.copy()
        smaller.thumbnail((edge, edge), Image.Resampling.NEAREST)
        encoded.append(_encode(smaller, pillow_format, options))
        previous = smaller
    return tuple(encoded)


# Thumbnail edges, largest first, as image_files asks for them (the cache is shared).
_DEMO_EDGES = tuple(sorted(THUMBNAIL_SIZES, reverse=True))


def encoded_image_bytes(width: int, height: int, mode: str, extension: str) -> int:
    """The size of the original that ``image_files`` stores for an image of these facts (what
    the demo catalogue records as its size, so that record and file agree)."""
    return len(_encoded(width, height, mode, extension.lower(), _DEMO_EDGES)[0])


def image_files(record: MediaRecord) -> list[StoredFile]:
    """The original and its thumbnails for one image record (nothing for other files)."""
    extension = record.key.rsplit(".", 1)[-1].lower()
    if record.type != "image" or not record.width or not record.height or extension not in _FORMATS:
        return []
    thumbnails = sorted(record.thumbnails, key=lambda item: -item.size)
    bodies = _encoded(
        record.width, record.height, record.mode or "RGB", extension, tuple(t.size for t in thumbnails)
    )
    content_type = _FORMATS[extension][1]
    keys = [record.key, *(thumbnail.key for thumbnail in thumbnails)]
    return [StoredFile(key, body, content_type) for key, body in zip(keys, bodies, strict=True)]


def _existing_keys(s3: Any, bucket: str) -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def store_images(s3: Any, bucket: str, records: Iterable[MediaRecord]) -> int:
    """Put the files of every image record that has none yet; how many files were written."""
    existing = _existing_keys(s3, bucket)
    missing = [record for record in records if record.key not in existing]

    def put(record: MediaRecord) -> int:
        written = 0
        for stored in image_files(record):
            if stored.key in existing:
                continue
            s3.put_object(Bucket=bucket, Key=stored.key, Body=stored.body, ContentType=stored.content_type)
            written += 1
        return written

    # Encoding releases the GIL, so two workers keep both cores of a small machine busy.
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="demo-media") as pool:
        return sum(pool.map(put, missing))
