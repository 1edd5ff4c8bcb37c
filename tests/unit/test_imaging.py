"""portfolio.imaging: thumbnails of real images made here (formats, modes, orientations,
animations) and the refusal of everything else, with the reason."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from portfolio.imaging import (
    MAX_IMAGE_PIXELS,
    THUMBNAIL_SPECS,
    ImageRejected,
    RejectionReason,
    ThumbnailSpec,
    make_thumbnails,
    render_thumbnails,
)
from tests.support import media as support

pytestmark = pytest.mark.unit


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def psnr(image: Image.Image, reference: Image.Image) -> float:
    squares = ImageStat.Stat(ImageChops.difference(image, reference)).sum2
    mse = sum(squares) / (image.width * image.height * len(squares))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


# --- sizes ---------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(min_value=1, max_value=3000),
    height=st.integers(min_value=1, max_value=3000),
    edge=st.sampled_from([spec.edge for spec in THUMBNAIL_SPECS]),
)
def test_thumbnail_sizes_are_those_of_pillows_thumbnail(width: int, height: int, edge: int) -> None:
    # Given any image size and a thumbnail edge
    image = Image.new("1", (width, height))
    # When Pillow's own thumbnail() sizes it
    image.thumbnail((edge, edge))
    # Then the spec gives the same size: longest edge N, aspect kept, never enlarged
    assert ThumbnailSpec(edge).size_for(width, height) == image.size


def test_the_specs_are_the_contracts_four_sizes_largest_first() -> None:
    assert [spec.edge for spec in THUMBNAIL_SPECS] == [1080, 512, 128, 64]
    assert ThumbnailSpec(64).name_suffix == "_thumbnail_64x64"


def test_a_small_image_is_never_enlarged() -> None:
    # Given an image smaller than every thumbnail but the smallest
    made = make_thumbnails(support.png((100, 60)))
    # Then the three larger thumbnails keep its size, the smallest is 64 wide
    assert [(t.spec.edge, t.width, t.height) for t in made.thumbnails] == [
        (1080, 100, 60),
        (512, 100, 60),
        (128, 100, 60),
        (64, 64, 38),
    ]


# --- formats and modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "facts", "thumbnail"),
    [
        (support.jpeg((1500, 1000)), ("JPEG", "RGB", 1500, 1000), ("JPEG", "RGB")),
        (support.jpeg((1500, 1000), mode="L"), ("JPEG", "L", 1500, 1000), ("JPEG", "L")),
        (support.jpeg((1500, 1000), mode="CMYK"), ("JPEG", "CMYK", 1500, 1000), ("JPEG", "RGB")),
        (support.mpo(), ("MPO", "RGB", 400, 300), ("JPEG", "RGB")),
        (support.png((1500, 1000)), ("PNG", "RGB", 1500, 1000), ("PNG", "RGB")),
        (support.png((1500, 1000), "RGBA"), ("PNG", "RGBA", 1500, 1000), ("PNG", "RGBA")),
        (support.png((1500, 1000), "LA"), ("PNG", "LA", 1500, 1000), ("PNG", "LA")),
        (support.png((1500, 1000), "I;16"), ("PNG", "I;16", 1500, 1000), ("PNG", "L")),
        (support.png((1500, 1000), "1"), ("PNG", "1", 1500, 1000), ("PNG", "L")),
        (support.palette_png_with_alpha(), ("PNG", "P", 300, 200), ("PNG", "RGBA")),
        (
            support.encoded(support.picture((1500, 1000)), "WEBP"),
            ("WEBP", "RGB", 1500, 1000),
            ("WEBP", "RGB"),
        ),
        (support.animated("GIF"), ("GIF", "P", 320, 240), ("GIF", "P")),
        (support.encoded(support.picture((700, 500)), "BMP"), ("BMP", "RGB", 700, 500), ("PNG", "RGB")),
        (
            support.encoded(support.picture((700, 500), "CMYK"), "TIFF"),
            ("TIFF", "CMYK", 700, 500),
            ("PNG", "RGB"),
        ),
        (
            support.encoded(support.picture((700, 500), "I;16"), "TIFF"),
            ("TIFF", "I;16", 700, 500),
            ("PNG", "L"),
        ),
    ],
    ids=[
        "jpeg",
        "jpeg-gray",
        "jpeg-cmyk",
        "mpo",
        "png",
        "png-rgba",
        "png-la",
        "png-16bit",
        "png-bilevel",
        "png-palette-alpha",
        "webp",
        "gif",
        "bmp",
        "tiff-cmyk",
        "tiff-16bit",
    ],
)
def test_each_format_and_mode_gives_web_thumbnails(
    data: bytes, facts: tuple[str, str, int, int], thumbnail: tuple[str, str]
) -> None:
    # When an image is made into thumbnails
    made = make_thumbnails(data)
    # Then the facts are the original's, and each thumbnail is a valid file in a web format
    assert (made.facts.format, made.facts.mode, made.facts.width, made.facts.height) == facts
    assert [t.spec.edge for t in made.thumbnails] == [1080, 512, 128, 64]
    for thumb in made.thumbnails:
        image = opened(thumb.data)
        assert (image.format, image.mode) == thumbnail
        assert image.size == (thumb.width, thumb.height)
        assert image.size == thumb.spec.size_for(made.facts.width, made.facts.height)
        assert image.getexif().get(0x0112) is None  # orientation applied, never to be applied again


def test_sixteen_bit_gray_is_scaled_to_eight_bits_not_clipped() -> None:
    # Given a 16-bit gray PNG at half intensity
    data = support.encoded(Image.new("I;16", (200, 100), 32768), "PNG")
    # When thumbnails are made
    thumb = opened(make_thumbnails(data).thumbnails[0].data)
    # Then the gray is half intensity in 8 bits too
    assert thumb.mode == "L"
    assert thumb.getpixel((50, 50)) in (127, 128)


def test_palette_transparency_survives_as_alpha() -> None:
    # Given a palette PNG whose first palette entry is transparent
    image = Image.new("P", (200, 100), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (100, 0, 200, 100))
    data = support.encoded(image, "PNG", transparency=0)
    # When thumbnails are made
    thumb = opened(make_thumbnails(data).thumbnails[-1].data)
    # Then the left half is transparent and the right half opaque red
    assert thumb.mode == "RGBA"
    assert thumb.getpixel((2, 2))[3] == 0
    assert thumb.getpixel((thumb.width - 3, 2)) == (255, 0, 0, 255)


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_an_animation_gives_thumbnails_of_its_first_frame(image_format: str) -> None:
    # Given an animation whose first frame is red and the others blue
    made = make_thumbnails(support.animated(image_format))
    # Then the thumbnails are still images of the red frame
    for thumb in made.thumbnails:
        image = opened(thumb.data)
        assert getattr(image, "n_frames", 1) == 1
        red, _, blue = image.convert("RGB").getpixel((image.width // 2, image.height // 2))  # type: ignore[misc]
        assert red > 180
        assert blue < 80


def test_an_icc_profile_is_kept_for_colour_images() -> None:
    # Given a JPEG with an sRGB profile
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = support.encoded(support.picture((800, 600)), "JPEG", icc_profile=profile)
    # Then every thumbnail carries it
    for thumb in make_thumbnails(data).thumbnails:
        assert opened(thumb.data).info.get("icc_profile") == profile


# --- orientation and quality ---------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_exif_transpose_does(orientation: int) -> None:
    # Given a small, asymmetric JPEG with an EXIF orientation
    data = support.jpeg((120, 80), orientation=orientation)
    # When thumbnails are made (the largest keeps the image's size)
    rendered = render_thumbnails(data)
    # Then the largest is exactly what ImageOps.exif_transpose shows
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    _, largest = rendered.images[0]
    assert largest.size == expected.size
    assert ImageChops.difference(largest, expected.convert(largest.mode)).getbbox() is None
    assert (rendered.facts.width, rendered.facts.height) == expected.size


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_large_rotated_photos_match_an_exact_resize_of_the_upright_image(orientation: int) -> None:
    # Given a 12-megapixel photo stored rotated (decoded at a reduced scale by the pipeline)
    data = support.jpeg((4200, 2800), orientation=orientation)
    # When thumbnails are made
    rendered = render_thumbnails(data)
    # Then each is within 40 dB of one LANCZOS resize of the full, upright image
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    for spec, image in rendered.images:
        reference = upright.resize(image.size, Image.Resampling.LANCZOS)
        assert psnr(image, reference) >= 40, spec


def test_large_images_with_alpha_are_reduced_without_dark_fringes() -> None:
    # Given a large RGBA image, fully transparent black on the left, opaque white on the right
    image = Image.new("RGBA", (6000, 3000), (0, 0, 0, 0))
    image.paste((255, 255, 255, 255), (3000, 0, 6000, 3000))
    data = support.encoded(image, "PNG", compress_level=1)
    # When thumbnails are made (box reduction, then LANCZOS)
    thumb = opened(make_thumbnails(data).thumbnails[0].data)
    # Then the visible pixels next to the edge stay white (colour was premultiplied by alpha)
    x = thumb.width // 2
    for offset in range(0, 4):
        red, green, blue, alpha = thumb.getpixel((x + offset, 10))  # type: ignore[misc]
        if alpha > 0:
            assert min(red, green, blue) >= 250


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason", "detail"),
    [
        (b"", RejectionReason.EMPTY, "zero bytes"),
        (
            b"hello, this is text" * 10,
            RejectionReason.NOT_AN_IMAGE,
            "not a JPEG, PNG, WebP, GIF, BMP, TIFF image",
        ),
        (b"%PDF-1.7\n%\xe2\xe3", RejectionReason.DISALLOWED_FORMAT, "the file is PDF"),
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
            RejectionReason.DISALLOWED_FORMAT,
            "the file is HEIC",
        ),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", RejectionReason.DISALLOWED_FORMAT, "the file is AVIF"),
        (
            b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>",
            RejectionReason.DISALLOWED_FORMAT,
            "SVG",
        ),
        (support.encoded(support.picture((64, 64)), "PPM"), RejectionReason.DISALLOWED_FORMAT, "Netpbm"),
        (support.encoded(support.picture((64, 64)), "ICO"), RejectionReason.DISALLOWED_FORMAT, "ICO"),
        (support.encoded(support.picture((64, 64)), "TGA"), RejectionReason.NOT_AN_IMAGE, "not a JPEG"),
        (support.truncated(support.jpeg((800, 600))), RejectionReason.CORRUPT, "truncated"),
        (support.truncated(support.png((800, 600))), RejectionReason.CORRUPT, "truncated"),
        (
            support.truncated(support.encoded(support.picture((400, 300)), "GIF")),
            RejectionReason.CORRUPT,
            "truncated",
        ),
        (
            support.truncated(support.encoded(support.picture((400, 300)), "WEBP")),
            RejectionReason.CORRUPT,
            "",
        ),
        (
            support.truncated(support.encoded(support.picture((400, 300)), "TIFF")),
            RejectionReason.CORRUPT,
            "truncated",
        ),
        (
            support.truncated(support.encoded(support.picture((400, 300)), "BMP")),
            RejectionReason.CORRUPT,
            "truncated",
        ),
        (support.png_header_only(8000, 8001), RejectionReason.DECOMPRESSION_BOMB, "64008000 pixels"),
        (support.png_header_only(40_000, 40_000), RejectionReason.DECOMPRESSION_BOMB, "1600000000 pixels"),
    ],
    ids=[
        "empty",
        "text",
        "pdf",
        "heic",
        "avif",
        "svg",
        "ppm",
        "ico",
        "tga",
        "truncated-jpeg",
        "truncated-png",
        "truncated-gif",
        "truncated-webp",
        "truncated-tiff",
        "truncated-bmp",
        "bomb-warning-range",
        "bomb-error-range",
    ],
)
def test_what_is_not_an_accepted_image_is_refused_with_the_reason(
    data: bytes, reason: RejectionReason, detail: str
) -> None:
    # When bytes that are not an accepted image are given
    with pytest.raises(ImageRejected) as refused:
        make_thumbnails(data)
    # Then the refusal says why, in the words the failed record keeps
    assert refused.value.reason is reason
    assert str(refused.value).startswith(f"{reason.value}: ")
    assert detail in str(refused.value)


def test_the_pixel_limit_is_exact() -> None:
    # Given two headers: exactly the limit, and one row of pixels more
    at_limit = support.png_header_only(8000, 8000)
    assert MAX_IMAGE_PIXELS == 8000 * 8000
    # Then the first passes the bomb check (and fails only for its missing data), the second not
    with pytest.raises(ImageRejected) as at:
        make_thumbnails(at_limit)
    assert at.value.reason is RejectionReason.CORRUPT
    with pytest.raises(ImageRejected) as above:
        make_thumbnails(support.png_header_only(8000, 8001))
    assert above.value.reason is RejectionReason.DECOMPRESSION_BOMB


def test_pillows_global_limits_are_restored() -> None:
    # Given Pillow's own settings
    limit = Image.MAX_IMAGE_PIXELS
    # When an image is processed and another refused
    make_thumbnails(support.png((10, 10)))
    with pytest.raises(ImageRejected):
        make_thumbnails(support.png_header_only(9000, 9000))
    # Then they are as they were
    assert limit == Image.MAX_IMAGE_PIXELS


def test_the_extension_plays_no_part_only_the_bytes() -> None:
    # The pipeline never sees a file name: a PNG is a PNG whatever the upload was called
    assert make_thumbnails(support.png()).facts.format == "PNG"
    assert make_thumbnails(support.jpeg()).facts.format == "JPEG"
