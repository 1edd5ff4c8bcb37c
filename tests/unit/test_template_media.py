"""template.yaml and the image pipeline agree: the bucket the code names, the S3 events that
make a loop impossible, the retries and failure queue, the idempotency table Powertools
expects, the function's code and its Pillow, and what the role may write."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from portfolio.config import TABLE_ENV_VARS, settings
from portfolio.domain.media import MEDIA_PREFIX
from portfolio.domain.upload_metadata import IDEMPOTENCY_EXPIRY_S, UPLOAD_PREFIX, UPLOAD_SUFFIXES
from portfolio.infra.template import (
    StackContext,
    async_invoke_config,
    bucket_environment,
    default_stack,
    dynamodb_table_definitions,
    functions,
    global_environment,
    load_template,
    resolve,
    s3_triggers,
    table_environment,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = "ThumbnailsFunction"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policies = _resource(template, FUNCTION)["Properties"]["Policies"]
    return [statement for policy in policies for statement in policy.get("Statement", [])]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_code_names_the_bucket_the_template_declares(template: dict[str, Any]) -> None:
    # The functions name the bucket by the bucket's own name expression (no cycle with its events)
    bucket = _resource(template, "MediaBucket")
    assert bucket["Properties"]["BucketName"] == global_environment(template)["MEDIA_BUCKET"]
    assert bucket_environment(template) == {"MEDIA_BUCKET": "MediaBucket"}
    # Kept once it exists; a failed first create deletes it (empty), so a retry needs no clean-up
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    assert bucket["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_name_is_unique_per_stack(template: dict[str, Any]) -> None:
    # Given two stacks (two environments) in one account and region
    name = _resource(template, "MediaBucket")["Properties"]["BucketName"]
    names = {
        resolve(
            name,
            template,
            StackContext("eu-west-1", "111122223333", stack_name, {"MediaBucketPrefix": "media"}, {}, {}),
        )
        for stack_name in ("portfolio-api", "portfolio-api-prod")
    }
    # Then their buckets have different names, within S3's 63 characters at the longest prefix
    assert len(names) == 2
    longest = resolve(
        name,
        template,
        StackContext("ap-southeast-1", "111122223333", "s", {"MediaBucketPrefix": "m" * 31}, {}, {}),
    )
    assert len(longest) <= 63


def test_the_bucket_is_encrypted_private_and_read_only_by_the_stacks_distribution(
    template: dict[str, Any],
) -> None:
    props = _resource(template, "MediaBucket")["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # SSE-S3: CloudFront's origin access control reads SSE-S3 objects without a KMS grant
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    # Block Public Access fully on: an account that enforces it deploys this unchanged
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = _resource(template, "MediaBucketPolicy")["Properties"]["PolicyDocument"]["Statement"]
    deny, served = statements
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Only core_media/, only to CloudFront acting for this stack's distribution
    condition, with_distribution, without = served["Fn::If"]
    assert (condition, without) == ("CreatesMediaDistribution", {"Ref": "AWS::NoValue"})
    assert with_distribution["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert with_distribution["Action"] == "s3:GetObject"
    assert with_distribution["Resource"] == {"Fn::Sub": f"${{MediaBucket.Arn}}/{MEDIA_PREFIX}*"}
    assert with_distribution["Condition"]["StringEquals"]["AWS:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${MediaDistribution}"
    }


def test_media_urls_are_the_distributions_unless_a_base_url_is_given(template: dict[str, Any]) -> None:
    distribution = _resource(template, "MediaDistribution")
    assert distribution["Condition"] == "CreatesMediaDistribution"
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    stack = default_stack(template)
    bucket_name = resolve(_resource(template, "MediaBucket")["Properties"]["BucketName"], template, stack)
    assert resolve(origin["DomainName"], template, stack) == f"{bucket_name}.s3.us-east-1.amazonaws.com"
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    control = _resource(template, "MediaOriginAccessControl")["Properties"]["OriginAccessControlConfig"]
    assert (control["OriginAccessControlOriginType"], control["SigningBehavior"]) == ("s3", "always")
    assert global_environment(template)["MEDIA_BASE_URL"] == {
        "Fn::If": [
            "HasMediaBaseUrl",
            {"Ref": "MediaBaseUrl"},
            {"Fn::Sub": "https://${MediaDistribution.DomainName}"},
        ]
    }


def test_uploads_expire_after_the_idempotency_window(template: dict[str, Any]) -> None:
    rules = _resource(template, "MediaBucket")["Properties"]["LifecycleConfiguration"]["Rules"]
    (uploads,) = [rule for rule in rules if rule.get("Prefix") == UPLOAD_PREFIX]
    assert uploads["ExpirationInDays"] * 24 * 3600 == IDEMPOTENCY_EXPIRY_S
    queue = _resource(template, "ThumbnailsFailureQueue")["Properties"]
    assert queue["MessageRetentionPeriod"] <= IDEMPOTENCY_EXPIRY_S


def test_the_function_fires_only_for_uploads_with_an_image_suffix(template: dict[str, Any]) -> None:
    # Given the function's S3 events
    triggers = [trigger for trigger in s3_triggers(template) if trigger.function == FUNCTION]
    # Then each is "object created, under uploads/, with one accepted suffix", on the media bucket
    assert triggers
    suffixes = []
    for trigger in triggers:
        assert trigger.bucket == "MediaBucket"
        assert trigger.events == ("s3:ObjectCreated:*",)
        rules = dict(trigger.filter_rules)
        assert rules["prefix"] == UPLOAD_PREFIX
        suffixes.append(rules["suffix"])
    assert sorted(suffixes) == sorted(UPLOAD_SUFFIXES)
    # And nothing else is triggered by the bucket
    assert {trigger.function for trigger in s3_triggers(template)} == {FUNCTION}


def test_a_loop_is_impossible_the_role_writes_only_where_no_event_fires(template: dict[str, Any]) -> None:
    # Given every S3 write the function's role allows
    writes = [
        resource
        for statement in _statements(template)
        if any(
            action.startswith("s3:Put") or action.startswith("s3:Delete")
            for action in _as_list(statement["Action"])
        )
        for resource in _as_list(statement["Resource"])
    ]
    # Then all are under core_media/, which no event prefix (uploads/) matches
    assert writes
    stack = default_stack(template)
    for resource in writes:
        assert resolve(resource, template, stack).endswith(f"/{MEDIA_PREFIX}*"), resource
    assert not MEDIA_PREFIX.startswith(UPLOAD_PREFIX)
    reads = [
        resolve(resource, template, stack)
        for statement in _statements(template)
        if "s3:GetObject" in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    ]
    assert any(read.endswith(f"/{UPLOAD_PREFIX}*") for read in reads)
    # And no wildcard grants anywhere in its role
    for statement in _statements(template):
        assert all(not action.endswith(":*") for action in _as_list(statement["Action"])), statement


def test_failed_events_are_retried_a_bounded_number_of_times_then_queued(template: dict[str, Any]) -> None:
    config = async_invoke_config(template, FUNCTION)
    assert 0 <= config.maximum_retry_attempts <= 2
    assert config.on_failure == {"Fn::GetAtt": ["ThumbnailsFailureQueue", "Arn"]}
    invoke = _resource(template, FUNCTION)["Properties"]["EventInvokeConfig"]
    assert invoke["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    assert invoke["MaximumEventAgeInSeconds"] <= IDEMPOTENCY_EXPIRY_S
    assert _resource(template, "ThumbnailsFailureQueue")["Type"] == "AWS::SQS::Queue"


def test_the_idempotency_table_is_the_one_powertools_expects(template: dict[str, Any]) -> None:
    # Given Powertools' DynamoDB persistence layer defaults (key and TTL attribute names)
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(DynamoDBPersistenceLayer.__init__).parameters.items()
    }
    definition = dynamodb_table_definitions(template)["IdempotencyTable"]
    # Then the table has that key, as a string, and expires items by that attribute
    assert definition["KeySchema"] == [{"AttributeName": defaults["key_attr"], "KeyType": "HASH"}]
    assert definition["AttributeDefinitions"] == [
        {"AttributeName": defaults["key_attr"], "AttributeType": "S"}
    ]
    ttl = _resource(template, "IdempotencyTable")["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": defaults["expiry_attr"], "Enabled": True}
    # And the code finds it under the environment variable the template sets
    assert table_environment(template)["IDEMPOTENCY_TABLE"] == "IdempotencyTable"
    assert TABLE_ENV_VARS["IDEMPOTENCY_TABLE"] == "idempotency"
    assert settings().tables.idempotency == "IdempotencyTable"


def test_the_handler_exists_and_the_function_brings_a_safe_pillow(template: dict[str, Any]) -> None:
    spec = functions(template)[FUNCTION]
    code = ROOT / spec.code_uri
    module_name, handler = spec.handler.split(".")
    source = (code / f"{module_name}.py").read_text(encoding="utf-8")
    assert f"def {handler}(" in source
    # Pillow is the function's own dependency, pinned at a release with the 2026 fixes
    pins = [
        line.strip()
        for line in (code / "requirements.txt").read_text().splitlines()
        if line.strip()[:1].isalpha()
    ]
    (pin,) = [line for line in pins if line.lower().startswith("pillow")]
    match = re.fullmatch(r"pillow==(\d+)\.(\d+)\.(\d+)", pin, flags=re.IGNORECASE)
    assert match, pin
    assert (int(match[1]), int(match[2])) >= (12, 3)
    installed = importlib.util.find_spec("PIL")
    assert installed is not None
    from PIL import __version__

    assert __version__ == ".".join(match.groups()), "the tests run the Pillow the function ships"


def test_outputs_name_the_pipelines_resources(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["ThumbnailsFunctionArn"]["Value"] == {"Fn::GetAtt": ["ThumbnailsFunction", "Arn"]}
    assert outputs["ThumbnailsFailureQueueUrl"]["Value"] == {"Ref": "ThumbnailsFailureQueue"}
    assert outputs["IdempotencyTableName"]["Value"] == {"Ref": "IdempotencyTable"}
    assert outputs["MediaBucketName"]["Value"] == global_environment(template)["MEDIA_BUCKET"]
