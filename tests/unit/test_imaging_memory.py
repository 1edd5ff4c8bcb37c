"""Memory stays bounded for a 50-megapixel image: measured as the peak resident set (VmHWM)
of a fresh process that makes the thumbnails, above what the process held before (Pillow's
pixel buffers are C memory, invisible to tracemalloc). Bounds, not times."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image

from portfolio.domain.upload_metadata import MAX_UPLOAD_BYTES
from portfolio.imaging import MAX_IMAGE_PIXELS
from portfolio.infra.template import functions, load_template
from tests.support.thumbnail_memory import thumbnails_in_a_fresh_process

pytestmark = [pytest.mark.unit, pytest.mark.slow]

SIZE_50_MP = (8660, 5774)
MIB = 1024 * 1024
# Measured on this machine: ~11 MB (JPEG, decoded at 1/8 scale) and ~260 MB (RGBA PNG:
# 200 MB decoded, plus the reduced copy, converted strip by strip).
JPEG_BOUND_MB = 64
RGBA_PNG_BOUND_MB = 320
# What the Lambda runtime, Python, boto3, Powertools and pynamodb hold before any image.
RUNTIME_BASELINE_MB = 200


def _peak_above_base_mb(path: Path) -> float:
    result = thumbnails_in_a_fresh_process(path)
    assert result["edges"] == [1080, 512, 128, 64]
    return float(result["peak_above_base_mb"])


def _gradient(size: tuple[int, int]) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp))


def test_a_50_megapixel_jpeg_is_decoded_at_a_fraction_of_its_size(tmp_path: Path) -> None:
    # Given a 50-megapixel photo, stored rotated (EXIF orientation 6)
    path = tmp_path / "photo-50mp.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    _gradient(SIZE_50_MP).save(path, "JPEG", quality=85, exif=exif)
    # When a fresh process makes its thumbnails
    peak = _peak_above_base_mb(path)
    # Then it never holds the full image (150 MB decoded): draft mode decodes it at 1/8 scale
    assert peak < JPEG_BOUND_MB, f"{peak:.0f} MB"


def test_a_50_megapixel_rgba_png_needs_one_full_size_buffer_not_two(tmp_path: Path) -> None:
    # Given a 50-megapixel RGBA PNG (decoded whole: 200 MB)
    path = tmp_path / "art-50mp.png"
    image = _gradient(SIZE_50_MP)
    image.putalpha(Image.linear_gradient("L").resize(SIZE_50_MP))
    image.save(path, "PNG", compress_level=1)
    del image
    # When a fresh process makes its thumbnails
    peak = _peak_above_base_mb(path)
    # Then the premultiplied, reduced copy is made strip by strip, not from a second full copy
    assert peak < RGBA_PNG_BOUND_MB, f"{peak:.0f} MB"


def test_the_largest_accepted_upload_fits_the_functions_memory() -> None:
    # Given the function's configured memory
    memory_mb = functions(load_template())["ThumbnailsFunction"].memory_mb
    # When the worst case is the largest accepted image (scaled from the 50-MP RGBA bound),
    # held next to the largest accepted file and the runtime
    worst_image_mb = math.ceil(RGBA_PNG_BOUND_MB * MAX_IMAGE_PIXELS / (SIZE_50_MP[0] * SIZE_50_MP[1]))
    worst_mb = worst_image_mb + MAX_UPLOAD_BYTES / MIB + RUNTIME_BASELINE_MB
    # Then it fits with room to spare
    assert worst_mb < 0.75 * memory_mb, f"{worst_mb:.0f} MB of {memory_mb} MB"
