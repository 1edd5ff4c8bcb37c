"""The Authorization header is read as DRF's TokenAuthentication reads it: checked case by
case against the contract's table, and side by side with DRF itself on generated headers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.domain.auth import AuthFailure, NotAuthenticated, token_key
from tests.unit import drf_reference  # noqa: F401 (configures Django in-process, as the parity tests do)

pytestmark = pytest.mark.unit

KEY = "0123456789abcdef0123456789abcdef01234567"


def our_reading(header: str | None) -> str:
    """The key, or the DRF message of the 401 we answer."""
    try:
        return token_key(header)
    except NotAuthenticated as refusal:
        return refusal.failure.message


def drf_reading(raw: bytes | None) -> str:
    """What DRF makes of the same bytes: the key it would look up, or its 401 message."""
    from django.http.request import HttpHeaders
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.exceptions import NotAuthenticated as DrfNotAuthenticated

    class KeyOnly(TokenAuthentication):
        def authenticate_credentials(self, key: str) -> tuple[str, None]:
            return key, None  # the lookup itself is the decision table's business

    # WSGI hands Django each header as its bytes decoded as latin-1.
    meta = {} if raw is None else {"HTTP_AUTHORIZATION": raw.decode("latin-1")}
    try:
        result = KeyOnly().authenticate(SimpleNamespace(META=meta, headers=HttpHeaders(meta)))
    except AuthenticationFailed as failure:
        return str(failure.detail)
    if result is None:
        # No token credentials: the permission check then answers DRF's NotAuthenticated.
        return str(DrfNotAuthenticated.default_detail)
    return result[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, AuthFailure.NOT_PROVIDED.message, id="no header"),
        pytest.param("", AuthFailure.NOT_PROVIDED.message, id="empty"),
        pytest.param("     ", AuthFailure.NOT_PROVIDED.message, id="spaces only"),
        pytest.param("Bearer " + KEY, AuthFailure.NOT_PROVIDED.message, id="another scheme"),
        pytest.param("Token", AuthFailure.NO_CREDENTIALS.message, id="keyword without key"),
        pytest.param("Token   ", AuthFailure.NO_CREDENTIALS.message, id="keyword and spaces"),
        pytest.param(f"Token {KEY} extra", AuthFailure.CONTAINS_SPACES.message, id="key with spaces"),
        pytest.param(f"Token {KEY[:20]} {KEY[20:]}", AuthFailure.CONTAINS_SPACES.message, id="split key"),
        pytest.param(f"Token {KEY}", KEY, id="canonical"),
        pytest.param(f"token {KEY}", KEY, id="lower-case keyword"),
        pytest.param(f"TOKEN {KEY}", KEY, id="upper-case keyword"),
        pytest.param(f"  Token\t{KEY}  ", KEY, id="surrounding whitespace"),
        pytest.param("Token \ud800", AuthFailure.INVALID_CHARACTERS.message, id="lone surrogate"),
    ],
)
def test_the_header_is_read_as_drf_reads_it(header: str | None, expected: str) -> None:
    # Given an Authorization header (or none)
    # When the authorizer reads it
    reading = our_reading(header)
    # Then it finds the key, or refuses with DRF's reason
    assert reading == expected


def test_every_refusal_carries_the_word_api_gateway_turns_into_401_and_never_the_key() -> None:
    for header in (None, "Token", f"Token {KEY} {KEY}", f"Bearer {KEY}"):
        with pytest.raises(NotAuthenticated) as refusal:
            token_key(header)
        assert str(refusal.value) == "Unauthorized"
        assert KEY not in repr(refusal.value)


def test_a_very_long_header_is_read_without_error() -> None:
    # Given an 8 KB header, one word and many
    one_word = "Token " + "a" * 8192
    many_words = "Token " + " ".join(["a"] * 4096)
    # When read, then the long key is returned for lookup, and the many words are refused
    assert token_key(one_word) == "a" * 8192
    assert our_reading(many_words) == AuthFailure.CONTAINS_SPACES.message


_PIECES = [b"Token", b"token", b"tOkEn", b"Bearer", KEY.encode(), b"abc", b" ", b"  ", b"\t", b"\n"]
_PIECES += ["é".encode(), "کلید".encode(), "\u00a0".encode(), b"\x0b", b"\x1c"]


@given(st.lists(st.sampled_from(_PIECES), max_size=8).map(b"".join))
def test_any_header_reads_as_drf_reads_the_same_bytes(raw: bytes) -> None:
    # Given the bytes a client sent (API Gateway hands them over as UTF-8 text)
    header = raw.decode("utf-8")
    # Then we find what DRF finds: the same key, or the same 401 message
    assert our_reading(header) == drf_reading(raw)


def test_no_header_reads_as_drf_reads_no_header() -> None:
    assert our_reading(None) == drf_reading(None)
