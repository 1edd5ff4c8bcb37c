"""Load benchmark: the local stack under several concurrent frontends, uploads arriving meanwhile.

    .venv/bin/python -m benchmarks load        (``make bench`` runs it with the others)

Starts ``portfolio serve`` on free ports with its demo catalogue, then for ``LOAD_DURATION_S``
(20) seconds runs ``LOAD_CLIENTS`` (8) clients, each a browser session of a frontend: a
token, keep-alive, gzip, and a browser's cache (``If-None-Match`` on a URL it has seen, as
the API's ``Cache-Control: private, no-cache`` asks). Each sends, back to back, a mix of
list pages, filtered lists, searches and retrieves drawn from the stack's own catalogue
(seeded, so every run sends the same mix). Meanwhile ``LOAD_UPLOADS`` (6) images go to the
media bucket through S3 as ``portfolio upload`` puts them (under ``uploads/``, with the
editor's metadata attaching each to a portfolio's gallery); each must show in its
portfolio's retrieve with its four thumbnails, whose files must load.

Prints per kind of call: requests, throughput, p50 and p99 latency (the client's wall time
per request, body read); and each upload's time from its PUT to visible in the API. The
local stack runs each function one invocation at a time (one warm execution environment;
Lambda would add more under load), so the clients queue for the read function: latency
here is mostly that queue, and throughput is what one execution environment serves.

Budget: zero errors (a status other than 2xx/3xx, or a transport error) and every upload
processed. ``main()`` returns 1 otherwise.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import requests
from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image

from portfolio.domain.upload_metadata import UPLOAD_PREFIX, Attachment, AttachTarget, editor_metadata
from tests.e2e.stack import RunningStack, start_stack

DURATION_S = float(os.environ.get("LOAD_DURATION_S", "20"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
UPLOADS = int(os.environ.get("LOAD_UPLOADS", "6"))
PORTFOLIOS = int(os.environ.get("LOAD_PORTFOLIOS", "200"))
SEED = 6
# A request waiting in the stack's queue is measured, not failed: the bound is for a hang.
REQUEST_TIMEOUT_S = 30
# How long an upload may take to show once the load is over (the issue asks 2 s unloaded).
UPLOAD_VISIBLE_WITHIN_S = 60
UPLOAD_POLL_S = 0.25
THUMBNAIL_SIZES = [64, 128, 512, 1080]
LIST = "/api/portfolios/"

# A frontend's day, in shares of requests: browsing pages, narrowing with filters, searching,
# opening a portfolio.
MIX = {"list": 35, "filtered list": 20, "search": 15, "retrieve": 30}


# --- the catalogue the clients draw from -----------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """What a frontend learns from the API itself: ids, words of titles, tags, employers."""

    ids: tuple[int, ...]
    words: tuple[str, ...]
    tag_ids: tuple[int, ...]
    employer_ids: tuple[int, ...]


def _read_catalogue(stack: RunningStack) -> Catalogue:
    ids: list[int] = []
    words: set[str] = set()
    tags: set[int] = set()
    employers: set[int] = set()
    url: str | None = f"{stack.api_url}{LIST}?limit=100"
    while url is not None:
        response = requests.get(url, headers=_authorization(stack), timeout=REQUEST_TIMEOUT_S)
        response.raise_for_status()
        page = response.json()
        for portfolio in page["results"]:
            ids.append(portfolio["id"])
            words.update(word.lower() for word in portfolio["title"].split() if len(word) > 3)
            tags.update(tag["id"] for tag in portfolio["tags_data"])
            if portfolio["employer_data"]:
                employers.add(portfolio["employer_data"]["id"])
        url = page["next"]
    return Catalogue(tuple(ids), tuple(sorted(words)), tuple(sorted(tags)), tuple(sorted(employers)))


def _authorization(stack: RunningStack) -> dict[str, str]:
    return {"Authorization": f"Token {stack.tokens['admin']}"}


# --- the mix ----------------------------------------------------------------------------------


def _list_url(rng: random.Random, catalogue: Catalogue) -> str:
    # Most visits stay on the first pages; some pick a bigger page or another order.
    page = min(int(rng.expovariate(0.7)), len(catalogue.ids) // 10)
    query = [f"offset={page * 10}"] if page else []
    if rng.random() < 0.2:
        query.append("limit=20")
    if rng.random() < 0.2:
        query.append("ordering=" + rng.choice(["-created_at", "title", "-updated_at,title", "order"]))
    return LIST + ("?" + "&".join(query) if query else "")


def _filtered_list_url(rng: random.Random, catalogue: Catalogue) -> str:
    filters = [
        lambda: "has_image=true",
        lambda: f"tag_id={rng.choice(catalogue.tag_ids)}",
        lambda: f"employer_id={rng.choice(catalogue.employer_ids)}",
        lambda: "is_active=true",
        lambda: f"created_from={rng.randint(2018, 2025)}-01-01",
        lambda: "tags_in=" + ",".join(str(tag) for tag in rng.sample(catalogue.tag_ids, 2)),
        lambda: "has_employer=false",
        lambda: "ordering=-created_at",
    ]
    chosen = rng.sample(filters, rng.choice([1, 1, 2, 3]))
    return LIST + "?" + "&".join(make() for make in chosen)


def _search_url(rng: random.Random, catalogue: Catalogue) -> str:
    terms = " ".join(rng.sample(catalogue.words, rng.choice([1, 1, 1, 2])))
    query = {"search": terms}
    if rng.random() < 0.3:
        query["is_active"] = "true"
    return LIST + "?" + urlencode(query)


def _retrieve_url(rng: random.Random, catalogue: Catalogue) -> str:
    return f"{LIST}{rng.choice(catalogue.ids)}/"


URLS: dict[str, Callable[[random.Random, Catalogue], str]] = {
    "list": _list_url,
    "filtered list": _filtered_list_url,
    "search": _search_url,
    "retrieve": _retrieve_url,
}


# --- clients -----------------------------------------------------------------------------------


@dataclass
class ClientRecord:
    """One client's calls: latencies (s) and revalidations (304) by kind, and its errors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in MIX})
    not_modified: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MIX, 0))
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, what happened)


