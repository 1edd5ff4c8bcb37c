"""Opening untrusted image bytes: an allow-list of real formats, a pixel limit, no truncation.

Uploads come from editors' machines, so every file is treated as hostile input:

- Only the allow-listed Pillow decoders ever see the bytes (``Image.open(..., formats=...)``):
  the format is the one the bytes declare, never the file name's extension.
- ``Image.MAX_IMAGE_PIXELS`` is set to ``MAX_IMAGE_PIXELS`` and Pillow's
  ``DecompressionBombWarning`` (which Pillow only warns about between 1x and 2x its limit)
  is raised as an error, so the limit is exact: a larger image is refused from its header,
  before any pixel is decoded.
- A truncated file is an error (``ImageFile.LOAD_TRUNCATED_IMAGES`` is kept False).
- A TIFF reaches libtiff only with a compression on ``TIFF_COMPRESSIONS`` (what editors and
  scanners write); the exotic codecs are refused from the file's first directory.

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

from PIL import Image, ImageFile, TiffImagePlugin, UnidentifiedImageError

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
    UNSUPPORTED = "unsupported"  # an accepted format, encoded in a way that is refused (TIFF codecs)
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


# TIFF compressions (tag 259 of the first directory, the only image decoded) that may reach
# libtiff: what image editors and scanners write. The others (old-style JPEG, ThunderScan,
# SGILog, LZMA, Zstandard, WebP, JPEG 2000, LERC...) are rare in uploads, partly unsupported by
# the libtiff Pillow ships, and among its least exercised codecs: refused before decoding.
TIFF_COMPRESSION_TAG = 259
TIFF_COMPRESSIONS: dict[int, str] = {
    1: "none",
    2: "CCITT RLE",
    3: "CCITT Group 3",
    4: "CCITT Group 4",
    5: "LZW",
    7: "JPEG",
    8: "Deflate",
    32773: "PackBits",
    32946: "Deflate",
}
_REFUSED_TIFF_COMPRESSIONS: dict[int, str] = {
    6: "old-style JPEG",
    32809: "ThunderScan",
    34676: "SGILog",
    34677: "SGILog24",
    34712: "JPEG 2000",
    34887: "LERC",
    34925: "LZMA",
    50000: "Zstandard",
    50001: "WebP",
    50002: "JPEG XL",
}
_ACCEPTED_TIFF_COMPRESSIONS_TEXT = "none, LZW, Deflate, PackBits, JPEG, CCITT"


def tiff_compression(data: bytes) -> int | None:
    """The compression of the first image of a TIFF (tag 259; 1, none, when absent), read with
    Pillow's directory parser without decoding anything. None when ``data`` is not a TIFF or
    its first directory cannot be read (then the decoder reports it)."""
    if not data.startswith(tuple(TiffImagePlugin.PREFIXES)):
        return None
    header = data[:16] if data[2] == 43 else data[:8]  # BigTIFF has a 16-byte header
    try:
        with warnings.catch_warnings():
            # A directory that breaks off is read as far as it goes (Pillow warns); the decoder
            # then reports the file.
            warnings.simplefilter("ignore", UserWarning)
            directory = TiffImagePlugin.ImageFileDirectory_v2(header)
            stream = io.BytesIO(data)
            stream.seek(directory.next)
            directory.load(stream)
            value = directory.get(TIFF_COMPRESSION_TAG, 1)
    except DECODE_ERRORS:
        return None
    return value if isinstance(value, int) else None


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

    Raises ``ImageRejected`` for zero bytes, bytes that no allowed decoder recognises, TIFFs
    with a compression not on ``TIFF_COMPRESSIONS``, and images of more than
    ``MAX_IMAGE_PIXELS`` pixels.
    """
    if not data:
        raise ImageRejected(RejectionReason.EMPTY, "the file has zero bytes")
    compression = tiff_compression(data)
    if compression is not None and compression not in TIFF_COMPRESSIONS:
        name = _REFUSED_TIFF_COMPRESSIONS.get(compression, "an unknown compression")
        raise ImageRejected(
            RejectionReason.UNSUPPORTED,
            f"a TIFF compressed with {name} ({compression}); accepted TIFF compressions are "
            f"{_ACCEPTED_TIFF_COMPRESSIONS_TEXT}",
        )
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
