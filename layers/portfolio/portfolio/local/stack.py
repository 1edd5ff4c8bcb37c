"""The whole local stack, started and stopped as one: the AWS endpoint (moto in server mode
unless ``AWS_ENDPOINT_URL`` names one), the template's resources on it, a catalogue, the
functions in this process, the S3 event pollers and the HTTP API.

Order matters: the functions' environment is set before any module that reads it is
imported (pynamodb models take their table names at import, Powertools its log level), so
those are imported inside the methods; and the bucket notifications are switched on after
the catalogue's files are in place (they are not uploads).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolio.infra.template import (
    TemplateError,
    api_routes,
    async_invoke_config,
    bucket_cors_rules,
    find_template,
    functions,
    load_template,
    resolve,
    serverless_api,
    sqs_triggers,
)
from portfolio.local.resources import (
    DEFAULT_ACCOUNT_ID,
    Provisioned,
    allow_public_read,
    function_environment,
    provision,
    subscribe_notifications,
)

if TYPE_CHECKING:
    from portfolio.local.api import LocalApiServer
    from portfolio.local.embedded_aws import EmbeddedAws
    from portfolio.local.functions import LocalFunction
    from portfolio.local.notifications import NotificationPoller
    from portfolio.local.queue_events import SqsEventPoller

DEFAULT_REGION = "us-east-1"
# moto's server answers any credentials; these make the SDKs sign requests without a profile.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Observability that needs AWS (X-Ray daemon, CloudWatch metrics) is off locally unless asked.
LOCAL_POWERTOOLS = {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}
# DynamoDB client bounds for an emulator, which answers a large read (a 100,000-card snapshot)
# in seconds where DynamoDB takes milliseconds: the template's 1-2 s read timeouts are
# DynamoDB's, and turned that slowness into 503s. Worst case of one request: 2 x (2 + 5) s
# + 1 s of backoff, which still fits the read function's 25 s. The caller's values win.
LOCAL_DYNAMODB_BOUNDS = {
    "DYNAMODB_CONNECT_TIMEOUT_S": "2",
    "DYNAMODB_READ_TIMEOUT_S": "5",
    "DYNAMODB_MAX_ATTEMPTS": "2",
}


def local_environment(template_environment: dict[str, str], caller: Mapping[str, str]) -> dict[str, str]:
    """The functions' environment on the local stack: the template's, with the emulator's
    DynamoDB bounds and local observability defaults, the caller's choices winning."""
    # An empty endpoint variable is the template's "no emulator" (for sam local's --env-vars):
    # applied here, it would replace the stack's own endpoint and send the functions to AWS.
    environment = {
        name: value
        for name, value in template_environment.items()
        if value or not name.startswith("AWS_ENDPOINT_URL")
    }
    for defaults in (LOCAL_POWERTOOLS, LOCAL_DYNAMODB_BOUNDS):
        for name, value in defaults.items():
            environment[name] = value if name in LOCAL_DYNAMODB_BOUNDS else environment.get(name, value)
    for name in ("POWERTOOLS_LOG_LEVEL", *LOCAL_POWERTOOLS, *LOCAL_DYNAMODB_BOUNDS):
        if caller.get(name):  # the caller's choice of bounds, log level and observability wins
            environment[name] = caller[name]
    return environment


