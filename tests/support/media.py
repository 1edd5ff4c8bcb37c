"""The image pipeline's test material: real image files made in the tests (several formats
and modes, EXIF-rotated, animated, CMYK, 16-bit, palette with alpha), broken ones
(truncated, bomb headers), the template's media bucket on moto, uploads, and the S3 events
S3 sends for them."""

from __future__ import annotations

import io
import os
import struct
import zlib
from typing import Any
from urllib.parse import quote_plus

import boto3
from PIL import Image, ImageDraw

from tests.support.events import load_event


def picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with gradients and edges (resizing it is not trivial), in ``mode``."""
    width, height = size
    ramp = Image.linear_gradient("L").resize(size)
    across = Image.linear_gradient("L").rotate(90).resize(size)
    image = Image.merge("RGB", (ramp, across, Image.new("L", size, 90)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 4, width // 2, height // 2), fill=(250, 30, 30))
    draw.line((0, height - 1, width - 1, 0), fill=(0, 0, 0), width=max(1, width // 50))
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").rotate(180).resize(size))
        return image
    if mode == "LA":
        gray = image.convert("L")
        gray.putalpha(Image.linear_gradient("L").resize(size))
        return gray.convert("LA")
    if mode == "I;16":
        return image.convert("L").point(lambda value: value * 257, "I").convert("I;16")
    return image.convert(mode)


def encoded(image: Image.Image, image_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (640, 480), *, orientation: int | None = None, mode: str = "RGB") -> bytes:
    """A JPEG, stored ``size``; with ``orientation`` its EXIF says how to display it."""
    options: dict[str, Any] = {"quality": 90}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif
    return encoded(picture(size, mode), "JPEG", **options)


def png(size: tuple[int, int] = (640, 480), mode: str = "RGB", **options: Any) -> bytes:
    return encoded(picture(size, mode), "PNG", **options)


def palette_png_with_alpha(size: tuple[int, int] = (300, 200)) -> bytes:
    """A ``P`` PNG whose palette has a transparent entry (tRNS)."""
    image = picture(size).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    image.info["transparency"] = 0
    return encoded(image, "PNG", transparency=0)


def animated(image_format: str, size: tuple[int, int] = (320, 240), frames: int = 3) -> bytes:
    """An animated GIF or WebP whose first frame is red and the others blue."""
    colours = [(220, 20, 20)] + [(20, 20, 220)] * (frames - 1)
    images = [Image.new("RGB", size, colour) for colour in colours]
    return encoded(images[0], image_format, save_all=True, append_images=images[1:], duration=100, loop=0)


def mpo(size: tuple[int, int] = (400, 300)) -> bytes:
    """A multi-picture JPEG, as phones write (Pillow reports it as MPO)."""
    first, second = picture(size), picture(size).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return encoded(first, "MPO", save_all=True, append_images=[second])


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header declaring ``width`` x ``height`` RGB pixels, with
    one tiny data chunk: what a decompression bomb looks like before it is decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


# --- the bucket, uploads and their S3 events ---------------------------------------------------


def create_template_buckets() -> str:
    """Create the template's buckets (on moto), named as the environment names them; return
    the media bucket's name. Also forgets the media clients made for an earlier test."""
    from portfolio.data.media import reset_clients
    from portfolio.infra.template import bucket_environment, create_buckets, load_template

    reset_clients()
    template = load_template()
    names = {
        logical_id: os.environ[variable] for variable, logical_id in bucket_environment(template).items()
    }
    create_buckets(boto3.client("s3"), names, template)
    return os.environ["MEDIA_BUCKET"]


def put_upload(bucket: str, key: str, data: bytes, metadata: dict[str, str] | None = None) -> str:
    """Upload as an editor's tool would; return the ETag (without quotes)."""
    response = boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data, Metadata=metadata or {})
    return response["ETag"].strip('"')


def object_keys(bucket: str, prefix: str = "") -> list[str]:
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def read_object(bucket: str, key: str) -> bytes:
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def s3_event(
    bucket: str,
    key: str,
    etag: str,
    *,
    size: int = 0,
    event_time: str = "2026-05-01T09:30:12.345Z",
    version_id: str | None = None,
    event_name: str = "ObjectCreated:Put",
    sequencer: str | None = None,
) -> dict[str, Any]:
    """The event S3 sends for one object (``events/s3_put.json``, adjusted): the key
    URL-encoded as S3 encodes it, the ETag without quotes; ``sequencer`` orders the events
    of one key (the sample's when not given)."""
    event = load_event("s3_put")
    record = event["Records"][0]
    record["eventTime"] = event_time
    record["eventName"] = event_name
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    obj = record["s3"]["object"]
    obj["key"] = quote_plus(key, safe="/")
    obj["eTag"] = etag.strip('"')
    obj["size"] = size
    if version_id is not None:
        obj["versionId"] = version_id
    if sequencer is not None:
        obj["sequencer"] = sequencer
    return event


def combined(*events: dict[str, Any]) -> dict[str, Any]:
    """One event with the records of several."""
    return {"Records": [record for event in events for record in event["Records"]]}
