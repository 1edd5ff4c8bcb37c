"""A deploy rehearsal without AWS (issue 11): the template as CloudFormation receives it after
the SAM transform, checked for what a first deploy into a hardened account and every later
update rely on. cfn-lint runs on it with its informational rules too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portfolio.infra.template import default_stack, resolve
from tests.support.transformed import transformed_template

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Resources that keep state: each must say on purpose what a delete or a replacement does.
STATEFUL_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::Logs::LogGroup",
}


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    return transformed_template()


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def test_cfn_lint_finds_nothing_with_its_informational_rules_on() -> None:
    from cfnlint.api import ManualArgs, lint_file

    # cfn-lint applies the SAM transform itself and lints what CloudFormation would deploy.
    matches = lint_file(
        ROOT / "template.yaml", config=ManualArgs(include_checks=["I"], regions=["us-east-1"])
    )

    assert [str(match) for match in matches] == []


def test_every_stateful_resource_says_what_a_delete_and_a_replacement_do(deployed: dict[str, Any]) -> None:
    stateful = {
        logical_id: resource
        for logical_id, resource in deployed["Resources"].items()
        if resource["Type"] in STATEFUL_TYPES
    }
    assert len(stateful) >= 14
    for logical_id, resource in stateful.items():
        assert resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate", "Snapshot", "Delete"), (
            logical_id
        )
        assert resource.get("UpdateReplacePolicy") in ("Retain", "Snapshot", "Delete"), logical_id
    # The data itself is never deleted with the stack
    for logical_id, resource in stateful.items():
        if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::S3::Bucket"):
            assert resource["DeletionPolicy"] != "Delete", logical_id
            assert resource["UpdateReplacePolicy"] != "Delete", logical_id


def test_every_invoke_permission_names_its_source(deployed: dict[str, Any]) -> None:
    permissions = _of_type(deployed, "AWS::Lambda::Permission")
    assert permissions
    for logical_id, permission in permissions.items():
        properties = permission["Properties"]
        assert "SourceArn" in properties, logical_id
        if properties["Principal"] == "s3.amazonaws.com":
            # A bucket ARN has no account: the account is checked too
            assert properties["SourceAccount"] == {"Ref": "AWS::AccountId"}, logical_id


def test_s3_may_invoke_the_thumbnails_function_for_the_media_bucket_only(deployed: dict[str, Any]) -> None:
    (permission,) = [
        resource
        for resource in _of_type(deployed, "AWS::Lambda::Permission").values()
        if resource["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    bucket = deployed["Resources"]["MediaBucket"]
    stack = default_stack(deployed)
    name = resolve(bucket["Properties"]["BucketName"], deployed, stack)
    assert resolve(permission["Properties"]["SourceArn"], deployed, stack) == f"arn:aws:s3:::{name}"
    assert permission["Properties"]["FunctionName"] == {"Fn::GetAtt": ["ThumbnailsFunction", "Arn"]}
    # The bucket's notifications are set only once S3 may invoke the function
    assert "ThumbnailsInvokePermission" in bucket["DependsOn"]
    targets = {
        str(configuration["Function"]["Fn::GetAtt"])
        for configuration in bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    }
    assert targets == {str(["ThumbnailsFunction", "Arn"])}


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return [properties]
    return [query["MetricStat"]["Metric"] for query in properties["Metrics"] if "MetricStat" in query]


def _watched(alarms: dict[str, dict[str, Any]], namespace: str, metric: str) -> list[Any]:
    return [
        dimension["Value"]
        for alarm in alarms.values()
        for watched in _alarm_metrics(alarm)
        if watched["Namespace"] == namespace and watched["MetricName"] == metric
        for dimension in watched.get("Dimensions", [])
    ]


def test_alarms_watch_failures_5xx_errors_and_throttles_and_notify_the_topic(
    deployed: dict[str, Any],
) -> None:
    alarms = _of_type(deployed, "AWS::CloudWatch::Alarm")
    functions = sorted(_of_type(deployed, "AWS::Lambda::Function"))
    tables = sorted(_of_type(deployed, "AWS::DynamoDB::Table"))
    # Failed uploads and failed re-render batches waiting in their failure queues
    queues = _watched(alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert sorted(queue["Fn::GetAtt"][0] for queue in queues) == [
        "RerenderFailureQueue",
        "ThumbnailsFailureQueue",
    ]
    # The API's 5xx rate on its stage
    assert _watched(alarms, "AWS/ApiGateway", "5XXError") == [
        {"Fn::Sub": "${AWS::StackName}-api"},
        {"Ref": "StageName"},
    ]
    # Errors of every function (the authorizer's refusals are errors by contract: its own
    # token-store failure count stands in for them) and throttles of every function
    errors = sorted(value["Ref"] for value in _watched(alarms, "AWS/Lambda", "Errors"))
    assert errors == sorted(set(functions) - {"AuthorizerFunction"})
    assert _watched(alarms, "PortfolioApi", "AuthorizerStoreFailures") == ["portfolio-api"]
    assert sorted(value["Ref"] for value in _watched(alarms, "AWS/Lambda", "Throttles")) == functions
    # Read and write throttles of every table
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        assert sorted(value["Ref"] for value in _watched(alarms, "AWS/DynamoDB", metric)) == tables
    # Each notifies the optional SNS topic
    for logical_id, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }, logical_id
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching", logical_id
