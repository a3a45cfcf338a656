"""Blobs: ``HEAD /v2/<name>/blobs/<digest>`` as BatchCheckLayerAvailability, ``GET`` as
GetDownloadUrlForLayer and a redirect to the URL it gives (ecr-control-plane.md §15.3),
and that URL itself: the layer's bytes, with ``Range``, streamed a slice at a time.

The layer URL stands in for ECR's presigned S3 URL: it is served by the same server on a
path of its own (:mod:`pytest_ecr.service.layer_urls`), checked (signature, one hour on
the fake's clock) when fetched, and answers S3's XML errors. Fetching it is not an ECR
API call, so it is not recorded.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Final

from pytest_ecr.model import is_valid_digest
from pytest_ecr.model.blobs import BlobContent
from pytest_ecr.service.layer_urls import check_layer_url, parse_layer_path
from pytest_ecr.transports.http_server.registry.context import RegistryContext
from pytest_ecr.transports.http_server.registry.oci import API_VERSION, OciError
from pytest_ecr.transports.http_server.routes import Request, Response, Server

#: The most bytes of a blob handed to the connection at once.
SLICE: Final = 1024 * 1024
OCTETS: Final = "application/octet-stream"
_RANGE_RE: Final = re.compile(r"bytes=(\d*)-(\d*)")
# S3's texts for a presigned URL it refuses, and for a key it does not have.
_S3_ERRORS: Final = {
    "AccessDenied": (403, "Request has expired"),
    "SignatureDoesNotMatch": (
        403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    ),
    "NoSuchKey": (404, "The specified key does not exist."),
    "ServiceUnavailable": (503, "No pytest-ecr registry is attached"),
}


def checked_digest(digest: str) -> str:
    if not is_valid_digest(digest):
        raise OciError(400, "DIGEST_INVALID", f"Invalid digest '{digest}'")
    return digest


def head_blob(ctx: RegistryContext, name: str, digest: str) -> Response:
    params = {"repositoryName": name, "layerDigests": [checked_digest(digest)]}
    result = ctx.answer("BatchCheckLayerAvailability", params, name)
    layers = [
        layer
        for layer in result.get("layers") or ()
        if layer.get("layerAvailability") == "AVAILABLE"
    ]
    if not layers:
        raise OciError(404, "BLOB_UNKNOWN", "blob unknown to registry")
    headers = [API_VERSION, ("Content-Type", OCTETS), ("Docker-Content-Digest", digest)]
    size = layers[0].get("layerSize")
    if isinstance(size, int):
        headers.append(("Content-Length", str(size)))
    # An empty stream: the server then keeps the Content-Length given (a HEAD has no body).
    return Response(200, headers, iter(()))


def get_blob(ctx: RegistryContext, name: str, digest: str) -> Response:
    params = {"repositoryName": name, "layerDigest": checked_digest(digest)}
    result = ctx.answer("GetDownloadUrlForLayer", params, name)
    # The URL's path and query, on the host the client reached: the fake may know this
    # server by another of its ports.
    url = urllib.parse.urlsplit(str(result["downloadUrl"]))
    location = f"{ctx.base_url}{url.path}?{url.query}"
    headers = [API_VERSION, ("Location", location), ("Docker-Content-Digest", digest)]
    return Response(307, headers, b"")


def _s3_error(code: str) -> Response:
    status, message = _S3_ERRORS[code]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    ).encode()
    return Response(status, [("Content-Type", "application/xml")], body)


class Unsatisfiable(ValueError):
    """A ``Range`` that lies past the blob's end."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a ``Range`` header; ``None`` to answer the
    whole blob (no header, or one this server ignores: several ranges, another unit).
    Raises :class:`Unsatisfiable` for a range past the end."""
    if not header:
        return None
    found = _RANGE_RE.fullmatch(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(size - count, 0), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if start >= size or (last and int(last) < start):
        raise Unsatisfiable(header)
    return start, end


def _slices(content: BlobContent, start: int, end: int) -> Iterator[bytes]:
    for chunk in content.chunks(start, end):
        if len(chunk) <= SLICE:
            yield chunk
            continue
        view = memoryview(chunk)
        for offset in range(0, len(chunk), SLICE):
            yield bytes(view[offset : offset + SLICE])


def layer_download(server: Server, request: Request) -> Response:
    """``GET`` (or ``HEAD``) of a layer URL: the blob's bytes, whole or a range."""
    fake = server.fake
    if fake is None:
        return _s3_error("ServiceUnavailable")
    location = parse_layer_path(request.path)
    if location is None:
        return _s3_error("NoSuchKey")
    problem = check_layer_url(request.path, request.query, fake.clock.now())
    if problem is not None:
        return _s3_error(problem)
    content = fake.blob_content(*location)
    if content is None:
        return _s3_error("NoSuchKey")
    size = content.size
    headers = [("Content-Type", OCTETS), ("Accept-Ranges", "bytes")]
    try:
        wanted = byte_range(request.headers.get("range"), size)
    except Unsatisfiable:
        headers.append(("Content-Range", f"bytes */{size}"))
        return Response(416, headers, b"")
    start, end = (0, size) if wanted is None else wanted
    status = 200 if wanted is None else 206
    if wanted is not None:
        headers.append(("Content-Range", f"bytes {start}-{end - 1}/{size}"))
    headers.append(("Content-Length", str(end - start)))
    return Response(status, headers, _slices(content, start, end))


__all__ = [
    "SLICE",
    "Unsatisfiable",
    "byte_range",
    "checked_digest",
    "get_blob",
    "head_blob",
    "layer_download",
]
