"""Read API at scale (issue 9): what one call costs at 1,000, 10,000 and 100,000 portfolios.

For each catalogue size: seed the demo catalogue into DynamoDB (moto, in process), then call
the real Lambda handler for the issue's scenarios and measure, per warm call:

- DynamoDB requests, Scans, bytes of DynamoDB responses, and **read units** computed as
  DynamoDB bills them from the items returned (moto's ConsumedCapacity is a constant, so it
  is not used): a Query 0.5 unit per 4 KB of items in all, a GetItem or each item of a
  BatchGetItem 0.5 unit per 4 KB of the item (1 when strongly consistent). DynamoDB bills
  whole items even when a projection returns fewer attributes: where the read path asks for
  some attributes only, the figure is a lower bound;
- handler time outside DynamoDB calls (wall time minus the time inside botocore calls),
  p50 and p95;

then the **cold container**: the first call after the read path's container state is dropped
(requests, bytes, seconds), and the **memory** the read path keeps between calls
(tracemalloc: allocations made by ``portfolio``/``functions`` code still alive after a call).

The figures of the code before the read path changed are kept in
``benchmarks/results/read_scale_before.json`` and printed beside today's. ``BENCH_SCALE_SIZES``
(default ``1000,10000,100000``) and ``BENCH_SCALE_RUNS`` choose what runs;
``BENCH_SCALE_RECORD=before`` writes the figures of this run as the "before" file.

Budgets (issue 9), at 100,000 portfolios, per warm call: <= 2 DynamoDB requests, no Scan,
<= 96 KB of DynamoDB responses; handler p50 <= 10 ms (default list), <= 30 ms (search +
filters + ordering); memory kept <= 250 MB; the cold container's first list <= 5 s.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import math
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.read_api import DynamoMeter, _instrument, _prepare_environment

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "benchmarks" / "results" / "read_scale_before.json"
SIZES = [int(size) for size in os.environ.get("BENCH_SCALE_SIZES", "1000,10000,100000").split(",") if size]
RECORD = os.environ.get("BENCH_SCALE_RECORD", "")

BUDGET_AT = 100_000
REQUEST_BUDGET = 2
BYTES_BUDGET = 96 * 1024
HANDLER_P50_BUDGET_MS = {"list, default": 10.0, "list, search + filters + ordering": 30.0}
MEMORY_BUDGET_MB = 250.0
COLD_LIST_BUDGET_S = 5.0


def _runs(size: int) -> int:
    if "BENCH_SCALE_RUNS" in os.environ:
        return int(os.environ["BENCH_SCALE_RUNS"])
    return 15 if size <= 10_000 else 5


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str


def scenarios(size: int) -> list[Scenario]:
    """The issue's scenarios, default page (10)."""
    return [
        Scenario("list, default", "/api/portfolios/"),
        Scenario(
            "list, search + filters + ordering",
            "/api/portfolios/?search=app&is_active=true&has_image=true&ordering=-year,title",
        ),
        Scenario("list, employer_id + ordering", "/api/portfolios/?employer_id=3&ordering=-created_at"),
        Scenario("list, last page", f"/api/portfolios/?offset={size - 10}"),
        Scenario("list, created_from + tags_in", "/api/portfolios/?created_from=2022-01-01&tags_in=1,2"),
        Scenario("retrieve", f"/api/portfolios/{size // 2}/"),
    ]


@dataclass
class Figures:
    """One scenario at one size: the worst request count, bytes and units of the warm calls,
    the handler's p50/p95, and the statuses seen."""

    scenario: str
    requests: int
    scans: int
    kib: float
    read_units: float
    handler_p50_ms: float
    handler_p95_ms: float
    statuses: list[int]


@dataclass
class SizeFigures:
    size: int
    seed_s: float
    scenarios: list[Figures]
    cold_requests: int
    cold_kib: float
    cold_list_s: float
    memory_mb: float


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names and values (UTF-8), numbers at
    about one byte per two digits plus one."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        ((kind, raw),) = value.items()
        if kind == "N":
            size += len(raw.lstrip("-").replace(".", "")) // 2 + 1
        elif kind in ("S", "B"):
            size += len(str(raw).encode())
        elif kind in ("NS", "SS"):
            size += sum(len(str(member).encode()) for member in raw)
        elif kind == "BOOL":
            size += 1
        else:  # L, M, NULL: close enough for a benchmark
            size += len(json.dumps(raw).encode())
    return size


def read_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
    """What DynamoDB bills for this read (eventually consistent unless asked otherwise)."""
    if operation in ("Query", "Scan"):
        total = sum(item_bytes(item) for item in parsed.get("Items", []))
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        return factor * max(1, math.ceil(total / 4096))
    if operation == "GetItem":
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        return factor * max(1, math.ceil(item_bytes(parsed.get("Item") or {}) / 4096))
    if operation == "BatchGetItem":
        units = 0.0
        for table, items in parsed.get("Responses", {}).items():
            factor = 1.0 if params.get("RequestItems", {}).get(table, {}).get("ConsistentRead") else 0.5
            units += sum(factor * max(1, math.ceil(item_bytes(item) / 4096)) for item in items)
        return units
    return 0.0


