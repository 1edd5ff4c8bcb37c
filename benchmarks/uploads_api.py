"""The upload API (issue 10): what one call costs.

    .venv/bin/python -m benchmarks uploads_api       (BENCH_UPLOADS_REPEAT=50)

In process on moto, UploadsFunction's handler on API Gateway events (events/create_upload.json,
events/get_upload.json), over the demo catalogue: ``POST /api/uploads/`` without attachments
and with eight (a cover, a gallery image, two employers, two tags, two links), and
``GET /api/uploads/{id}/`` while pending and once ready (after the thumbnails function ran on
the posted file). For each: DynamoDB requests by operation, and the handler's median time.

Budgets: a form costs one PutItem plus one keys-only BatchGetItem per kind of target
(portfolio, employer, tag, link: at most 5 requests whatever the catalogue's size); a status
costs one GetItem and one Query (2 requests). Times are moto's in this process, not
DynamoDB's: the requests are what to read.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import warnings
from collections import Counter
from typing import Any

from benchmarks.read_api import _prepare_environment

REPEAT = int(os.environ.get("BENCH_UPLOADS_REPEAT", "50"))
CREATE_BUDGET = 5
STATUS_BUDGET = 2
CALLER = {"user_id": "7", "username": "editor", "is_admin": "false"}


def _measured(handler: Any, event: dict[str, Any]) -> tuple[float, Counter[str], dict[str, Any]]:
    from botocore.client import BaseClient

    from tests.support.context import FakeLambdaContext

    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(client, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        answer = handler(event, FakeLambdaContext(function_name="UploadsFunction"))
        return time.perf_counter() - started, calls, answer
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def _repeated(handler: Any, make_event: Any) -> tuple[list[float], Counter[str], dict[str, Any]]:
    times: list[float] = []
    calls: Counter[str] = Counter()
    answer: dict[str, Any] = {}
    for _ in range(REPEAT):
        seconds, calls, answer = _measured(handler, make_event())
        times.append(seconds)
    return times, calls, answer


def _line(label: str, times: list[float], calls: Counter[str]) -> str:
    summary = ", ".join(f"{name} {number}" for name, number in sorted(calls.items()))
    return (
        f"  {label:<40} {sum(calls.values())} DynamoDB requests ({summary}); "
        f"handler p50 {statistics.median(times) * 1000:.1f} ms"
    )


def _targets(items: list[dict[str, Any]]) -> list[str]:
    """Two attachments of each kind, to records of the catalogue."""
    employers = sorted({int(item["employer_data"]["id"]) for item in items if item.get("employer_data")})
    tags = sorted({int(tag["id"]) for item in items for tag in item.get("tags_data") or []})
    links = sorted({int(link["id"]) for item in items for link in item.get("links_data") or []})
    return [
        f"cover:{items[0]['id']}",
        f"gallery:{items[1]['id']}",
        *(f"employer:{record_id}" for record_id in employers[:2]),
        *(f"tag:{record_id}" for record_id in tags[:2]),
        *(f"link:{record_id}" for record_id in links[:2]),
    ]


def main() -> int:
    _prepare_environment()
    # (metrics would print a line per call: this measures requests and time, not metrics)
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    import boto3
    from moto import mock_aws

    from tests.support import media as support
    from tests.support.context import FakeLambdaContext
    from tests.support.events import upload_api_event

    os.environ.setdefault("MEDIA_BUCKET", "portfolio-media-bench")
    with mock_aws():
        from functions.thumbnails.app import lambda_handler as thumbnails
        from functions.uploads.app import lambda_handler as uploads
        from portfolio.domain.catalogue import import_catalogue
        from portfolio.domain.demo import demo_catalogue
        from portfolio.domain.import_format import parse_import
        from portfolio.infra.template import create_tables

        create_tables(boto3.client("dynamodb"), names={})
        bucket = support.create_template_buckets()
        items = demo_catalogue(100)
        import_catalogue(parse_import(items))
        attach = _targets(items)
        request = {"file_name": "team.jpg", "content_type": "image/jpeg", "size": 482913}
        print(f"\nThe upload API over {len(items)} demo portfolios (moto in process, {REPEAT} calls each):")
        failures = []
        form: dict[str, Any] = {}
        for label, body in (
            ("POST /api/uploads/ (no attachment)", request),
            (f"POST /api/uploads/ ({len(attach)} attachments)", {**request, "attach": attach}),
        ):
            times, calls, answer = _repeated(
                uploads, lambda body=body: upload_api_event("POST", "/api/uploads/", body=body, caller=CALLER)
            )
            assert answer["statusCode"] == 201, answer["body"]
            form = json.loads(answer["body"])
            print(_line(label, times, calls))
            if sum(calls.values()) > CREATE_BUDGET:
                failures.append(f"{label}: {sum(calls.values())} requests")
        path = f"/api/uploads/{form['id']}/"
        for state in ("pending", "ready"):
            if state == "ready":
                fields = form["fields"]
                metadata = {
                    name.removeprefix("x-amz-meta-"): value
                    for name, value in fields.items()
                    if name.startswith("x-amz-meta-")
                }
                etag = support.put_upload(bucket, fields["key"], support.jpeg((1600, 1000)), metadata)
                thumbnails(support.s3_event(bucket, fields["key"], etag), FakeLambdaContext())
            times, calls, answer = _repeated(uploads, lambda: upload_api_event("GET", path, caller=CALLER))
            assert json.loads(answer["body"])["status"] == state, answer["body"]
            label = f"GET /api/uploads/{{id}}/ ({state})"
            print(_line(label, times, calls))
            if sum(calls.values()) > STATUS_BUDGET:
                failures.append(f"{label}: {sum(calls.values())} requests")
    print()
    print(
        f"budgets (form <= {CREATE_BUDGET} requests, status <= {STATUS_BUDGET}): "
        + ("met" if not failures else "NOT met: " + "; ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
