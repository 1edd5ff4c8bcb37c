"""``make sam-local``: the template's functions in Lambda containers, through ``sam local
start-api``, against the same embedded AWS (moto), catalogue, users and tokens as ``make serve``.

Run by the Makefile after it has built the functions for this machine's architecture (into
``--build-dir``) and made sure the Lambda base image is present. It starts ``portfolio serve``
with its moto server bound on the Docker bridge's gateway (where containers reach this
machine), waits for the stack's files, then runs ``sam local start-api`` with the stack's
environment as its ``--env-vars`` file, until Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
STACK_READY_TIMEOUT_S = 300
STOP_TIMEOUT_S = 20
# moto's server accepts any credentials; sam hands these to the containers.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class SamLocalError(Exception):
    """A reason the command cannot run, said in one line."""


def lambda_architecture(machine: str | None = None) -> str:
    """The template's FunctionArchitecture value for this machine."""
    machine = (machine or platform.machine()).lower()
    if machine in ("x86_64", "amd64"):
        return "x86_64"
    if machine in ("aarch64", "arm64"):
        return "arm64"
    raise SamLocalError(f"Lambda has no {machine} architecture")


def docker_command(*arguments: str, timeout_s: float = 30) -> str:
    docker = shutil.which("docker")
    if docker is None:
        raise SamLocalError("Docker is not installed: make serve runs the same API without Docker")
    try:
        completed = subprocess.run(  # noqa: S603 (docker, with our own arguments)
            [docker, *arguments], capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise SamLocalError(f"docker {arguments[0]} did not answer within {timeout_s:.0f} s") from error
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["failed"])[-1]
        raise SamLocalError(f"Docker is not running ({reason}): make serve runs the same API without Docker")
    return completed.stdout


def bridge_gateway(inspect_output: str) -> str:
    """The address containers on Docker's default bridge reach this machine at, from
    ``docker network inspect bridge``: its gateway, or the subnet's first address (where
    Docker puts it when the IPAM entry names none)."""
    for entry in json.loads(inspect_output)[0]["IPAM"]["Config"] or []:
        if entry.get("Gateway"):
            return str(entry["Gateway"])
        subnet = ipaddress.ip_network(entry.get("Subnet") or "::/128", strict=False)
        if subnet.version == 4:
            return str(next(subnet.hosts()))
    raise SamLocalError("Docker's bridge network has no IPv4 gateway")


