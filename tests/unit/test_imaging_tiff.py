"""TIFF uploads reach libtiff only with a common compression: the ones editors and scanners
write decode; the exotic ones are refused from the file's first directory, with a reason
that says so (not "not an image", not "corrupt")."""

from __future__ import annotations

import pytest

from portfolio.imaging import ImageRejected, RejectionReason, make_thumbnails
from portfolio.imaging.safety import tiff_compression
from tests.support.bad_images import tiff_declaring_compression
from tests.support.media import encoded, jpeg, picture

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("compression", "mode", "tag"),
    [
        ("raw", "RGB", 1),
        ("tiff_lzw", "RGB", 5),
        ("tiff_adobe_deflate", "RGBA", 8),
        ("packbits", "CMYK", 32773),
        ("jpeg", "RGB", 7),
        ("group4", "1", 4),
    ],
)
def test_tiffs_in_common_compressions_become_thumbnails(compression: str, mode: str, tag: int) -> None:
    # Given a TIFF as an editor's tool writes it
    data = encoded(
        picture((700, 500), "L" if mode == "1" else mode).convert(mode), "TIFF", compression=compression
    )
    assert tiff_compression(data) == tag
    # When its thumbnails are made
    made = make_thumbnails(data)
    # Then it is decoded (PNG thumbnails, as for every TIFF)
    assert (made.facts.format, made.facts.width, made.facts.height) == ("TIFF", 700, 500)
    assert made.encoding.format == "PNG"


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        (6, "old-style JPEG"),
        (34712, "JPEG 2000"),
        (50001, "WebP"),
        (50000, "Zstandard"),
        (60000, "an unknown compression"),
    ],
)
def test_tiffs_in_other_compressions_are_refused_as_unsupported(tag: int, name: str) -> None:
    # Given a TIFF whose first directory names another compression
    data = tiff_declaring_compression(tag)
    # When its thumbnails are asked for
    with pytest.raises(ImageRejected) as refused:
        make_thumbnails(data)
    # Then it is refused, saying which compression
    assert refused.value.reason is RejectionReason.UNSUPPORTED
    assert str(refused.value).startswith(f"unsupported: a TIFF compressed with {name} ({tag}); accepted ")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")  # Pillow reading the broken file
def test_only_tiffs_have_a_compression_and_a_broken_directory_is_left_to_the_decoder() -> None:
    assert tiff_compression(jpeg()) is None
    broken = b"II*\x00\xff\xff\xff\x7f"  # its directory would be past the end
    with pytest.raises(ImageRejected) as refused:
        make_thumbnails(broken)
    assert refused.value.reason is not RejectionReason.UNSUPPORTED
