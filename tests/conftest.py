"""The environment every test process starts with.

Set here, at import, before any test imports ``portfolio.data.models`` (pynamodb reads table
names when the model classes are created): dummy AWS credentials, no endpoint override (the
tests never talk to a running stack by accident), the template's table names.
"""

from __future__ import annotations

import os

from portfolio.infra.template import load_template, table_environment

for _variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
    os.environ.pop(_variable, None)

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "portfolio-api",
        "POWERTOOLS_METRICS_NAMESPACE": "PortfolioApi",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "MEDIA_BUCKET": "portfolio-media-test",
        "MEDIA_BASE_URL": "http://media.example.test/media",
    }
)
# Each table's environment variable names the table by its logical id, as the local stack does.
os.environ.update(table_environment(load_template()))
