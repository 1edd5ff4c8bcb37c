"""Pydantic models of the API's responses: the OpenAPI document is generated from them and
the tests validate real responses against them. Not imported on the request path (the
handlers write JSON straight from the stored documents)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from portfolio.domain.upload_requests import CONTENT_TYPES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thumbnail(_Strict):
    id: int
    f: str = Field(description="URL of the thumbnail file")
    size: int = Field(description="Edge of the bounding box: 64, 128, 512 or 1080")


class Image(_Strict):
    id: int
    type: str = Field(description='The file\'s kind ("image")')
    name: str = Field(description="The editor-given name, else the original file name")
    size: int = Field(description="Size in bytes")
    human_readable_size: str = Field(examples=["71.35 KB"])
    f: str = Field(description="URL of the image file")
    width: int | None
    height: int | None
    mode: str | None = Field(description="Pillow colour mode (RGB, RGBA, L, P, CMYK...)")
    thumbnails: list[Thumbnail]


class File(_Strict):
    id: int
    type: str
    name: str
    size: int
    human_readable_size: str
    f: str


class Employer(_Strict):
    id: int
    name: str
    image_data: Image | None
    description: str | None


class Tag(_Strict):
    id: int
    name: str
    image_data: Image | None


class Link(_Strict):
    id: int
    name: str
    url: str | None
    image_data: Image | None
    description: str | None


class Meta(_Strict):
    id: int
    key: str
    value_text: str | None
    value_file: File | None


class PortfolioSummary(_Strict):
    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    image_data: Image | None
    employer_data: Employer | None
    tags_data: list[Tag]
    links_data: list[Link]
    is_active: bool
    completed_at: str | None = Field(description="ISO 8601, UTC (Z)")
    created_at: str
    updated_at: str


class PortfolioDetail(PortfolioSummary):
    description: str | None
    images_data: list[Image]
    meta: list[Meta]


class PortfolioPage(_Strict):
    count: int
    next: str | None = Field(description="Absolute URL of the next page, or null")
    previous: str | None = Field(description="Absolute URL of the previous page, or null")
    results: list[PortfolioSummary]


class ErrorDetail(_Strict):
    detail: str


class FilterErrors(RootModel[dict[str, list[str]]]):
    """Every bad filter parameter with django-filter's messages."""


class SearchErrors(RootModel[list[str]]):
    """DRF's answer to a search holding a NUL character."""


# --- the upload API (POST /api/uploads/, GET /api/uploads/{upload_id}/) ---------------------------

# What portfolio.domain.upload_requests accepts, as far as a schema can say it.
_FILE_NAME_CHARACTER = r"[^/\\\x00-\x1f\x7f]"


def _any_case(extension: str) -> str:
    """``jpg`` -> ``[jJ][pP][gG]`` (JSON Schema patterns take no flags)."""
    return "".join(
        f"[{letter}{letter.upper()}]" if letter.isalpha() else re.escape(letter) for letter in extension
    )


def _types_of_extensions() -> dict[str, tuple[str, ...]]:
    """An any-case pattern of extensions -> the content types they may be sent with, one per
    set of types (portfolio.domain.upload_requests says which type goes with which file)."""
    extensions_of_types: dict[tuple[str, ...], list[str]] = {}
    for extension, types in CONTENT_TYPES.items():
        extensions_of_types.setdefault(types, []).append(extension)
    return {
        "(?:" + "|".join(_any_case(extension) for extension in extensions) + ")": types
        for types, extensions in extensions_of_types.items()
    }


_TYPES_OF_EXTENSIONS = _types_of_extensions()


_CONTENT_TYPES: list[Any] = sorted({kind for kinds in _TYPES_OF_EXTENSIONS.values() for kind in kinds})


def _file_name_pattern(extension: str) -> str:
    # A stem with something else than spaces and dots, then the extension.
    return rf"^\s*{_FILE_NAME_CHARACTER}*[^/\\\x00-\x1f\x7f\s.]{_FILE_NAME_CHARACTER}*\.{extension}\s*$"


def _extension_matches_type(schema: dict[str, Any]) -> None:
    # The content type must be one the file's extension names: one branch per extension.
    schema["anyOf"] = [
        {
            "properties": {
                "file_name": {"pattern": _file_name_pattern(extension)},
                "content_type": {"enum": list(types)},
            }
        }
        for extension, types in _TYPES_OF_EXTENSIONS.items()
    ]


class UploadRequest(_Strict):
    """What an editor asks to upload (every field checked; DRF-style errors otherwise)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_extension_matches_type)

    file_name: str = Field(
        description="The file's name, without folders; its extension one of jpg, jpeg, png, webp, gif, "
        "bmp, tif, tiff (any case), and the content type one of that extension's",
        min_length=5,
        max_length=200,
        examples=["team.jpg"],
    )
    content_type: str = Field(
        description="The file's type: one the extension names",
        json_schema_extra={"enum": _CONTENT_TYPES},
    )
    size: int = Field(
        description="The file's size in bytes (the form allows 1 up to this)", ge=1, le=104857600
    )
    name: str | None = Field(
        default=None,
        description="The image's name (default: the file name)",
        max_length=255,
        pattern="^[^\\x00-\\x1f\\x7f]*$",
    )
    attach: list[str] | None = Field(
        default=None,
        description="Where to show the image once ready: cover:<portfolio>, gallery:<portfolio>, "
        "employer:<id>, tag:<id>, link:<id>; each target must exist",
        max_length=10,
        json_schema_extra={
            "items": {"type": "string", "pattern": "^(cover|gallery|employer|tag|link):[1-9][0-9]{0,17}$"}
        },
    )


class UploadForm(_Strict):
    """A presigned S3 POST for one upload: post ``fields`` (in order), then the file, to ``url``."""

    id: str = Field(description="The upload's id (32 hex characters)", pattern="^[0-9a-f]{32}$")
    url: str = Field(description="The form's action (the media bucket)")
    fields: dict[str, str] = Field(description="The form's fields; the file goes after them, as `file`")
    expires_at: str = Field(description="When S3 stops accepting the form (ISO 8601, UTC)")


class UploadStatus(_Strict):
    id: str
    status: str = Field(
        description="pending (not processed yet), ready or failed",
        json_schema_extra={"enum": ["pending", "ready", "failed"]},
    )
    image_data: Image | None = Field(description="The image, as every image_data shows it, once ready")
    error: str | None = Field(description="Why the image was refused, when failed")


class UploadErrors(RootModel[dict[str, list[str]]]):
    """Every bad field of an upload request with its messages (DRF's serializer errors)."""
