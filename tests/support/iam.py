"""A function's role, as template.yaml grants it, against the AWS calls its code makes: the
calls are recorded on moto, each is matched with the IAM action and resource it needs, and
both directions are checked by the tests (nothing refused, nothing granted for nothing)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from typing import Any

from botocore.client import BaseClient

from portfolio.infra.template import StackContext, load_template, parameter_defaults, resolve

ACCOUNT = "123456789012"
REGION = "us-east-1"
# API operation -> the IAM action that allows it.
_S3_ACTIONS = {"GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject"}
_SQS_ACTIONS = {"SendMessage": "sqs:SendMessage", "SendMessageBatch": "sqs:SendMessage"}
# A transaction's items -> the IAM action each needs (TransactWriteItems has none of its own).
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}

Grant = tuple[str, str]


def table_arn(table: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"


def queue_arn(queue: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"


def allowed(function: str, *, bucket: str) -> list[Grant]:
    """(action, resource ARN pattern) pairs ``function``'s role allows, resolved from the
    template with the test environment's names (tables and queues named by their logical
    ids, the bucket as MEDIA_BUCKET names it)."""
    template = load_template()
    named = {
        logical_id: resource["Type"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::SQS::Queue")
    }
    stack = StackContext(
        region=REGION,
        account_id=ACCOUNT,
        stack_name="portfolio",
        parameters={**parameter_defaults(template), "MediaBucketPrefix": "portfolio-media"},
        refs={name: name for name in named},
        attributes={
            name: {"Arn": table_arn(name) if kind == "AWS::DynamoDB::Table" else queue_arn(name)}
            for name, kind in named.items()
        },
    )
    template_bucket = resolve(
        template["Globals"]["Function"]["Environment"]["Variables"]["MEDIA_BUCKET"], template, stack
    )
    pairs = []
    for policy in template["Resources"][function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for resource in resources:
                arn = str(resolve(resource, template, stack)).replace(template_bucket, bucket)
                pairs.extend((action, arn) for action in actions)
    return pairs


class CallRecorder:
    """Patched over ``BaseClient._make_api_call``: every call (service, operation, params)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, original: Any) -> Any:
        recorder = self

        def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            recorder.calls.append((client.meta.service_model.service_name, operation, dict(params)))
            return original(client, operation, params)

        return recording

    def needed(self) -> set[Grant]:
        return {
            pair for service, operation, params in self.calls for pair in needed(service, operation, params)
        }


def needed(service: str, operation: str, params: dict[str, Any]) -> Iterator[Grant]:
    if service == "s3":
        yield _S3_ACTIONS[operation], f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"
    elif service == "sqs":
        yield _SQS_ACTIONS[operation], queue_arn(params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1])
    elif service == "dynamodb" and operation == "TransactWriteItems":
        for item in params["TransactItems"]:
            ((kind, request),) = item.items()
            yield f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table_arn(request["TableName"])
    elif service == "dynamodb" and "IndexName" in params:
        # A query of an index needs the action on the index's ARN, not the table's.
        yield f"dynamodb:{operation}", f"{table_arn(params['TableName'])}/index/{params['IndexName']}"
    elif service == "dynamodb":
        tables = [params["TableName"]] if "TableName" in params else list(params["RequestItems"])
        for table in tables:
            yield f"dynamodb:{operation}", table_arn(table)
    else:
        raise AssertionError(f"unexpected call {service}.{operation}")


def refused(granted: Iterable[Grant], used: Iterable[Grant]) -> list[Grant]:
    """The calls' needs no grant allows."""
    grants = list(granted)
    return sorted(
        {
            (action, resource)
            for action, resource in used
            if not any(
                action == other and fnmatch.fnmatchcase(resource, pattern) for other, pattern in grants
            )
        }
    )


def unused(
    granted: Iterable[Grant], used: Iterable[Grant], *, for_other_paths: Iterable[Grant] = ()
) -> list[Grant]:
    """Grants no call needed, but those known to serve paths the test did not take."""
    needs, others = list(used), list(for_other_paths)
    return sorted(
        (action, pattern)
        for action, pattern in granted
        if not any(action == other and fnmatch.fnmatchcase(pattern, arn) for other, arn in others)
        and not any(
            action == used_action and fnmatch.fnmatchcase(resource, pattern)
            for used_action, resource in needs
        )
    )