def _client(index: int, stack: RunningStack, catalogue: Catalogue, until: float) -> ClientRecord:
    rng = random.Random(SEED * 1000 + index)
    kinds, weights = list(MIX), list(MIX.values())
    record = ClientRecord()
    cached: dict[str, str] = {}
    with requests.Session() as session:
        session.headers.update({**_authorization(stack), "Accept": "application/json"})
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            path = URLS[kind](rng, catalogue)
            headers = {"If-None-Match": cached[path]} if path in cached else {}
            started = time.perf_counter()
            try:
                response = session.get(
                    stack.api_url + path, headers=headers, timeout=REQUEST_TIMEOUT_S, allow_redirects=False
                )
            except requests.RequestException as error:
                record.errors.append((kind, f"{path}: {type(error).__name__}: {error}"))
                continue
            elapsed = time.perf_counter() - started
            if not 200 <= response.status_code < 400:
                record.errors.append((kind, f"{path}: {response.status_code} {response.text[:200]}"))
                continue
            record.latencies[kind].append(elapsed)
            if response.status_code == 304:
                record.not_modified[kind] += 1
            elif "ETag" in response.headers:
                cached[path] = response.headers["ETag"]
    return record


# --- uploads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    name: str
    portfolio_id: int
    visible_after_s: float | None  # None: never showed
    problem: str | None = None


