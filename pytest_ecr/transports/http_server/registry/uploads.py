"""Blob uploads: ``POST /v2/<name>/blobs/uploads/`` as InitiateLayerUpload (or a
cross-repository mount), ``PATCH`` as UploadLayerPart, ``PUT ?digest=`` as the last
parts and CompleteLayerUpload (ecr-control-plane.md §15.4).

A body of any size is read from the request's stream and handed on in parts of
:data:`~pytest_ecr.service.layers.PART_SIZE` (10 MiB, ECR's ``partSize``), as bytes, so
no base64 round trip is made and the transport never holds more than one part and a
half: a part is sent once 15 MiB wait, so the last part of a body is never under 5 MiB
(ECR's smallest part but the last) unless the whole body is. Each part is one
UploadLayerPart call in the history.

The upload's progress travels in the ``Location`` each answer gives (``?_state=<bytes
received>``, as distribution keeps its state in the URL); UploadLayerPart checks it
against the upload's own count, so a client that resends a stale offset is refused.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Final

from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.layers import MIN_PART_SIZE, PART_SIZE, UPLOAD_ID_PATTERN
from pytest_ecr.transports.http_server.registry.blobs import checked_digest
from pytest_ecr.transports.http_server.registry.context import RegistryContext
from pytest_ecr.transports.http_server.registry.oci import API_VERSION, OciError, from_ecr
from pytest_ecr.transports.http_server.registry.paths import query_fields
from pytest_ecr.transports.http_server.routes import Response

#: A part is sent once this many bytes wait (so the last one is at least 5 MiB).
SEND_AT: Final = PART_SIZE + MIN_PART_SIZE
_UPLOAD_ID_RE: Final = re.compile(UPLOAD_ID_PATTERN)
_CONTENT_RANGE_RE: Final = re.compile(r"(?:bytes[ =])?(\d+)-(\d+)(?:/\S+)?")


def _take(chunks: deque[bytes], size: int) -> bytes:
    """The first *size* bytes of *chunks*, taken off them (one copy, into the part)."""
    out: list[bytes] = []
    need = size
    while need:
        chunk = chunks.popleft()
        if len(chunk) > need:
            out.append(chunk[:need])
            chunks.appendleft(chunk[need:])
            break
        out.append(chunk)
        need -= len(chunk)
    return b"".join(out)


def _upload_part(ctx: RegistryContext, name: str, upload_id: str, first: int, part: bytes) -> int:
    params = {
        "repositoryName": name,
        "uploadId": upload_id,
        "partFirstByte": first,
        "partLastByte": first + len(part) - 1,
        "layerPartBlob": part,
    }
    result = ctx.answer("UploadLayerPart", params, name)
    return int(result["lastByteReceived"]) + 1


def send_body(ctx: RegistryContext, name: str, upload_id: str, offset: int) -> int:
    """Hand the request's body to the upload in parts; the bytes received after it."""
    stream = ctx.request.stream
    if stream is None:
        return offset
    chunks: deque[bytes] = deque()
    held = 0
    for data in stream:
        chunks.append(data)
        held += len(data)
        while held >= SEND_AT:
            part = _take(chunks, PART_SIZE)
            held -= len(part)
            offset = _upload_part(ctx, name, upload_id, offset, part)
    if held:
        part = _take(chunks, held)
        offset = _upload_part(ctx, name, upload_id, offset, part)
    return offset


def _upload_headers(name: str, upload_id: str, received: int, base: str) -> list[tuple[str, str]]:
    return [
        API_VERSION,
        ("Location", f"{base}/v2/{name}/blobs/uploads/{upload_id}?_state={received}"),
        ("Range", f"0-{max(received - 1, 0)}"),
        ("Docker-Upload-UUID", upload_id),
    ]


def _blob_created(ctx: RegistryContext, name: str, digest: str) -> Response:
    headers = [
        API_VERSION,
        ("Location", f"{ctx.base_url}/v2/{name}/blobs/{digest}"),
        ("Docker-Content-Digest", digest),
    ]
    return Response(201, headers, b"")


def _complete(ctx: RegistryContext, name: str, upload_id: str, digest: str) -> Response:
    params = {"repositoryName": name, "uploadId": upload_id, "layerDigests": [digest]}
    try:
        ctx.answer_raw("CompleteLayerUpload", params)
    except EcrError as error:
        # chosen: an upload of a blob the repository has is a success for the client
        if error.code != "LayerAlreadyExistsException":
            raise from_ecr(error, name, ctx.account) from None
    return _blob_created(ctx, name, digest)


def start_upload(ctx: RegistryContext, name: str) -> Response:
    """POST: mount (``?mount=&from=``), a monolithic upload (``?digest=``), or a session."""
    fields = query_fields(ctx.request.query)
    mount, source = fields.get("mount"), fields.get("from")
    if mount and source and ctx.fake.mount_blob(ctx.account, ctx.region, source, name, mount):
        return _blob_created(ctx, name, checked_digest(mount))
    digest = fields.get("digest")
    if digest is not None:
        checked_digest(digest)
    result = ctx.answer("InitiateLayerUpload", {"repositoryName": name}, name)
    upload_id = str(result["uploadId"])
    if digest is not None:
        send_body(ctx, name, upload_id, 0)
        return _complete(ctx, name, upload_id, digest)
    return Response(202, _upload_headers(name, upload_id, 0, ctx.base_url), b"")


def _offset(ctx: RegistryContext, upload_id: str) -> int:
    """Where this request's bytes start: ``Content-Range``'s start when the client sends
    one, else the ``_state`` of the ``Location`` it was given."""
    if _UPLOAD_ID_RE.fullmatch(upload_id) is None:
        raise OciError(404, "BLOB_UPLOAD_UNKNOWN", f"Upload '{upload_id}' not found")
    content_range = ctx.request.headers.get("content-range")
    if content_range:
        found = _CONTENT_RANGE_RE.fullmatch(content_range.strip())
        if found is None:
            raise OciError(416, "BLOB_UPLOAD_INVALID", f"Invalid Content-Range '{content_range}'")
        return int(found.group(1))
    state = query_fields(ctx.request.query).get("_state", "0")
    return int(state) if state.isdigit() else 0


def patch_upload(ctx: RegistryContext, name: str, upload_id: str) -> Response:
    """PATCH: the body as the next parts. ECR answers 201 (not the spec's 202)."""
    received = send_body(ctx, name, upload_id, _offset(ctx, upload_id))
    return Response(201, _upload_headers(name, upload_id, received, ctx.base_url), b"")


def put_upload(ctx: RegistryContext, name: str, upload_id: str) -> Response:
    """PUT ``?digest=``: the body (if any) as the last parts, then CompleteLayerUpload."""
    offset = _offset(ctx, upload_id)
    digest = query_fields(ctx.request.query).get("digest")
    if not digest:
        raise OciError(400, "DIGEST_INVALID", "digest parameter is missing")
    checked_digest(digest)
    send_body(ctx, name, upload_id, offset)
    return _complete(ctx, name, upload_id, digest)


def upload_status(ctx: RegistryContext, name: str, upload_id: str) -> Response:
    """GET: the progress the client was last told (ECR's own answer is unknown)."""
    received = _offset(ctx, upload_id)
    return Response(204, _upload_headers(name, upload_id, received, ctx.base_url), b"")


__all__ = ["SEND_AT", "patch_upload", "put_upload", "send_body", "start_upload", "upload_status"]
