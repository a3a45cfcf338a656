"""The OCI side of a registry answer: its headers, its error bodies, and how an ECR API
error reads once the registry translates it.

ECR's registry answers every failure with the distribution error body
``{"errors": [{"code": ..., "message": ...}]}``; its codes and texts are the ones of
ecr-control-plane.md §15.6 where known, and the choices of the docs' fidelity page
("Registry API") elsewhere.
"""

from __future__ import annotations

import json
import re
from typing import Final

from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.routes import Response

#: Sent with every registry answer, as every distribution registry does.
API_VERSION: Final = ("Docker-Distribution-Api-Version", "registry/2.0")
JSON: Final = "application/json; charset=utf-8"


class OciError(Exception):
    """A registry error answer: HTTP status, distribution code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def response(self, extra: list[tuple[str, str]] | None = None) -> Response:
        body = json.dumps(
            {"errors": [{"code": self.code, "message": self.message}]}, separators=(",", ":")
        ).encode()
        headers = [API_VERSION, ("Content-Type", JSON), *(extra or [])]
        return Response(self.status, headers, body)


def manifest_unknown(reason: str = "Requested image not found") -> OciError:
    return OciError(404, "MANIFEST_UNKNOWN", reason)


def name_invalid(name: str) -> OciError:
    # chosen: distribution's code; ECR's text unknown
    return OciError(400, "NAME_INVALID", f"Invalid repository name '{name}'")


def unsupported(message: str) -> OciError:
    return OciError(400, "UNSUPPORTED", message)


def digest_mismatch(digest: str, repository: str, registry_id: str) -> OciError:
    # seen (google/go-containerregistry#1568)
    return OciError(
        400,
        "MANIFEST_INVALID",
        f"The image with digest '{digest}' in repository '{repository}' and registry ID "
        f"'{registry_id}' does not match the image digest that Amazon ECR has calculated.",
    )


_MISSING_RE: Final = re.compile(r"digests '\[([^\]]*)\]'")

#: ECR API error code -> (status, registry code), for the codes that translate alike in
#: every registry request.
_BY_CODE: Final = {
    "RepositoryNotFoundException": (404, "NAME_UNKNOWN"),
    "ThrottlingException": (429, "TOOMANYREQUESTS"),
    "TooManyRequestsException": (429, "TOOMANYREQUESTS"),
    "AccessDeniedException": (403, "DENIED"),
    "LayersNotFoundException": (404, "BLOB_UNKNOWN"),
    "LayerInaccessibleException": (404, "BLOB_UNKNOWN"),
    "UploadNotFoundException": (404, "BLOB_UPLOAD_UNKNOWN"),
    "InvalidLayerException": (400, "BLOB_UPLOAD_INVALID"),
    "InvalidLayerPartException": (400, "BLOB_UPLOAD_INVALID"),
    "LayerPartTooSmallException": (400, "BLOB_UPLOAD_INVALID"),
    "EmptyUploadException": (400, "BLOB_UPLOAD_INVALID"),
    "LimitExceededException": (400, "BLOB_UPLOAD_INVALID"),
    "ImageTagAlreadyExistsException": (400, "TAG_INVALID"),
    "ImageNotFoundException": (404, "MANIFEST_UNKNOWN"),
    "InvalidParameterException": (400, "UNSUPPORTED"),
    "ValidationException": (400, "UNSUPPORTED"),
    "UnsupportedImageTypeException": (400, "UNSUPPORTED"),
}


def from_ecr(error: EcrError, repository: str | None, registry_id: str) -> OciError:
    """How ECR's registry answers a request whose API action failed with *error*."""
    code = error.code
    if code == "ReferencedImagesNotFoundException":
        # seen (int128/docker-manifest-create-action#63)
        found = _MISSING_RE.search(error.message)
        missing = ", ".join(d.strip() for d in found.group(1).split(",")) if found else ""
        return OciError(
            400,
            "MANIFEST_BLOB_UNKNOWN",
            f"Images with digests '[{missing}]' required for pushing image into repository "
            f"with name '{repository}' in the registry with id '{registry_id}' do not exist",
        )
    known = _BY_CODE.get(code)
    if known is not None:
        return OciError(known[0], known[1], error.message)
    if error.status >= 500:
        return OciError(
            error.status, "UNAVAILABLE" if error.status == 503 else "UNKNOWN", error.message
        )
    # chosen: an error ECR's registry has no code for reads as distribution's UNKNOWN
    return OciError(error.status, "UNKNOWN", error.message)


__all__ = [
    "API_VERSION",
    "JSON",
    "OciError",
    "digest_mismatch",
    "from_ecr",
    "manifest_unknown",
    "name_invalid",
    "unsupported",
]
