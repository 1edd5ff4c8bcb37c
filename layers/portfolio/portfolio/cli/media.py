"""``portfolio upload FILE [--name NAME] [--portfolio ID --as cover|gallery] [--employer ID]
[--tag ID] [--link ID]``: upload an image as an editor would (docs/images.md).

The file goes to the media bucket (MEDIA_BUCKET, through whatever endpoint boto3 is
configured for) under ``uploads/<random folder>/<file name>``, with the editor's metadata;
ThumbnailsFunction does the rest when S3 tells it. The command checks first what the
function would refuse, so that an editor learns it now rather than from a failed record.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from portfolio.cli import CommandError


def _attachments(args: argparse.Namespace) -> list[tuple[str, int]]:
    wanted: list[tuple[str, int]] = []
    if args.portfolio is not None:
        wanted.append((args.as_ or "cover", args.portfolio))
    elif args.as_ is not None:
        raise CommandError("--as needs --portfolio ID")
    for target in ("employer", "tag", "link"):
        target_id = getattr(args, target)
        if target_id is not None:
            wanted.append((target, target_id))
    for target, target_id in wanted:
        if target_id <= 0:
            raise CommandError(
                f"--{'portfolio' if target in ('cover', 'gallery') else target} must be a positive id"
            )
    return wanted


def _check_targets_exist(wanted: list[tuple[str, int]]) -> None:
    from portfolio.data import catalogue as store

    loaders: dict[str, Callable[[list[int]], Mapping[int, object]]] = {
        "cover": store.load_portfolio_records,
        "gallery": store.load_portfolio_records,
        "employer": store.load_employers,
        "tag": store.load_tags,
        "link": store.load_links,
    }
    for target, target_id in wanted:
        if target_id not in loaders[target]([target_id]):
            kind = "portfolio" if target in ("cover", "gallery") else target
            raise CommandError(f"there is no {kind} {target_id}: nothing uploaded")


def _upload_name(path: Path) -> str:
    """The file's name, its extension lower-cased unless S3's (case-sensitive) suffix filters
    already accept it as it is."""
    from portfolio.domain.media import UPLOAD_EXTENSIONS, UPLOAD_SUFFIXES

    stem, extension = os.path.splitext(path.name)
    if extension in UPLOAD_SUFFIXES:
        return path.name
    if extension.lower().lstrip(".") in UPLOAD_EXTENSIONS:
        return stem + extension.lower()
    accepted = ", ".join(f".{extension}" for extension in UPLOAD_EXTENSIONS)
    raise CommandError(f"{path.name}: uploads must end in one of {accepted}")


def _upload(args: argparse.Namespace) -> int:
    from portfolio.config import settings
    from portfolio.data.media import upload_file
    from portfolio.domain.catalogue import AttachTarget
    from portfolio.domain.media import (
        MAX_UPLOAD_BYTES,
        UPLOAD_PREFIX,
        Attachment,
        editor_metadata,
        media_folder,
        valid_file_name,
    )
    from portfolio.imaging import ImageRejected
    from portfolio.imaging.safety import open_image, pillow_limits
    from portfolio.imaging.thumbnails import CONTENT_TYPES

    path = Path(args.file)
    wanted = _attachments(args)
    upload_name = _upload_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise CommandError(f"{path}: {size} bytes; uploads are at most {MAX_UPLOAD_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    try:
        with pillow_limits(), open_image(data) as image:
            image_format = str(image.format)
    except ImageRejected as error:
        raise CommandError(f"{path} would be refused ({error}): nothing uploaded") from error
    if args.name is not None and not args.name.strip():
        raise CommandError("--name must not be blank")
    _check_targets_exist(wanted)

    bucket = settings().media_bucket
    key = f"{UPLOAD_PREFIX}{uuid.uuid4().hex[:12]}/{upload_name}"
    attachments = [Attachment(AttachTarget(target), target_id) for target, target_id in wanted]
    upload_file(
        path,
        bucket,
        key,
        metadata=editor_metadata(name=args.name, attachments=attachments),
        content_type=CONTENT_TYPES[image_format],
    )
    today = dt.datetime.now(dt.UTC).date()
    lines = [
        f"uploaded {path.name} ({image_format}, {size} bytes) to s3://{bucket}/{key}",
        "ThumbnailsFunction stores it and its four thumbnails under "
        f"{media_folder(today)}{valid_file_name(upload_name)} (or a unique variant of that name)",
        f"and writes its image record (MediaTable, status ready) named {args.name or upload_name!r}",
    ]
    for attachment in attachments:
        target = attachment.target.value
        if target in ("cover", "gallery"):
            field = "image_data" if target == "cover" else "images_data"
            where = f"GET /api/portfolios/{attachment.target_id}/ ({field})"
        else:
            where = (
                f"the {target_data_field(target)} of every portfolio showing {target} {attachment.target_id}"
            )
        lines.append(f"it will appear in {where}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def target_data_field(target: str) -> str:
    return {
        "employer": "employer_data.image_data",
        "tag": "tags_data[].image_data",
        "link": "links_data[].image_data",
    }[target]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    upload = subparsers.add_parser(
        "upload",
        help="Upload an image as an editor would (ThumbnailsFunction makes its record and thumbnails)",
        description=(
            "Upload an image to the media bucket (MEDIA_BUCKET) under uploads/, with the editor's name and "
            "where to attach it as upload metadata (docs/images.md)."
        ),
    )
    upload.add_argument("file", help="a JPEG, PNG, WebP, GIF, BMP or TIFF file")
    upload.add_argument("--name", help="the image's name (default: the file name)")
    upload.add_argument("--portfolio", type=int, metavar="ID", help="attach to this portfolio")
    upload.add_argument(
        "--as",
        dest="as_",
        choices=("cover", "gallery"),
        help="as the portfolio's cover (default) or a gallery image",
    )
    upload.add_argument("--employer", type=int, metavar="ID", help="make it this employer's image")
    upload.add_argument("--tag", type=int, metavar="ID", help="make it this tag's image")
    upload.add_argument("--link", type=int, metavar="ID", help="make it this link's image")
    upload.set_defaults(run=_upload)
