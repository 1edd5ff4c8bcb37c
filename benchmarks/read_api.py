"""Read API benchmark: what one list or retrieve call costs at 10,000 portfolios.

Seeds 10,000 demo portfolios into DynamoDB (moto, in process), then calls the real Lambda
handler for each scenario and measures, per call:

- DynamoDB requests (counted with botocore's event hooks on every pynamodb client), the
  operation and index of each, items and bytes read;
- handler time outside DynamoDB calls: the handler's wall time minus the time spent inside
  botocore calls (from ``provide-client-params`` to ``after-call``: serialization, the moto
  round trip and response parsing), p50 and p95;

and, in fresh processes, the cold start: importing the read handler's module in an
environment built like the Lambda layer (the layer's pinned requirements + boto3, no dev
packages) against ``import boto3`` in that same environment.

Budgets (issue 2): retrieve <= 2 requests; list <= 4 requests, no Scan, full documents read
only for the returned page; list handler p50 < 50 ms; module import <= 1.5 x import boto3.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-cache"
PORTFOLIOS = int(os.environ.get("BENCH_PORTFOLIOS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
WARMUP = 2
COLD_START_RUNS = int(os.environ.get("BENCH_COLD_START_RUNS", "15"))

LIST_REQUEST_BUDGET = 4
RETRIEVE_REQUEST_BUDGET = 2
LIST_HANDLER_P50_BUDGET_MS = 50.0
COLD_START_RATIO_BUDGET = 1.5


def _prepare_environment() -> None:
    """The environment of a deployed function, with moto behind it (before any import of the
    data models, which read table names when their classes are created)."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        os.environ.pop(variable, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "portfolio-api",
            "POWERTOOLS_METRICS_NAMESPACE": "PortfolioApi",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "MEDIA_BASE_URL": "https://media.example.com",
        }
    )
    from portfolio.infra.template import load_template, table_environment

    os.environ.update(table_environment(load_template()))


@dataclass
class DynamoCall:
    operation: str
    index: str | None
    tables: tuple[str, ...]
    seconds: float
    items: int
    bytes: int


@dataclass
class DynamoMeter:
    """Counts every DynamoDB request made through the pynamodb clients."""

    calls: list[DynamoCall] = field(default_factory=list)
    _started: dict[int, tuple[float, dict[str, Any]]] = field(default_factory=dict)

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()
        context["bench_params"] = dict(params)

    def _after(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        params = context.get("bench_params", {})
        operation = model.name
        if operation == "BatchGetItem":
            items = sum(len(found) for found in parsed.get("Responses", {}).values())
            tables = tuple(params.get("RequestItems", {}))
        elif operation in ("Query", "Scan"):
            items = int(parsed.get("Count", 0))
            tables = (params.get("TableName", ""),)
        else:
            items = 1 if parsed.get("Item") else 0
            tables = (params.get("TableName", ""),)
        self.calls.append(
            DynamoCall(
                operation=operation,
                index=params.get("IndexName"),
                tables=tables,
                seconds=time.perf_counter() - context.get("bench_started", time.perf_counter()),
                items=items,
                bytes=len(http_response.content or b""),
            )
        )

    def take(self) -> list[DynamoCall]:
        calls, self.calls = self.calls, []
        return calls


def _instrument(meter: DynamoMeter | None = None) -> DynamoMeter:
    """Attach ``meter`` (a new one by default) to every pynamodb client."""
    from portfolio.data.models import ALL_MODELS

    meter = meter or DynamoMeter()
    seen: set[int] = set()
    for model in ALL_MODELS:
        client = model._get_connection().connection.client
        if id(client) not in seen:
            seen.add(id(client))
            meter.attach(client)
    return meter


@dataclass
class Scenario:
    name: str
    url: str
    kind: str  # "list" or "retrieve"


@dataclass
class ScenarioResult:
    scenario: Scenario
    requests: list[int]
    operations: list[str]
    items: list[int]
    card_items: list[int]
    document_items: list[int]
    page_sizes: list[int]
    bytes: list[int]
    handler_ms: list[float]
    total_ms: list[float]
    statuses: set[int]

    def p(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _seed() -> float:
    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.demo import demo_catalogue
    from portfolio.domain.import_format import parse_import

    started = time.perf_counter()
    import_catalogue(parse_import(demo_catalogue(PORTFOLIOS)))
    return time.perf_counter() - started


def _run_scenario(
    scenario: Scenario, call: Callable[[str], dict[str, Any]], meter: DynamoMeter
) -> ScenarioResult:
    result = ScenarioResult(scenario, [], [], [], [], [], [], [], [], [], set())
    for run in range(WARMUP + RUNS):
        meter.take()
        started = time.perf_counter()
        response = call(scenario.url)
        total = time.perf_counter() - started
        calls = meter.take()
        if run < WARMUP:
            continue
        body = json.loads(response["body"])
        result.statuses.add(response["statusCode"])
        result.requests.append(len(calls))
        result.operations = [f"{c.operation}({c.index or ','.join(c.tables)})" for c in calls]
        result.items.append(sum(c.items for c in calls))
        result.card_items.append(sum(c.items for c in calls if c.operation == "Query"))
        result.document_items.append(
            sum(c.items for c in calls if any("Document" in table for table in c.tables))
        )
        result.page_sizes.append(len(body.get("results", [])) if scenario.kind == "list" else 1)
        result.bytes.append(sum(c.bytes for c in calls))
        result.handler_ms.append((total - sum(c.seconds for c in calls)) * 1000)
        result.total_ms.append(total * 1000)
    return result


# --- cold start ------------------------------------------------------------------------------


def _lambda_like_site_packages() -> Path:
    """The layer's pinned requirements plus the runtime's boto3, installed once into
    .bench-cache (rebuilt when the requirements change)."""
    import importlib.metadata

    requirements = (ROOT / "layers" / "portfolio" / "requirements.txt").read_text()
    boto3_pin = f"boto3=={importlib.metadata.version('boto3')}"
    digest = hashlib.sha256((requirements + boto3_pin + sys.version).encode()).hexdigest()[:12]
    target = CACHE / f"lambda-site-{digest}"
    if not (target / ".complete").exists():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                "-r",
                str(ROOT / "layers" / "portfolio" / "requirements.txt"),
                boto3_pin,
            ],
            check=True,
            capture_output=True,
        )
        (target / ".complete").touch()
    return target


