"""The contract's import format: a JSON array of portfolios exactly as ``GET
/api/portfolios/{id}/`` returns them, each with an optional integer ``year``.

``parse_import`` validates a whole data set (types, consistency of shared objects, derived
values) before anything is written, and turns it into records. Every problem names the
record (its position and id) and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from portfolio.domain.records import (
    EmployerRecord,
    LinkRecord,
    MediaRecord,
    MetaEntry,
    PortfolioRecord,
    TagRecord,
    ThumbnailRecord,
)
from portfolio.domain.rendering import human_readable_size, timestamp_micros

# Where Django serves media: the storage key is what follows it in an ``f`` URL's path.
DEFAULT_MEDIA_PREFIX = "/media/"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThumbnailIn(_In):
    id: StrictInt
    f: StrictStr
    size: StrictInt


class FileIn(_In):
    id: StrictInt
    type: StrictStr
    name: StrictStr
    size: StrictInt
    human_readable_size: StrictStr
    f: StrictStr


class ImageIn(FileIn):
    width: StrictInt | None
    height: StrictInt | None
    mode: StrictStr | None
    thumbnails: list[ThumbnailIn]


class EmployerIn(_In):
    id: StrictInt
    name: StrictStr
    image_data: ImageIn | None
    description: StrictStr | None


class TagIn(_In):
    id: StrictInt
    name: StrictStr
    image_data: ImageIn | None


class LinkIn(_In):
    id: StrictInt
    name: StrictStr
    url: StrictStr | None
    image_data: ImageIn | None
    description: StrictStr | None


class MetaIn(_In):
    id: StrictInt
    key: StrictStr
    value_text: StrictStr | None
    value_file: FileIn | None


class PortfolioIn(_In):
    id: StrictInt
    title: StrictStr
    slug: StrictStr
    excerpt: StrictStr
    order: StrictInt
    image_data: ImageIn | None
    employer_data: EmployerIn | None
    tags_data: list[TagIn]
    links_data: list[LinkIn]
    is_active: StrictBool
    completed_at: StrictStr | None
    created_at: StrictStr
    updated_at: StrictStr
    description: StrictStr | None
    images_data: list[ImageIn]
    meta: list[MetaIn]
    year: StrictInt | None = None


class ImportError_(ValueError):
    """The data set cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("\n".join(shown) + more)
        self.problems = problems


@dataclass
class ImportSet:
    """A validated data set, as records."""

    portfolios: list[PortfolioRecord] = field(default_factory=list)
    media: dict[int, MediaRecord] = field(default_factory=dict)
    employers: dict[int, EmployerRecord] = field(default_factory=dict)
    tags: dict[int, TagRecord] = field(default_factory=dict)
    links: dict[int, LinkRecord] = field(default_factory=dict)

    def max_thumbnail_id(self) -> int:
        return max((thumb.id for media in self.media.values() for thumb in media.thumbnails), default=0)


def _location(position: int, raw: Any) -> str:
    identity = raw.get("id") if isinstance(raw, dict) else None
    return f"record {position}" + (f" (id {identity})" if identity is not None else "")


def storage_key(url: str, media_prefix: str = DEFAULT_MEDIA_PREFIX) -> str:
    """The storage key of a media URL: its path after the media prefix (``/media/``)."""
    path = unquote(urlsplit(url).path)
    if path.startswith(media_prefix):
        return path[len(media_prefix) :]
    return path.lstrip("/")


def _timestamp(value: str) -> int:
    parsed = dt.datetime.fromisoformat(value)
    return timestamp_micros(parsed)


_R = TypeVar("_R")


