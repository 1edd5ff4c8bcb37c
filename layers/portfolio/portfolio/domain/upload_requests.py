"""What an editor asks for to upload an image through the API (issue 10: ``POST /api/uploads/``),
checked against everything the thumbnails function would refuse, before any form is signed.

A request is JSON: ``{"file_name": "team.jpg", "content_type": "image/jpeg", "size": 123456,
"name": "Team", "attach": ["cover:148", "tag:2"]}`` (``name`` and ``attach`` optional). A bad
one ends in ``InvalidUploadRequest`` with DRF-style field errors (``{"size": ["..."]}``), every
field checked, as a DRF serializer reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portfolio.domain.errors import InvalidUploadRequest
from portfolio.domain.upload_metadata import (
    MAX_ATTACHMENTS,
    MAX_UPLOAD_BYTES,
    UPLOAD_EXTENSIONS,
    Attachment,
    parse_attachments,
)

# The content types each accepted extension may be sent with (the bytes decide the format
# later; a type that contradicts the name is refused here).
CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "png": ("image/png",),
    "webp": ("image/webp",),
    "gif": ("image/gif",),
    "bmp": ("image/bmp", "image/x-ms-bmp"),
    "tif": ("image/tiff",),
    "tiff": ("image/tiff",),
}
ACCEPTED_CONTENT_TYPES = frozenset(kind for kinds in CONTENT_TYPES.values() for kind in kinds)
# A file name becomes the last part of the object's key (uploads/<upload id>/<file name>).
MAX_FILE_NAME_LENGTH = 200
# Django's FileField / CharField length of the original's media name.
MAX_NAME_LENGTH = 255
FIELDS = ("file_name", "content_type", "size", "name", "attach")

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_A_STRING = "Not a valid string."
BLANK = "This field may not be blank."


@dataclass(frozen=True, slots=True)
class UploadRequest:
    file_name: str
    content_type: str
    size: int
    name: str | None
    attachments: tuple[Attachment, ...]

    @property
    def extension(self) -> str:
        return file_extension(self.file_name)


def file_extension(file_name: str) -> str:
    """``Team.JPG`` -> ``jpg``."""
    return file_name.rpartition(".")[2].lower()


def _text(value: Any, *, required: bool, max_length: int) -> tuple[str | None, list[str]]:
    if value is None:
        return None, [NOT_NULL] if required else []
    if not isinstance(value, str):
        return None, [NOT_A_STRING]
    text = value.strip()
    if not text:
        return None, [BLANK] if required else []
    if len(text) > max_length:
        return None, [f"Ensure this field has no more than {max_length} characters."]
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        return None, ["Control characters are not allowed."]
    return text, []


def _file_name(value: Any) -> tuple[str | None, list[str]]:
    text, errors = _text(value, required=True, max_length=MAX_FILE_NAME_LENGTH)
    if text is None:
        return None, errors
    if "/" in text or "\\" in text or text in (".", ".."):
        return None, ["A file name, without folders."]
    stem, dot, _ = text.rpartition(".")
    if not dot or not stem or file_extension(text) not in CONTENT_TYPES:
        accepted = ", ".join(f".{name}" for name in UPLOAD_EXTENSIONS)
        return None, [f"The file's extension must be one of {accepted}."]
    return text, []


def _size(value: Any) -> tuple[int | None, list[str]]:
    if value is None:
        return None, [NOT_NULL]
    # DRF's IntegerField takes integers and integral strings; never booleans or fractions.
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, ["A valid integer is required."]
    text = str(value).strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 20:
        return None, ["A valid integer is required."]
    size = int(text)
    if size < 1:
        return None, ["Ensure this value is greater than or equal to 1."]
    if size > MAX_UPLOAD_BYTES:
        return None, [f"Ensure this value is less than or equal to {MAX_UPLOAD_BYTES}."]
    return size, []


def _attach(value: Any) -> tuple[tuple[Attachment, ...], list[str]]:
    if value is None:
        return (), []
    if not isinstance(value, list):
        return (), [f'Expected a list of items but got type "{type(value).__name__}".']
    if len(value) > MAX_ATTACHMENTS:
        return (), [f"Ensure this field has no more than {MAX_ATTACHMENTS} elements."]
    errors = []
    for item in value:
        if not isinstance(item, str) or "," in item:
            errors.append(f"{item!r}: one target:id per item.")
    if errors:
        return (), errors
    attachments, problems = parse_attachments(",".join(value))
    return attachments, [f"{problem}." for problem in problems]


def parse_upload_request(body: Any) -> UploadRequest:
    """The request in ``body`` (parsed JSON); ``InvalidUploadRequest`` with every field's errors."""
    if not isinstance(body, Mapping):
        raise InvalidUploadRequest(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]}
        )
    errors: dict[str, list[str]] = {}
    for field in ("file_name", "content_type", "size"):
        if field not in body:
            errors[field] = [REQUIRED]
    file_name, problems = _file_name(body.get("file_name")) if "file_name" in body else (None, [])
    if problems:
        errors["file_name"] = problems
    content_type, problems = (
        _text(body.get("content_type"), required=True, max_length=100)
        if "content_type" in body
        else (None, [])
    )
    if problems:
        errors["content_type"] = problems
    elif content_type is not None:
        content_type = content_type.lower()
        if content_type not in ACCEPTED_CONTENT_TYPES:
            errors["content_type"] = [f'"{content_type}" is not a valid choice.']
        elif file_name is not None and content_type not in CONTENT_TYPES[file_extension(file_name)]:
            errors["content_type"] = [
                f"{content_type} is not the type of a {file_extension(file_name)} file."
            ]
    size, problems = _size(body.get("size")) if "size" in body else (None, [])
    if problems:
        errors["size"] = problems
    name, problems = _text(body.get("name"), required=False, max_length=MAX_NAME_LENGTH)
    if problems:
        errors["name"] = problems
    attachments, problems = _attach(body.get("attach"))
    if problems:
        errors["attach"] = problems
    if errors or file_name is None or content_type is None or size is None:
        raise InvalidUploadRequest({field: errors[field] for field in FIELDS if field in errors})
    return UploadRequest(
        file_name=file_name, content_type=content_type, size=size, name=name, attachments=attachments
    )
