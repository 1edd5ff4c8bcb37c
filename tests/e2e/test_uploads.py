"""An editor's upload to the local S3 endpoint runs the thumbnails function as the template's
S3 event says, and the API shows the image where the upload's metadata attached it."""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.e2e.stack import PORTFOLIO, RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10
# The issue asks for the record within 2 s; the bound here leaves room for a loaded CI machine.
VISIBLE_WITHIN_S = 15


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _retrieve(stack: RunningStack, portfolio_id: int, admin: dict[str, str]) -> dict[str, Any]:
    response = requests.get(
        f"{stack.api_url}/api/portfolios/{portfolio_id}/", headers=admin, timeout=TIMEOUT_S
    )
    assert response.status_code == 200
    return response.json()


def _wait_for(predicate: Any, timeout_s: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout_s, f"not visible within {timeout_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_an_upload_becomes_the_cover_of_the_portfolio_it_names(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # Given a portfolio, and an editor's image for it
    portfolio_id = 148
    name = "جلد e2e cover"
    # When the editor uploads it with boto3, as an editor's tool would (metadata says where)
    stack.s3().put_object(
        Bucket=stack.environment["MEDIA_BUCKET"],
        Key="uploads/e2e cover.png",
        Body=_png(1600, 900),
        ContentType="image/png",
        Metadata={"name": "%D8%AC%D9%84%D8%AF%20e2e%20cover", "attach": f"cover:{portfolio_id}"},
    )
    # Then the retrieve shows it as the cover soon after, with its four thumbnails
    _wait_for(
        lambda: (_retrieve(stack, portfolio_id, admin)["image_data"] or {}).get("name") == name,
        VISIBLE_WITHIN_S,
    )
    image = _retrieve(stack, portfolio_id, admin)["image_data"]
    assert (image["width"], image["height"], image["mode"], image["type"]) == (1600, 900, "RGB", "image")
    assert [thumbnail["size"] for thumbnail in image["thumbnails"]] == [64, 128, 512, 1080]
    # And every file it lists loads from the local S3 endpoint, at the size it says
    for url, longest_edge in [(image["f"], 1600)] + [(t["f"], t["size"]) for t in image["thumbnails"]]:
        loaded = requests.get(url, timeout=TIMEOUT_S)
        assert loaded.status_code == 200, url
        with Image.open(io.BytesIO(loaded.content)) as picture:
            assert max(picture.size) == min(longest_edge, 1600)


def test_an_employers_new_image_reaches_every_portfolio_through_the_rerender_queue(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # Given employer 3, shown on 16 portfolios of the data set
    showing = [19, 28, 58, 66, 67, 73, 76, 78, 85, 87, 103, 104, 105, 127, 141, 164]
    # When an editor uploads its new logo, attached to it
    stack.s3().put_object(
        Bucket=stack.environment["MEDIA_BUCKET"],
        Key="uploads/employer 3 logo.png",
        Body=_png(300, 300),
        ContentType="image/png",
        Metadata={"name": "e2e employer logo", "attach": "employer:3"},
    )

    # Then every one of them shows it soon after: the thumbnails function queued their batch,
    # and the local stack's SQS poller ran RerenderFunction on it
    def everywhere() -> bool:
        return all(
            (_retrieve(stack, pid, admin)["employer_data"]["image_data"] or {}).get("name")
            == "e2e employer logo"
            for pid in showing
        )

    _wait_for(everywhere, VISIBLE_WITHIN_S)


def test_a_browser_form_posted_to_the_local_s3_ends_as_the_portfolios_cover(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # Given the presigned POST form the upload API hands out, signed against the local stack
    body = _png(640, 400)
    form = stack.signed_form(
        key="uploads/f0rm/browser cover.png",
        content_type="image/png",
        size=len(body),
        metadata={"name": "browser cover", "attach": "cover:149"},
    )
    # When a browser posts it, the file last, to the form's URL
    posted = requests.post(
        form.url,
        data=form.fields,
        files={"file": ("browser cover.png", body, "image/png")},
        timeout=TIMEOUT_S,
    )
    assert posted.status_code == 204, posted.text
    # Then the S3 event runs the thumbnails function, and the portfolio shows the image
    _wait_for(
        lambda: (_retrieve(stack, 149, admin)["image_data"] or {}).get("name") == "browser cover",
        VISIBLE_WITHIN_S,
    )
    image = _retrieve(stack, 149, admin)["image_data"]
    assert (image["width"], image["height"]) == (640, 400)


def test_an_upload_outside_the_templates_filters_runs_nothing(
    stack: RunningStack, admin: dict[str, str]
) -> None:
    # Given the cover a portfolio has now
    portfolio_id = 150
    before = _retrieve(stack, portfolio_id, admin)["image_data"]
    s3 = stack.s3()
    bucket = stack.environment["MEDIA_BUCKET"]
    # When images are put where the S3 events do not look (not under uploads/, or not an image suffix)
    s3.put_object(
        Bucket=bucket, Key="elsewhere/x.png", Body=_png(10, 10), Metadata={"attach": f"cover:{portfolio_id}"}
    )
    s3.put_object(
        Bucket=bucket, Key="uploads/x.txt", Body=_png(10, 10), Metadata={"attach": f"cover:{portfolio_id}"}
    )
    # Then, after longer than an upload takes to show, nothing has changed
    time.sleep(3)
    assert _retrieve(stack, portfolio_id, admin)["image_data"] == before


def test_portfolio_upload_adds_a_gallery_image(
    stack: RunningStack, admin: dict[str, str], tmp_path: Path
) -> None:
    # Given an image file on the editor's disk and the stack's environment file sourced
    picture = tmp_path / "gallery shot.png"
    picture.write_bytes(_png(300, 500))
    environment = {**os.environ, **stack.environment}
    # When the editor uploads it with the CLI, into a portfolio's gallery
    result = subprocess.run(
        [
            str(PORTFOLIO),
            "upload",
            str(picture),
            "--name",
            "e2e gallery",
            "--portfolio",
            "148",
            "--as",
            "gallery",
            "--wait",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # (--wait: the command ends once the function's record says ready)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("ready: media "), result.stdout

    # Then the portfolio's gallery shows it soon after
    def shown() -> bool:
        return any(image["name"] == "e2e gallery" for image in _retrieve(stack, 148, admin)["images_data"])

    _wait_for(shown, VISIBLE_WITHIN_S)
    image = next(
        image for image in _retrieve(stack, 148, admin)["images_data"] if image["name"] == "e2e gallery"
    )
    assert (image["width"], image["height"]) == (300, 500)
    # And its largest thumbnail (1080) is not enlarged past the image
    largest = requests.get(image["thumbnails"][-1]["f"], timeout=TIMEOUT_S)
    assert largest.status_code == 200
    with Image.open(io.BytesIO(largest.content)) as thumbnail:
        assert thumbnail.size == (300, 500)
