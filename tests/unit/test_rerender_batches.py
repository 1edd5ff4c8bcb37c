"""Re-render batches as the queue carries them, and Lambda's SQS event source as the local
stack runs it: the event's shape and which messages stay on the queue after an answer."""

from __future__ import annotations

import pytest

from portfolio.data.rerender_queue import BATCH_SIZE, RerenderBatch, batches
from portfolio.infra.template import load_template, sqs_triggers
from portfolio.local.queue_events import failed_message_ids, sqs_event

pytestmark = pytest.mark.unit


def test_portfolios_are_split_into_sorted_batches_of_at_most_the_batch_size() -> None:
    made = batches([5, 3, 3, *range(10, 10 + 2 * BATCH_SIZE)], reason="tag 2 image 9")

    assert [len(batch.portfolio_ids) for batch in made] == [BATCH_SIZE, BATCH_SIZE, 2]
    assert made[0].portfolio_ids[:3] == (3, 5, 10)
    assert {batch.reason for batch in made} == {"tag 2 image 9"}


def test_a_batch_reads_back_what_it_wrote() -> None:
    batch = RerenderBatch((1, 2, 30), "employer 4 image 7")

    assert RerenderBatch.parse(batch.body()) == batch


@pytest.mark.parametrize(
    "body",
    [
        "",
        "null",
        "[1]",
        '{"portfolio_ids": 3}',
        '{"portfolio_ids": [1, "2"]}',
        '{"portfolio_ids": [true]}',
        '{"portfolio_ids": [-1]}',
    ],
)
def test_anything_else_is_refused(body: str) -> None:
    with pytest.raises(ValueError, match=r"not JSON|portfolio_ids"):
        RerenderBatch.parse(body)


def _event() -> dict:
    messages = [
        {
            "MessageId": f"m{n}",
            "ReceiptHandle": f"r{n}",
            "Body": "{}",
            "Attributes": {"ApproximateReceiveCount": "1"},
        }
        for n in (1, 2)
    ]
    return sqs_event(messages, queue_arn="arn:aws:sqs:us-east-1:123456789012:Q", region="us-east-1")


def test_the_event_has_lambdas_sqs_record_shape() -> None:
    (record, _) = _event()["Records"]

    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:Q"
    assert (record["messageId"], record["receiptHandle"], record["body"]) == ("m1", "r1", "{}")
    assert record["attributes"] == {"ApproximateReceiveCount": "1"}


@pytest.mark.parametrize(
    ("answer", "left"),
    [
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        # an identifier outside the batch, or an answer that is not a report: all stay
        ({"batchItemFailures": [{"itemIdentifier": "zz"}]}, {"m1", "m2"}),
        (None, {"m1", "m2"}),
    ],
)
def test_reported_failures_stay_on_the_queue(answer: object, left: set[str]) -> None:
    assert failed_message_ids(answer, _event(), reports_item_failures=True) == left


def test_without_item_failure_reports_a_returned_answer_deletes_every_message() -> None:
    assert (
        failed_message_ids(
            {"batchItemFailures": [{"itemIdentifier": "m2"}]}, _event(), reports_item_failures=False
        )
        == set()
    )


def test_the_rerender_function_takes_one_batch_per_invocation_and_reports_failures() -> None:
    (trigger,) = sqs_triggers(load_template())

    assert (trigger.function, trigger.queue) == ("RerenderFunction", "RerenderQueue")
    assert trigger.batch_size == 1
    assert trigger.reports_item_failures