def _photo(index: int) -> bytes:
    """A 1600 x 1200 JPEG unlike the others (a gradient, noise, a colour per upload)."""
    size = (1600, 1200)
    noise = Image.effect_noise(size, 40).convert("RGB")
    tint = Image.new("RGB", size, ((index * 70) % 256, (index * 130) % 256, (index * 190) % 256))
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    picture = Image.blend(Image.blend(noise, tint, 0.5), gradient, 0.3)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _s3(stack: RunningStack) -> Any:
    # What a user gets after `set -a; . .local.env; set +a`.
    return boto3.client(
        "s3",
        endpoint_url=stack.environment["AWS_ENDPOINT_URL"],
        region_name=stack.environment["AWS_REGION"],
        aws_access_key_id=stack.environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.environment["AWS_SECRET_ACCESS_KEY"],
    )


def _shown(stack: RunningStack, session: requests.Session, portfolio_id: int, name: str) -> dict | None:
    response = session.get(
        f"{stack.api_url}{LIST}{portfolio_id}/", headers=_authorization(stack), timeout=REQUEST_TIMEOUT_S
    )
    response.raise_for_status()
    return next((image for image in response.json()["images_data"] if image["name"] == name), None)


def _thumbnails_problem(image: dict, session: requests.Session) -> str | None:
    sizes = [thumbnail["size"] for thumbnail in image["thumbnails"]]
    if sizes != THUMBNAIL_SIZES:
        return f"thumbnails {sizes}, expected {THUMBNAIL_SIZES}"
    for url in [image["f"]] + [thumbnail["f"] for thumbnail in image["thumbnails"]]:
        status = session.get(url, timeout=REQUEST_TIMEOUT_S).status_code
        if status != 200:
            return f"{url}: {status}"
    return None


def _upload(stack: RunningStack, index: int, portfolio_id: int, start_at: float, run_id: str) -> UploadResult:
    """PUT one image at ``start_at`` as ``portfolio upload`` does, then wait until the API
    shows it in the portfolio's gallery."""
    name = f"load {run_id} upload {index}"
    body = _photo(index)
    time.sleep(max(0.0, start_at - time.monotonic()))
    metadata = editor_metadata(name=name, attachments=[Attachment(AttachTarget.GALLERY, portfolio_id)])
    put_at = time.monotonic()
    try:
        _s3(stack).put_object(
            Bucket=stack.environment["MEDIA_BUCKET"],
            Key=f"{UPLOAD_PREFIX}{uuid.uuid4().hex[:12]}/load-{index}.jpg",
            Body=body,
            ContentType="image/jpeg",
            Metadata=metadata,
        )
        with requests.Session() as session:
            while time.monotonic() - put_at < UPLOAD_VISIBLE_WITHIN_S:
                image = _shown(stack, session, portfolio_id, name)
                if image is not None:
                    visible_after = time.monotonic() - put_at
                    return UploadResult(
                        name, portfolio_id, visible_after, _thumbnails_problem(image, session)
                    )
                time.sleep(UPLOAD_POLL_S)
    except (BotoCoreError, ClientError, requests.RequestException) as error:
        return UploadResult(name, portfolio_id, None, f"{type(error).__name__}: {error}")
    return UploadResult(name, portfolio_id, None, f"not shown within {UPLOAD_VISIBLE_WITHIN_S} s")


