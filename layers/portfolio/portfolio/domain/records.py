"""The catalogue's records as the domain sees them: plain, immutable values.

The data layer maps them to and from DynamoDB; the importer builds them from the import
format; the renderer turns them into API documents. Timestamps are integer microseconds
since the epoch (UTC), which is what the original's PostgreSQL keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

IMAGE_TYPE = "image"

# Ids are positive and fit a signed 64-bit integer (Django's BigAutoField), hence DynamoDB's
# 38-digit numbers: a larger number cannot name a record, and DynamoDB refuses one with 39+
# digits (after anything written before it).
MAX_RECORD_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ThumbnailRecord:
    id: int
    key: str
    size: int  # the edge of the bounding box: 64, 128, 512 or 1080


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """An uploaded file: an image (with dimensions, mode and thumbnails) or any other file
    (a meta value's file). ``key`` is the storage key in the media bucket."""

    id: int
    type: str
    name: str
    key: str
    size: int
    width: int | None = None
    height: int | None = None
    mode: str | None = None
    thumbnails: tuple[ThumbnailRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class EmployerRecord:
    id: int
    name: str
    description: str | None = None
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class TagRecord:
    id: int
    name: str
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: int
    name: str
    url: str | None = None
    description: str | None = None
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class MetaEntry:
    id: int
    key: str
    value_text: str | None = None
    value_file_id: int | None = None


@dataclass(frozen=True, slots=True)
class PortfolioRecord:
    """A portfolio's own fields and the ids of what it points to (in display order)."""

    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    is_active: bool
    created_at_us: int
    updated_at_us: int
    completed_at_us: int | None = None
    description: str | None = None
    year: int | None = None
    image_id: int | None = None
    employer_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    link_ids: tuple[int, ...] = ()
    gallery_ids: tuple[int, ...] = ()
    meta: tuple[MetaEntry, ...] = field(default_factory=tuple)

    @property
    def has_description(self) -> bool:
        return bool(self.description)

    def media_ids(self) -> set[int]:
        """Media this portfolio embeds directly (cover, gallery, meta files)."""
        ids = set(self.gallery_ids)
        if self.image_id is not None:
            ids.add(self.image_id)
        ids.update(entry.value_file_id for entry in self.meta if entry.value_file_id is not None)
        return ids
