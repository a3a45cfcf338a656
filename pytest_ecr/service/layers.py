"""What the five layer operations share: their limits, request checks, errors and texts.

Texts marked "seen" are ECR's, as quoted in public reports of real answers
(dotnet/sdk-container-builds#424, devcontainers/cli#814); the others are this project's
choice, listed on the docs' fidelity page ("Layer operations").
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from typing import Any, Final

from pytest_ecr.model import Image, RegistryState, Repository
from pytest_ecr.model.blobs import ALLOW_MISSING_LAYERS, FOREIGN_LAYER_TYPES, Upload, manifest_blobs
from pytest_ecr.model.names import DIGEST_PATTERN, DIGEST_RE
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.layer_urls import layer_path, layer_url_query

#: ``partSize`` InitiateLayerUpload answers: 10 MiB, as ECR does.
PART_SIZE: Final = 10_485_760
#: The smallest part but the last, checked at CompleteLayerUpload (5 MiB).
MIN_PART_SIZE: Final = 5 * 1024 * 1024
#: ``LayerPartBlob``'s maximum length in the service model (bytes, decoded).
MAX_PART_BLOB: Final = 20_971_520
#: Parts per layer (ECR's service quota).
MAX_PARTS: Final = 4200
#: ``BatchedOperationLayerDigest``'s maximum length.
MAX_BATCHED_DIGEST_LENGTH: Final = 1000

UPLOAD_ID_PATTERN: Final = (
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_UPLOAD_ID_RE = re.compile(UPLOAD_ID_PATTERN)


# -- request members -------------------------------------------------------------------


def layer_digest(value: Any, field: str) -> str:
    """A ``LayerDigest`` member (``algorithm:hex``), or ECR's pattern error."""
    text = v.expect_str(value, field)
    if DIGEST_RE.fullmatch(text) is None:
        raise invalid_parameter(field, f"must satisfy regular expression '{DIGEST_PATTERN}'")
    return text


def upload_id(params: Mapping[str, Any]) -> str:
    text = v.expect_str(v.require(params, "uploadId"), "uploadId")
    if _UPLOAD_ID_RE.fullmatch(text) is None:
        raise invalid_parameter(
            "uploadId", f"must satisfy regular expression '{UPLOAD_ID_PATTERN}'"
        )
    return text


def byte_offset(params: Mapping[str, Any], field: str) -> int:
    """``partFirstByte`` / ``partLastByte``: required, at least 0."""
    number = v.expect_int(v.require(params, field), field)
    if number < 0:
        raise invalid_parameter(field, "Member must have value greater than or equal to 0")
    return number


