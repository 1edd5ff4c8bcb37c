"""The local stack as a user runs it: ``portfolio serve`` in its own process, on free ports,
stopped the way Ctrl-C stops it."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 20
PORTFOLIO = Path(sys.executable).parent / "portfolio"


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    folder: Path
    environment: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.environment["PORTFOLIO_API_URL"]

    def log(self) -> str:
        return "".join(
            f"--- {name}\n{(self.folder / name).read_text(errors='replace')[-4000:]}\n"
            for name in ("stdout.log", "stderr.log")
        )

    def s3(self) -> Any:
        """An S3 client on the stack's endpoint: exactly what a user gets after
        ``set -a; . .local.env; set +a``."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.environment["AWS_ENDPOINT_URL"],
            region_name=self.environment["AWS_REGION"],
            aws_access_key_id=self.environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.environment["AWS_SECRET_ACCESS_KEY"],
        )

    def signed_form(self, **request: Any) -> Any:
        """``portfolio.data.upload_forms.upload_form(**request)`` signed with the stack's
        credentials for its endpoint, as its functions sign forms (this process's environment
        is put back afterwards)."""
        from portfolio.config import settings
        from portfolio.data import media
        from portfolio.data.upload_forms import upload_form

        names = (
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        )
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update({name: self.environment[name] for name in names[:-1]})
        os.environ.pop("AWS_SESSION_TOKEN", None)
        settings.cache_clear()
        media.reset_clients()
        try:
            return upload_form(bucket=self.environment["MEDIA_BUCKET"], **request)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            settings.cache_clear()
            media.reset_clients()

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        """Send ``sig`` and wait for the process to end; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _read_env(path: Path) -> dict[str, str]:
    environment = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        environment[name] = shlex.split(value)[0] if value else ""
    return environment


def start_stack(folder: Path, *arguments: str, aws_endpoint_url: str | None = None) -> RunningStack:
    """Start ``portfolio serve`` on free ports and wait until it is ready (it writes its
    environment and tokens files last); with ``aws_endpoint_url``, against that endpoint."""
    folder.mkdir(parents=True, exist_ok=True)
    env_out, tokens_out = folder / "local.env", folder / "tokens.json"
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")
    }
    environment["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    if aws_endpoint_url is not None:
        environment["AWS_ENDPOINT_URL"] = aws_endpoint_url
    with (folder / "stdout.log").open("wb") as stdout, (folder / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [
                str(PORTFOLIO),
                "serve",
                "--port",
                "0",
                "--aws-port",
                "0",
                "--env-out",
                str(env_out),
                "--tokens-out",
                str(tokens_out),
                *arguments,
            ],
            stdout=stdout,
            stderr=stderr,
            env=environment,
        )
    stack = RunningStack(process=process, folder=folder)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not (env_out.exists() and tokens_out.exists()):
        if process.poll() is not None or time.monotonic() > deadline:
            stack.stop()
            raise RuntimeError(f"portfolio serve did not start (exit {process.returncode}):\n{stack.log()}")
        time.sleep(0.1)
    stack.environment = _read_env(env_out)
    stack.tokens = json.loads(tokens_out.read_text(encoding="utf-8"))
    return stack
