"""``portfolio upload --token``: an upload through the upload API, as a browser makes it
(docs/images.md, "Uploading through the API"): ask ``POST /api/uploads/`` for a form, post the
file to S3 with it, and with ``--wait`` poll ``GET /api/uploads/{id}/`` until it is ready or
failed. An API token is all it needs: no AWS credentials."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from portfolio.cli import CommandError

TIMEOUT_S = 30
POLL_INTERVAL_S = 0.5


def _describe(response: Any) -> str:
    """An answer's error as one line: DRF's ``{"detail": ...}`` or its field errors, else
    the start of the body (S3's XML error)."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300] or response.reason
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    if isinstance(body, dict):
        return "; ".join(
            f"{field}: {' '.join(messages) if isinstance(messages, list) else messages}"
            for field, messages in body.items()
        )
    return str(body)[:300]


def _request(method: str, url: str, **options: Any) -> Any:
    import requests

    try:
        return requests.request(method, url, timeout=TIMEOUT_S, **options)
    except requests.RequestException as error:
        raise CommandError(f"cannot reach {url}: {error}") from error


def upload_through_api(
    api: str,
    token: str,
    *,
    path: Path,
    file_name: str,
    data: bytes,
    content_type: str,
    name: str | None,
    attach: list[str],
    wait_timeout_s: float | None,
) -> int:
    """Upload ``data`` through the API at ``api``; with ``wait_timeout_s``, wait for the
    outcome (0 ready, 1 failed or not in time)."""
    auth = {"Authorization": f"Token {token}"}
    request: dict[str, Any] = {"file_name": file_name, "content_type": content_type, "size": len(data)}
    if name is not None:
        request["name"] = name
    if attach:
        request["attach"] = attach
    asked = _request("POST", f"{api}/api/uploads/", json=request, headers=auth)
    if asked.status_code != 201:
        raise CommandError(f"the API refused the upload ({asked.status_code}): {_describe(asked)}")
    form = asked.json()
    # The fields first, the file last (S3 reads the policy before the file).
    sent = _request("POST", form["url"], data=form["fields"], files={"file": (file_name, data, content_type)})
    if not 200 <= sent.status_code < 300:
        raise CommandError(f"S3 refused the file ({sent.status_code}): {_describe(sent)}")
    lines = [f"uploaded {path.name} ({len(data)} bytes) through {api} as upload {form['id']}"]
    lines += [f"it will appear as {target}" for target in attach]
    sys.stdout.write("\n".join(lines) + "\n")
    if wait_timeout_s is None:
        return 0
    sys.stdout.flush()
    return _wait(f"{api}/api/uploads/{form['id']}/", auth, timeout_s=wait_timeout_s)


def _wait(url: str, auth: dict[str, str], *, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        answer = _request("GET", url, headers=auth)
        if answer.status_code != 200:
            raise CommandError(f"the API refused the status ({answer.status_code}): {_describe(answer)}")
        status = answer.json()
        if status["status"] == "ready":
            image = status["image_data"]
            sys.stdout.write(
                f"ready: media {image['id']} {image['f']} ({image['width']}x{image['height']}, "
                f"{len(image['thumbnails'])} thumbnails)\n"
            )
            return 0
        if status["status"] == "failed":
            sys.stdout.write(f"failed: {status['error']}\n")
            return 1
        if time.monotonic() >= deadline:
            sys.stdout.write(f"still pending after {timeout_s:g} s: GET {url} tells when it is done\n")
            return 1
        time.sleep(POLL_INTERVAL_S)
