"""portfolio.domain.media, the pure rules: keys and names, unique alternatives, editors'
metadata, and reading S3 events (each record's key decoded on its own)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote_plus

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event
from hypothesis import given
from hypothesis import strategies as st

from portfolio.domain.media import (
    MAX_NAME_ATTEMPTS,
    MEDIA_PREFIX,
    Upload,
    UploadOutcome,
    key_candidates,
    original_key,
    thumbnail_extension,
    thumbnail_key,
    valid_file_name,
)
from portfolio.domain.upload_metadata import (
    MAX_ATTACHMENTS,
    UPLOAD_PREFIX,
    UPLOAD_SUFFIXES,
    Attachment,
    AttachTarget,
    OutcomeStatus,
    UploadMetadata,
    decode_metadata_text,
    editor_metadata,
    encode_metadata_text,
    parse_attachments,
)
from tests.support.events import load_event
from tests.support.media import combined, s3_event

pytestmark = pytest.mark.unit

DAY = dt.date(2026, 5, 1)


# --- names and keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("photo.jpg", "photo.jpg"),
        ("my photo (1).JPG", "my_photo_1.JPG"),
        ("  spaced  .png", "spaced__.png"),
        ("..", "image"),
        ("README", "README"),
        ("عکس پروژه ۱.jpg", "عکس_پروژه_۱.jpg"),
        ("../../etc/passwd.png", "....etcpasswd.png"),
        ("!!!.gif", "image.gif"),
        ("café-menu_v2.webp", "café-menu_v2.webp"),
        ("x" * 300 + ".tiff", "x" * 100 + ".tiff"),
    ],
)
def test_file_names_are_cleaned_as_djangos_get_valid_filename(name: str, stored: str) -> None:
    assert valid_file_name(name) == stored


def test_keys_follow_the_originals_layout() -> None:
    original = original_key("Summer photo.jpg", DAY)
    assert original == "core_media/2026/05/01/Summer_photo.jpg"
    assert thumbnail_key(original, "_thumbnail_64x64", "jpg") == (
        "core_media/2026/05/01/thumbnails/Summer_photo_thumbnail_64x64.jpg"
    )
    # A suffixed original's thumbnails follow its final stem
    assert thumbnail_key("core_media/2026/05/01/a_AbC1234.png", "_thumbnail_128x128", "png") == (
        "core_media/2026/05/01/thumbnails/a_AbC1234_thumbnail_128x128.png"
    )


@pytest.mark.parametrize(
    ("original", "extensions", "extension"),
    [
        ("a.jpeg", ("jpg", "jpeg"), "jpeg"),
        ("a.JPG", ("jpg", "jpeg"), "JPG"),
        ("a.bmp", ("png",), "png"),
        ("a.png", ("jpg", "jpeg"), "jpg"),  # a JPEG uploaded as .png: the thumbnails say what they are
    ],
)
def test_thumbnails_keep_the_originals_extension_when_it_names_their_format(
    original: str, extensions: tuple[str, ...], extension: str
) -> None:
    assert thumbnail_extension(original, extensions) == extension


def test_alternative_names_are_djangos_shape_and_the_same_for_the_same_upload() -> None:
    # Given a key and an upload's marker
    key = "core_media/2026/05/01/photo.jpg"
    candidates = list(key_candidates(key, "marker-a"))
    # Then the key comes first, then distinct <stem>_<7 letters or digits><ext> alternatives
    assert candidates[0] == key
    assert len(candidates) == MAX_NAME_ATTEMPTS == len(set(candidates))
    for candidate in candidates[1:]:
        assert re.fullmatch(r"core_media/2026/05/01/photo_[A-Za-z0-9]{7}\.jpg", candidate)
    # And a retry of the same upload walks the same names; another upload other names
    assert list(key_candidates(key, "marker-a")) == candidates
    assert list(key_candidates(key, "marker-b"))[1:] != candidates[1:]


def test_nothing_written_can_ever_be_an_upload() -> None:
    assert not MEDIA_PREFIX.startswith(UPLOAD_PREFIX)
    assert not UPLOAD_PREFIX.startswith(MEDIA_PREFIX)
    assert original_key("uploads/x.jpg", DAY).startswith(MEDIA_PREFIX)


def test_upload_suffixes_are_every_extension_in_lower_and_upper_case() -> None:
    assert set(UPLOAD_SUFFIXES) == {
        f".{e}"
        for extension in ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff")
        for e in (extension, extension.upper())
    }


# --- metadata --------------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=80).filter(lambda text: text.strip() == text and text.strip()))
def test_any_name_survives_the_trip_through_s3_metadata(name: str) -> None:
    encoded = encode_metadata_text(name)
    assert encoded.isascii()
    assert decode_metadata_text(encoded) == name


def test_rfc_2047_values_are_decoded() -> None:
    # S3 returns non-ASCII values set by other tools (the console) this way
    assert decode_metadata_text("=?UTF-8?B?2LnaqdizINmF2YY=?=") == "عکس من"


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("=?x-nope?q?abc?=", "abc"),  # a charset Python does not know: read as UTF-8
        ("=?utf-8*en?q?caf=C3=A9?=", "café"),  # RFC 2231 language suffix
        ("=?x-nope?b?2LnaqdizINmF2YY=?=", "عکس من"),
        ("=?latin-1?q?caf=E9?=", "café"),
        ("=?utf-8?b?!!!?=", ""),  # nothing decodable: no name, the file name is used
        # codecs Python knows but that cannot decode text (hypothesis found "undefined")
        ("=?undefined?q?abc?=", "abc"),
        ("=?UNDEFINED?q?abc?=", "abc"),
        ("=?rot13?q?abc?=", "abc"),
        ("=?base64?q?abc?=", "abc"),
    ],
)
def test_any_rfc_2047_charset_decodes_without_error(value: str, decoded: str) -> None:
    assert decode_metadata_text(value) == decoded


@given(st.text(max_size=60))
def test_no_metadata_value_raises(value: str) -> None:
    # Given any text an uploader can set, shaped or not as an RFC 2047 word
    for candidate in (value, f"=?{value}?q?abc?=", f"=?utf-8?q?{value}?=", f"=?{value}?b?YWJj?="):
        # When it is parsed as the name and the attachments, Then it never raises
        UploadMetadata.parse({"name": candidate, "attach": candidate})


@pytest.mark.parametrize(
    ("value", "attachments", "problems"),
    [
        ("cover:148", [Attachment(AttachTarget.COVER, 148)], 0),
        (
            " Gallery : 3 , employer:4,tag:5,link:6 ",
            [
                Attachment(AttachTarget.GALLERY, 3),
                Attachment(AttachTarget.EMPLOYER, 4),
                Attachment(AttachTarget.TAG, 5),
                Attachment(AttachTarget.LINK, 6),
            ],
            0,
        ),
        ("cover:1,cover:1", [Attachment(AttachTarget.COVER, 1)], 0),
        ("", [], 0),
        ("poster:1,cover:x,cover:-2,cover:0,cover:١", [], 5),
        ("cover:7,nonsense", [Attachment(AttachTarget.COVER, 7)], 1),
        # ids a signed 64-bit integer cannot hold (DynamoDB refuses 39+ digits after the record is saved)
        (f"cover:{2**63 - 1}", [Attachment(AttachTarget.COVER, 2**63 - 1)], 0),
        (f"cover:{2**63},tag:{'9' * 39}", [], 2),
    ],
)
def test_attachments_are_parsed_item_by_item(
    value: str, attachments: list[Attachment], problems: int
) -> None:
    parsed, found = parse_attachments(value)
    assert list(parsed) == attachments
    assert len(found) == problems


def test_attachments_are_bounded() -> None:
    parsed, problems = parse_attachments(",".join(f"gallery:{n}" for n in range(1, MAX_ATTACHMENTS + 3)))
    assert len(parsed) == MAX_ATTACHMENTS
    assert len(problems) == 2


def test_what_the_cli_sends_is_what_the_function_reads() -> None:
    attachments = [Attachment(AttachTarget.COVER, 148), Attachment(AttachTarget.TAG, 3)]
    sent = editor_metadata(name="لوگوی همراه اول 100%", attachments=attachments)
    assert all(value.isascii() for value in sent.values())
    read = UploadMetadata.parse({key.title(): value for key, value in sent.items()})
    assert read == UploadMetadata(name="لوگوی همراه اول 100%", attachments=tuple(attachments), problems=())
    assert UploadMetadata.parse({}) == UploadMetadata(name=None, attachments=(), problems=())


# --- events ---------------------------------------------------------------------------------


def test_the_sample_event_names_the_upload_with_its_key_decoded() -> None:
    # Given the event S3 sends (events/s3_put.json: a Persian name with spaces)
    (record,) = S3Event(load_event("s3_put")).records
    # When it is read
    upload = Upload.from_record(record)
    # Then the key is the object's real key
    assert upload.key == "uploads/2f9c1d7e/عکس پروژه 1.jpg"
    assert upload.file_name == "عکس پروژه 1.jpg"
    assert upload.etag == "5d41402abc4b2a76b9719d911017c592"
    assert upload.event_time == dt.datetime(2026, 5, 1, 9, 30, 12, 345000, tzinfo=dt.UTC)
    assert (upload.version_id, upload.sequencer) == (None, "00663204A49A8E5B2C")


def test_every_record_is_decoded_on_its_own_key() -> None:
    # Given one event naming three objects
    keys = ["uploads/a/first photo.jpg", "uploads/b/لوگو+نهایی.png", "uploads/c/100% done.gif"]
    event = S3Event(combined(*(s3_event("media", key, "0" * 32) for key in keys)))
    assert event["Records"][1]["s3"]["object"]["key"] == quote_plus(keys[1], safe="/")
    # When each record is read
    decoded = [Upload.from_record(record).key for record in event.records]
    # Then each has its own key (Powertools' S3Event.object_key decodes only the first)
    assert decoded == keys
    assert event.object_key == keys[0]


def test_an_upload_is_identified_by_bucket_key_etag_and_version() -> None:
    (record,) = S3Event(s3_event("media", "uploads/x.jpg", "a" * 32)).records
    upload = Upload.from_record(record)
    same = Upload.from_record(
        next(S3Event(s3_event("media", "uploads/x.jpg", "a" * 32, event_time="2026-05-02T00:00:00Z")).records)
    )
    other = Upload.from_record(next(S3Event(s3_event("media", "uploads/x.jpg", "b" * 32)).records))
    versioned = Upload.from_record(
        next(S3Event(s3_event("media", "uploads/x.jpg", "a" * 32, version_id="v2")).records)
    )
    assert upload.identity == same.identity
    assert upload.marker == same.marker
    assert len({upload.marker, other.marker, versioned.marker}) == 3


def test_outcomes_survive_the_idempotency_store() -> None:
    outcome = UploadOutcome(
        "uploads/x.jpg", OutcomeStatus.READY, 7, "core_media/x.jpg", None, ("cover:1",), ()
    )
    assert UploadOutcome.from_dict(outcome.as_dict()) == outcome
