"""What the tests and the local stack need from template.yaml.

Nothing here re-declares a table, an index or a route: it is all read from the template, so
the two cannot drift.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_NAME = "template.yaml"


def find_template(start: Path | None = None) -> Path:
    """template.yaml of this checkout: looked up from ``start`` (default: the working
    directory), then next to this package."""
    candidates = [start or Path.cwd()]
    candidates.append(Path(__file__).resolve())
    for origin in candidates:
        for folder in (origin, *origin.parents):
            path = folder / TEMPLATE_NAME
            if path.is_file():
                return path
    raise FileNotFoundError(f"no {TEMPLATE_NAME} above {candidates[0]} or this package")


@cache
def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template as plain data (intrinsic functions as ``{"Ref": ...}`` / ``{"Fn::...": ...}``)."""
    from cfn_flip import load_yaml  # a dependency of the tools, not of the Lambda layer

    source = (path or find_template()).read_text(encoding="utf-8")
    # Round-trip through JSON to turn cfn-flip's ordered dicts into plain ones.
    return json.loads(json.dumps(load_yaml(source)))


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }


def dynamodb_table_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """CreateTable arguments (without TableName) for every AWS::DynamoDB::Table."""
    definitions = {}
    for logical_id, resource in resources(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        definition: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        definitions[logical_id] = definition
    return definitions


def global_environment(template: dict[str, Any]) -> dict[str, Any]:
    """Globals > Function > Environment > Variables."""
    return dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))