def _wait_for_file(path: Path, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None:
            raise SamLocalError(f"portfolio serve stopped (exit {process.returncode}) before it was ready")
        if time.monotonic() > deadline:
            raise SamLocalError(f"portfolio serve was not ready within {timeout_s:.0f} s")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def without_preflight_events(template: dict[str, Any]) -> dict[str, Any]:
    """The built template for ``sam local start-api``, without the functions' authorizer-less
    OPTIONS events (the CORS preflights). sam merges every method of a function's path into
    one route that keeps a single authorizer, the one of whichever event it met last: with
    the preflights in, GET could run without the authorizer on some runs."""
    result = copy.deepcopy(template)
    for resource in result.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = resource.get("Properties", {}).get("Events") or {}
        for name in [
            name
            for name, event in events.items()
            if event.get("Type") == "Api"
            and str(event.get("Properties", {}).get("Method", "")).upper() == "OPTIONS"
            and (event.get("Properties", {}).get("Auth") or {}).get("Authorizer") == "NONE"
        ]:
            del events[name]
    return result


def write_sam_local_template(build_dir: Path) -> Path:
    """``without_preflight_events`` of the built template, beside it (its code paths are
    relative to its folder)."""
    from cfn_flip import dump_yaml, load_yaml

    built = load_yaml((build_dir / "template.yaml").read_text(encoding="utf-8"))
    path = build_dir / "template.sam-local.yaml"
    path.write_text(dump_yaml(without_preflight_events(json.loads(json.dumps(built)))), encoding="utf-8")
    return path


def sam_arguments(args: argparse.Namespace, *, sam_env: Path, region: str) -> list[str]:
    return [
        str(args.sam),
        "local",
        "start-api",
        "--template",
        str(write_sam_local_template(args.build_dir)),
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--env-vars",
        str(sam_env),
        "--parameter-overrides",
        f"FunctionArchitecture={args.architecture}",
        "--region",
        region,
        # AWS's image cannot always be pulled; the Makefile made sure one is present.
        "--skip-pull-image",
        # One container per function, started on its first call and kept: calls after the
        # first cost what a warm Lambda's do.
        "--warm-containers",
        "LAZY",
    ]


def run(args: argparse.Namespace) -> int:
    docker_command("info", "--format", "{{.ServerVersion}}")
    gateway = args.aws_host or bridge_gateway(docker_command("network", "inspect", "bridge"))
    if not (args.build_dir / "template.yaml").is_file():
        raise SamLocalError(f"{args.build_dir}/template.yaml is missing: make sam-local builds it first")
    state = args.state_dir
    env_out, tokens_out, sam_env = (
        state / ".local.env",
        state / ".local-tokens.json",
        state / ".sam-local.env.json",
    )
    stop_requested = False

    def request_stop(signum: int, _: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    serve: subprocess.Popen[bytes] | None = None
    sam: subprocess.Popen[bytes] | None = None
    for path in (env_out, tokens_out, sam_env):  # a previous run's files say nothing about this one
        path.unlink(missing_ok=True)
    try:
        serve = subprocess.Popen(  # noqa: S603 (our own CLI)
            [
                str(VENV_BIN / "portfolio"),
                "serve",
                "--port",
                str(args.serve_port),
                "--aws-host",
                gateway,
                "--aws-port",
                str(args.aws_port),
                "--demo-count",
                str(args.demo_count),
                "--env-out",
                str(env_out),
                "--tokens-out",
                str(tokens_out),
                "--sam-env-out",
                str(sam_env),
                *(["--no-upload-events"] if args.no_upload_events else []),
            ],
            # Ctrl-C reaches the terminal's whole process group: the children are stopped in
            # order by this process instead.
            start_new_session=True,
        )
        _wait_for_file(env_out, serve, STACK_READY_TIMEOUT_S)
        function_environment = json.loads(sam_env.read_text(encoding="utf-8"))["Parameters"]
        region = function_environment.get("AWS_REGION", "us-east-1")
        sys.stderr.write(
            f"\nsam local start-api on http://127.0.0.1:{args.port} (functions in Lambda containers, "
            f"AWS at {function_environment['AWS_ENDPOINT_URL']}, tokens in {tokens_out})\n"
        )
        sam = subprocess.Popen(  # noqa: S603 (the project's sam)
            sam_arguments(args, sam_env=sam_env, region=region),
            env={**os.environ, **DUMMY_CREDENTIALS, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": region},
            start_new_session=True,
        )
        while not stop_requested and serve.poll() is None and sam.poll() is None:
            time.sleep(0.2)
        if not stop_requested and serve.poll() is not None:
            raise SamLocalError(f"portfolio serve stopped (exit {serve.returncode})")
        return 0 if stop_requested else int(sam.returncode or 0)
    finally:
        _stop(sam)
        _stop(serve)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sam_local.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=3001, help="sam local start-api's port (default 3001)")
    parser.add_argument("--aws-port", type=int, default=4566, help="the embedded moto server's port (0: any)")
    parser.add_argument("--aws-host", help="address to bind moto on (default: the Docker bridge's gateway)")
    parser.add_argument("--serve-port", type=int, default=0, help="the in-process API's port (default: any)")
    parser.add_argument("--demo-count", type=int, default=50, help="demo portfolios (default 50)")
    parser.add_argument(
        "--no-upload-events",
        action="store_true",
        help="uploads run no function (sam local delivers no S3 events; by default the stack's own "
        "in-process thumbnails function handles them)",
    )
    parser.add_argument(
        "--build-dir", type=Path, default=ROOT / ".aws-sam-local" / "build", help="sam build's output"
    )
    parser.add_argument("--state-dir", type=Path, default=ROOT, help="where the env and token files go")
    parser.add_argument("--sam", type=Path, default=ROOT / ".venv-sam" / "bin" / "sam", help="the sam binary")
    parser.add_argument("--architecture", default=None, help="FunctionArchitecture (default: this machine's)")
    args = parser.parse_args(argv)
    args.architecture = args.architecture or lambda_architecture()
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        return run(parse_arguments(argv))
    except SamLocalError as error:
        sys.stderr.write(f"make sam-local: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
