"""``portfolio upload FILE [--name NAME] [--portfolio ID --as cover|gallery] [--employer ID]
[--tag ID] [--link ID] [--wait] [--api URL --token KEY]``: upload an image as an editor would
(docs/images.md); ``portfolio uploads [--status failed|ready]``: the latest uploads' records.

With AWS credentials, the file goes to the media bucket (MEDIA_BUCKET, through whatever
endpoint boto3 is configured for) under ``uploads/<random folder>/<file name>``, with the
editor's metadata. With an API token instead (``--token`` or PORTFOLIO_TOKEN, and ``--api``
or PORTFOLIO_API_URL), it asks the upload API for a form and posts the file with it: no AWS
credentials at all. ThumbnailsFunction does the rest when S3 tells it. The command checks
first what the function would refuse, so that an editor learns it now rather than from a
failed record.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from portfolio.cli import CommandError
from portfolio.cli.api_upload import upload_through_api

if TYPE_CHECKING:
    from portfolio.data.media import StoredUploadRecord


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
    from portfolio.domain.upload_metadata import Attachment, AttachTarget
    from portfolio.domain.uploads import missing_targets, target_kind

    missing = missing_targets([Attachment(AttachTarget(target), target_id) for target, target_id in wanted])
    if missing:
        first = missing[0]
        raise CommandError(f"there is no {target_kind(first.target)} {first.target_id}: nothing uploaded")


def _upload_name(path: Path) -> str:
    """The file's name, its extension lower-cased unless S3's (case-sensitive) suffix filters
    already accept it as it is."""
    from portfolio.domain.upload_metadata import UPLOAD_EXTENSIONS, UPLOAD_SUFFIXES

    stem, extension = os.path.splitext(path.name)
    if extension in UPLOAD_SUFFIXES:
        return path.name
    if extension.lower().lstrip(".") in UPLOAD_EXTENSIONS:
        return stem + extension.lower()
    accepted = ", ".join(f".{extension}" for extension in UPLOAD_EXTENSIONS)
    raise CommandError(f"{path.name}: uploads must end in one of {accepted}")


@dataclass(frozen=True, slots=True)
class _CheckedFile:
    path: Path
    upload_name: str
    size: int
    data: bytes
    image_format: str
    content_type: str


def _checked_file(args: argparse.Namespace) -> _CheckedFile:
    """The file, read and checked as ThumbnailsFunction would check it."""
    from portfolio.domain.upload_metadata import MAX_UPLOAD_BYTES
    from portfolio.imaging import ImageRejected
    from portfolio.imaging.safety import open_image, pillow_limits
    from portfolio.imaging.thumbnails import CONTENT_TYPES

    path = Path(args.file)
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
    return _CheckedFile(path, upload_name, len(data), data, image_format, CONTENT_TYPES[image_format])


def _upload(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("PORTFOLIO_TOKEN", "").strip()
    if token:
        api = (args.api or os.environ.get("PORTFOLIO_API_URL", "")).strip().rstrip("/")
        if not api:
            raise CommandError("a token needs the API's URL: --api URL or PORTFOLIO_API_URL")
        wanted = _attachments(args)
        checked = _checked_file(args)
        return upload_through_api(
            api,
            token,
            path=checked.path,
            file_name=checked.upload_name,
            data=checked.data,
            content_type=checked.content_type,
            name=args.name,
            attach=[f"{target}:{target_id}" for target, target_id in wanted],
            wait_timeout_s=args.wait_timeout if args.wait else None,
        )
    if args.api:
        raise CommandError("--api needs a token: --token KEY or PORTFOLIO_TOKEN")
    return _upload_to_bucket(args)


def _upload_to_bucket(args: argparse.Namespace) -> int:
    from portfolio.config import settings
    from portfolio.data.media import upload_file
    from portfolio.domain.media import media_folder, valid_file_name
    from portfolio.domain.upload_metadata import UPLOAD_PREFIX, Attachment, AttachTarget, editor_metadata

    wanted = _attachments(args)
    checked = _checked_file(args)
    path, upload_name, size, image_format = (
        checked.path,
        checked.upload_name,
        checked.size,
        checked.image_format,
    )
    _check_targets_exist(wanted)

    bucket = settings().media_bucket
    key = f"{UPLOAD_PREFIX}{uuid.uuid4().hex[:12]}/{upload_name}"
    attachments = [Attachment(AttachTarget(target), target_id) for target, target_id in wanted]
    upload_file(
        path,
        bucket,
        key,
        metadata=editor_metadata(name=args.name, attachments=attachments),
        content_type=checked.content_type,
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
    if not args.wait:
        return 0
    sys.stdout.flush()
    return _wait_for_record(key, timeout_s=args.wait_timeout, attaches=bool(attachments))


# How often --wait asks for the record.
_POLL_INTERVAL_S = 0.5


def _wait_for_record(upload_key: str, *, timeout_s: float, attaches: bool) -> int:
    """Wait for the record ThumbnailsFunction writes for this upload (and, when it ``attaches``
    the image somewhere, for those attachments to be made): 0 when ready, 1 when failed or not
    done in time."""
    from portfolio.data.media import upload_records_of
    from portfolio.domain.uploads import latest_upload_record, upload_done

    deadline = time.monotonic() + timeout_s
    while True:
        records = upload_records_of(upload_key)
        stored = latest_upload_record(records)
        if stored is not None and upload_done(stored, attaches=attaches):
            sys.stdout.write(_outcome_line(stored) + "\n")
            return 0 if stored.status == "ready" else 1
        if time.monotonic() >= deadline and records:
            sys.stdout.write(f"the record is written, its attachments not made after {timeout_s:g} s\n")
            return 1
        if time.monotonic() >= deadline:
            sys.stdout.write(
                f"no record after {timeout_s:g} s: is ThumbnailsFunction receiving the bucket's events? "
                "(`portfolio uploads --status failed` lists failed uploads)\n"
            )
            return 1
        time.sleep(_POLL_INTERVAL_S)


def _outcome_line(stored: StoredUploadRecord) -> str:
    record = stored.record
    if stored.status == "ready":
        return (
            f"ready: media {record.id} {record.key} ({record.width}x{record.height}, "
            f"{len(record.thumbnails)} thumbnails)"
        )
    return f"failed: media {record.id}: {stored.failure_reason}"


def _uploads(args: argparse.Namespace) -> int:
    from portfolio.data.media import latest_upload_records

    if args.limit <= 0:
        raise CommandError("--limit must be a positive number")
    rows = [("ID", "STATUS", "UPLOAD", "NAME", "REASON / KEY")]
    for stored in latest_upload_records(args.status, limit=args.limit):
        upload = stored.source.key if stored.source is not None else ""
        detail = stored.failure_reason if stored.status == "failed" else stored.record.key
        rows.append((str(stored.record.id), str(stored.status), upload, stored.record.name, detail or ""))
    if len(rows) == 1:
        sys.stdout.write(f"no {args.status} uploads\n")
        return 0
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        sys.stdout.write("  ".join([*cells, row[4]]) + "\n")
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
    upload.add_argument(
        "--wait",
        action="store_true",
        help="wait for ThumbnailsFunction's record: exit 0 when ready, 1 when failed or not in time",
    )
    upload.add_argument(
        "--wait-timeout", type=float, default=60.0, metavar="S", help="seconds --wait waits (default 60)"
    )
    upload.add_argument(
        "--token",
        metavar="KEY",
        help="upload through the API with this token (default: PORTFOLIO_TOKEN); no AWS credentials needed",
    )
    upload.add_argument(
        "--api", metavar="URL", help="the API's base URL for --token (default: PORTFOLIO_API_URL)"
    )
    upload.set_defaults(run=_upload)

    uploads = subparsers.add_parser(
        "uploads",
        help="The latest uploads' records (failed ones by default), with the reason a failed one gives",
    )
    uploads.add_argument("--status", choices=("failed", "ready"), default="failed", help="default: failed")
    uploads.add_argument("--limit", type=int, default=20, help="how many, newest first (default 20)")
    uploads.set_defaults(run=_uploads)
