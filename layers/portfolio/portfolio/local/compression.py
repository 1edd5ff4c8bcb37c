"""API Gateway's response compression (REST API ``MinimumCompressionSize``), for the local stack.

As API Gateway documents it: an integration's answer is compressed only when the API has a
minimum size, the request's ``Accept-Encoding`` names a coding API Gateway supports (gzip or
deflate; a missing header, ``*`` or ``identity`` alone mean no compression), the answer has no
``Content-Encoding`` of its own, and its body is at least the minimum size. Gateway responses
(API Gateway's own errors) are not integration answers and are never compressed here.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import replace

from portfolio.local.proxy import HttpReply

# The codings API Gateway compresses with, preferred first when the client weighs them equally.
SUPPORTED_CODINGS = ("gzip", "deflate")


def _weight(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def negotiated_coding(accept_encoding: str | None) -> str | None:
    """The coding to compress with for this ``Accept-Encoding``, or None."""
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *parameters = item.split(";")
        coding = coding.strip().lower()
        if coding in SUPPORTED_CODINGS:
            weights[coding] = max(weights.get(coding, 0.0), _weight(parameters))
    accepted = [coding for coding in SUPPORTED_CODINGS if weights.get(coding, 0.0) > 0]
    if not accepted:
        return None
    return max(accepted, key=lambda coding: (weights[coding], -SUPPORTED_CODINGS.index(coding)))


def _header(reply: HttpReply, name: str) -> str | None:
    return next((value for header, value in reply.headers if header.lower() == name), None)


def compress_reply(reply: HttpReply, accept_encoding: str | None, minimum_size: int | None) -> HttpReply:
    """``reply`` as API Gateway would send it to a client sending ``accept_encoding`` on an API
    whose MinimumCompressionSize is ``minimum_size`` (None: compression off)."""
    if minimum_size is None or len(reply.body) < minimum_size or _header(reply, "content-encoding"):
        return reply
    coding = negotiated_coding(accept_encoding)
    if coding is None:
        return reply
    body = gzip.compress(reply.body, mtime=0) if coding == "gzip" else zlib.compress(reply.body)
    headers = [(name, value) for name, value in reply.headers if name.lower() != "content-length"]
    return replace(reply, headers=[*headers, ("Content-Encoding", coding)], body=body)