def table_environment(template: dict[str, Any]) -> dict[str, str]:
    """Environment variable -> logical id of the table it names (``!Ref SomeTable``), over
    the Globals and every function's own environment."""
    tables = set(resources(template, "AWS::DynamoDB::Table"))
    variables = dict(global_environment(template))
    for function in resources(template, "AWS::Serverless::Function").values():
        variables.update(function.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    return {
        name: value["Ref"]
        for name, value in variables.items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }


def create_tables(client: Any, names: dict[str, str], template: dict[str, Any] | None = None) -> None:
    """Create every table of the template that does not exist yet; ``names`` maps logical
    ids to physical names (default: the logical id)."""
    template = template or load_template()
    existing = set(client.list_tables().get("TableNames", []))
    for logical_id, definition in dynamodb_table_definitions(template).items():
        table_name = names.get(logical_id, logical_id)
        if table_name not in existing:
            client.create_table(TableName=table_name, **definition)


def bucket_environment(template: dict[str, Any]) -> dict[str, str]:
    """Environment variable -> logical id of the bucket it names, over the Globals and every
    function's own environment. A variable names a bucket by ``!Ref`` or by the bucket's own
    ``BucketName`` expression (which functions use where ``!Ref`` would make a cycle with the
    bucket's S3 events)."""
    buckets = resources(template, "AWS::S3::Bucket")
    by_name = {
        json.dumps(bucket["Properties"]["BucketName"], sort_keys=True): logical_id
        for logical_id, bucket in buckets.items()
        if bucket.get("Properties", {}).get("BucketName") is not None
    }
    variables = dict(global_environment(template))
    for function in resources(template, "AWS::Serverless::Function").values():
        variables.update(function.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    found = {}
    for name, value in variables.items():
        if isinstance(value, dict) and value.get("Ref") in buckets:
            found[name] = value["Ref"]
        elif json.dumps(value, sort_keys=True) in by_name:
            found[name] = by_name[json.dumps(value, sort_keys=True)]
    return found


def create_buckets(client: Any, names: dict[str, str], template: dict[str, Any] | None = None) -> None:
    """Create every bucket of the template that does not exist yet; ``names`` maps each
    bucket's logical id to its physical name (bucket names are global: there is no default)."""
    template = template or load_template()
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    region = client.meta.region_name
    for logical_id in resources(template, "AWS::S3::Bucket"):
        if logical_id not in names:
            raise KeyError(f"no physical name given for bucket {logical_id}")
        name = names[logical_id]
        if name in existing:
            continue
        if region in (None, "us-east-1"):
            client.create_bucket(Bucket=name)
        else:
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


# CloudFormation's CorsRule properties -> S3's PutBucketCors CORSRule fields.
_CORS_RULE_FIELDS = {
    "Id": "ID",
    "AllowedMethods": "AllowedMethods",
    "AllowedOrigins": "AllowedOrigins",
    "AllowedHeaders": "AllowedHeaders",
    "ExposedHeaders": "ExposedHeaders",
    "MaxAge": "MaxAgeSeconds",
}


def bucket_cors_rules(template: dict[str, Any], stack: StackContext) -> dict[str, list[dict[str, Any]]]:
    """Each bucket's CorsConfiguration, resolved, as PutBucketCors takes its rules."""
    rules: dict[str, list[dict[str, Any]]] = {}
    for logical_id, bucket in resources(template, "AWS::S3::Bucket").items():
        configuration = bucket.get("Properties", {}).get("CorsConfiguration")
        if configuration is None:
            continue
        resolved = resolve(configuration, template, stack)
        rules[logical_id] = [
            {_CORS_RULE_FIELDS[name]: value for name, value in rule.items()} for rule in resolved["CorsRules"]
        ]
    return rules


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """An ``Api`` event of a function: ``method`` ``path`` runs ``function`` (its logical id),
    with ``authorizer`` (None: the API's default) unless ``auth_none``."""

    function: str
    event: str
    method: str
    path: str
    code_uri: str
    handler: str
    authorizer: str | None
    auth_none: bool


def api_routes(template: dict[str, Any]) -> list[ApiRoute]:
    routes = []
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        props = function.get("Properties", {})
        for event_name, event in props.get("Events", {}).items():
            if event.get("Type") != "Api":
                continue
            event_props = event["Properties"]
            auth = event_props.get("Auth", {}) or {}
            authorizer = auth.get("Authorizer")
            routes.append(
                ApiRoute(
                    function=logical_id,
                    event=event_name,
                    method=event_props["Method"].upper(),
                    path=event_props["Path"],
                    code_uri=props["CodeUri"],
                    handler=props["Handler"],
                    authorizer=None if authorizer in (None, "NONE") else authorizer,
                    auth_none=authorizer == "NONE",
                )
            )
    return routes


# --- Intrinsic functions -------------------------------------------------------------------------


class TemplateError(ValueError):
    """The template uses something these helpers cannot evaluate; the message says what."""


@dataclass(frozen=True, slots=True)
class StackContext:
    """What CloudFormation substitutes into a template: pseudo parameters, parameter values,
    and the ``Ref`` value and ``GetAtt`` attributes of each resource (by logical id)."""

    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, str]
    refs: dict[str, str]
    attributes: dict[str, dict[str, str]]
    url_suffix: str = "amazonaws.com"

    @property
    def stack_id(self) -> str:
        """A stack id as CloudFormation shapes it; its UUID derived from the stack's name, so
        that names built from it (the media bucket's) are the same on every local run."""
        digest = hashlib.sha256(f"{self.account_id}/{self.region}/{self.stack_name}".encode()).hexdigest()
        uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        return f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/{uuid}"

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::Partition": "aws",
        }
        for source in (pseudo, self.parameters, self.refs):
            if name in source:
                return source[name]
        raise TemplateError(f"Ref {name}: no such parameter or resource")

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attributes[logical_id][attribute]
        except KeyError:
            raise TemplateError(f"GetAtt {logical_id}.{attribute} is not known") from None


def parameter_defaults(template: dict[str, Any]) -> dict[str, str]:
    """Each parameter's default value (what ``sam deploy`` uses when none is given)."""
    return {
        name: str(spec["Default"])
        for name, spec in template.get("Parameters", {}).items()
        if "Default" in spec
    }


