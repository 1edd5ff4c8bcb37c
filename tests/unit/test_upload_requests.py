"""An editor's upload request (issue 10) is checked field by field before any form is signed:
what the thumbnails function would refuse is refused here, with DRF-style field errors."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.domain.upload_metadata import MAX_UPLOAD_BYTES, UPLOAD_EXTENSIONS, Attachment, AttachTarget
from portfolio.domain.upload_requests import (
    CONTENT_TYPES,
    InvalidUploadRequest,
    UploadRequest,
    parse_upload_request,
)

pytestmark = pytest.mark.unit

VALID = {"file_name": "team.jpg", "content_type": "image/jpeg", "size": 123456}


def _errors(body: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidUploadRequest) as raised:
        parse_upload_request(body)
    return raised.value.errors


def test_a_full_request_reads_as_the_editor_meant_it() -> None:
    request = parse_upload_request({**VALID, "name": " Team ", "attach": ["cover:148", "tag:2", "cover:148"]})

    assert request == UploadRequest(
        file_name="team.jpg",
        content_type="image/jpeg",
        size=123456,
        name="Team",
        attachments=(Attachment(AttachTarget.COVER, 148), Attachment(AttachTarget.TAG, 2)),
    )
    assert request.extension == "jpg"


def test_every_accepted_extension_has_its_content_types() -> None:
    assert set(CONTENT_TYPES) == set(UPLOAD_EXTENSIONS)
    for extension, kinds in CONTENT_TYPES.items():
        for kind in kinds:
            assert parse_upload_request(
                {**VALID, "file_name": f"a.{extension.upper()}", "content_type": kind}
            )


def test_missing_fields_are_each_required() -> None:
    assert _errors({}) == {
        "file_name": ["This field is required."],
        "content_type": ["This field is required."],
        "size": ["This field is required."],
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "file_name",
            "team.txt",
            "The file's extension must be one of .jpg, .jpeg, .png, .webp, .gif, .bmp, .tif, .tiff.",
        ),
        (
            "file_name",
            "jpg",
            "The file's extension must be one of .jpg, .jpeg, .png, .webp, .gif, .bmp, .tif, .tiff.",
        ),
        ("file_name", "a/b.jpg", "A file name, without folders."),
        ("file_name", "a\\b.jpg", "A file name, without folders."),
        ("file_name", "a\nb.jpg", "Control characters are not allowed."),
        ("file_name", "x" * 200 + ".jpg", "Ensure this field has no more than 200 characters."),
        ("file_name", "", "This field may not be blank."),
        ("file_name", 5, "Not a valid string."),
        ("file_name", None, "This field may not be null."),
        ("content_type", "text/html", '"text/html" is not a valid choice.'),
        ("content_type", "image/png", "image/png is not the type of a jpg file."),
        ("size", 0, "Ensure this value is greater than or equal to 1."),
        ("size", MAX_UPLOAD_BYTES + 1, f"Ensure this value is less than or equal to {MAX_UPLOAD_BYTES}."),
        ("size", 1.5, "A valid integer is required."),
        ("size", True, "A valid integer is required."),
        ("size", "12x", "A valid integer is required."),
        ("size", "9" * 40, "A valid integer is required."),
        ("name", "n" * 256, "Ensure this field has no more than 255 characters."),
        ("name", ["Team"], "Not a valid string."),
        ("attach", "cover:1", 'Expected a list of items but got type "str".'),
        ("attach", [f"tag:{n}" for n in range(1, 12)], "Ensure this field has no more than 10 elements."),
        (
            "attach",
            ["poster:1"],
            "'poster:1': the target must be one of cover, gallery, employer, tag, link.",
        ),
        ("attach", ["cover:0"], "'cover:0': the id must be a positive integer up to 9223372036854775807."),
        ("attach", ["cover:1,tag:2"], "'cover:1,tag:2': one target:id per item."),
        ("attach", [3], "3: one target:id per item."),
    ],
)
def test_each_bad_value_is_refused_in_its_field(field: str, value: Any, message: str) -> None:
    assert _errors({**VALID, field: value}) == {field: [message]}


def test_every_bad_field_is_reported_at_once() -> None:
    errors = _errors({"file_name": "a.exe", "content_type": "image/jpeg", "size": -1, "attach": ["x"]})

    assert list(errors) == ["file_name", "size", "attach"]


def test_a_body_that_is_not_an_object_is_a_non_field_error() -> None:
    assert _errors(["team.jpg"]) == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