@dataclass(frozen=True, slots=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 3000
    # Port of the embedded moto server (0: any free port); unused with AWS_ENDPOINT_URL.
    aws_port: int = 4566
    # Address of the embedded moto server (default: ``host``). `make sam-local` binds it on the
    # Docker bridge's gateway, where Lambda containers reach this machine.
    aws_host: str | None = None
    data: Path | None = None
    demo_count: int = 50
    # False: uploads raise no S3 events here, so that another runner (`sam local invoke
    # ThumbnailsFunction`) is the only one to process them.
    upload_events: bool = True


@dataclass(frozen=True, slots=True)
class SeedSummary:
    portfolios: int
    media_files: int


@dataclass
class StackInfo:
    """What a user of the running stack needs to know."""

    api_url: str
    endpoint_url: str
    region: str
    media_bucket: str
    embedded_aws: bool
    environment: dict[str, str]
    seeded: SeedSummary
    startup_s: float
    tokens: dict[str, str] = field(default_factory=dict)
    # What the template's functions run with here (the endpoint included): what `sam local`
    # needs in its --env-vars file to run them against this stack.
    function_environment: dict[str, str] = field(default_factory=dict)


def _public_host(host: str) -> str:
    # A server bound to every interface is reached, from this machine, on the loopback.
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 (compared, not bound)


def _seed(options: StackOptions, s3: Any, bucket: str) -> SeedSummary:
    """Import the data set (or the demo catalogue) and put image files at its media keys."""
    from portfolio.domain.catalogue import import_catalogue
    from portfolio.domain.demo import demo_catalogue
    from portfolio.domain.import_format import parse_import
    from portfolio.local.media import encoded_image_bytes, store_images

    items = (
        json.loads(options.data.read_text(encoding="utf-8"))
        if options.data is not None
        else demo_catalogue(options.demo_count, image_bytes=encoded_image_bytes)
    )
    data_set = parse_import(items)
    # The images are encoded while DynamoDB is written: both wait mostly on something else.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-media") as pool:
        files = pool.submit(store_images, s3, bucket, data_set.media.values())
        summary = import_catalogue(data_set)
        return SeedSummary(portfolios=summary.portfolios, media_files=files.result())


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self._moto: EmbeddedAws | None = None
        self._server: LocalApiServer | None = None
        self._pollers: list[NotificationPoller | SqsEventPoller] = []

    # --- the AWS endpoint -------------------------------------------------------------------

    def _endpoint(self) -> tuple[str, bool]:
        external = os.environ.get("AWS_ENDPOINT_URL")
        if external:
            for name, value in DUMMY_CREDENTIALS.items():
                os.environ.setdefault(name, value)
            return external.rstrip("/"), False
        from portfolio.local.embedded_aws import EmbeddedAws

        aws_host = self.options.aws_host or self.options.host
        self._moto = EmbeddedAws(
            aws_host,
            self.options.aws_port,
            form_credentials={
                DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"]: DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
            },
        )
        os.environ.update(DUMMY_CREDENTIALS)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        return f"http://{_public_host(aws_host)}:{self._moto.port}", True

    # --- start and stop ---------------------------------------------------------------------

    def start(self) -> StackInfo:
        started = time.perf_counter()
        template_path = find_template()
        template = load_template(template_path)
        root = template_path.parent
        endpoint, embedded = self._endpoint()
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": region, "AWS_DEFAULT_REGION": region})

        import boto3

        session = boto3.session.Session(region_name=region)
        s3, sqs = session.client("s3", endpoint_url=endpoint), session.client("sqs", endpoint_url=endpoint)
        account_id = self._account_id(session, endpoint)
        provisioned = provision(
            template,
            dynamodb=session.client("dynamodb", endpoint_url=endpoint),
            s3=s3,
            sqs=sqs,
            region=region,
            account_id=account_id,
        )
        environment = function_environment(template, provisioned.stack)
        bucket = environment.get("MEDIA_BUCKET")
        if not bucket:
            raise TemplateError("the functions' environment names no MEDIA_BUCKET")
        allow_public_read(s3, bucket)
        if self._moto is not None:
            # S3 answers a refused form with the bucket's CORS headers too.
            for logical_id, rules in bucket_cors_rules(template, provisioned.stack).items():
                posting = [rule for rule in rules if "POST" in rule["AllowedMethods"]]
                self._moto.form_checks.post_origins[provisioned.buckets[logical_id]] = tuple(
                    origin for rule in posting for origin in rule["AllowedOrigins"]
                )
        # The API's `f` URLs point at this endpoint, so a browser loads the files it lists.
        environment["MEDIA_BASE_URL"] = f"{endpoint}/{bucket}"
        environment = local_environment(environment, os.environ)
        os.environ.update(environment)
        from portfolio.config import settings

        settings.cache_clear()

        seeded = _seed(self.options, s3, bucket)
        from portfolio.local.users import ready_tokens

        tokens = ready_tokens()
        local_functions = self._load_functions(template, root, region=region, account_id=account_id)
        if self.options.upload_events:
            subscribe_notifications(s3, provisioned.notification_queues)
            self._start_pollers(template, provisioned, local_functions, sqs)
        self._start_queue_pollers(template, provisioned, local_functions, sqs, region=region)
        api_url = self._start_api(
            template, provisioned, local_functions, region=region, account_id=account_id
        )
        return StackInfo(
            api_url=api_url,
            endpoint_url=endpoint,
            region=region,
            media_bucket=bucket,
            embedded_aws=embedded,
            environment={
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
                **{name: value for name, value in environment.items() if not name.startswith("POWERTOOLS_")},
                "PORTFOLIO_API_URL": api_url,
            },
            seeded=seeded,
            startup_s=time.perf_counter() - started,
            tokens=tokens,
            function_environment={**environment, "AWS_ENDPOINT_URL": endpoint},
        )

    def stop(self) -> None:
        """Stop everything started, newest first. Safe to call more than once."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for poller in self._pollers:
            poller.stop()
        self._pollers = []
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    # --- pieces -------------------------------------------------------------------------------

    @staticmethod
    def _account_id(session: Any, endpoint: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            identity = session.client("sts", endpoint_url=endpoint).get_caller_identity()
        except (BotoCoreError, ClientError):
            return DEFAULT_ACCOUNT_ID
        return str(identity.get("Account") or DEFAULT_ACCOUNT_ID)

    @staticmethod
    def _load_functions(
        template: dict[str, Any], root: Path, *, region: str, account_id: str
    ) -> dict[str, LocalFunction]:
        from portfolio.local.functions import LocalFunction

        return {
            logical_id: LocalFunction(spec, root=root, region=region, account_id=account_id)
            for logical_id, spec in functions(template).items()
        }

    def _start_pollers(
        self,
        template: dict[str, Any],
        provisioned: Provisioned,
        local_functions: dict[str, LocalFunction],
        sqs: Any,
    ) -> None:
        from portfolio.local.notifications import NotificationPoller

        for queue in provisioned.notification_queues:
            config = async_invoke_config(template, queue.function)
            on_failure_url = None
            if config.on_failure is not None:
                arn = str(resolve(config.on_failure, template, provisioned.stack))
                on_failure_url = next(
                    (
                        provisioned.queues[logical_id]
                        for logical_id, attributes in provisioned.stack.attributes.items()
                        if attributes.get("Arn") == arn and logical_id in provisioned.queues
                    ),
                    None,
                )
            poller = NotificationPoller(
                queue,
                local_functions[queue.function],
                sqs=sqs,
                invoke_config=config,
                on_failure_queue_url=on_failure_url,
            )
            poller.start()
            self._pollers.append(poller)

    def _start_queue_pollers(
        self,
        template: dict[str, Any],
        provisioned: Provisioned,
        local_functions: dict[str, LocalFunction],
        sqs: Any,
        *,
        region: str,
    ) -> None:
        from portfolio.local.queue_events import SqsEventPoller

        for trigger in sqs_triggers(template):
            poller = SqsEventPoller(
                trigger,
                local_functions[trigger.function],
                sqs=sqs,
                queue_url=provisioned.queues[trigger.queue],
                queue_arn=provisioned.stack.attributes[trigger.queue]["Arn"],
                region=region,
            )
            poller.start()
            self._pollers.append(poller)

    def _start_api(
        self,
        template: dict[str, Any],
        provisioned: Provisioned,
        local_functions: dict[str, LocalFunction],
        *,
        region: str,
        account_id: str,
    ) -> str:
        from portfolio.local.api import ApiFront, LocalApiServer, authorizer_specs
        from portfolio.local.proxy import ApiStage

        api_logical_id, api = serverless_api(template)
        stage = ApiStage(
            api_id=provisioned.stack.refs[api_logical_id],
            stage=str(resolve(api.get("StageName", "Prod"), template, provisioned.stack)),
            account_id=account_id,
            region=region,
        )
        authorizers, default_authorizer = authorizer_specs(template, provisioned.stack)
        front = ApiFront(
            template,
            api_routes(template),
            functions=local_functions,
            stage=stage,
            authorizers=authorizers,
            default_authorizer=default_authorizer,
            stack=provisioned.stack,
        )
        self._server = LocalApiServer(self.options.host, self.options.port, front)
        threading.Thread(
            target=self._server.serve_forever, name="local-api", kwargs={"poll_interval": 0.2}, daemon=True
        ).start()
        port = self._server.server_address[1]
        return f"http://{_public_host(self.options.host)}:{port}"
