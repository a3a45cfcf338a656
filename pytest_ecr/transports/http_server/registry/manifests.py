"""``/v2/<name>/manifests/<reference>``: GET and HEAD as BatchGetImage, PUT as PutImage,
DELETE as BatchDeleteImage (ecr-control-plane.md §15.2, §15.7).

``Accept`` becomes BatchGetImage's ``acceptedMediaTypes`` (in the client's order, so
the same translation table decides); a manifest is answered as the exact bytes
BatchGetImage returns. ``Docker-Content-Digest`` is sent on HEAD and not on GET, as ECR
has been seen to do (clients compute it from the body).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.model import MediaType, is_valid_digest
from pytest_ecr.model.names import IMAGE_TAG_RE, MANIFEST_MAX_LENGTH
from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.api import BIG_BODY
from pytest_ecr.transports.http_server.registry.context import RegistryContext
from pytest_ecr.transports.http_server.registry.oci import (
    API_VERSION,
    OciError,
    digest_mismatch,
    from_ecr,
    manifest_unknown,
    unsupported,
)
from pytest_ecr.transports.http_server.routes import Response
from pytest_ecr.transports.http_server.stream import BodyStream

#: ``acceptedMediaTypes`` holds at most this many types of at most this length.
_MAX_ACCEPTED: Final = 100
_MAX_TYPE_LENGTH: Final = 255

#: Image failure code -> (status, registry code), for a manifest GET or HEAD.
_FAILURES: Final = {
    "ImageNotFound": (404, "MANIFEST_UNKNOWN"),
    "ImageTagDoesNotMatchDigest": (404, "MANIFEST_UNKNOWN"),
    "ImageInaccessible": (404, "MANIFEST_UNKNOWN"),
    "InvalidImageDigest": (400, "DIGEST_INVALID"),
    "InvalidImageTag": (400, "TAG_INVALID"),
    "UpstreamAccessDenied": (403, "DENIED"),
    "UpstreamTooManyRequests": (429, "TOOMANYREQUESTS"),
    "UpstreamUnavailable": (503, "UNAVAILABLE"),
}


def accepted_media_types(accept: str) -> list[str]:
    """The media types of an ``Accept`` header, in order, without parameters, ``*/*``
    or repeats, as many as ``acceptedMediaTypes`` holds."""
    found: dict[str, None] = {}
    for item in accept.split(","):
        media_type, _, params = item.partition(";")
        media_type = media_type.strip()
        if not media_type or "*" in media_type or len(media_type) > _MAX_TYPE_LENGTH:
            continue
        if _quality(params) <= 0:
            continue
        found.setdefault(media_type, None)
    return list(found)[:_MAX_ACCEPTED]


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def image_id(reference: str) -> dict[str, str]:
    """The ``imageId`` a path's reference names; :class:`OciError` for one that is
    neither a tag nor a digest (answered before anything is asked of ECR)."""
    if ":" in reference:
        if not is_valid_digest(reference):
            raise OciError(400, "DIGEST_INVALID", f"Invalid digest '{reference}'")
        return {"imageDigest": reference}
    if IMAGE_TAG_RE.fullmatch(reference) is None or len(reference) > 300:
        # seen: a reference that is not a tag gets 400 (bazel-contrib/rules_oci#720);
        # the code and text are chosen
        raise OciError(400, "TAG_INVALID", f"Invalid tag '{reference}'")
    return {"imageTag": reference}


def _failure(failure: Mapping[str, Any]) -> OciError:
    code = str(failure.get("failureCode", ""))
    reason = str(failure.get("failureReason") or "Requested image not found")
    status, registry_code = _FAILURES.get(code, (500, "UNKNOWN"))
    return OciError(status, registry_code, reason)


def get_manifest(ctx: RegistryContext, name: str, reference: str) -> Response:
    """GET or HEAD (the server sends no body for HEAD)."""
    params: dict[str, Any] = {"repositoryName": name, "imageIds": [image_id(reference)]}
    accepted = accepted_media_types(ctx.request.headers.get("accept", ""))
    if accepted:
        params["acceptedMediaTypes"] = accepted
    result = ctx.answer("BatchGetImage", params, name)
    images = result.get("images") or []
    if not images:
        failures = result.get("failures") or []
        raise _failure(failures[0]) if failures else manifest_unknown()
    image = images[0]
    body = str(image["imageManifest"]).encode("utf-8")
    headers = [API_VERSION, ("Content-Type", str(image["imageManifestMediaType"]))]
    if ctx.request.method == "HEAD":
        headers.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest()))
    return Response(200, headers, body)


def _read_manifest(stream: BodyStream | None) -> bytes:
    """The whole (bounded) manifest body; anything beyond the bound is left unread."""
    if stream is None:
        return b""
    parts: list[bytes] = []
    size = 0
    for data in stream:
        size += len(data)
        if size > MANIFEST_MAX_LENGTH:
            raise unsupported(
                "Invalid parameter at 'imageManifest' failed to satisfy constraint: "
                f"'Member must have length less than or equal to {MANIFEST_MAX_LENGTH}'"
            )
        parts.append(data)
    return b"".join(parts)


def put_manifest(ctx: RegistryContext, name: str, reference: str) -> Response:
    """PUT: PutImage with the exact bytes, by tag or by digest."""
    ident = image_id(reference)
    body = _read_manifest(ctx.request.stream)
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise unsupported(
            "Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
            "'Invalid JSON syntax'"
        ) from None
    params: dict[str, Any] = {"repositoryName": name, "imageManifest": text}
    content_type = ctx.request.headers.get("content-type", "").partition(";")[0].strip()
    if content_type in MediaType.KNOWN:
        params["imageManifestMediaType"] = content_type
    if "imageDigest" in ident:
        params["imageDigest"] = reference
    else:
        params["imageTag"] = reference
    # A big manifest is parsed with the GIL held: one at a time, as the API's big bodies.
    lane = ctx.server.big_body_lane if len(body) >= BIG_BODY else contextlib.nullcontext()
    try:
        with lane:
            ctx.answer_raw("PutImage", params)
    except EcrError as error:
        if error.code == "ImageDigestDoesNotMatchException":
            raise digest_mismatch(reference, name, ctx.account) from None
        if error.code == "LayersNotFoundException":
            raise OciError(400, "MANIFEST_BLOB_UNKNOWN", error.message) from None
        # chosen: pushing what is already there succeeds, as every registry's push does
        if error.code != "ImageAlreadyExistsException":
            raise from_ecr(error, name, ctx.account) from None
    headers = [
        API_VERSION,
        ("Location", f"{ctx.base_url}/v2/{name}/manifests/{digest}"),
        ("Docker-Content-Digest", digest),
    ]
    return Response(201, headers, b"")


def delete_manifest(ctx: RegistryContext, name: str, reference: str) -> Response:
    """DELETE: BatchDeleteImage of one image id (by digest; by tag too, as OCI 1.1)."""
    params = {"repositoryName": name, "imageIds": [image_id(reference)]}
    result = ctx.answer("BatchDeleteImage", params, name)
    failures = result.get("failures") or []
    if failures:
        raise _failure(failures[0])
    return Response(202, [API_VERSION], b"")


__all__ = [
    "accepted_media_types",
    "delete_manifest",
    "get_manifest",
    "image_id",
    "put_manifest",
]
