"""The four thumbnails of an image (longest edge 1080, 512, 128, 64), from one decode.

How (measured in docs/images.md and by ``benchmarks/thumbnails.py``):

- One decode per image. A JPEG is decoded at a reduced scale: ``draft()`` asks libjpeg for
  the smallest DCT scale (1/2, 1/4, 1/8) that still covers the largest target, so a
  24-megapixel photo is never decoded at full size. Draft mode only works before anything
  else loads the pixels, which is why EXIF orientation is applied last, to the small
  results, instead of first with ``ImageOps.exif_transpose`` (which loads the whole image).
  Targets are computed in the displayed orientation and swapped into the stored one.
- A cascade: 1080 from the decoded image, 512 from the 1080, 128 from the 512, 64 from the
  128, each target computed from the original size (so the cascade cannot drift by a
  pixel). Palette images are converted to RGB(A) before any resize: Pillow resizes ``P``
  with NEAREST, and a cascade of those loses half the quality.
- Images with alpha are resized premultiplied (``RGBa``/``La``) once for the whole cascade,
  instead of Pillow converting back and forth at every step.
- The thumbnails keep the original's format where it is a web format (JPEG, PNG, WebP, GIF);
  BMP and TIFF thumbnails are PNG. Modes are converted where the format needs it: CMYK and
  other colour spaces to RGB, 16-bit to 8-bit, palette (with or without alpha) to RGB(A).
  Animated GIF and WebP files give thumbnails of their first frame.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from portfolio.imaging.safety import DECODE_ERRORS, decoding, open_image, pillow_limits

THUMBNAIL_EDGES: tuple[int, ...] = (1080, 512, 128, 64)
EXIF_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True, slots=True)
class ThumbnailSpec:
    """One thumbnail size: the edge of the square bounding box (the API's ``size``)."""

    edge: int

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The thumbnail's size for a ``width`` x ``height`` image: longest edge ``edge``,
        aspect ratio kept, never enlarged. Rounded exactly as ``Image.thumbnail()`` does."""
        if width <= self.edge and height <= self.edge:
            return width, height
        x = y = self.edge
        aspect = width / height

        def round_aspect(number: float, key: Callable[[int], float]) -> int:
            return max(min(math.floor(number), math.ceil(number), key=key), 1)

        if x / y >= aspect:
            x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
        else:
            y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
        return x, y

    @property
    def name_suffix(self) -> str:
        """What the thumbnail's file name adds to the original's stem."""
        return f"_thumbnail_{self.edge}x{self.edge}"


# Largest first: the order of the cascade.
THUMBNAIL_SPECS: tuple[ThumbnailSpec, ...] = tuple(ThumbnailSpec(edge) for edge in THUMBNAIL_EDGES)


@dataclass(frozen=True, slots=True)
class Encoding:
    """How thumbnails of one format are written."""

    format: str  # Pillow's format id for save()
    extensions: tuple[str, ...]  # the first is the one new names get
    content_type: str
    modes: tuple[str, ...]  # modes written as they are; others are converted first
    options: Mapping[str, Any] = field(default_factory=dict)


ENCODINGS: dict[str, Encoding] = {
    # Quality 85: thumbnails up to 1080 px are shown large, and screenshots with text show
    # artefacts at Pillow's default 75.
    "JPEG": Encoding("JPEG", ("jpg", "jpeg", "jpe", "jfif"), "image/jpeg", ("L", "RGB"), {"quality": 85}),
    # zlib level 3: measured on a photographic 1080 px RGBA thumbnail, 97 ms and 834 KB
    # against level 6's 265 ms and 744 KB (encoding is the largest cost after decoding).
    "PNG": Encoding("PNG", ("png",), "image/png", ("L", "LA", "RGB", "RGBA"), {"compress_level": 3}),
    "WEBP": Encoding("WEBP", ("webp",), "image/webp", ("RGB", "RGBA"), {"quality": 85}),
    "GIF": Encoding("GIF", ("gif",), "image/gif", ("L", "RGB", "RGBA")),
}

# The real format of an upload -> the encoding of its thumbnails.
THUMBNAIL_ENCODING_FOR: dict[str, str] = {
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "PNG": "PNG",
    "WEBP": "WEBP",
    "GIF": "GIF",
    "BMP": "PNG",
    "TIFF": "PNG",
}

# The Content-Type the original is served with, by its real format.
CONTENT_TYPES: dict[str, str] = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}

# EXIF orientation -> the transposition that displays the image upright (as
# ``ImageOps.exif_transpose`` maps it). 5 to 8 swap width and height.
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = frozenset({5, 6, 7, 8})
_PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}
# LANCZOS works from at least this many times the target after a box reduction (Pillow's
# ``reducing_gap``: 3.0 and more is "indistinguishable from fair resampling in most cases").
REDUCING_GAP = 3.0
_STRIP_ROWS = 256
_Box = tuple[float, float, float, float]  # left, top, right, bottom
_EXIF_ERRORS: tuple[type[Exception], ...] = (*DECODE_ERRORS, TypeError)
_PROFILE_KEEPING_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA"})


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What the image record says about the original."""

    format: str  # the real format (Pillow's id)
    mode: str  # the original's mode, as Pillow reports it
    width: int  # as displayed: EXIF orientation applied
    height: int
    orientation: int  # the EXIF orientation (1 when absent or invalid)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


@dataclass(frozen=True, slots=True)
class Thumbnail:
    spec: ThumbnailSpec
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class ThumbnailSet:
    facts: ImageFacts
    encoding: Encoding
    thumbnails: tuple[Thumbnail, ...]


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except _EXIF_ERRORS:  # a broken EXIF block must not refuse a decodable image
        return 1
    return value if isinstance(value, int) and value in _ORIENTATION_TRANSPOSE else 1


def _working_mode(image: Image.Image) -> str:
    """The mode the cascade works in: 8 bits a channel, alpha only when there is some."""
    mode = image.mode
    alpha = image.has_transparency_data
    if mode in ("L", "RGB"):
        return mode + "A" if alpha else mode
    if mode in ("LA", "RGBA"):
        return mode
    if mode == "1" or mode.startswith("I") or mode == "F":
        return "L"
    return "RGBA" if alpha else "RGB"  # P, PA, CMYK, YCbCr, LAB, HSV, RGBX...


def _mode_converter(image: Image.Image, mode: str) -> Callable[[Image.Image], Image.Image]:
    """How to bring ``image`` (or any crop of it) into ``mode``, premultiplied when it has
    alpha (decided once for the whole image, so that every strip is converted alike)."""
    premultiplied = _PREMULTIPLIED.get(mode)
    if image.mode.startswith("I;16"):
        # Pillow's I;16 -> L conversion clips at 255: scale the 16-bit range instead.
        def convert(part: Image.Image) -> Image.Image:
            return part.point(lambda value: value / 257, "L").convert("L")
    elif image.mode in ("I", "F"):
        high = image.getextrema()[1]
        scale = 1 / 257 if isinstance(high, (int, float)) and high > 255 else 1

        def convert(part: Image.Image) -> Image.Image:
            return part.point(lambda value: value * scale).convert("L")
    else:

        def convert(part: Image.Image) -> Image.Image:
            return part if part.mode == mode else part.convert(mode)

    if premultiplied is None:
        return convert
    return lambda part: convert(part).convert(premultiplied)


def _reduce_in_strips(
    image: Image.Image, convert: Callable[[Image.Image], Image.Image], factor: int
) -> Image.Image:
    """``convert(image).reduce(factor)``, made strip by strip so that no second full-size
    image ever exists. ``reduce`` averages factor x factor blocks, so strips whose height is
    a multiple of ``factor`` give exactly the whole image's result."""
    width, height = image.size
    rows = factor * max(1, _STRIP_ROWS // factor)
    reduced: Image.Image | None = None
    for top in range(0, height, rows):
        strip = convert(image.crop((0, top, width, min(top + rows, height)))).reduce(factor)
        if reduced is None:
            reduced = Image.new(strip.mode, (-(-width // factor), -(-height // factor)))
        reduced.paste(strip, (0, top // factor))
    assert reduced is not None  # height >= 1
    return reduced


@dataclass(frozen=True, slots=True)
class RenderedThumbnails:
    """The thumbnails as images (upright, in a mode their encoding writes), before encoding."""

    facts: ImageFacts
    encoding: Encoding
    images: tuple[tuple[ThumbnailSpec, Image.Image], ...]
    icc_profile: bytes | None


@dataclass(slots=True)
class _Decoded:
    facts: ImageFacts
    image: Image.Image  # in the working mode, premultiplied when it has alpha
    box: _Box | None  # the part of ``image`` that is the original, for ``resize(box=...)``
    stored_targets: list[tuple[int, int]]  # one per spec, in the stored orientation
    working_mode: str
    icc_profile: bytes | None


def _decode(data: bytes, specs: Sequence[ThumbnailSpec]) -> _Decoded:
    """Open and decode ``data`` once, into the mode the cascade works in.

    JPEGs are decoded at the smallest DCT scale that still covers the largest target (the
    ``box`` then says which part of the decoded image is the original, as ``Image.thumbnail``
    passes it to ``resize``). At most two full-size images exist at once, briefly, while a
    mode is converted: each conversion replaces the only reference to the previous one.
    """
    with pillow_limits():
        image: Image.Image = open_image(data)
        with decoding("cannot decode the image"):
            orientation = _orientation(image)
            stored_width, stored_height = image.size
            swap = orientation in _SWAPS_AXES
            width, height = (stored_height, stored_width) if swap else (stored_width, stored_height)
            facts = ImageFacts(
                format=str(image.format), mode=image.mode, width=width, height=height, orientation=orientation
            )
            stored_targets = [
                (h, w) if swap else (w, h) for w, h in (spec.size_for(width, height) for spec in specs)
            ]
            box: _Box | None = None
            if facts.format in ("JPEG", "MPO"):
                drafted = image.draft(None, stored_targets[0])
                if drafted is not None and drafted[1][2:] != image.size:
                    left, top, right, bottom = drafted[1]
                    box = (float(left), float(top), float(right), float(bottom))
            image.load()
            # A profile for CMYK or 16-bit data would describe a colour space the output no longer has.
            icc_profile = image.info.get("icc_profile") if image.mode in _PROFILE_KEEPING_MODES else None
            mode = _working_mode(image)
            convert = _mode_converter(image, mode)
            # Far larger than the largest target (never a drafted JPEG): first a box reduction
            # by a whole factor, keeping at least REDUCING_GAP times the target for LANCZOS
            # (as ``resize(reducing_gap=...)`` does), converted and reduced strip by strip.
            target_width, target_height = stored_targets[0]
            factor = int(min(image.width / target_width, image.height / target_height) / REDUCING_GAP)
            if box is None and factor >= 2:
                width, height = image.size
                image = _reduce_in_strips(image, convert, factor)
                box = (0.0, 0.0, width / factor, height / factor)
            else:
                image = convert(image)
    return _Decoded(facts, image, box, stored_targets, mode, icc_profile)


def render_thumbnails(data: bytes, specs: Sequence[ThumbnailSpec] = THUMBNAIL_SPECS) -> RenderedThumbnails:
    """Decode ``data`` once and resize it to every spec, largest first, each from the previous
    one. Raises ``ImageRejected`` for bytes that are not an accepted image."""
    specs = sorted(specs, key=lambda spec: spec.edge, reverse=True)
    decoded = _decode(data, specs)
    facts = decoded.facts
    encoding = ENCODINGS[THUMBNAIL_ENCODING_FOR[facts.format]]
    resized: list[Image.Image] = []
    current, box = decoded.image, decoded.box
    del decoded.image  # the cascade holds the only reference: the full image goes after step one
    for size in decoded.stored_targets:
        if size != current.size or box is not None:
            current = current.resize(size, Image.Resampling.LANCZOS, box=box)
            box = None
        resized.append(current)
    del current
    method = _ORIENTATION_TRANSPOSE.get(facts.orientation)
    finished = []
    for spec, small in zip(specs, resized, strict=True):
        upright = small.transpose(method) if method is not None else small
        if upright.mode != decoded.working_mode:
            upright = upright.convert(decoded.working_mode)  # back from premultiplied alpha
        if upright.mode not in encoding.modes:
            alpha = "A" in upright.mode and "RGBA" in encoding.modes
            upright = upright.convert("RGBA" if alpha else "RGB")
        finished.append((spec, upright))
    return RenderedThumbnails(
        facts=facts, encoding=encoding, images=tuple(finished), icc_profile=decoded.icc_profile
    )


def encode(image: Image.Image, encoding: Encoding, icc_profile: bytes | None = None) -> bytes:
    """``image`` written in ``encoding`` (without EXIF: orientation is already applied)."""
    options = dict(encoding.options)
    if icc_profile and encoding.format != "GIF":
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.save(buffer, encoding.format, **options)
    return buffer.getvalue()


def make_thumbnails(data: bytes, specs: Sequence[ThumbnailSpec] = THUMBNAIL_SPECS) -> ThumbnailSet:
    """The encoded thumbnails of ``data`` and the facts of the original.

    Raises ``ImageRejected`` (see ``portfolio.imaging.safety``) for bytes that are not an
    accepted image.
    """
    rendered = render_thumbnails(data, specs)
    thumbnails = tuple(
        Thumbnail(
            spec=spec,
            width=image.width,
            height=image.height,
            data=encode(image, rendered.encoding, rendered.icc_profile),
        )
        for spec, image in rendered.images
    )
    return ThumbnailSet(facts=rendered.facts, encoding=rendered.encoding, thumbnails=thumbnails)
