"""The local stack with the tools a user points at it: its environment file makes the
``portfolio`` commands and boto3 talk to it, and Ctrl-C (or SIGTERM) stops it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests

from tests.e2e.stack import PORTFOLIO, STOP_TIMEOUT_S, RunningStack, start_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

TIMEOUT_S = 10


def _portfolio(stack: RunningStack, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **stack.environment}
    return subprocess.run(
        [str(PORTFOLIO), *arguments], env=environment, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_environment_file_points_the_portfolio_commands_at_the_stack(stack: RunningStack) -> None:
    # Given a user made with the CLI, with the stack's environment file sourced
    created = _portfolio(stack, "user", "create", "e2e-editor", "--staff", "--perm", "4202")
    assert created.returncode == 0, created.stderr
    issued = _portfolio(stack, "token", "create", "--user", "e2e-editor")
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.strip()
    # When the new key calls the API
    response = requests.get(
        f"{stack.api_url}/api/portfolios/", headers={"Authorization": f"Token {key}"}, timeout=TIMEOUT_S
    )
    # Then the stack knows it: the command wrote to the stack's own tables
    assert response.status_code == 200


def test_the_environment_file_points_boto3_at_the_stacks_bucket(stack: RunningStack) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=stack.environment["AWS_ENDPOINT_URL"],
        region_name=stack.environment["AWS_REGION"],
        aws_access_key_id=stack.environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.environment["AWS_SECRET_ACCESS_KEY"],
    )
    listed = s3.list_objects_v2(Bucket=stack.environment["MEDIA_BUCKET"], Prefix="core_media/", MaxKeys=5)
    assert listed["KeyCount"] == 5


def _port_is_free(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) != 0


def test_the_demo_stack_serves_then_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    # Given `portfolio serve` with a small demo catalogue
    stack = start_stack(tmp_path, "--demo-count", "3")
    try:
        response = requests.get(
            f"{stack.api_url}/api/portfolios/",
            headers={"Authorization": f"Token {stack.tokens['admin']}"},
            timeout=TIMEOUT_S,
        )
        assert response.json()["count"] == 3
        assert set(stack.tokens) == {"admin", "staff_4202", "editor", "uploader", "staff", "inactive"}
    finally:
        # When it gets Ctrl-C
        status = stack.stop(signal.SIGINT)
    # Then it exits with success, frees both ports, and says nothing went wrong
    assert status == 0, stack.log()
    assert _port_is_free(stack.api_url)
    assert _port_is_free(stack.environment["AWS_ENDPOINT_URL"])
    assert "Traceback" not in stack.log()
    # And the files that described the running stack are gone
    assert not (tmp_path / "local.env").exists()
    assert not (tmp_path / "tokens.json").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_with_aws_endpoint_url_the_stack_uses_that_endpoint_and_a_second_run_reuses_it(
    tmp_path: Path,
) -> None:
    # Given a moto server of the user's own, named by AWS_ENDPOINT_URL
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # When the stack runs against it twice (the first one stopped as a service manager would)
        first = start_stack(tmp_path / "first", "--demo-count", "2", aws_endpoint_url=endpoint)
        assert first.stop(signal.SIGTERM) == 0, first.log()
        second = start_stack(tmp_path / "second", "--demo-count", "2", aws_endpoint_url=endpoint)
        try:
            # Then both used it (no embedded moto), and the second found the first's data and users
            assert second.environment["AWS_ENDPOINT_URL"] == endpoint
            response = requests.get(
                f"{second.api_url}/api/portfolios/",
                headers={"Authorization": f"Token {second.tokens['staff_4202']}"},
                timeout=TIMEOUT_S,
            )
            assert response.json()["count"] == 2
            # And the first run's tokens still work: the users were kept, not made again
            old = requests.get(
                f"{second.api_url}/api/portfolios/",
                headers={"Authorization": f"Token {first.tokens['admin']}"},
                timeout=TIMEOUT_S,
            )
            assert old.status_code == 200
            # And the media URLs point at the user's endpoint
            image = next(item["image_data"] for item in response.json()["results"] if item["image_data"])
            assert image["f"].startswith(f"{endpoint}/")
            assert requests.get(image["f"], timeout=TIMEOUT_S).status_code == 200
        finally:
            assert second.stop() == 0, second.log()
        # And the user's moto server is still running: the stack stops only what it started
        assert moto.poll() is None
    finally:
        moto.terminate()
        moto.wait(timeout=STOP_TIMEOUT_S)


@pytest.mark.parametrize("option", ["--port", "--aws-port"])
def test_a_taken_port_is_reported_and_nothing_is_left_running(option: str) -> None:
    # Given a port some other program listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        other = "--aws-port" if option == "--port" else "--port"
        # When the stack is asked to use it
        result = subprocess.run(
            [str(PORTFOLIO), "serve", option, port, other, "0", "--demo-count", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    # Then it says so and exits (status 2, the CLI's usage errors), without a traceback
    assert result.returncode == 2
    assert "cannot start" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("arguments", [("token", "list"), ("seed-demo", "--count", "1")])
def test_a_command_without_the_stacks_environment_says_what_to_do_without_a_traceback(
    tmp_path: Path, arguments: tuple[str, ...]
) -> None:
    # Given a new shell: no endpoint, no credentials, no stack variables
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance-metadata probe for credentials
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    # When a command that needs the stack is run
    result = subprocess.run(
        [str(PORTFOLIO), *arguments], env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    # Then it fails with one message that says how to point it at the stack
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "make serve" in result.stderr
    assert ". ./.local.env" in result.stderr
