"""``make sam-local`` as a user with Docker runs it: the template's functions in Lambda
containers (``sam local start-api``, the authorizer included) against the embedded AWS, and
``sam local invoke ThumbnailsFunction`` on an S3 event for an object put into it.

Run by ``make test-sam-local``, which starts a Docker engine, provides the Lambda image and
builds the functions for this machine first; ``make test`` deselects it (marker sam_local).
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
import requests
from PIL import Image

from tests.e2e.stack import _read_env
from tools.sam_local import SamLocalError, docker_command, lambda_architecture

pytestmark = [pytest.mark.sam_local, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[3]
TOOL = ROOT / "tools" / "sam_local.py"
BUILD_DIR = ROOT / ".aws-sam-local" / "build"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
# First calls start containers (several seconds each); later ones are warm.
READY_TIMEOUT_S = 240
CALL_TIMEOUT_S = 60
INVOKE_TIMEOUT_S = 240


@dataclass
class SamLocal:
    process: subprocess.Popen[bytes]
    folder: Path
    api_url: str
    environment: dict[str, str]
    tokens: dict[str, str]

    def get(self, path: str, token: str | None = None, **options: Any) -> requests.Response:
        headers = {"Authorization": f"Token {token}"} if token else {}
        return requests.get(f"{self.api_url}{path}", headers=headers, timeout=CALL_TIMEOUT_S, **options)

    def get_options(self, path: str) -> requests.Response:
        headers = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}
        return requests.options(f"{self.api_url}{path}", headers=headers, timeout=CALL_TIMEOUT_S)

    def log(self) -> str:
        return (self.folder / "sam-local.log").read_text(errors="replace")[-6000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sam_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamLocal]:
    try:
        docker_command("info")
    except SamLocalError as error:
        pytest.fail(f"{error}: run this test through make test-sam-local, which starts an engine")
    if not (BUILD_DIR / "template.yaml").is_file():
        pytest.fail(f"{BUILD_DIR} is not built: run this test through make test-sam-local")
    folder = tmp_path_factory.mktemp("sam-local")
    port = _free_port()
    with (folder / "sam-local.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(TOOL),
                "--port",
                str(port),
                "--aws-port",
                "0",
                "--state-dir",
                str(folder),
                "--no-upload-events",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "POWERTOOLS_LOG_LEVEL": "WARNING"},
        )
    api_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, folder, api_url)
        running = SamLocal(
            process=process,
            folder=folder,
            api_url=api_url,
            environment=_read_env(folder / ".local.env"),
            tokens=json.loads((folder / ".local-tokens.json").read_text(encoding="utf-8")),
        )
    except BaseException:
        _stop(process)
        raise
    yield running
    _stop(process)


def _wait_until_answering(process: subprocess.Popen[bytes], folder: Path, api_url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        log = folder / "sam-local.log"
        assert process.poll() is None, f"make sam-local stopped:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"not ready in {READY_TIMEOUT_S} s:\n{log.read_text()}"
        try:
            requests.get(f"{api_url}/api/portfolios/", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    # As Ctrl-C stops it: sam removes its containers, then the stack stops.
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_list_answers_through_the_authorizer_and_the_read_function_in_containers(
    sam_local: SamLocal,
) -> None:
    # When an admin lists through sam local start-api
    response = sam_local.get("/api/portfolios/?limit=2", sam_local.tokens["admin"])
    # Then the contract's page comes back, its links on sam's own URL
    assert response.status_code == 200, sam_local.log()
    page = response.json()
    assert page["count"] == 50
    assert len(page["results"]) == 2
    assert page["next"] == f"{sam_local.api_url}/api/portfolios/?limit=2&offset=2"
    assert page["previous"] is None


def test_a_staff_reader_retrieves_a_portfolio(sam_local: SamLocal) -> None:
    # Given a portfolio the list shows
    listed = sam_local.get("/api/portfolios/?limit=1", sam_local.tokens["admin"]).json()["results"][0]
    # When a staff user with permission 4202 retrieves it
    response = sam_local.get(f"/api/portfolios/{listed['id']}/", sam_local.tokens["staff_4202"])
    # Then it is the same portfolio
    assert response.status_code == 200, sam_local.log()
    assert response.json()["id"] == listed["id"]
    assert response.json()["title"] == listed["title"]


def test_a_slashless_url_is_redirected_to_the_path_with_its_slash(sam_local: SamLocal) -> None:
    response = sam_local.get("/api/portfolios/3?x=1", sam_local.tokens["admin"], allow_redirects=False)

    assert response.status_code == 301
    assert response.headers["Location"] == "/api/portfolios/3/?x=1"


def test_no_token_is_refused_by_the_authorizer_with_401(sam_local: SamLocal) -> None:
    response = sam_local.get("/api/portfolios/")

    assert response.status_code == 401
    # sam's own body: it does not apply the template's gateway responses (docs/sam-local.md)
    assert response.json() == {"message": "Unauthorized"}


def test_staff_without_the_read_permission_is_refused_with_403(sam_local: SamLocal) -> None:
    response = sam_local.get("/api/portfolios/", sam_local.tokens["staff"])

    assert response.status_code == 403


def test_an_unknown_token_gets_502_where_api_gateway_answers_401(sam_local: SamLocal) -> None:
    # sam local treats the authorizer's "Unauthorized" error as a failed invocation; API
    # Gateway answers it with 401 (docs/sam-local.md lists this among what sam does not emulate).
    response = sam_local.get("/api/portfolios/", "0" * 40)

    assert response.status_code == 502


def test_a_cors_preflight_has_no_route_under_sam_local(sam_local: SamLocal) -> None:
    # The template's authorizer-less OPTIONS events are left out of sam's copy (sam would merge
    # them with GET into one route with one authorizer); API Gateway answers them with 200.
    response = sam_local.get_options("/api/portfolios/")

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _s3_event(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "s3_put.json").read_text(encoding="utf-8"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["s3"]["object"]["key"] = quote_plus(key, safe="/")
    record["s3"]["object"]["size"] = size
    # The function reads the object only if it is still the one the event announced.
    record["s3"]["object"]["eTag"] = etag.strip('"')
    return event


def test_sam_local_invoke_runs_the_thumbnails_function_on_an_uploaded_image(sam_local: SamLocal) -> None:
    environment = sam_local.environment
    bucket = environment["MEDIA_BUCKET"]
    s3 = boto3.client(
        "s3",
        endpoint_url=environment["AWS_ENDPOINT_URL"],
        region_name=environment["AWS_REGION"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )
    # Given an editor's image put into the embedded S3, meant as portfolio 5's cover (the
    # stack runs no function on it: --no-upload-events)
    key = "uploads/sam local cover.png"
    body = _png(1200, 800)
    put = s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="image/png",
        Metadata={"name": "sam", "attach": "cover:5"},
    )
    event_file = sam_local.folder / "s3_put.json"
    event_file.write_text(json.dumps(_s3_event(bucket, key, len(body), put["ETag"])), encoding="utf-8")
    # When sam local invoke runs the thumbnails function on its S3 event, in a container
    invoked = subprocess.run(
        [
            str(SAM),
            "local",
            "invoke",
            "ThumbnailsFunction",
            "--template",
            str(BUILD_DIR / "template.yaml"),
            "--event",
            str(event_file),
            "--env-vars",
            str(sam_local.folder / ".sam-local.env.json"),
            "--parameter-overrides",
            f"FunctionArchitecture={lambda_architecture()}",
            "--region",
            environment["AWS_REGION"],
            "--skip-pull-image",
        ],
        capture_output=True,
        text=True,
        timeout=INVOKE_TIMEOUT_S,
        env={
            **os.environ,
            "SAM_CLI_TELEMETRY": "0",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
        check=False,
    )
    assert invoked.returncode == 0, invoked.stderr[-4000:]
    assert "errorMessage" not in invoked.stdout, invoked.stdout[-4000:]
    # Then the portfolio's cover is the new image record, with its four thumbnails stored
    response = sam_local.get("/api/portfolios/5/", sam_local.tokens["admin"])
    assert response.status_code == 200
    image = response.json()["image_data"]
    assert (image["name"], image["width"], image["height"]) == ("sam", 1200, 800), invoked.stderr[-4000:]
    assert [thumbnail["size"] for thumbnail in image["thumbnails"]] == [64, 128, 512, 1080]
    for thumbnail in image["thumbnails"]:
        loaded = requests.get(thumbnail["f"], timeout=CALL_TIMEOUT_S)
        assert loaded.status_code == 200, thumbnail["f"]
        with Image.open(io.BytesIO(loaded.content)) as picture:
            assert max(picture.size) == thumbnail["size"]


def test_the_upload_function_in_a_container_hands_out_a_form_the_local_s3_takes(sam_local: SamLocal) -> None:
    # Given an editor's token, and an image
    auth = {"Authorization": f"Token {sam_local.tokens['editor']}"}
    body = _png(64, 48)
    # When the editor asks the upload API, through sam's authorizer and UploadsFunction in a
    # container (the layer alone: no Pillow there)
    asked = requests.post(
        f"{sam_local.api_url}/api/uploads/",
        json={
            "file_name": "sam form.png",
            "content_type": "image/png",
            "size": len(body),
            "attach": ["cover:5"],
        },
        headers=auth,
        timeout=CALL_TIMEOUT_S,
    )
    # Then a form comes back, signed in the container for the endpoint it sees, which takes the file
    assert asked.status_code == 201, sam_local.log()
    form = asked.json()
    posted = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("sam form.png", body, "image/png")},
        timeout=CALL_TIMEOUT_S,
    )
    assert posted.status_code == 204, posted.text
    # And the upload's status answers, pending (this stack runs no function on uploads)
    status = requests.get(
        f"{sam_local.api_url}/api/uploads/{form['id']}/", headers=auth, timeout=CALL_TIMEOUT_S
    )
    assert status.status_code == 200, sam_local.log()
    assert status.json() == {"id": form["id"], "status": "pending", "image_data": None, "error": None}
