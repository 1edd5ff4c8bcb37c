"""The failure model of ThumbnailsFunction as docs/images.md states it ("Failures"): the
numbers it gives are template.yaml's and the code's, a hung S3 request ends before the
function's timeout, and uploads are ordered by S3's sequencer as S3 documents it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event
from hypothesis import given
from hypothesis import strategies as st

from portfolio.data import media as media_store
from portfolio.domain.media import Upload
from portfolio.domain.upload_metadata import SEQUENCER_DIGITS, sequencer_order
from portfolio.infra.template import async_invoke_config, functions, load_template
from tests.support.media import s3_event

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = "ThumbnailsFunction"
# botocore's standard mode: a throttled retry waits at most 1 s x 2^(attempt - 1).
THROTTLING_BACKOFF_CAP_S = (1, 2, 4, 8, 16, 20)


def documented_numbers() -> dict[str, str]:
    """docs/images.md's "setting | value" table (under "Failures")."""
    text = (ROOT / "docs" / "images.md").read_text(encoding="utf-8")
    table = text.split("| setting | value |", 1)[1].split("\n\n", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in table.strip().splitlines()[1:]
    ]
    return dict(rows)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def test_the_documented_retries_and_destination_are_the_templates(template: dict[str, Any]) -> None:
    documented = documented_numbers()
    config = async_invoke_config(template, FUNCTION)
    invoke = template["Resources"][FUNCTION]["Properties"]["EventInvokeConfig"]
    assert documented["`EventInvokeConfig` `MaximumRetryAttempts`"] == str(config.maximum_retry_attempts)
    assert documented["`EventInvokeConfig` `MaximumEventAgeInSeconds`"] == str(
        invoke["MaximumEventAgeInSeconds"]
    )
    assert documented["`EventInvokeConfig` on failure"] == "`ThumbnailsFailureQueue` (SQS)"
    assert invoke["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    assert config.on_failure == {"Fn::GetAtt": ["ThumbnailsFailureQueue", "Arn"]}
    assert template["Resources"]["ThumbnailsFailureQueue"]["Type"] == "AWS::SQS::Queue"


def test_the_documented_memory_and_timeout_are_the_templates(template: dict[str, Any]) -> None:
    documented = documented_numbers()
    function = functions(template)[FUNCTION]
    assert documented["function `MemorySize`"] == f"{function.memory_mb} MB"
    assert documented["function `Timeout`"] == f"{function.timeout_s} s"


def test_the_documented_s3_attempts_and_timeouts_are_the_clients() -> None:
    documented = documented_numbers()
    assert documented["S3 attempts per request (botocore standard mode)"] == str(media_store.S3_MAX_ATTEMPTS)
    assert documented["S3 connect timeout"] == f"{media_store.S3_CONNECT_TIMEOUT_S} s"
    assert documented["S3 read timeout"] == f"{media_store.S3_READ_TIMEOUT_S} s"


def test_a_hung_s3_request_fails_before_the_function_times_out(template: dict[str, Any]) -> None:
    # Given S3 accepting connections and never answering, every attempt
    attempts = media_store.S3_MAX_ATTEMPTS
    waiting = attempts * (media_store.S3_CONNECT_TIMEOUT_S + media_store.S3_READ_TIMEOUT_S)
    backoff = sum(THROTTLING_BACKOFF_CAP_S[: attempts - 1])
    # Then the request ends with an error (which the function raises, for Lambda to retry)
    # before the function's timeout would end the invocation without saying why
    assert waiting + backoff < functions(template)[FUNCTION].timeout_s


# --- the order of the uploads of one key -----------------------------------------------------------

HEX = st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=40)


def s3_padded_compare(left: str, right: str) -> int:
    """S3's documented rule: left-pad the shorter with zeros, compare lexicographically."""
    width = max(len(left), len(right))
    a, b = left.rjust(width, "0"), right.rjust(width, "0")
    return (a > b) - (a < b)


@given(HEX, HEX)
def test_sequencer_orders_compare_as_s3_documents(left: str, right: str) -> None:
    order_left, order_right = sequencer_order(left), sequencer_order(right)
    assert order_left is not None
    assert order_right is not None
    assert len(order_left) == len(order_right) == SEQUENCER_DIGITS
    assert (order_left > order_right) - (order_left < order_right) == s3_padded_compare(left, right)


def test_a_longer_sequencer_can_be_the_later_one() -> None:
    older, newer = sequencer_order("FFFFFFFFFFFFFFFF"), sequencer_order("10000000000000000")
    assert older is not None
    assert newer is not None
    assert older < newer


@pytest.mark.parametrize("sequencer", [None, "", "not hexadecimal", "0x1F", "1" * (SEQUENCER_DIGITS + 1)])
def test_an_unusable_sequencer_gives_no_order(sequencer: str | None) -> None:
    assert sequencer_order(sequencer) is None


def test_lower_case_and_leading_zeros_do_not_change_the_order() -> None:
    assert sequencer_order("00663204a49a8e5b2c") == sequencer_order("663204A49A8E5B2C")


def _upload(**event: Any) -> Upload:
    (record,) = S3Event(s3_event("media", "uploads/x.jpg", "a" * 32, **event)).records
    return Upload.from_record(record)


def test_an_upload_is_one_event_the_same_bytes_put_again_are_another() -> None:
    # Given the same event delivered twice, and the same bytes put again (a new sequencer)
    first = _upload(sequencer="0066320A49A8E5B2C1")
    redelivered = _upload(sequencer="0066320A49A8E5B2C1", event_time="2026-05-01T09:31:00.000Z")
    put_again = _upload(sequencer="0066320A49A8E5B2D7")
    # Then the redelivery is the same upload, the second put another
    assert (redelivered.identity, redelivered.marker) == (first.identity, first.marker)
    assert put_again.identity != first.identity
    assert put_again.marker != first.marker
    assert first.order is not None
    assert put_again.order is not None
    assert first.order < put_again.order
