"""The local tooling evaluates the template's intrinsic functions as CloudFormation does
(portfolio.infra.template.resolve) and reads functions, S3 events and async settings."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.infra.template import (
    StackContext,
    TemplateError,
    async_invoke_config,
    functions,
    load_template,
    parameter_defaults,
    resolve,
    s3_triggers,
)

pytestmark = pytest.mark.unit

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Prefix": {"Type": "String", "Default": "media"},
        "BaseUrl": {"Type": "String", "Default": ""},
    },
    "Conditions": {"HasBaseUrl": {"Fn::Not": [{"Fn::Equals": [{"Ref": "BaseUrl"}, ""]}]}},
    "Globals": {"Function": {"Timeout": 20, "Environment": {"Variables": {"A": "global", "B": "global"}}}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Worker": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/worker/",
                "Handler": "app.handler",
                "MemorySize": 512,
                "Environment": {"Variables": {"B": "own"}},
                "EventInvokeConfig": {
                    "MaximumRetryAttempts": 1,
                    "DestinationConfig": {
                        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": "Queue.Arn"}}
                    },
                },
                "Events": {
                    "Upload": {
                        "Type": "S3",
                        "Properties": {
                            "Bucket": {"Ref": "Bucket"},
                            "Events": "s3:ObjectCreated:*",
                            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
                        },
                    }
                },
            },
        },
    },
}


def _stack(**parameters: str) -> StackContext:
    return StackContext(
        region="eu-west-1",
        account_id="111122223333",
        stack_name="stack",
        parameters={**parameter_defaults(TEMPLATE), **parameters},
        refs={"Bucket": "media-bucket"},
        attributes={"Queue": {"Arn": "arn:aws:sqs:eu-west-1:111122223333:Queue"}},
    )


def test_sub_replaces_parameters_pseudo_parameters_attributes_and_keeps_escapes() -> None:
    value = {"Fn::Sub": "${Prefix}-${AWS::AccountId}-${AWS::Region}/${Queue.Arn}/${!Literal}"}
    assert resolve(value, TEMPLATE, _stack()) == (
        "media-111122223333-eu-west-1/arn:aws:sqs:eu-west-1:111122223333:Queue/${Literal}"
    )


def test_sub_with_a_variable_map() -> None:
    value = {"Fn::Sub": ["${Name}.s3.${AWS::URLSuffix}", {"Name": {"Ref": "Bucket"}}]}
    assert resolve(value, TEMPLATE, _stack()) == "media-bucket.s3.amazonaws.com"


@pytest.mark.parametrize(
    ("base_url", "expected"), [("", "bucket url"), ("https://cdn.example", "https://cdn.example")]
)
def test_if_follows_its_condition(base_url: str, expected: str) -> None:
    value = {"Fn::If": ["HasBaseUrl", {"Ref": "BaseUrl"}, "bucket url"]}
    assert resolve(value, TEMPLATE, _stack(BaseUrl=base_url)) == expected


def test_join_select_and_nested_structures_resolve() -> None:
    value = {"List": [{"Fn::Join": ["-", ["a", {"Ref": "Prefix"}]]}, {"Fn::Select": [1, ["x", "y"]]}]}
    assert resolve(value, TEMPLATE, _stack()) == {"List": ["a-media", "y"]}


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Missing"},
        {"Fn::GetAtt": ["Queue", "Missing"]},
        {"Fn::ImportValue": "x"},
        {"Fn::If": ["Nope", 1, 2]},
    ],
)
def test_what_cannot_be_evaluated_is_a_template_error(value: Any) -> None:
    with pytest.raises(TemplateError):
        resolve(value, TEMPLATE, _stack())


def test_functions_get_the_globals_under_their_own_settings() -> None:
    worker = functions(TEMPLATE)["Worker"]
    assert (worker.code_uri, worker.handler, worker.timeout_s, worker.memory_mb) == (
        "functions/worker/",
        "app.handler",
        20,
        512,
    )
    assert worker.environment == {"A": "global", "B": "own"}


def test_s3_triggers_and_async_settings_are_read_from_the_function() -> None:
    (trigger,) = s3_triggers(TEMPLATE)
    assert (trigger.function, trigger.event, trigger.bucket) == ("Worker", "Upload", "Bucket")
    assert trigger.events == ("s3:ObjectCreated:*",)
    assert trigger.filter_rules == (("prefix", "uploads/"),)
    config = async_invoke_config(TEMPLATE, "Worker")
    assert config.maximum_retry_attempts == 1
    assert config.on_failure == {"Fn::GetAtt": "Queue.Arn"}


def test_every_function_of_the_real_template_has_its_code_and_settings() -> None:
    # Given template.yaml
    template = load_template()
    # Then every function names a handler file that exists, as the local stack loads it
    from portfolio.infra.template import find_template

    root = find_template().parent
    for spec in functions(template).values():
        module, _, _ = spec.handler.rpartition(".")
        assert (root / spec.code_uri / f"{module.replace('.', '/')}.py").is_file(), spec.logical_id
        assert spec.timeout_s > 0


def test_no_value_removes_the_item_or_property_that_holds_it() -> None:
    value = {
        "Statement": [
            "always",
            {"Fn::If": ["HasBaseUrl", "with a base url", {"Ref": "AWS::NoValue"}]},
        ],
        "Optional": {"Fn::If": ["HasBaseUrl", "set", {"Ref": "AWS::NoValue"}]},
        "Kept": 1,
    }
    assert resolve(value, TEMPLATE, _stack()) == {"Statement": ["always"], "Kept": 1}
    assert resolve(value, TEMPLATE, _stack(BaseUrl="https://cdn.example")) == {
        "Statement": ["always", "with a base url"],
        "Optional": "set",
        "Kept": 1,
    }