def _import_seconds(module: str, site: Path) -> tuple[float, float]:
    """Wall and CPU seconds to import ``module`` in a fresh interpreter."""
    paths = [str(ROOT / "functions" / "read_api"), str(ROOT / "layers" / "portfolio"), str(site)]
    code = (
        f"import sys; sys.path[:0] = {paths!r}\n"
        "import time\n"
        "wall, cpu = time.perf_counter(), time.process_time()\n"
        f"import {module}\n"
        "print(time.perf_counter() - wall, time.process_time() - cpu)\n"
    )
    # As in Lambda: the task root is set (the X-Ray SDK then skips its sampling client), the
    # function's environment is the template's, and only the deployment's packages are on
    # the path (-S: no site-packages of this machine).
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(CACHE / "task-root"),
        "AWS_LAMBDA_FUNCTION_NAME": "ReadApiFunction",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "portfolio-api",
        "POWERTOOLS_METRICS_NAMESPACE": "PortfolioApi",
    }
    output = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    wall, cpu = output.stdout.split()
    return float(wall), float(cpu)


@dataclass(frozen=True)
class ColdStart:
    boto3_wall: float
    app_wall: float
    boto3_cpu: float
    app_cpu: float


def _cold_start() -> ColdStart:
    site = _lambda_like_site_packages()
    for module in ("boto3", "app"):  # compile .pyc files first, as a deployment package has them
        _import_seconds(module, site)
    boto3_times, app_times = [], []
    for _ in range(COLD_START_RUNS):  # interleaved, so machine noise hits both alike
        boto3_times.append(_import_seconds("boto3", site))
        app_times.append(_import_seconds("app", site))
    return ColdStart(
        boto3_wall=statistics.median(t[0] for t in boto3_times),
        app_wall=statistics.median(t[0] for t in app_times),
        boto3_cpu=statistics.median(t[1] for t in boto3_times),
        app_cpu=statistics.median(t[1] for t in app_times),
    )


# --- report ---------------------------------------------------------------------------------


def _check(ok: bool, text: str, failures: list[str]) -> str:
    if not ok:
        failures.append(text)
    return ("PASS " if ok else "FAIL ") + text