def part_blob(params: Mapping[str, Any]) -> bytes:
    """``layerPartBlob``: base64 text on the wire (awsJson), at most 20,971,520 bytes.

    The size is judged from the encoded length before anything is decoded, so an
    oversized request is refused without a decoded copy of it. The registry API hands
    its parts over already as bytes (JSON never decodes to bytes, so no API request
    can): those are used as they are, never copied.
    """
    field = "layerPartBlob"
    raw = v.require(params, field)
    if isinstance(raw, bytes):
        if len(raw) > MAX_PART_BLOB:
            raise invalid_parameter(
                field, f"Member must have length less than or equal to {MAX_PART_BLOB}"
            )
        return raw
    text = v.expect_str(raw, field)
    padding = len(text) - len(text.rstrip("="))
    if len(text) // 4 * 3 - min(padding, 2) > MAX_PART_BLOB:
        raise invalid_parameter(
            field, f"Member must have length less than or equal to {MAX_PART_BLOB}"
        )
    try:
        return binascii.a2b_base64(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise v.serialization_error(f"Invalid base64 value for '{field}'") from None


# -- errors ----------------------------------------------------------------------------


def _where(repo: Repository) -> str:
    return f"in the repository with name '{repo.name}' in the registry with id '{repo.registry_id}'"


def layers_not_found(digest: str, repo: Repository) -> EcrError:
    # seen (monken/aws-ecr-public#11, whose quoting of the digest was garbled)
    return EcrError(
        "LayersNotFoundException",
        f"The layer with digest '{digest}' does not exist within the repository with name "
        f"'{repo.name}' in the registry with id '{repo.registry_id}'",
    )


def layer_inaccessible(digest: str, repo: Repository) -> EcrError:
    # chosen, after the model's documentation of the exception
    return EcrError(
        "LayerInaccessibleException",
        f"The layer with digest '{digest}' {_where(repo)} is not available because it is not "
        "associated with an image. Unassociated image layers may be cleaned up at any time.",
    )


def upload_not_found(upload: str, repo: Repository) -> EcrError:
    # chosen
    return EcrError(
        "UploadNotFoundException",
        f"The upload with id '{upload}' does not exist {_where(repo)}",
    )


def invalid_part(upload: Upload, repo: Repository, reason: str) -> EcrError:
    # chosen text; the extra members are the model's
    return EcrError(
        "InvalidLayerPartException",
        f"The layer part for the upload with id '{upload.upload_id}' {_where(repo)} is "
        f"invalid: {reason}. The last valid byte received is {upload.last_byte_received}",
        extra={
            "registryId": repo.registry_id,
            "repositoryName": repo.name,
            "uploadId": upload.upload_id,
            "lastValidByteReceived": upload.last_byte_received,
        },
    )


def too_many_parts(upload: Upload, repo: Repository) -> EcrError:
    # chosen
    return EcrError(
        "LimitExceededException",
        f"The upload with id '{upload.upload_id}' {_where(repo)} already has the maximum of "
        f"{MAX_PARTS} layer parts",
    )


def empty_upload(upload: Upload, repo: Repository) -> EcrError:
    # seen (devcontainers/cli#814)
    return EcrError(
        "EmptyUploadException",
        f"The upload with id '{upload.upload_id}' in the repository with name '{repo.name}' in "
        f"registry with id '{repo.registry_id}' cannot be completed because it does not have "
        "any parts",
    )


def part_too_small() -> EcrError:
    # seen (dotnet/sdk-container-builds#424)
    return EcrError(
        "LayerPartTooSmallException",
        "All layer parts except the last part should be at least 5MB",
    )


def invalid_layer() -> EcrError:
    # seen through the registry API (dotnet/sdk-container-builds#424)
    return EcrError(
        "InvalidLayerException",
        "None of the provided layer digests match the calculated layer digest",
    )


def layer_already_exists(digest: str, repo: Repository) -> EcrError:
    # chosen
    return EcrError(
        "LayerAlreadyExistsException",
        f"The layer with digest '{digest}' already exists {_where(repo)}",
    )


# -- blobs a manifest names ------------------------------------------------------------


def missing_layers_allowed(state: RegistryState, repo: Repository) -> bool:
    """Whether PutImage may store manifests naming blobs *repo* lacks: the repository's
    ``allow_missing_layers`` setting, else its registry's (declared), else no."""
    own = repo.setting(ALLOW_MISSING_LAYERS)
    if own is not None:
        return bool(own)
    return bool(state.registry_setting(repo.registry_id, repo.region, ALLOW_MISSING_LAYERS))


def missing_blob(repo: Repository, image: Image) -> str | None:
    """The first blob (config, then layers) *image*'s manifest names that *repo* has
    neither bytes for nor another image naming it; ``None`` when all are there.

    Foreign and non-distributable layers are skipped (a registry does not hold them).
    """
    blobs = repo.blobs
    for blob in manifest_blobs(image):
        if blob.media_type in FOREIGN_LAYER_TYPES:
            continue
        if blobs.reference(blob.digest) is None and blobs.content(blob.digest) is None:
            return blob.digest
    return None


def blob_unknown_message(repo: Repository, digest: str) -> str:
    """What a registry's ``BLOB_UNKNOWN`` says of blob *digest* of *repo* (for the
    registry routes): when an image of the repository names it but no bytes were ever
    given, how to declare them; otherwise that the repository has no such blob."""
    if repo.blobs.reference(digest) is not None and repo.blobs.content(digest) is None:
        return (
            f"blob {digest} is named by an image's manifest in the repository '{repo.name}' "
            "but pytest-ecr has no bytes for it: declare them with the image's `blobs:` "
            f"(`blobs: {{folder: <dir>}}` holding blobs/sha256/<hex>, or `blobs: {{files: "
            f"{{{digest}: <file>}}}}`), or upload the blob to the repository first"
        )
    return f"blob {digest} is unknown to the repository '{repo.name}'"


# -- URLs ------------------------------------------------------------------------------


def download_url(repo: Repository, digest: str, ctx: RequestContext) -> str:
    """Where a layer is downloaded from: a signed URL valid for an hour on the fake's
    clock (:mod:`~pytest_ecr.service.layer_urls`), on the fake's HTTP endpoint when one
    serves it, else on a host that cannot resolve (RFC 2606 ``.invalid``)."""
    path = layer_path(repo.registry_id, repo.region, repo.name, digest)
    query = layer_url_query(path, ctx.clock())
    if ctx.endpoint is not None:
        return f"{ctx.endpoint.rstrip('/')}{path}?{query}"
    return f"https://{repo.registry_id}.layers.{repo.region}.pytest-ecr.invalid{path}?{query}"
