"""What an upload is, whoever makes it (``portfolio upload``, the upload API's forms, any S3
tool) and whoever reads it (``ThumbnailsFunction``): where it goes, which files are taken,
how large, the editor's metadata (a name, where to attach the image), how S3 orders the
uploads of one key, and how processing one ends. Pure rules: no AWS, no Pillow, so that the
upload API's function can check a request without the imaging code (docs/images.md).
"""

from __future__ import annotations

import codecs
import email.header
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote

from portfolio.domain.records import MAX_RECORD_ID

UPLOAD_PREFIX = "uploads/"

# Extensions the template's S3 events accept (one event per suffix, lower and upper case:
# S3 matches suffixes case-sensitively). The real format is checked from the bytes.
UPLOAD_EXTENSIONS: tuple[str, ...] = ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff")
UPLOAD_SUFFIXES: tuple[str, ...] = tuple(
    f".{variant}" for extension in UPLOAD_EXTENSIONS for variant in (extension, extension.upper())
)

# The largest upload read. With the 64-megapixel limit this bounds the function's memory
# (docs/images.md); a larger file is a failed record without being downloaded.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# Upload metadata (x-amz-meta-<key>). Values are percent-encoded UTF-8 (S3 metadata is
# ASCII); RFC 2047 words, which S3 returns for non-ASCII values set by other tools, are
# decoded too.
NAME_METADATA = "name"
ATTACH_METADATA = "attach"
MAX_ATTACHMENTS = 10

# Idempotency records outlive every retry and replay of an event: Lambda retries for at
# most 6 hours, and the failure queue and the uploads/ lifecycle rule keep 14 days. So does
# the record of each key's latest upload.
IDEMPOTENCY_EXPIRY_S = 14 * 24 * 3600

# S3 sequencers are compared as S3 documents: hexadecimal strings, the shorter left-padded
# with zeros. Every sequencer is padded to this many digits (S3's have 16 to 20 today).
SEQUENCER_DIGITS = 64
_HEXADECIMAL = re.compile(r"[0-9A-F]+")


def sequencer_order(sequencer: str | None) -> str | None:
    """``sequencer`` as a string that sorts as the events it orders (S3: "to compare these
    values, first left-pad the shorter value with zeros, and then do a lexicographical
    comparison"): upper case, left-padded with zeros to ``SEQUENCER_DIGITS`` digits. None when
    it is missing or not hexadecimal (such an upload is processed without ordering)."""
    if not sequencer:
        return None
    digits = sequencer.strip().upper()
    if not _HEXADECIMAL.fullmatch(digits):
        return None
    digits = digits.lstrip("0") or "0"
    if len(digits) > SEQUENCER_DIGITS:
        return None
    return digits.rjust(SEQUENCER_DIGITS, "0")


# --- upload metadata ----------------------------------------------------------------------------


def encode_metadata_text(text: str) -> str:
    """A metadata value for any text (percent-encoded UTF-8; spaces kept readable)."""
    return quote(text, safe=" ")


def _decode_word(part: bytes | str, charset: str | None) -> str:
    """One RFC 2047 word as text. The charset comes from the uploader: an RFC 2231 language
    suffix (``utf-8*en``) is dropped, and a charset Python does not know, or cannot decode
    with, is read as UTF-8 with replacement characters, so no metadata value can fail an
    upload."""
    if isinstance(part, str):
        return part
    name = (charset or "").partition("*")[0] or "utf-8"
    try:
        codecs.lookup(name)
        # Some codecs Python knows refuse any input: "undefined" always raises, "rot13" or
        # "base64" are not text encodings, "idna" refuses labels it cannot map.
        return part.decode(name, "replace")
    except (LookupError, ValueError):  # ValueError: a NUL in the name; UnicodeError is one
        return part.decode("utf-8", "replace")


def decode_metadata_text(value: str) -> str:
    value = value.strip()
    if value.startswith("=?") and value.endswith("?="):
        words = email.header.decode_header(value)
        return "".join(_decode_word(part, charset) for part, charset in words).strip()
    return unquote(value).strip()


class AttachTarget(StrEnum):
    """Where an upload's image can be shown: a portfolio's cover or gallery, or the image of
    an employer, a tag or a link."""

    COVER = "cover"
    GALLERY = "gallery"
    EMPLOYER = "employer"
    TAG = "tag"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Attachment:
    target: AttachTarget
    target_id: int

    def __str__(self) -> str:
        return f"{self.target.value}:{self.target_id}"


def parse_attachments(value: str) -> tuple[tuple[Attachment, ...], tuple[str, ...]]:
    """``cover:148,gallery:150,employer:3`` -> the attachments and the problems of the items
    that are not one (each kept apart: a bad item does not cancel the good ones)."""
    attachments: list[Attachment] = []
    problems: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        target_name, _, raw_id = item.partition(":")
        try:
            target = AttachTarget(target_name.strip().lower())
        except ValueError:
            choices = ", ".join(member.value for member in AttachTarget)
            problems.append(f"{item!r}: the target must be one of {choices}")
            continue
        raw_id = raw_id.strip()
        # (The length first: int() refuses over 4,300 digits.)
        if not (
            raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 19 and 0 < int(raw_id) <= MAX_RECORD_ID
        ):
            problems.append(f"{item!r}: the id must be a positive integer up to {MAX_RECORD_ID}")
            continue
        attachment = Attachment(target, int(raw_id))
        if attachment in attachments:
            continue
        if len(attachments) == MAX_ATTACHMENTS:
            problems.append(f"{item!r}: at most {MAX_ATTACHMENTS} attachments per upload")
            continue
        attachments.append(attachment)
    return tuple(attachments), tuple(problems)


def format_attachments(attachments: Sequence[Attachment]) -> str:
    return ",".join(str(attachment) for attachment in attachments)


@dataclass(frozen=True, slots=True)
class UploadMetadata:
    name: str | None
    attachments: tuple[Attachment, ...]
    problems: tuple[str, ...]

    @classmethod
    def parse(cls, metadata: Mapping[str, str]) -> UploadMetadata:
        lowered = {key.lower(): value for key, value in metadata.items()}
        name = decode_metadata_text(lowered.get(NAME_METADATA, "")) or None
        attachments, problems = parse_attachments(decode_metadata_text(lowered.get(ATTACH_METADATA, "")))
        return cls(name=name, attachments=attachments, problems=problems)


def editor_metadata(*, name: str | None, attachments: Sequence[Attachment]) -> dict[str, str]:
    """The metadata ``portfolio upload`` sends (what an editor's tool should send)."""
    metadata = {}
    if name:
        metadata[NAME_METADATA] = encode_metadata_text(name)
    if attachments:
        metadata[ATTACH_METADATA] = format_attachments(attachments)
    return metadata


class OutcomeStatus(StrEnum):
    READY = "ready"  # image record and thumbnails written
    FAILED = "failed"  # a failed record written, with the reason
    SKIPPED = "skipped"  # deleted, replaced or superseded (a later upload of the key) first
    IGNORED = "ignored"  # not an upload (outside uploads/, another bucket, a folder marker)