class _Collector:
    """Builds the shared records of a data set, checking that every occurrence of an id
    carries the same content."""

    def __init__(self, media_prefix: str) -> None:
        self.media_prefix = media_prefix
        self.result = ImportSet()
        self.problems: list[str] = []
        self._first_seen: dict[tuple[str, int], str] = {}
        self._thumbnail_owner: dict[int, int] = {}
        self._images: set[int] = set()

    def _same(self, kind: str, table: dict[int, _R], record: _R, identity: int, where: str) -> None:
        existing = table.get(identity)
        if existing is None:
            table[identity] = record
            self._first_seen[(kind, identity)] = where
        elif existing != record:
            first = self._first_seen[(kind, identity)]
            self.problems.append(f"{where}: {kind} {identity} differs from the one in {first}")

    def _check_size(self, item: FileIn, where: str) -> None:
        expected = human_readable_size(item.size)
        if item.human_readable_size != expected:
            self.problems.append(
                f"{where}.human_readable_size: {item.human_readable_size!r} does not match size "
                f"{item.size} ({expected!r})"
            )

    def file(self, item: FileIn, where: str) -> int:
        """Record a media object (an image, or a meta value's file) and return its id."""
        self._check_size(item, where)
        record = MediaRecord(
            id=item.id,
            type=item.type,
            name=item.name,
            key=storage_key(item.f, self.media_prefix),
            size=item.size,
        )
        is_image = isinstance(item, ImageIn)
        if isinstance(item, ImageIn):
            for thumb in item.thumbnails:
                owner = self._thumbnail_owner.setdefault(thumb.id, item.id)
                if owner != item.id:
                    self.problems.append(f"{where}: thumbnail {thumb.id} also belongs to media {owner}")
            record = replace(
                record,
                width=item.width,
                height=item.height,
                mode=item.mode,
                thumbnails=tuple(
                    ThumbnailRecord(id=t.id, key=storage_key(t.f, self.media_prefix), size=t.size)
                    for t in sorted(item.thumbnails, key=lambda t: (t.size, t.id))
                ),
            )
        existing = self.result.media.get(item.id)
        if existing is None:
            self.result.media[item.id] = record
            self._first_seen[("media", item.id)] = where
            if is_image:
                self._images.add(item.id)
            return item.id
        # The same file may be shown as an image and as a meta value's file (which omits
        # the image fields): the shared fields must agree, and the image view completes it.
        shared_differs = (existing.type, existing.name, existing.key, existing.size) != (
            record.type,
            record.name,
            record.key,
            record.size,
        )
        if shared_differs or (is_image and item.id in self._images and existing != record):
            first = self._first_seen[("media", item.id)]
            self.problems.append(f"{where}: media {item.id} differs from the one in {first}")
        elif is_image and item.id not in self._images:
            self.result.media[item.id] = record
            self._images.add(item.id)
        return item.id

    def image(self, item: ImageIn | None, where: str) -> int | None:
        return None if item is None else self.file(item, where)

    def portfolio(self, item: PortfolioIn, where: str) -> PortfolioRecord:
        employer_id = None
        if item.employer_data is not None:
            employer = item.employer_data
            image_id = self.image(employer.image_data, f"{where}: employer_data.image_data")
            self._same(
                "employer",
                self.result.employers,
                EmployerRecord(
                    id=employer.id, name=employer.name, description=employer.description, image_id=image_id
                ),
                employer.id,
                where,
            )
            employer_id = employer.id
        for position, tag in enumerate(item.tags_data):
            image_id = self.image(tag.image_data, f"{where}: tags_data.{position}.image_data")
            self._same(
                "tag", self.result.tags, TagRecord(id=tag.id, name=tag.name, image_id=image_id), tag.id, where
            )
        for position, link in enumerate(item.links_data):
            image_id = self.image(link.image_data, f"{where}: links_data.{position}.image_data")
            self._same(
                "link",
                self.result.links,
                LinkRecord(
                    id=link.id, name=link.name, url=link.url, description=link.description, image_id=image_id
                ),
                link.id,
                where,
            )
        gallery = [
            self.file(image, f"{where}: images_data.{position}")
            for position, image in enumerate(item.images_data)
        ]
        meta = []
        for position, entry in enumerate(item.meta):
            file_id = None
            if entry.value_file is not None:
                file_id = self.file(entry.value_file, f"{where}: meta.{position}.value_file")
            meta.append(
                MetaEntry(id=entry.id, key=entry.key, value_text=entry.value_text, value_file_id=file_id)
            )
        timestamps: dict[str, int | None] = {}
        for name in ("created_at", "updated_at", "completed_at"):
            value = getattr(item, name)
            try:
                timestamps[name] = None if value is None else _timestamp(value)
            except ValueError:
                self.problems.append(f"{where}: {name}: {value!r} is not an ISO 8601 datetime")
                timestamps[name] = 0
        return PortfolioRecord(
            id=item.id,
            title=item.title,
            slug=item.slug,
            excerpt=item.excerpt,
            order=item.order,
            is_active=item.is_active,
            created_at_us=timestamps["created_at"] or 0,
            updated_at_us=timestamps["updated_at"] or 0,
            completed_at_us=timestamps["completed_at"],
            description=item.description,
            year=item.year,
            image_id=self.image(item.image_data, f"{where}: image_data"),
            employer_id=employer_id,
            tag_ids=tuple(tag.id for tag in item.tags_data),
            link_ids=tuple(link.id for link in item.links_data),
            gallery_ids=tuple(gallery),
            meta=tuple(meta),
        )


def _pydantic_problems(where: str, error: ValidationError) -> Iterable[str]:
    for detail in error.errors():
        path = ".".join(str(part) for part in detail["loc"]) or "(record)"
        yield f"{where}: {path}: {detail['msg']}"


def parse_import(data: Any, *, media_prefix: str = DEFAULT_MEDIA_PREFIX) -> ImportSet:
    """Validate a data set in the import format and turn it into records.

    Raises ``ImportError_`` listing every problem (nothing is returned half-checked).
    """
    if not isinstance(data, list):
        raise ImportError_(["the data set must be a JSON array of portfolio objects"])
    collector = _Collector(media_prefix)
    seen_ids: dict[int, int] = {}
    unique: dict[str, dict[str, int]] = {"title": {}, "slug": {}}
    for position, raw in enumerate(data):
        where = _location(position, raw)
        try:
            item = PortfolioIn.model_validate(raw)
        except ValidationError as error:
            collector.problems.extend(_pydantic_problems(where, error))
            continue
        if item.id <= 0:
            collector.problems.append(f"{where}: id: must be a positive integer")
            continue
        if item.id in seen_ids:
            collector.problems.append(f"{where}: id {item.id} already used by record {seen_ids[item.id]}")
            continue
        seen_ids[item.id] = position
        for name, values in unique.items():
            value = getattr(item, name)
            if value in values:
                collector.problems.append(f"{where}: {name} {value!r} already used by record {values[value]}")
            values.setdefault(value, position)
        collector.result.portfolios.append(collector.portfolio(item, where))
    if collector.problems:
        raise ImportError_(collector.problems)
    return collector.result