_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(text: str, lookup: Callable[[str], str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} is the escape for a literal ${Literal}
            return "${" + name[1:] + "}"
        return lookup(name)

    return _SUB_VARIABLE.sub(replace, text)


def _condition(template: dict[str, Any], name: str, stack: StackContext) -> bool:
    try:
        definition = template["Conditions"][name]
    except KeyError:
        raise TemplateError(f"condition {name} is not declared") from None
    return bool(resolve(definition, template, stack))


# What ``!Ref AWS::NoValue`` resolves to: the list item or property holding it disappears.
_NO_VALUE = object()


def resolve(value: Any, template: dict[str, Any], stack: StackContext) -> Any:
    """``value`` with the intrinsic functions the template uses evaluated (Ref, Fn::Sub,
    Fn::GetAtt, Fn::If with its conditions and AWS::NoValue, Fn::Join, Fn::Select, Fn::Split)."""
    if isinstance(value, list):
        items = (resolve(item, template, stack) for item in value)
        return [item for item in items if item is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        resolved = {key: resolve(item, template, stack) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}
    ((function, argument),) = value.items()
    if function == "Ref":
        return _NO_VALUE if argument == "AWS::NoValue" else stack.ref(argument)
    if function == "Fn::GetAtt":
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        return stack.get_att(logical_id, attribute)
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        resolved = {name: str(resolve(item, template, stack)) for name, item in variables.items()}

        def lookup(name: str) -> str:
            if name in resolved:
                return resolved[name]
            if "." in name:
                return stack.get_att(*name.split(".", 1))
            return stack.ref(name)

        return _substitute(text, lookup)
    if function == "Fn::If":
        name, when_true, when_false = argument
        return resolve(when_true if _condition(template, name, stack) else when_false, template, stack)
    if function == "Fn::Equals":
        left, right = resolve(argument, template, stack)
        return left == right
    if function == "Fn::Not":
        return not resolve(argument[0], template, stack)
    if function == "Fn::And":
        return all(resolve(item, template, stack) for item in argument)
    if function == "Fn::Or":
        return any(resolve(item, template, stack) for item in argument)
    if function == "Condition":
        return _condition(template, argument, stack)
    if function == "Fn::Join":
        separator, items = argument
        return separator.join(str(item) for item in resolve(items, template, stack))
    if function == "Fn::Select":
        index, items = argument
        return resolve(items, template, stack)[int(resolve(index, template, stack))]
    if function == "Fn::Split":
        separator, text = argument
        return str(resolve(text, template, stack)).split(separator)
    if function.startswith("Fn::"):
        raise TemplateError(f"{function} is not supported by the local tooling")
    return {function: resolve(argument, template, stack)}


# --- Functions, their events and the API they serve ---------------------------------------------


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """An AWS::Serverless::Function with the Globals applied (environment still unresolved)."""

    logical_id: str
    code_uri: str
    handler: str
    timeout_s: int
    memory_mb: int
    environment: dict[str, Any]


def functions(template: dict[str, Any]) -> dict[str, FunctionSpec]:
    defaults = template.get("Globals", {}).get("Function", {})
    specs = {}
    for logical_id, resource in resources(template, "AWS::Serverless::Function").items():
        props = resource.get("Properties", {})
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_uri=props.get("CodeUri", defaults.get("CodeUri", ".")),
            handler=props.get("Handler", defaults.get("Handler", "")),
            timeout_s=int(props.get("Timeout", defaults.get("Timeout", 3))),
            memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
            environment={
                **global_environment(template),
                **props.get("Environment", {}).get("Variables", {}),
            },
        )
    return specs


@dataclass(frozen=True, slots=True)
class S3Trigger:
    """An ``S3`` event of a function: objects created in ``bucket`` (a logical id) whose keys
    pass every filter rule (``("prefix", "uploads/")``, ``("suffix", ".jpg")``) invoke it."""

    function: str
    event: str
    bucket: str
    events: tuple[str, ...]
    filter_rules: tuple[tuple[str, str], ...]


def _filter_rules(filter_: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    rules = ((filter_ or {}).get("S3Key") or {}).get("Rules") or []
    return tuple((rule["Name"].lower(), rule["Value"]) for rule in rules)


def _arn_of(value: Any) -> str | None:
    """The logical id in ``!GetAtt X.Arn`` (either form), or None for anything else."""
    attribute = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(attribute, str):
        attribute = attribute.split(".", 1)
    if isinstance(attribute, list) and len(attribute) == 2 and attribute[1] == "Arn":
        return str(attribute[0])
    return None


def _bucket_notifications(template: dict[str, Any]) -> list[S3Trigger]:
    """A bucket's ``NotificationConfiguration.LambdaConfigurations``: the function is
    ``!GetAtt Function.Arn`` of a function in the template."""
    triggers = []
    for bucket, props in resources(template, "AWS::S3::Bucket").items():
        configurations = (props.get("Properties", {}).get("NotificationConfiguration") or {}).get(
            "LambdaConfigurations"
        ) or []
        for index, configuration in enumerate(configurations):
            function = _arn_of(configuration.get("Function"))
            if function is None:
                raise TemplateError(
                    f"{bucket}: a bucket notification's Function must be !GetAtt of a function's Arn"
                )
            triggers.append(
                S3Trigger(
                    function=function,
                    event=f"{bucket}{index}",
                    bucket=bucket,
                    events=(str(configuration["Event"]),),
                    filter_rules=_filter_rules(configuration.get("Filter")),
                )
            )
    return triggers


def s3_triggers(template: dict[str, Any]) -> list[S3Trigger]:
    """What S3 invokes: functions' SAM ``S3`` events, and buckets' own Lambda notifications."""
    triggers = []
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        for event_name, event in function.get("Properties", {}).get("Events", {}).items():
            if event.get("Type") != "S3":
                continue
            props = event["Properties"]
            bucket = props["Bucket"]
            if not (isinstance(bucket, dict) and "Ref" in bucket):
                raise TemplateError(
                    f"{logical_id}.{event_name}: an S3 event's Bucket must be !Ref of a bucket"
                )
            events = props["Events"]
            triggers.append(
                S3Trigger(
                    function=logical_id,
                    event=event_name,
                    bucket=bucket["Ref"],
                    events=tuple([events] if isinstance(events, str) else events),
                    filter_rules=_filter_rules(props.get("Filter")),
                )
            )
    return triggers + _bucket_notifications(template)


@dataclass(frozen=True, slots=True)
class SqsTrigger:
    """An ``SQS`` event of a function: Lambda polls ``queue`` (a logical id) and invokes the
    function with up to ``batch_size`` messages, reporting failed ones when
    ``reports_item_failures``."""

    function: str
    event: str
    queue: str
    batch_size: int
    reports_item_failures: bool


def sqs_triggers(template: dict[str, Any]) -> list[SqsTrigger]:
    triggers = []
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        for event_name, event in function.get("Properties", {}).get("Events", {}).items():
            if event.get("Type") != "SQS":
                continue
            props = event["Properties"]
            queue = _arn_of(props["Queue"])
            if queue is None:
                raise TemplateError(
                    f"{logical_id}.{event_name}: an SQS event's Queue must be !GetAtt Queue.Arn"
                )
            triggers.append(
                SqsTrigger(
                    function=logical_id,
                    event=event_name,
                    queue=queue,
                    # Lambda's default for SQS event sources.
                    batch_size=int(props.get("BatchSize", 10)),
                    reports_item_failures="ReportBatchItemFailures"
                    in (props.get("FunctionResponseTypes") or []),
                )
            )
    return triggers


@dataclass(frozen=True, slots=True)
class AsyncInvokeConfig:
    """How Lambda retries an asynchronous invocation (S3 events) and where a failed event
    goes (``on_failure``: an unresolved ``Destination``, or None)."""

    maximum_retry_attempts: int
    on_failure: Any


def async_invoke_config(template: dict[str, Any], function: str) -> AsyncInvokeConfig:
    props = template["Resources"][function].get("Properties", {})
    config = props.get("EventInvokeConfig", {}) or {}
    on_failure = (config.get("DestinationConfig", {}) or {}).get("OnFailure", {}) or {}
    return AsyncInvokeConfig(
        # Lambda's default for asynchronous invocations is two retries.
        maximum_retry_attempts=int(config.get("MaximumRetryAttempts", 2)),
        on_failure=on_failure.get("Destination"),
    )


def serverless_api(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The template's one AWS::Serverless::Api: its logical id and properties."""
    apis = resources(template, "AWS::Serverless::Api")
    if len(apis) != 1:
        raise TemplateError(f"expected one AWS::Serverless::Api, found {len(apis)}")
    ((logical_id, api),) = apis.items()
    return logical_id, api.get("Properties", {})


def default_stack(template: dict[str, Any]) -> StackContext:
    """A StackContext with the parameters' defaults and no resources: enough for what refers
    only to parameters and conditions (the API's gateway responses, its compression)."""
    return StackContext(
        region="us-east-1",
        account_id="123456789012",
        stack_name="portfolio-api",
        parameters=parameter_defaults(template),
        refs={},
        attributes={},
    )


def minimum_compression_size(template: dict[str, Any], stack: StackContext | None = None) -> int | None:
    """The API's MinimumCompressionSize in bytes (an answer at least this long is compressed
    for a client that accepts it), or None: API Gateway then compresses nothing."""
    _, api = serverless_api(template)
    value = api.get("MinimumCompressionSize")
    if value is None:
        return None
    return int(resolve(value, template, stack or default_stack(template)))


@dataclass(frozen=True, slots=True)
class CorsSpec:
    """CORS as the template configures it: the environment of the function that answers the
    preflights (its ``OPTIONS`` events), resolved, and the methods each path has."""

    function: str
    allowed_origins: tuple[str, ...]
    allowed_headers: tuple[str, ...]
    max_age_s: int | None
    methods: dict[str, tuple[str, ...]]  # SAM path -> its methods, sorted

    @property
    def preflight_paths(self) -> tuple[str, ...]:
        return tuple(path for path, methods in self.methods.items() if "OPTIONS" in methods)


def _csv(value: Any) -> tuple[str, ...]:
    return tuple(item.strip() for item in str(value or "").split(",") if item.strip())


def preflight_functions(template: dict[str, Any]) -> tuple[str, ...]:
    """The functions that answer CORS preflights (have ``OPTIONS`` events), sorted."""
    return tuple(sorted({route.function for route in api_routes(template) if route.method == "OPTIONS"}))


def cors_spec(template: dict[str, Any], stack: StackContext | None = None, *, function: str) -> CorsSpec:
    """CORS of ``function``'s routes: its CORS_* environment, resolved, and its paths' methods."""
    if function not in preflight_functions(template):
        raise TemplateError(f"{function} answers no OPTIONS route")
    routes = [route for route in api_routes(template) if route.function == function]
    stack = stack or default_stack(template)
    environment = {
        name: value
        for name, value in functions(template)[function].environment.items()
        if name.startswith("CORS_")
    }
    variables = {name: str(resolve(value, template, stack)) for name, value in environment.items()}
    max_age = variables.get("CORS_MAX_AGE_S")
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, set()).add(route.method)
    return CorsSpec(
        function=function,
        allowed_origins=_csv(variables.get("CORS_ALLOWED_ORIGINS")),
        allowed_headers=_csv(variables.get("CORS_ALLOWED_HEADERS")),
        max_age_s=int(max_age) if max_age else None,
        methods={path: tuple(sorted(found)) for path, found in methods.items()},
    )
