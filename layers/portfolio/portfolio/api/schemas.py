"""Pydantic models of the API's responses: the OpenAPI document is generated from them and
the tests validate real responses against them. Not imported on the request path (the
handlers write JSON straight from the stored documents)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, RootModel


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
