"""S3's check of a browser form upload (POST Object), in front of the local stack's moto.

moto stores whatever a form posts, without reading its policy or its signature. S3 refuses a
form whose policy has expired, whose signature is not the policy signed with the credential
it names, whose fields or file the policy's conditions do not allow, or with a field no
condition covers. The local stack runs this check on every form POST before moto sees it,
so that what an editor's browser meets locally is what it would meet on AWS (the upload
API's forms pin key, type, size and metadata: docs/images.md).

Rules as the S3 documentation states them ("Creating a POST policy", "Authenticating
Requests in Browser-Based Uploads Using POST (AWS Signature Version 4)"): exact matches
(``{"field": "value"}`` or ``["eq", "$field", "value"]``), ``["starts-with", "$field",
"prefix"]``, ``["content-length-range", min, max]`` on the file's size; field names are
compared without case; ``bucket`` is the bucket posted to; every field but ``policy``,
``x-amz-signature``, ``file`` and ``x-ignore-*`` must be named by a condition.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import io
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

# Fields no condition needs to name.
_UNCHECKED = frozenset({"policy", "x-amz-signature", "file"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """S3's answer to a form it does not accept."""

    status: int
    code: str
    message: str

    def xml(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message>"
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>"
        ).encode()


def _policy_refusal(message: str) -> Refusal:
    return Refusal(403, "AccessDenied", f"Invalid according to Policy: {message}")


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _signature_refusal(fields: Mapping[str, str], secrets: Mapping[str, str]) -> Refusal | None:
    credential = fields.get("x-amz-credential", "")
    parts = credential.split("/")
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256" or len(parts) != 5 or parts[4] != "aws4_request":
        return Refusal(400, "InvalidArgument", "POST requires a SigV4 credential, algorithm and signature")
    access_key, date, region, service, _ = parts
    if access_key not in secrets:
        return Refusal(
            403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        )
    expected = hmac.new(
        _signing_key(secrets[access_key], date, region, service), fields["policy"].encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        return Refusal(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    return None


def _condition_refusal(
    condition: Any, fields: Mapping[str, str], file_size: int, named: set[str]
) -> Refusal | None:
    if isinstance(condition, dict) and len(condition) == 1:
        ((name, value),) = condition.items()
        condition = ["eq", f"${name}", value]
    if not isinstance(condition, list) or len(condition) != 3:
        return _policy_refusal(f"Invalid Policy: Invalid condition {json.dumps(condition)}.")
    operator = str(condition[0]).lower()
    if operator == "content-length-range":
        low, high = int(condition[1]), int(condition[2])
        if file_size > high:
            return Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        if file_size < low:
            return Refusal(
                400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
            )
        return None
    name = str(condition[1]).lstrip("$").lower()
    named.add(name)
    actual, wanted = fields.get(name, ""), str(condition[2])
    matched = (
        actual == wanted
        if operator == "eq"
        else actual.startswith(wanted)
        if operator == "starts-with"
        else None
    )
    if matched is None:
        return _policy_refusal(f"Invalid Policy: Invalid condition {json.dumps(condition)}.")
    if not matched:
        return _policy_refusal(f"Policy Condition failed: {json.dumps(condition)}")
    return None


def check_form(
    bucket: str,
    form: Mapping[str, str],
    file_size: int,
    *,
    secrets: Mapping[str, str],
    now: dt.datetime | None = None,
) -> Refusal | None:
    """Whether S3 would take this form posted to ``bucket``: None, or its refusal.
    ``form`` holds the fields (the file excluded); ``secrets`` maps access key ids to their
    secret keys."""
    fields = {name.lower(): value for name, value in form.items()}
    fields["bucket"] = bucket
    if "policy" not in fields:
        # An unsigned form writes only to a bucket that lets anyone write: this one does not.
        return Refusal(403, "AccessDenied", "Access Denied")
    try:
        policy = json.loads(base64.b64decode(fields["policy"], validate=True))
        expiration = dt.datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy["conditions"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    refusal = _signature_refusal(fields, secrets)
    if refusal is not None:
        return refusal
    if expiration <= (now or dt.datetime.now(dt.UTC)):
        return _policy_refusal("Policy expired.")
    named: set[str] = {"bucket"}
    for condition in conditions:
        refusal = _condition_refusal(condition, fields, file_size, named)
        if refusal is not None:
            return refusal
    extra = sorted(
        name
        for name in fields
        if name not in named and name not in _UNCHECKED and not name.startswith("x-ignore-")
    )
    if extra:
        return _policy_refusal(f"Extra input fields: {', '.join(extra)}")
    return None


# --- in front of moto's server (WSGI) ------------------------------------------------------------

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class FormChecks:
    """What the check needs: the credentials forms may be signed with (access key id ->
    secret), and each bucket's origins its CORS rules let POST (set once the buckets exist),
    so that a page reads S3's refusal as it would on AWS."""

    credentials: Mapping[str, str]
    post_origins: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def cors_headers(self, bucket: str, origin: str | None) -> list[tuple[str, str]]:
        allowed = self.post_origins.get(bucket, ())
        if not origin or not allowed:
            return []
        if "*" in allowed:
            return [("Access-Control-Allow-Origin", "*")]
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin in allowed else []


def _form_bucket(environ: Mapping[str, Any]) -> str | None:
    """The bucket of a path-style POST Object request (``POST /<bucket>`` or ``/<bucket>/``,
    no query), else None."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING"):
        return None
    if not str(environ.get("CONTENT_TYPE", "")).lower().startswith("multipart/form-data"):
        return None
    segments = [segment for segment in str(environ.get("PATH_INFO", "")).split("/") if segment]
    return segments[0] if len(segments) == 1 else None


def checking_post_policies(app: WsgiApp, checks: FormChecks) -> WsgiApp:
    """``app`` (moto's server) behind S3's check of form uploads (``check_form``)."""
    from werkzeug.formparser import parse_form_data

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        bucket = _form_bucket(environ)
        if bucket is None:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        parsed = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        _, form, files = parse_form_data(parsed)
        upload = files.get("file")
        size = len(upload.stream.read()) if upload is not None else 0
        refusal = check_form(bucket, dict(form.items()), size, secrets=checks.credentials)
        if refusal is not None:
            answer = refusal.xml()
            start_response(
                f"{refusal.status} {'Forbidden' if refusal.status == 403 else 'Bad Request'}",
                [
                    ("Content-Type", "application/xml"),
                    ("Content-Length", str(len(answer))),
                    *checks.cors_headers(bucket, environ.get("HTTP_ORIGIN")),
                ],
            )
            return [answer]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return checked