def main() -> int:
    _prepare_environment()
    import boto3
    from moto import mock_aws

    from portfolio.infra.template import create_tables
    from tests.support.context import FakeLambdaContext
    from tests.support.events import api_event

    failures: list[str] = []
    print(f"== Read API at {PORTFOLIOS:,} portfolios (moto in process, {RUNS} runs per scenario) ==")
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        print(f"seeded {PORTFOLIOS:,} demo portfolios in {_seed():.1f} s")
        # The seeded tables live in this process (moto); a Lambda process does not hold them.
        # Freeze them out of the garbage collector's view so its passes cost what they would there.
        gc.collect()
        gc.freeze()
        from functions.read_api.app import lambda_handler

        meter = _instrument()
        context = FakeLambdaContext()

        metric_lines = io.StringIO()

        def call(url: str) -> dict[str, Any]:
            # The handler's metrics (EMF lines on stdout, as in Lambda) go to a buffer here.
            with contextlib.redirect_stdout(metric_lines):
                return lambda_handler(api_event(url), context)

        # A portfolio the filtered retrieve matches (DRF's get_object() applies the filters).
        matching = json.loads(call("/api/portfolios/?search=a&is_active=true&limit=1")["body"])["results"][0][
            "id"
        ]
        scenarios = [
            Scenario("list, default", "/api/portfolios/", "list"),
            Scenario(
                "list, search + 2 filters + 2-field ordering",
                "/api/portfolios/?search=app&is_active=true&has_image=true&ordering=-year,title",
                "list",
            ),
            Scenario(
                "list, same with an indexed filter (employer_id)",
                "/api/portfolios/?search=app&employer_id=3&is_active=true&ordering=-year,title",
                "list",
            ),
            Scenario(
                "list, last page of 100", f"/api/portfolios/?limit=100&offset={PORTFOLIOS - 100}", "list"
            ),
            Scenario("retrieve", f"/api/portfolios/{PORTFOLIOS // 2}/", "retrieve"),
            Scenario(
                "retrieve with search + filter",
                f"/api/portfolios/{matching}/?search=a&is_active=true",
                "retrieve",
            ),
        ]
        results = [_run_scenario(scenario, call, meter) for scenario in scenarios]

    header = (
        f"{'scenario':48s} {'reqs':>4s} {'items':>6s} {'cards':>6s} {'docs':>4s} {'KiB':>7s} "
        f"{'handler p50':>11s} {'p95':>7s} {'total p50':>9s}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{result.scenario.name:48s} {max(result.requests):4d} {max(result.items):6d} "
            f"{max(result.card_items):6d} {max(result.document_items):4d} {max(result.bytes) / 1024:7.1f} "
            f"{statistics.median(result.handler_ms):9.1f}ms {result.p(result.handler_ms, 0.95):5.1f}ms "
            f"{statistics.median(result.total_ms):7.0f}ms"
        )
        print(f"{'':48s} {' '.join(result.operations)}")

    print()
    for result in results:
        name = result.scenario.name
        ok_status = result.statuses == {200}
        print(_check(ok_status, f"{name}: every call answered 200 ({sorted(result.statuses)})", failures))
        no_scan = all("Scan" not in op for op in result.operations)
        print(_check(no_scan, f"{name}: no Scan", failures))
        if result.scenario.kind == "list":
            print(
                _check(
                    max(result.requests) <= LIST_REQUEST_BUDGET,
                    f"{name}: {max(result.requests)} DynamoDB requests <= {LIST_REQUEST_BUDGET}",
                    failures,
                )
            )
            print(
                _check(
                    result.document_items == result.page_sizes,
                    f"{name}: full documents read only for the page ({max(result.document_items)} for "
                    f"{max(result.page_sizes)} results)",
                    failures,
                )
            )
            p50 = statistics.median(result.handler_ms)
            print(
                _check(
                    p50 < LIST_HANDLER_P50_BUDGET_MS,
                    f"{name}: handler time p50 {p50:.1f} ms < {LIST_HANDLER_P50_BUDGET_MS:.0f} ms",
                    failures,
                )
            )
        else:
            print(
                _check(
                    max(result.requests) <= RETRIEVE_REQUEST_BUDGET,
                    f"{name}: {max(result.requests)} DynamoDB requests <= {RETRIEVE_REQUEST_BUDGET}",
                    failures,
                )
            )

    print()
    print(
        f"== Cold start: importing the read handler's module (Lambda-like environment, median of "
        f"{COLD_START_RUNS}) =="
    )
    cold = _cold_start()
    print(
        f"import boto3: {cold.boto3_wall * 1000:.0f} ms wall, {cold.boto3_cpu * 1000:.0f} ms CPU; "
        f"import app (read API): {cold.app_wall * 1000:.0f} ms wall, {cold.app_cpu * 1000:.0f} ms CPU"
    )
    wall_ratio, cpu_ratio = cold.app_wall / cold.boto3_wall, cold.app_cpu / cold.boto3_cpu
    print(f"ratio: {wall_ratio:.2f} wall, {cpu_ratio:.2f} CPU (the budget is checked on CPU time, which the")
    print("other processes of a busy machine do not inflate; on an idle machine the two agree)")
    print(
        _check(
            cpu_ratio <= COLD_START_RATIO_BUDGET,
            f"cold start ratio {cpu_ratio:.2f} <= {COLD_START_RATIO_BUDGET}",
            failures,
        )
    )
    return 1 if failures else 0
