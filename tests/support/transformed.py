"""template.yaml as CloudFormation deploys it: after the SAM transform (AWS::Serverless-2016-10-31),
with local code paths replaced by S3 locations as `sam package` / `sam deploy` replace them."""

from __future__ import annotations

import copy
import os
from functools import cache
from typing import Any

from portfolio.infra.template import load_template

PACKAGED_BUCKET = "sam-artifacts-example"
_CODE_PROPERTIES = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


class _NoManagedPolicies:
    # The template names no AWS managed policy by name (only statements and SAM policy
    # templates): the transform never needs IAM's list of them.
    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` uploads and rewrites: every local CodeUri/ContentUri to an S3 URI."""
    result = copy.deepcopy(template)
    for logical_id, resource in result["Resources"].items():
        name = _CODE_PROPERTIES.get(resource.get("Type", ""))
        if name is not None and isinstance(resource.get("Properties", {}).get(name), str):
            resource["Properties"][name] = f"s3://{PACKAGED_BUCKET}/{logical_id}.zip"
    return result


@cache
def _transformed(region: str) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    previous = os.environ.get("AWS_DEFAULT_REGION")
    # The transform reads the region for the ARNs it builds (from the environment, as sam does).
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        return dict(transform(packaged(load_template()), {}, _NoManagedPolicies()))
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


def transformed_template(region: str = "us-east-1") -> dict[str, Any]:
    """The transformed template (a copy: callers may change it)."""
    return copy.deepcopy(_transformed(region))


def transformed_resources(resource_type: str, region: str = "us-east-1") -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in transformed_template(region)["Resources"].items()
        if resource["Type"] == resource_type
    }