class UnitMeter(DynamoMeter):
    """The request meter, with each read's units."""

    def __init__(self) -> None:
        super().__init__()
        self.units: list[float] = []

    def _after(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **kwargs: Any
    ) -> None:
        super()._after(http_response=http_response, parsed=parsed, model=model, context=context, **kwargs)
        self.units.append(read_units(model.name, context.get("bench_params", {}), parsed))

    def take_units(self) -> float:
        units, self.units = self.units, []
        return sum(units)


def _reset_container() -> None:
    """Drop what a warm container keeps (a new Lambda container starts without it)."""
    try:
        cache = importlib.import_module("portfolio.domain.card_cache")
    except ModuleNotFoundError:  # the code before the container kept anything
        return
    cache.reset()


def _measure_size(size: int) -> SizeFigures:
    import boto3
    from moto import mock_aws

    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.demo import demo_catalogue
    from portfolio.domain.import_format import parse_import
    from portfolio.infra.template import create_tables
    from tests.support.context import FakeLambdaContext
    from tests.support.events import api_event

    runs = _runs(size)
    with mock_aws():
        create_tables(boto3.client("dynamodb"), names={})
        started = time.perf_counter()
        import_catalogue(parse_import(demo_catalogue(size)))
        seed_s = time.perf_counter() - started
        print(f"-- {size:,} portfolios (seeded in {seed_s:.0f} s), {runs} warm runs per scenario", flush=True)
        gc.collect()
        gc.freeze()  # moto's tables live in this process; a Lambda process does not hold them
        from functions.read_api.app import lambda_handler

        meter = UnitMeter()
        _instrument(meter)
        metric_lines = io.StringIO()

        def call(url: str) -> dict[str, Any]:
            with contextlib.redirect_stdout(metric_lines):
                return lambda_handler(api_event(url), FakeLambdaContext())

        # The cold container: the first list after the container's state is dropped.
        _reset_container()
        meter.take()
        meter.take_units()
        started = time.perf_counter()
        call("/api/portfolios/")
        cold_list_s = time.perf_counter() - started
        cold_calls = meter.take()
        meter.take_units()

        figures = [_measure_scenario(scenario, call, meter, runs) for scenario in scenarios(size)]
        memory_mb = _memory_kept(call)
        metric_lines.truncate(0)
        gc.unfreeze()
    return SizeFigures(
        size=size,
        seed_s=round(seed_s, 1),
        scenarios=figures,
        cold_requests=len(cold_calls),
        cold_kib=round(sum(c.bytes for c in cold_calls) / 1024, 1),
        cold_list_s=round(cold_list_s, 3),
        memory_mb=round(memory_mb, 1),
    )


def _measure_scenario(
    scenario: Scenario, call: Callable[[str], dict[str, Any]], meter: UnitMeter, runs: int
) -> Figures:
    requests, scans, sizes, units, handler_ms, statuses = [], [], [], [], [], set()
    for run in range(1 + runs):  # one warm-up call
        meter.take()
        meter.take_units()
        started = time.perf_counter()
        response = call(scenario.url)
        total = time.perf_counter() - started
        calls = meter.take()
        call_units = meter.take_units()
        if run == 0:
            continue
        statuses.add(response["statusCode"])
        requests.append(len(calls))
        scans.append(sum(c.operation == "Scan" for c in calls))
        sizes.append(sum(c.bytes for c in calls))
        units.append(call_units)
        handler_ms.append((total - sum(c.seconds for c in calls)) * 1000)
    return Figures(
        scenario=scenario.name,
        requests=max(requests),
        scans=max(scans),
        kib=round(max(sizes) / 1024, 1),
        read_units=max(units),
        handler_p50_ms=round(statistics.median(handler_ms), 2),
        handler_p95_ms=round(_percentile(handler_ms, 0.95), 2),
        statuses=sorted(statuses),
    )


def _memory_kept(call: Callable[[str], dict[str, Any]]) -> float:
    """MB allocated by the read path's code and still alive after a cold call."""
    _reset_container()
    gc.collect()
    tracemalloc.start(1)
    call("/api/portfolios/")
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    ours = (f"{os.sep}portfolio{os.sep}", f"{os.sep}functions{os.sep}")
    kept = sum(
        stat.size
        for stat in snapshot.statistics("filename")
        if any(part in stat.traceback[0].filename for part in ours)
    )
    return kept / 1024 / 1024


# --- report ---------------------------------------------------------------------------------


