"""CompleteLayerUpload: check an upload's parts, compute its digest and store the layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.blobs import PartsContent, content_digest
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.layers import (
    MIN_PART_SIZE,
    empty_upload,
    invalid_layer,
    layer_already_exists,
    layer_digest,
    part_too_small,
    upload_id,
    upload_not_found,
)
from pytest_ecr.service.shapes import find_repository


def complete_layer_upload(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    upload_ref = upload_id(params)
    items = v.bounded_list(params, "layerDigests", low=1, high=100, required=True)
    assert items is not None
    given = [
        layer_digest(raw, f"layerDigests.{position + 1}.member")
        for position, raw in enumerate(items)
    ]
    repo = find_repository(state, registry_id, name, ctx)
    upload = repo.blobs.upload(upload_ref)
    if upload is None:
        raise upload_not_found(upload_ref, repo)
    if not upload.parts:
        raise empty_upload(upload, repo)
    if any(len(part) < MIN_PART_SIZE for part in upload.parts[:-1]):
        raise part_too_small()
    content = PartsContent(upload.parts)
    digest = content_digest(content)
    # A failed check leaves the upload open, as it was.
    if digest not in {d.lower() for d in given}:
        raise invalid_layer()
    if repo.blobs.content(digest) is not None:
        repo.blobs.finish_upload(upload_ref)
        raise layer_already_exists(digest, repo)
    repo.blobs.store(digest, content)
    repo.blobs.finish_upload(upload_ref)
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "uploadId": upload_ref,
        "layerDigest": digest,
    }
