"""The awsJson1_1 codec that every transport shares, so their answers cannot drift.

A request is ``POST /`` with ``X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>``
and the input members as a JSON object; a success is HTTP 200 with the output as JSON;
an error is ``{"__type": code, "message": text}`` with the error's status. Both the
botocore hook and the HTTP server go through :func:`respond`: decode the request, let
the active fake answer the decoded request, encode. The fake never sees headers or bytes.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from pytest_ecr.service.errors import EcrError

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921"
CONTENT_TYPE = "application/x-amz-json-1.1"

# SigV4: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request, ..."
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
# botocore's retry header: "attempt=2; max=5"
_ATTEMPT_RE = re.compile(r"attempt=(\d+)(?:;\s*max=(\d+))?")


class WireRequest(NamedTuple):
    """A decoded ECR API request, whichever transport carried it."""

    operation: str
    params: Mapping[str, Any]
    region: str | None = None
    access_key: str | None = None
    attempt: int = 1
    max_attempts: int | None = None
    transport: str = "botocore"


class WireResponse(NamedTuple):
    """An encoded answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    # botocore's and http.server's header objects look names up case-insensitively; only
    # a plain dict needs the scan.
    if value is None and type(headers) is dict:
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


_WANTED = {"x-amz-target": 0, "authorization": 1, "amz-sdk-request": 2}


def _three_headers(headers: Mapping[str, Any]) -> list[str | None]:
    """X-Amz-Target, Authorization and amz-sdk-request, in one pass over the headers.

    botocore's and http.server's header objects are ``email.message.Message`` objects, whose
    ``get`` scans every header; their raw list is read once instead.
    """
    raw = getattr(headers, "_headers", None)
    if not isinstance(raw, list):
        return [
            _header(headers, name) for name in ("X-Amz-Target", "Authorization", "amz-sdk-request")
        ]
    found: list[str | None] = [None, None, None]
    for name, value in raw:
        index = _WANTED.get(name.lower())
        if index is not None and found[index] is None:
            found[index] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return found


class WireHead(NamedTuple):
    """What the headers of a request say: the operation, and who asks from where."""

    operation: str
    region: str | None
    access_key: str | None
    attempt: int
    max_attempts: int | None


def decode_head(headers: Mapping[str, Any]) -> WireHead:
    """Decode a request's headers; raises :class:`EcrError` for a bad target."""
    target_header, authorization, sdk_request = _three_headers(headers)
    target = target_header or ""
    prefix, _, operation = target.partition(".")
    if prefix != TARGET_PREFIX or not operation:
        raise EcrError(
            "UnknownOperationException",
            f"Unknown operation target {target!r}" if target else "Missing X-Amz-Target header",
        )
    access_key, region = parse_authorization(authorization)
    attempt, max_attempts = 1, None
    if sdk_request:
        match = _ATTEMPT_RE.search(sdk_request)
        if match is not None:
            attempt = int(match.group(1))
            max_attempts = int(match.group(2)) if match.group(2) else None
    return WireHead(operation, region, access_key, attempt, max_attempts)


def body_bytes(body: bytes | bytearray | str | None) -> bytes | bytearray:
    """A request body as bytes (``b""`` for none; a bytearray stays one)."""
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def decode_body(head: WireHead, body: bytes | bytearray, *, transport: str) -> WireRequest:
    """The request of *head* with the JSON object of *body* as its parameters."""
    try:
        params = json.loads(body) if body else {}
    except (ValueError, RecursionError):  # nesting deeper than Python's stack is malformed too
        raise EcrError(
            "SerializationException", "Start of structure or map found where not expected."
        ) from None
    if not isinstance(params, dict):
        raise EcrError(
            "SerializationException", "Start of structure or map found where not expected."
        )
    # A one-byte find is a memchr scan; the regex runs only on a body with an escape.
    if body.find(b"\\") != -1 and _SURROGATE_ESCAPE.search(body) is not None:
        _refuse_lone_surrogates(params, "")
    return WireRequest(
        operation=head.operation,
        params=params,
        region=head.region,
        access_key=head.access_key,
        attempt=head.attempt,
        max_attempts=head.max_attempts,
        transport=transport,
    )


