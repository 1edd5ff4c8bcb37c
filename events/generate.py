"""Regenerate the API Gateway events in this folder from SAM's own event generator.

    .venv-sam/bin/python events/generate.py      (or: make events)

``sam local generate-event apigateway aws-proxy`` gives the full REST proxy shape; this
script only sets what differs per route (method, path, resource, parameters, the token
header and the authorizer's context) and drops the sample body. The same files serve
``sam local invoke -e events/<name>.json`` and the tests (``tests.support.events``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote_plus

HERE = Path(__file__).resolve().parent
SAM = Path(sys.executable).parent / "sam"

# The token in these events is a documentation sample, valid for nothing.
SAMPLE_TOKEN = "Token 0123456789abcdef0123456789abcdef01234567"  # noqa: S105
AUTHORIZER_CONTEXT = {"user_id": "1", "username": "editor", "is_admin": "false", "principalId": "1"}


def _sam_event(kind: str, *options: str) -> dict:
    output = subprocess.run(  # noqa: S603 (our own sam binary)
        [str(SAM), "local", "generate-event", "apigateway", kind, *options],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    ).stdout
    return json.loads(output)


def _generated(path: str, resource: str, method: str) -> dict:
    return _sam_event(
        "aws-proxy", "--method", method, "--path", path.lstrip("/"), "--resource", resource, "--stage", "Prod"
    )


def api_event(
    path: str,
    resource: str,
    query: dict[str, list[str]],
    path_parameters: dict | None,
    *,
    method: str = "GET",
    body: dict | None = None,
) -> dict:
    event = _generated(path, resource, method)
    event["body"] = json.dumps(body) if body is not None else None
    event["isBase64Encoded"] = False
    event["stageVariables"] = None
    event["pathParameters"] = path_parameters
    event["queryStringParameters"] = {name: values[-1] for name, values in query.items()} or None
    event["multiValueQueryStringParameters"] = query or None
    headers = {**event["headers"], "Accept": "application/json", "Authorization": SAMPLE_TOKEN}
    if body is not None:
        headers["Content-Type"] = "application/json"
    headers["Host"] = event["multiValueHeaders"]["Host"][0]
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    event["requestContext"]["authorizer"] = AUTHORIZER_CONTEXT
    event["requestContext"]["domainName"] = headers["Host"]
    return event


def authorizer_request_event() -> dict:
    """What API Gateway sends the token authorizer for the list route (``sam local
    generate-event apigateway request-authorizer``), with the token header, and without the
    client certificate and made-up headers of SAM's sample."""
    event = _sam_event(
        "request-authorizer", "--method", "GET", "--resource", "api/portfolios/", "--stage", "Prod"
    )
    proxy = api_event("/api/portfolios/", "/api/portfolios", {}, None)
    headers = proxy["headers"]
    event["resource"] = "/api/portfolios"
    event["path"] = "/api/portfolios/"
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    event["queryStringParameters"] = {}
    event["multiValueQueryStringParameters"] = {}
    event["stageVariables"] = {}
    context = event["requestContext"]
    context["path"] = "/Prod/api/portfolios/"
    context["resourcePath"] = "/api/portfolios"
    context["requestId"] = proxy["requestContext"]["requestId"]
    context["identity"] = {"sourceIp": "127.0.0.1", "userAgent": headers["User-Agent"]}
    return event


# An editor's upload as S3 reports it to ThumbnailsFunction (account and bucket are samples).
SAMPLE_UPLOAD_KEY = "uploads/2f9c1d7e/عکس پروژه 1.jpg"
SAMPLE_MEDIA_BUCKET = "portfolio-media-123456789012-699345ae61be"


def s3_put_event() -> dict:
    """What S3 sends ThumbnailsFunction for one upload (``sam local generate-event s3 put``),
    with the key URL-encoded as S3 encodes it (``+`` for a space, percent-encoded UTF-8 for a
    Persian name) and the fields S3 fills that SAM's sample leaves as placeholders."""
    encoded_key = quote_plus(SAMPLE_UPLOAD_KEY, safe="/")
    output = subprocess.run(  # noqa: S603 (our own sam binary)
        [
            str(SAM),
            "local",
            "generate-event",
            "s3",
            "put",
            *("--bucket", SAMPLE_MEDIA_BUCKET, "--key", encoded_key),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    ).stdout
    event = json.loads(output)
    record = event["Records"][0]
    record["eventVersion"] = "2.1"
    record["eventTime"] = "2026-05-01T09:30:12.345Z"
    record["userIdentity"] = {"principalId": "AWS:AIDAEXAMPLEEDITOR0001"}
    record["requestParameters"] = {"sourceIPAddress": "203.0.113.10"}
    record["s3"]["configurationId"] = "ThumbnailsFunctionUploadJpg"
    record["s3"]["object"] = {
        "key": encoded_key,
        "size": 482913,
        "eTag": "5d41402abc4b2a76b9719d911017c592",
        "sequencer": "00663204A49A8E5B2C",
    }
    return event


def main() -> None:
    events = {
        "list_portfolios": api_event(
            "/api/portfolios/",
            "/api/portfolios",
            {"search": ["site"], "has_image": ["true"], "limit": ["20"]},
            None,
        ),
        "retrieve_portfolio": api_event("/api/portfolios/148/", "/api/portfolios/{id}", {}, {"id": "148"}),
        "authorizer_request": authorizer_request_event(),
        # An editor asks for an upload form, then for where the upload stands.
        "create_upload": api_event(
            "/api/uploads/",
            "/api/uploads",
            {},
            None,
            method="POST",
            body={"file_name": "team.jpg", "content_type": "image/jpeg", "size": 482913, "name": "Team"},
        ),
        "get_upload": api_event(
            "/api/uploads/0123456789abcdef0123456789abcdef/",
            "/api/uploads/{upload_id}",
            {},
            {"upload_id": "0123456789abcdef0123456789abcdef"},
        ),
        "s3_put": s3_put_event(),
    }
    for name, event in events.items():
        (HERE / f"{name}.json").write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