# --- report ------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def _report(records: list[ClientRecord], elapsed_s: float, uploads: list[UploadResult]) -> list[str]:
    print(f"{'kind':14s} {'requests':>8s} {'req/s':>7s} {'p50 ms':>7s} {'p99 ms':>7s} {'304s':>5s} errors")
    every: list[float] = []
    for kind in MIX:
        latencies = [latency for record in records for latency in record.latencies[kind]]
        every += latencies
        failed = sum(1 for record in records for failed_kind, _ in record.errors if failed_kind == kind)
        revalidated = sum(record.not_modified[kind] for record in records)
        _row(kind, latencies, elapsed_s, revalidated, failed)
    errors = [f"{kind} {what}" for record in records for kind, what in record.errors]
    _row("all", every, elapsed_s, sum(sum(record.not_modified.values()) for record in records), len(errors))
    if every:
        # Little's law: the clients never pause, so the mean latency is clients / throughput.
        print(
            f"(the local stack runs a function one invocation at a time, as one warm execution "
            f"environment: {CLIENTS} clients queue, mean latency = {len(records)} / "
            f"{len(every) / elapsed_s:.1f} req/s = {len(records) / (len(every) / elapsed_s) * 1000:.0f} ms)"
        )

    problems = [f"request error: {error}" for error in errors[:10]]
    if len(errors) > 10:
        problems.append(f"... and {len(errors) - 10} more request errors")
    shown = [upload.visible_after_s for upload in uploads if upload.visible_after_s is not None]
    processed = [
        upload for upload in uploads if upload.visible_after_s is not None and upload.problem is None
    ]
    timing = f"; PUT to visible p50 {statistics.median(shown):.1f} s, max {max(shown):.1f} s" if shown else ""
    print(
        f"\nuploads: {len(processed)}/{len(uploads)} processed (4 thumbnails each, every file loads){timing}"
    )
    problems += [
        f"upload {upload.name!r} (portfolio {upload.portfolio_id}): {upload.problem}"
        for upload in uploads
        if upload.problem
    ]
    return problems


def _row(kind: str, latencies: list[float], elapsed_s: float, revalidated: int, errors: int) -> None:
    if not latencies:
        print(f"{kind:14s} {0:8d} {0:7.1f} {'-':>7s} {'-':>7s} {revalidated:5d} {errors:6d}")
        return
    print(
        f"{kind:14s} {len(latencies):8d} {len(latencies) / elapsed_s:7.1f} "
        f"{_percentile(latencies, 0.50) * 1000:7.1f} {_percentile(latencies, 0.99) * 1000:7.1f} "
        f"{revalidated:5d} {errors:6d}"
    )


# --- main --------------------------------------------------------------------------------------


def _run(stack: RunningStack) -> list[str]:
    catalogue = _read_catalogue(stack)
    run_id = uuid.uuid4().hex[:6]
    rng = random.Random(SEED)
    targets = rng.sample(catalogue.ids, min(UPLOADS, len(catalogue.ids)))
    print(
        f"{len(catalogue.ids)} portfolios; {CLIENTS} clients for {DURATION_S:.0f} s "
        f"(mix: {', '.join(f'{kind} {share}%' for kind, share in MIX.items())}); {len(targets)} uploads"
    )
    started = time.monotonic()
    until = started + DURATION_S
    # Uploads arrive through the first two thirds of the run, so each is processed under load.
    spacing = DURATION_S * (2 / 3) / max(len(targets), 1)
    starts = [started + spacing * position for position in range(len(targets))]
    with ThreadPoolExecutor(max_workers=CLIENTS + len(targets)) as pool:
        upload_futures = [
            pool.submit(_upload, stack, index, portfolio_id, start_at, run_id)
            for index, (portfolio_id, start_at) in enumerate(zip(targets, starts, strict=True))
        ]
        client_futures = [pool.submit(_client, index, stack, catalogue, until) for index in range(CLIENTS)]
        records = [future.result() for future in client_futures]
        elapsed = time.monotonic() - started
        uploads = [future.result() for future in upload_futures]
    return _report(records, elapsed, uploads)


def main() -> int:
    print(f"== Load: the local stack (portfolio serve, {PORTFOLIOS} demo portfolios) over HTTP ==")
    with tempfile.TemporaryDirectory(prefix="portfolio-load-") as folder:
        stack = start_stack(Path(folder), "--demo-count", str(PORTFOLIOS))
        try:
            problems = _run(stack)
        finally:
            stack.stop()
        if problems:
            print("\n".join(["", *problems, "", "stack log (end):", stack.log()]), file=sys.stderr)
    print(f"\nbudget: zero errors and every upload processed: {'met' if not problems else 'NOT met'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
