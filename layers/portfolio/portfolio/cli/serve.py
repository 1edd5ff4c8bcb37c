"""``portfolio serve``: the whole system on this machine, without Docker or an AWS account."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from portfolio.cli import CommandError


def _write_atomically(path: Path, text: str) -> None:
    # Written whole or not at all: a script waiting for the file never reads half of it.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _env_lines(environment: dict[str, str]) -> str:
    return "".join(f"{name}={shlex.quote(value)}\n" for name, value in environment.items())


def _sam_env_vars(info: Any) -> str:
    # `sam local --env-vars`: "Parameters" applies to every function; sam sets only the
    # variables the template declares, so the functions meet this stack's tables and endpoint.
    return json.dumps({"Parameters": info.function_environment}, indent=2, sort_keys=True) + "\n"


def _banner(info: Any, *, env_out: Path | None, tokens_out: Path | None) -> str:
    aws = (
        "moto (embedded, in memory: stopping the stack forgets everything)"
        if info.embedded_aws
        else "external"
    )
    lines = [
        "",
        f"Portfolio API  {info.api_url}/api/portfolios/",
        f"AWS endpoint   {info.endpoint_url}  ({aws})",
        f"Media bucket   {info.media_bucket}  (files at {info.endpoint_url}/{info.media_bucket}/<key>)",
        f"Catalogue      {info.seeded.portfolios} portfolios, {info.seeded.media_files} image files",
    ]
    if info.tokens:
        lines += [
            f"Admin token    {info.tokens.get('admin', '')}",
            f"Staff token    {info.tokens.get('staff_4202', '')}  (staff with permission 4202)",
            f"Editor token   {info.tokens.get('editor', '')}  (reads, and uploads through /api/uploads/)",
        ]
        if tokens_out is not None:
            lines.append(f"All tokens     {tokens_out}")
    if env_out is not None:
        lines.append(
            f"Environment    set -a; . {env_out}; set +a   (portfolio, aws and boto3 then use this stack)"
        )
    example_token = info.tokens.get("admin", "<key>")
    lines += [
        "",
        f"  curl -H 'Authorization: Token {example_token}' '{info.api_url}/api/portfolios/?limit=2'",
        "",
        f"Ready in {info.startup_s:.1f} s. Ctrl-C stops it.",
        "",
    ]
    return "\n".join(lines)


def _serve(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from portfolio.domain.import_format import ImportError_
    from portfolio.infra.template import TemplateError
    from portfolio.local.stack import LocalStack, StackOptions

    if args.data is not None and not args.data.is_file():
        raise CommandError(f"--data {args.data}: no such file")
    if args.demo_count < 0:
        raise CommandError("--demo-count must be zero or more")
    # The files describe a running stack: they exist from when it is ready until it stops, so
    # a script can wait for them.
    outputs = [path for path in (args.env_out, args.tokens_out, args.sam_env_out) if path is not None]
    for path in outputs:
        path.unlink(missing_ok=True)
    stop = threading.Event()

    def request_stop(signum: int, _: FrameType | None) -> None:
        sys.stderr.write(f"\n{signal.Signals(signum).name}: stopping (again to force)\n")
        # A second Ctrl-C interrupts a stop that hangs.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack = LocalStack(
        StackOptions(
            host=args.host,
            port=args.port,
            aws_host=args.aws_host,
            aws_port=args.aws_port,
            data=args.data,
            demo_count=args.demo_count,
            upload_events=not args.no_upload_events,
        )
    )
    try:
        try:
            info = stack.start()
        except OSError as error:
            raise CommandError(
                f"cannot start: {error.strerror or error} (is another stack running?)"
            ) from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"--data {args.data} is not JSON: {error}") from error
        except ImportError_ as error:
            raise CommandError(f"--data {args.data} was not imported:\n{error}") from error
        except (TemplateError, BotoCoreError, ClientError) as error:
            raise CommandError(str(error)) from error
        if args.tokens_out is not None:
            _write_atomically(args.tokens_out, json.dumps(info.tokens, indent=2) + "\n")
        if args.sam_env_out is not None:
            _write_atomically(args.sam_env_out, _sam_env_vars(info))
        # Written last: a script that waits for it finds the other files in place.
        if args.env_out is not None:
            _write_atomically(args.env_out, _env_lines(info.environment))
        sys.stdout.write(_banner(info, env_out=args.env_out, tokens_out=args.tokens_out))
        sys.stdout.flush()
        stop.wait()
    finally:
        for path in outputs:
            path.unlink(missing_ok=True)
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="Run the whole API locally: moto as AWS, the template's handlers in process",
        description="Start moto in server mode (or use AWS_ENDPOINT_URL), create the template's tables, "
        "buckets and queues, seed a catalogue, and serve the API as API Gateway would.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="Address to bind")
    serve.add_argument("--port", type=int, default=3000, help="API port (default 3000, as sam local; 0: any)")
    serve.add_argument(
        "--aws-port", type=int, default=4566, help="Port of the embedded moto server (default 4566; 0: any)"
    )
    serve.add_argument(
        "--aws-host",
        help="Address of the embedded moto server (default: --host); make sam-local binds the Docker "
        "bridge's gateway so that Lambda containers reach it",
    )
    serve.add_argument(
        "--data", type=Path, help="Import this data set (the contract's import format) instead of the demo"
    )
    serve.add_argument(
        "--demo-count", type=int, default=50, help="Demo portfolios without --data (default 50)"
    )
    serve.add_argument(
        "--no-upload-events",
        action="store_true",
        help="Do not run the thumbnails function on uploads here (to run it yourself, "
        "with sam local invoke ThumbnailsFunction)",
    )
    serve.add_argument("--tokens-out", type=Path, help="Write the ready tokens here as JSON")
    serve.add_argument("--env-out", type=Path, help="Write KEY=VALUE lines that point tools at this stack")
    serve.add_argument(
        "--sam-env-out",
        type=Path,
        help="Write the functions' environment as a `sam local --env-vars` file (JSON) for this stack",
    )
    serve.set_defaults(run=_serve)
