"""Operating limits in the template (issue 11): logs are kept as long as LogRetentionDays says,
in one log group per function that the stack creates first and deletes with itself; the
thumbnails function's concurrency is reserved when the account can spare it."""

from __future__ import annotations

import pytest

from portfolio.infra.template import load_template, resources

pytestmark = pytest.mark.unit

TEMPLATE = load_template()
FUNCTIONS = resources(TEMPLATE, "AWS::Serverless::Function")
LOG_GROUPS = resources(TEMPLATE, "AWS::Logs::LogGroup")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group_with_the_retention_parameter(function: str) -> None:
    reference = FUNCTIONS[function]["Properties"]["LoggingConfig"]["LogGroup"]
    group = LOG_GROUPS[reference["Ref"]]
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert function in str(group["Properties"]["LogGroupName"])
    assert group.get("DeletionPolicy") == "Delete"


def test_each_log_group_serves_one_function() -> None:
    used = [FUNCTIONS[name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for name in FUNCTIONS]
    assert sorted(used) == sorted(LOG_GROUPS)
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_the_thumbnails_concurrency_is_reserved_only_when_asked() -> None:
    # A bulk upload must not take the account's concurrency from the API (issue 11); a new
    # account cannot set any aside, so the default reserves nothing.
    setting = FUNCTIONS["ThumbnailsFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert setting == {
        "Fn::If": [
            "ReservesThumbnailsConcurrency",
            {"Ref": "ThumbnailsReservedConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert TEMPLATE["Parameters"]["ThumbnailsReservedConcurrency"]["Default"] == 0