# A JSON escape of a UTF-16 surrogate: a valid pair decodes to one character, a lone one
# stays a surrogate that no UTF-8 encoder (a digest, an answer) can take.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _refuse_lone_surrogates(value: Any, member: str) -> None:
    """Refuse a request whose strings hold a lone surrogate, naming the member in ECR's
    wording, before any operation sees it (so nothing is stored that cannot be read)."""
    if isinstance(value, str):
        if any("\ud800" <= char <= "\udfff" for char in value):
            raise EcrError(
                "InvalidParameterException",
                f"Invalid parameter at '{member or 'request'}' failed to satisfy constraint: "
                "'Member must contain only valid Unicode characters'",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key, member)
            _refuse_lone_surrogates(item, f"{member}.{key}" if member else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_lone_surrogates(item, f"{member}.{index + 1}.member")


def decode_request(
    headers: Mapping[str, Any], body: bytes | bytearray | str | None, *, transport: str
) -> WireRequest:
    """Decode one request (headers and body); raises :class:`EcrError` for a request ECR
    would refuse before reading it (a bad target, a body that is not a JSON object)."""
    return decode_body(decode_head(headers), body_bytes(body), transport=transport)


def respond(
    answer: Callable[[WireRequest], Mapping[str, Any]],
    headers: Mapping[str, Any],
    body: bytes | bytearray | str | None,
    *,
    transport: str,
) -> WireResponse:
    """The whole codec step of a transport: decode the request, have *answer* answer it,
    encode its output or the :class:`EcrError` it raised. Anything else *answer* raises
    (an injected connection fault) propagates for the transport to act out."""
    try:
        return encode_result(answer(decode_request(headers, body, transport=transport)))
    except EcrError as error:
        return encode_error(error)


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
# Request ids only need to be unique and UUID-shaped (version 4 layout): a random
# per-process prefix and a counter, so one costs a counter step and one format.
_ID_PREFIX = "{0[0]:08x}-{0[1]:04x}-4{0[2]:03x}-{0[3]:04x}-".format(
    [random.getrandbits(32), random.getrandbits(16), random.getrandbits(12), 0x8000]
)
_id_counter = itertools.count(random.getrandbits(44))


def request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


def _headers(body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id(),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }


# BatchGetImage answers repeat the same image entries call after call, and escaping their
# manifests dominates encoding (benchmark section 1, 100 ids). Each distinct entry is
# encoded once, keyed by its whole content: only an entry of exactly BatchGetImage's
# shape (these member names, in this order, every value a string) is kept, and its key
# holds every value, so a hit is the text encoding it would give.
_FRAGMENTS: dict[tuple[str, ...], str] = {}
_FRAGMENTS_MAX = 20_000
_ENTRY_NAMES = (
    "registryId",
    "repositoryName",
    "imageId",
    "imageManifest",
    "imageManifestMediaType",
)
_DIGEST_ONLY = ("imageDigest",)
_DIGEST_AND_TAG = ("imageDigest", "imageTag")


def _entry_key(entry: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Every value of an image entry of BatchGetImage's exact shape, or ``None`` for an
    entry of any other shape (then it is not kept)."""
    if tuple(entry) != _ENTRY_NAMES:
        return None
    registry_id, name, image_id, manifest, media_type = entry.values()
    if type(image_id) is not dict:
        return None
    names = tuple(image_id)
    if names == _DIGEST_AND_TAG:
        digest, tag = image_id.values()
        if type(tag) is not str:
            return None
        key: tuple[str, ...] = (registry_id, name, manifest, media_type, digest, tag)
    elif names == _DIGEST_ONLY:
        (digest,) = image_id.values()
        key = (registry_id, name, manifest, media_type, digest)
    else:
        return None
    # One test per value: this runs for every image of every answer.
    if (
        type(registry_id) is str
        and type(name) is str
        and type(manifest) is str
        and type(media_type) is str
        and type(digest) is str
    ):
        return key
    return None


def _image_fragment(entry: Mapping[str, Any]) -> str:
    key = _entry_key(entry)
    if key is None:
        return _encode(entry)
    fragment = _FRAGMENTS.get(key)
    if fragment is None:
        if len(_FRAGMENTS) >= _FRAGMENTS_MAX:
            _FRAGMENTS.clear()
        fragment = _FRAGMENTS[key] = _encode(entry)
    return fragment


def encode_json(result: Mapping[str, Any]) -> str:
    """Compact JSON of an output (or any JSON-level) dict, as ECR would send it."""
    images = result.get("images")
    if (
        type(images) is list
        and tuple(result) == ("images", "failures")
        and all(type(e) is dict for e in images)
    ):
        return (
            '{"images":['
            + ",".join([_image_fragment(e) for e in images])
            + '],"failures":'
            + _encode(result["failures"])
            + "}"
        )
    return _encode(result)


def encode_result(result: Mapping[str, Any]) -> WireResponse:
    """A success answering *result* (the operation's output members)."""
    return encode_body(encode_json(result).encode("utf-8"))


def encode_body(body: bytes) -> WireResponse:
    """A success whose JSON body is already encoded."""
    return WireResponse(200, _headers(body), body)


def encode_error(error: EcrError) -> WireResponse:
    """An error answer: ``{"__type": code, "message": text}`` with the error's status."""
    body = _encode(error.body()).encode("utf-8")
    return WireResponse(error.status, _headers(body), body)
