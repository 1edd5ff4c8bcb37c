"""Stored documents are JSON text served as is: a request only prefixes each media key with
the media base URL. That must give exactly what parsing the document, making every `f` a
URL and dumping it again would give, whatever the text holds."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.domain.rendering import (
    document_text,
    document_text_with_media_urls,
    merged_object_text,
    with_media_urls,
)

pytestmark = pytest.mark.unit

BASE = "https://media.example.com/media"
# Text that tries hard to look like JSON structure from inside a string value.
tricky_text = st.text(alphabet=string.printable + 'ایé"\\{}[]:,f\x1f\x00', max_size=30)
keys = st.text(alphabet=string.ascii_letters + "/_ .%ای", min_size=1, max_size=20)


def _image(key: str, thumbnail_keys: list[str], name: str) -> dict[str, Any]:
    return {
        "id": 1,
        "type": "image",
        "name": name,
        "size": 10,
        "human_readable_size": "10 B",
        "f": key,
        "width": 1,
        "height": 1,
        "mode": "RGB",
        "thumbnails": [{"id": n, "f": thumb, "size": 64} for n, thumb in enumerate(thumbnail_keys)],
    }


@settings(max_examples=300)
@given(
    title=tricky_text,
    excerpt=tricky_text,
    name=tricky_text,
    key=keys,
    thumbnail_keys=st.lists(keys, max_size=4),
    meta_key=tricky_text,
    value_text=tricky_text,
)
def test_splicing_urls_into_the_stored_text_equals_rendering_the_parsed_document(
    title: str, excerpt: str, name: str, key: str, thumbnail_keys: list[str], meta_key: str, value_text: str
) -> None:
    # Given a rendered document whose texts look like JSON structure, and media keys
    document = {
        "id": 7,
        "title": title,
        "excerpt": excerpt,
        "image_data": _image(key, thumbnail_keys, name),
        "meta": [{"id": 1, "key": meta_key, "value_text": value_text, "value_file": None}],
    }
    # When it is stored as text and served with the media base URL spliced in
    served = document_text_with_media_urls(document_text(document), BASE)
    # Then it parses to the document with every f made a URL, and nothing else changed
    assert json.loads(served) == with_media_urls(document, BASE)


def test_a_summary_and_its_detail_merge_into_one_object_in_field_order() -> None:
    summary = document_text({"id": 1, "title": "a"})
    detail = document_text({"description": None, "images_data": [], "meta": []})
    merged = merged_object_text(summary, detail)
    assert list(json.loads(merged)) == ["id", "title", "description", "images_data", "meta"]
    assert merged_object_text(summary, "{}") == summary
