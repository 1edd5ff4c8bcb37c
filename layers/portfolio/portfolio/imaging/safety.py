"""Opening untrusted image bytes: an allow-list of real formats, a pixel limit, no truncation.

Uploads come from editors' machines, so every file is treated as hostile input:

- Only the allow-listed Pillow decoders ever see the bytes (``Image.open(..., formats=...)``):
  the format is the one the bytes declare, never the file name's extension.
- ``Image.MAX_IMAGE_PIXELS`` is set to ``MAX_IMAGE_PIXELS`` and Pillow's
  ``DecompressionBombWarning`` (which Pillow only warns about between 1x and 2x its limit)
  is raised as an error, so the limit is exact: a larger image is refused from its header,
  before any pixel is decoded.
- A truncated file is an error (``ImageFile.LOAD_TRUNCATED_IMAGES`` is kept False).

Every refusal is an ``ImageRejected`` with a ``RejectionReason`` and a sentence for the
image record; no other exception escapes from here because of a bad file.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from PIL import Image, ImageFile, UnidentifiedImageError

# 64 megapixels (8000 x 8000): above the 50-megapixel photos the function must handle. A
# non-JPEG image this size is decoded whole (64 MP RGBA = 256 MB); docs/images.md gives the
# function's memory budget for it. JPEGs are decoded at a reduced scale (draft mode).
MAX_IMAGE_PIXELS = 64_000_000

# The Pillow decoders that may see an upload's bytes.
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
# What those decoders may report as the format: the JPEG decoder opens the multi-picture
# JPEGs many phones write as MPO, which are JPEGs for every purpose here.
DECODED_FORMATS: frozenset[str] = frozenset({*ALLOWED_FORMATS, "MPO"})
ACCEPTED_FORMATS_TEXT = "JPEG, PNG, WebP, GIF, BMP, TIFF"

# What Pillow's decoders raise on bytes that break off or contradict themselves.
DECODE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)

_PILLOW_PIXEL_COUNT = re.compile(r"\((\d+) pixels\)")


class RejectionReason(StrEnum):
    EMPTY = "empty"
    NOT_AN_IMAGE = "not_an_image"
    DISALLOWED_FORMAT = "disallowed_format"
    DECOMPRESSION_BOMB = "decompression_bomb"
    CORRUPT = "corrupt"  # truncated, or otherwise undecodable after a valid header
    TOO_LARGE = "too_large"  # more bytes than the service reads (checked before reading)


class ImageRejected(ValueError):
    """The bytes are not an image this service accepts. ``str()`` is ``"<reason>: <detail>"``,
    the text a failed image record keeps."""

    def __init__(self, reason: RejectionReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


# Signatures of well-known formats that are refused, so that a failed record says what the
# file really is (an iPhone HEIC renamed .jpg, a PDF...). Used for the message only: these
# bytes never reach a decoder.
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"qoif", "QOI"),
    (b"\x76\x2f\x31\x01", "OpenEXR"),
)
_ISO_MEDIA_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF", b"avis": "AVIF"}


def sniff_refused_format(head: bytes) -> str | None:
    """The name of a known, refused format that these first bytes announce, else None."""
    for signature, name in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp":
        return _ISO_MEDIA_BRANDS.get(head[8:12], "ISO media")
    if re.match(rb"P[1-7]\s", head):
        return "Netpbm"
    text = head[:1024].lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


@contextmanager
def pillow_limits() -> Iterator[None]:
    """Inside: Pillow's pixel limit is ours, its bomb warning is an error, and truncated files
    are refused. (Pillow keeps these as process globals; they are restored on exit.)"""
    previous_limit = Image.MAX_IMAGE_PIXELS
    previous_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit
        ImageFile.LOAD_TRUNCATED_IMAGES = previous_truncated


@contextmanager
def decoding(what: str) -> Iterator[None]:
    """Turn what Pillow raises while reading a recognised image into ``ImageRejected``."""
    try:
        yield
    except UnidentifiedImageError:
        raise  # not a recognised image at all: the caller words that
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's message names its own threshold (twice the limit, for the error): say ours.
        found = _PILLOW_PIXEL_COUNT.search(str(error))
        count = f"{found.group(1)} pixels" if found else "too many pixels"
        raise ImageRejected(
            RejectionReason.DECOMPRESSION_BOMB,
            f"{count}; at most {MAX_IMAGE_PIXELS} are accepted (possible decompression bomb)",
        ) from error
    except DECODE_ERRORS as error:
        raise ImageRejected(RejectionReason.CORRUPT, f"{what}: {error}") from error


def open_image(data: bytes) -> ImageFile.ImageFile:
    """Identify ``data`` and read its header; no pixel is decoded yet. Call it, and decode the
    image, inside ``pillow_limits()``.

    Raises ``ImageRejected`` for zero bytes, bytes that no allowed decoder recognises, and
    images of more than ``MAX_IMAGE_PIXELS`` pixels.
    """
    if not data:
        raise ImageRejected(RejectionReason.EMPTY, "the file has zero bytes")
    try:
        with decoding("unreadable header"):
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError as error:
        refused = sniff_refused_format(data[:1024])
        if refused is not None:
            raise ImageRejected(
                RejectionReason.DISALLOWED_FORMAT,
                f"the file is {refused}; accepted formats are {ACCEPTED_FORMATS_TEXT}",
            ) from error
        raise ImageRejected(RejectionReason.NOT_AN_IMAGE, f"not a {ACCEPTED_FORMATS_TEXT} image") from error
    if image.format not in DECODED_FORMATS:  # never trust a plugin answering for another id
        image.close()
        raise ImageRejected(
            RejectionReason.DISALLOWED_FORMAT,
            f"the file is {image.format}; accepted formats are {ACCEPTED_FORMATS_TEXT}",
        )
    return image
