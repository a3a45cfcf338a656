"""BatchCheckLayerAvailability: which of the given layers (or configs) a repository has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.model.names import DIGEST_PATTERN, DIGEST_RE
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import invalid_parameter
from pytest_ecr.service.layers import MAX_BATCHED_DIGEST_LENGTH
from pytest_ecr.service.shapes import find_repository

#: ``failureReason`` of each ``LayerFailureCode`` (chosen: ECR's texts are unknown; they
#: follow the wording of BatchGetImage's image failures).
FAILURE_REASONS: dict[str, str] = {
    "InvalidLayerDigest": (
        f"Invalid request parameters: layer digest should satisfy the regex '{DIGEST_PATTERN}'"
    ),
    "MissingLayerDigest": "Requested layer not found",
}


def layer_entry(repo: Repository, digest: str) -> dict[str, Any] | None:
    """The ``Layer`` ECR reports for *digest*, or ``None`` when the repository has none.

    A blob that an image of the repository names is ``AVAILABLE`` with the size and media
    type its manifest states, whether or not its bytes were ever uploaded (declared
    images); a completed upload that no image names yet is ``AVAILABLE`` with its size.
    """
    reference = repo.blobs.reference(digest)
    content = repo.blobs.content(digest)
    if reference is None and content is None:
        return None
    entry: dict[str, Any] = {"layerDigest": digest, "layerAvailability": "AVAILABLE"}
    size = content.size if content is not None else reference.size if reference else None
    if size is not None:
        entry["layerSize"] = size
    if reference is not None and reference.media_type is not None:
        entry["mediaType"] = reference.media_type
    return entry


def _digest(raw: Any, position: int) -> str:
    field = f"layerDigests.{position + 1}.member"
    text = v.expect_str(raw, field)
    if len(text) > MAX_BATCHED_DIGEST_LENGTH:
        raise invalid_parameter(
            field, f"Member must have length less than or equal to {MAX_BATCHED_DIGEST_LENGTH}"
        )
    return text


def batch_check_layer_availability(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    items = v.bounded_list(params, "layerDigests", low=1, high=100, required=True)
    assert items is not None
    digests = [_digest(raw, position) for position, raw in enumerate(items)]
    repo = find_repository(state, registry_id, name, ctx)

    layers: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    # Each digest is answered once, in request order (as BatchGetImage collapses ids).
    for digest in dict.fromkeys(digests):
        entry = layer_entry(repo, digest) if DIGEST_RE.fullmatch(digest) else None
        if entry is not None:
            layers.append(entry)
            continue
        code = "MissingLayerDigest" if DIGEST_RE.fullmatch(digest) else "InvalidLayerDigest"
        failures.append(
            {"layerDigest": digest, "failureCode": code, "failureReason": FAILURE_REASONS[code]}
        )
    return {"layers": layers, "failures": failures}
