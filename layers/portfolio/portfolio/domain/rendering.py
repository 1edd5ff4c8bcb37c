"""How portfolios look in the API: field names and order, timestamps, sizes, media URLs.

Documents are rendered when the catalogue is written (``render_document``) and stored as
JSON text with storage keys where the API shows URLs (``document_text``); a request only
prefixes the keys with the media base URL (``document_text_with_media_urls``), so the base
can change without rewriting anything. ``with_media_urls`` states the same on a parsed
document (the tests hold the two equal).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:  # requests only swap keys for URLs; rendering from records is the write path's
    from portfolio.domain.records import (
        EmployerRecord,
        LinkRecord,
        MediaRecord,
        PortfolioRecord,
        TagRecord,
    )

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_URI_SAFE = "/~!*()'"  # django.utils.encoding.filepath_to_uri

# The list's fields (a page item) and the fields only retrieve adds, in the original's order.
SUMMARY_FIELDS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "order",
    "image_data",
    "employer_data",
    "tags_data",
    "links_data",
    "is_active",
    "completed_at",
    "created_at",
    "updated_at",
)
DETAIL_FIELDS = ("description", "images_data", "meta")

Document = dict[str, Any]


def render_timestamp(micros: int) -> str:
    """DRF's DateTimeField: ISO 8601 in UTC, microseconds only when non-zero, ``Z`` suffix."""
    value = _EPOCH + dt.timedelta(microseconds=micros)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def timestamp_micros(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def human_readable_size(size: int) -> str:
    """1024-based with two decimals (``73062`` -> ``71.35 KB``); below 1024, ``"N B"``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.2f} {unit}"
    raise AssertionError("unreachable")


def render_image(media: MediaRecord) -> Document:
    """An image as every ``image_data`` shows it (``f`` holds the storage key until
    ``with_media_urls``)."""
    return {
        "id": media.id,
        "type": media.type,
        "name": media.name,
        "size": media.size,
        "human_readable_size": human_readable_size(media.size),
        "f": media.key,
        "width": media.width,
        "height": media.height,
        "mode": media.mode,
        "thumbnails": [
            {"id": thumb.id, "f": thumb.key, "size": thumb.size}
            for thumb in sorted(media.thumbnails, key=lambda thumb: (thumb.size, thumb.id))
        ],
    }


def render_file(media: MediaRecord) -> Document:
    """A file as a meta value's ``value_file`` shows it."""
    return {
        "id": media.id,
        "type": media.type,
        "name": media.name,
        "size": media.size,
        "human_readable_size": human_readable_size(media.size),
        "f": media.key,
    }


class MissingReference(LookupError):
    """A record points at something the catalogue does not hold."""


def _image(media: Mapping[int, MediaRecord], media_id: int | None) -> Document | None:
    if media_id is None:
        return None
    try:
        return render_image(media[media_id])
    except KeyError as exc:
        raise MissingReference(f"media {media_id}") from exc


def render_employer(employer: EmployerRecord, media: Mapping[int, MediaRecord]) -> Document:
    return {
        "id": employer.id,
        "name": employer.name,
        "image_data": _image(media, employer.image_id),
        "description": employer.description,
    }


def render_tag(tag: TagRecord, media: Mapping[int, MediaRecord]) -> Document:
    return {"id": tag.id, "name": tag.name, "image_data": _image(media, tag.image_id)}


def render_link(link: LinkRecord, media: Mapping[int, MediaRecord]) -> Document:
    return {
        "id": link.id,
        "name": link.name,
        "url": link.url,
        "image_data": _image(media, link.image_id),
        "description": link.description,
    }


def render_document(
    portfolio: PortfolioRecord,
    *,
    employers: Mapping[int, EmployerRecord],
    tags: Mapping[int, TagRecord],
    links: Mapping[int, LinkRecord],
    media: Mapping[int, MediaRecord],
) -> tuple[Document, Document]:
    """The list item (summary) and the retrieve-only fields (detail) of a portfolio.

    Raises ``MissingReference`` when the portfolio points at a record that is not given.
    """
    try:
        employer = employers[portfolio.employer_id] if portfolio.employer_id is not None else None
        tag_records = [tags[tag_id] for tag_id in portfolio.tag_ids]
        link_records = [links[link_id] for link_id in portfolio.link_ids]
    except KeyError as exc:
        raise MissingReference(str(exc)) from exc
    summary: Document = {
        "id": portfolio.id,
        "title": portfolio.title,
        "slug": portfolio.slug,
        "excerpt": portfolio.excerpt,
        "order": portfolio.order,
        "image_data": _image(media, portfolio.image_id),
        "employer_data": render_employer(employer, media) if employer is not None else None,
        "tags_data": [render_tag(tag, media) for tag in tag_records],
        "links_data": [render_link(link, media) for link in link_records],
        "is_active": portfolio.is_active,
        "completed_at": (
            render_timestamp(portfolio.completed_at_us) if portfolio.completed_at_us is not None else None
        ),
        "created_at": render_timestamp(portfolio.created_at_us),
        "updated_at": render_timestamp(portfolio.updated_at_us),
    }
    meta = []
    for entry in portfolio.meta:
        value_file = None
        if entry.value_file_id is not None:
            if entry.value_file_id not in media:
                raise MissingReference(f"media {entry.value_file_id}")
            value_file = render_file(media[entry.value_file_id])
        meta.append(
            {"id": entry.id, "key": entry.key, "value_text": entry.value_text, "value_file": value_file}
        )
    detail: Document = {
        "description": portfolio.description,
        "images_data": [_image(media, media_id) for media_id in portfolio.gallery_ids],
        "meta": meta,
    }
    return summary, detail


def media_url(base_url: str, key: str) -> str:
    """The public URL of a storage key (Django's storage ``url()``: the key percent-encoded
    as ``filepath_to_uri`` does)."""
    return base_url + "/" + quote(key, safe=_URI_SAFE)


def _with_url_paths(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            name: (
                quote(item, safe=_URI_SAFE)
                if name == "f" and isinstance(item, str)
                else _with_url_paths(item)
            )
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [_with_url_paths(item) for item in value]
    return value


# In compact JSON text, ``"f":"`` can only be the key ``f`` with a string value: a quote
# inside a string value is escaped (``\"``). Media objects and thumbnails are the only
# objects with an ``f``.
_F_VALUE = '"f":"'


def document_text(document: Document) -> str:
    """The stored form of a rendered document: compact JSON whose every ``f`` holds the
    storage key already percent-encoded as a URL path, so a request only prefixes it."""
    return json.dumps(_with_url_paths(document), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def document_text_with_media_urls(text: str, base_url: str) -> str:
    """A stored document's JSON text with every ``f`` made a public URL (same result as
    ``with_media_urls`` on the parsed document, without parsing it)."""
    return text.replace(_F_VALUE, f"{_F_VALUE}{base_url}/")


def merged_object_text(first: str, second: str) -> str:
    """Two JSON objects' texts as one object's (the first one's members, then the second's)."""
    if second == "{}":
        return first
    if first == "{}":
        return second
    return f"{first[:-1]},{second[1:]}"


def with_media_urls(value: Any, base_url: str) -> Any:
    """A copy of a stored document with every media ``f`` (a storage key) made a URL.

    Every object with an ``f`` is a media object or a thumbnail; nothing else has one.
    """
    if isinstance(value, dict):
        return {
            name: (
                media_url(base_url, item)
                if name == "f" and isinstance(item, str)
                else with_media_urls(item, base_url)
            )
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [with_media_urls(item, base_url) for item in value]
    return value
