"""The local stack with the tools a user points at it: its environment file makes the
``portfolio`` commands and boto3 talk to it, and Ctrl-C (or SIGTERM) stops it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import boto3
import pytest
import requests

from tests.e2e.stack import PORTFOLIO, RunningStack, start_stack

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


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_demo_stack_serves_then_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    # Given `portfolio serve` with a small demo catalogue
    stack = start_stack(tmp_path, "--demo-count", "3")
    try:
        response = requests.get(
            f"{stack.api_url}/api/portfolios/",
            headers={"Authorization": f"Token {stack.tokens['admin']}"},
            timeout=TIMEOUT_S,
        )
        assert response.json()["count"] == 3
        assert set(stack.tokens) == {"admin", "staff_4202", "staff", "inactive"}
    finally:
        # When it gets the signal
        status = stack.stop(sig)
    # Then it exits with success, frees both ports, and says nothing went wrong
    assert status == 0, stack.log()
    assert _port_is_free(stack.api_url)
    assert _port_is_free(stack.environment["AWS_ENDPOINT_URL"])
    assert "Traceback" not in stack.log()