def _load_before() -> dict[int, SizeFigures]:
    if not BEFORE.exists():
        return {}
    raw = json.loads(BEFORE.read_text())
    return {
        int(entry["size"]): SizeFigures(**{**entry, "scenarios": [Figures(**f) for f in entry["scenarios"]]})
        for entry in raw["sizes"]
    }


def _row(label: str, figures: Figures | None) -> str:
    if figures is None:
        return f"  {label:7s} {'(not measured)':>10s}"
    return (
        f"  {label:7s} {figures.requests:4d} {figures.scans:5d} {figures.kib:9.1f} {figures.read_units:7.1f} "
        f"{figures.handler_p50_ms:9.2f} {figures.handler_p95_ms:8.2f}  {','.join(map(str, figures.statuses))}"
    )


def _report(now: list[SizeFigures], before: dict[int, SizeFigures]) -> None:
    print()
    columns = ("reqs", "scans", "KiB read", "units", "p50 ms", "p95 ms")
    widths = (4, 5, 9, 7, 9, 8)
    print(
        "  "
        + " " * 7
        + " "
        + " ".join(f"{name:>{width}s}" for name, width in zip(columns, widths, strict=True))
    )
    for current in now:
        earlier = before.get(current.size)
        print(f"== {current.size:,} portfolios ==")
        for figures in current.scenarios:
            print(f"{figures.scenario}")
            if earlier is not None:
                match = next((f for f in earlier.scenarios if f.scenario == figures.scenario), None)
                print(_row("before", match))
            print(_row("now", figures))
        cold_before = ""
        if earlier is not None:
            cold_before = (
                f" (before: {earlier.cold_requests} requests, {earlier.cold_kib:.0f} KiB, "
                f"{earlier.cold_list_s:.2f} s)"
            )
        print(
            f"cold container, first list: {current.cold_requests} requests, {current.cold_kib:.0f} KiB, "
            f"{current.cold_list_s:.2f} s{cold_before}"
        )
        memory_before = f" (before: {earlier.memory_mb:.1f} MB)" if earlier is not None else ""
        print(f"memory kept by the read path: {current.memory_mb:.1f} MB{memory_before}")
        print(f"on-demand cost per million calls: {_dollars(current)}")


def _dollars(figures: SizeFigures) -> str:
    """US dollars per million calls at on-demand read prices ($0.125 per million read units)."""
    parts = [f"{f.scenario.split(', ', 1)[-1]} ${f.read_units * 0.125:.2f}" for f in figures.scenarios]
    return "; ".join(parts)


def _budgets(now: list[SizeFigures]) -> list[str]:
    failures = []
    for current in now:
        if current.size != BUDGET_AT:
            continue
        for figures in current.scenarios:
            checks = [
                (figures.statuses == [200], f"answers 200 ({figures.statuses})"),
                (figures.requests <= REQUEST_BUDGET, f"{figures.requests} requests <= {REQUEST_BUDGET}"),
                (figures.scans == 0, "no Scan"),
                (figures.kib * 1024 <= BYTES_BUDGET, f"{figures.kib:.1f} KiB <= {BYTES_BUDGET // 1024} KiB"),
            ]
            if figures.scenario in HANDLER_P50_BUDGET_MS:
                limit = HANDLER_P50_BUDGET_MS[figures.scenario]
                checks.append(
                    (figures.handler_p50_ms <= limit, f"p50 {figures.handler_p50_ms:.1f} <= {limit} ms")
                )
            for ok, text in checks:
                print(("PASS " if ok else "FAIL ") + f"{current.size:,} {figures.scenario}: {text}")
                if not ok:
                    failures.append(text)
        for ok, text in [
            (
                current.memory_mb <= MEMORY_BUDGET_MB,
                f"memory {current.memory_mb:.1f} <= {MEMORY_BUDGET_MB} MB",
            ),
            (
                current.cold_list_s <= COLD_LIST_BUDGET_S,
                f"cold list {current.cold_list_s:.2f} <= {COLD_LIST_BUDGET_S} s",
            ),
        ]:
            print(("PASS " if ok else "FAIL ") + f"{current.size:,}: {text}")
            if not ok:
                failures.append(text)
    return failures


def main() -> int:
    _prepare_environment()
    print(f"== Read API at scale: {', '.join(f'{size:,}' for size in SIZES)} portfolios (moto in process) ==")
    now = [_measure_size(size) for size in SIZES]
    if RECORD == "before":
        BEFORE.parent.mkdir(parents=True, exist_ok=True)
        BEFORE.write_text(json.dumps({"sizes": [asdict(figures) for figures in now]}, indent=1) + "\n")
        print(f"recorded as the figures before the change: {BEFORE.relative_to(ROOT)}")
    _report(now, _load_before())
    print()
    failures = _budgets(now)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
