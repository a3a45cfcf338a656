"""The awsJson1_1 codec that every transport shares, so their answers cannot drift.

A request is ``POST /`` with ``X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>``
and the input members as a JSON object; a success is HTTP 200 with the output as JSON;
an error is ``{"__type": code, "message": text}`` with the error's status. Both the
botocore hook and the HTTP server call :func:`handle`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_ecr.service.errors import EcrError

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921"
CONTENT_TYPE = "application/x-amz-json-1.1"

# SigV4: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request, ..."
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
# botocore's retry header: "attempt=2; max=5"
_ATTEMPT_RE = re.compile(r"attempt=(\d+)(?:;\s*max=(\d+))?")


@dataclass(frozen=True, slots=True)
class WireRequest:
    """A decoded ECR API request, whichever transport carried it."""

    operation: str
    params: Mapping[str, Any]
    region: str | None = None
    access_key: str | None = None
    attempt: int = 1
    max_attempts: int | None = None
    transport: str = "botocore"


@dataclass(frozen=True, slots=True)
class WireResponse:
    """An encoded answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                value = candidate
                break
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if value is None else str(value)


def parse_authorization(value: str | None) -> tuple[str | None, str | None]:
    """``(access key, signing region)`` from a SigV4 ``Authorization`` header."""
    if not value:
        return None, None
    match = _CREDENTIAL_RE.search(value)
    if match is None:
        return None, None
    return match.group(1), match.group(2)


def decode(headers: Mapping[str, Any], body: bytes | str | None, *, transport: str) -> WireRequest:
    """Decode one request; raises :class:`EcrError` for a bad target or body."""
    target = _header(headers, "X-Amz-Target") or ""
    prefix, _, operation = target.partition(".")
    if prefix != TARGET_PREFIX or not operation:
        raise EcrError(
            "UnknownOperationException",
            f"Unknown operation target {target!r}" if target else "Missing X-Amz-Target header",
        )
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        params = json.loads(body) if body else {}
    except ValueError:
        raise EcrError(
            "SerializationException", "Start of structure or map found where not expected."
        ) from None
    if not isinstance(params, dict):
        raise EcrError(
            "SerializationException", "Start of structure or map found where not expected."
        )
    access_key, region = parse_authorization(_header(headers, "Authorization"))
    attempt, max_attempts = 1, None
    match = _ATTEMPT_RE.search(_header(headers, "amz-sdk-request") or "")
    if match is not None:
        attempt = int(match.group(1))
        max_attempts = int(match.group(2)) if match.group(2) else None
    return WireRequest(
        operation=operation,
        params=params,
        region=region,
        access_key=access_key,
        attempt=attempt,
        max_attempts=max_attempts,
        transport=transport,
    )


def _headers(body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }


def encode_result(result: Mapping[str, Any]) -> WireResponse:
    body = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return WireResponse(200, _headers(body), body)


def encode_error(error: EcrError) -> WireResponse:
    body = json.dumps(error.body(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return WireResponse(error.status, _headers(body), body)


Handler = Callable[[WireRequest], Mapping[str, Any]]


def handle(
    handler: Handler, headers: Mapping[str, Any], body: bytes | str | None, *, transport: str
) -> WireResponse:
    """Decode, run *handler*, encode: the one path every transport takes.

    *handler* returns the output dict or raises :class:`EcrError`; anything else it raises
    propagates, so a bug in the fake surfaces in the test rather than as a fake 500.
    """
    try:
        request = decode(headers, body, transport=transport)
        return encode_result(handler(request))
    except EcrError as error:
        return encode_error(error)
