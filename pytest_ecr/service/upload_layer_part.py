"""UploadLayerPart: add the next part (in order, contiguous) to a layer upload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.layers import (
    MAX_PARTS,
    byte_offset,
    invalid_part,
    part_blob,
    too_many_parts,
    upload_id,
    upload_not_found,
)
from pytest_ecr.service.shapes import find_repository


def upload_layer_part(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    upload_ref = upload_id(params)
    first = byte_offset(params, "partFirstByte")
    last = byte_offset(params, "partLastByte")
    data = part_blob(params)
    repo = find_repository(state, registry_id, name, ctx)
    upload = repo.blobs.upload(upload_ref)
    if upload is None:
        raise upload_not_found(upload_ref, repo)
    if first != upload.received:
        raise invalid_part(
            upload, repo, f"partFirstByte {first} does not follow the last byte received"
        )
    if not data or last != first + len(data) - 1:
        raise invalid_part(
            upload,
            repo,
            f"the part's {len(data)} bytes do not span partFirstByte {first} to "
            f"partLastByte {last}",
        )
    if len(upload.parts) >= MAX_PARTS:
        raise too_many_parts(upload, repo)
    upload = repo.blobs.add_part(upload_ref, data)
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "uploadId": upload_ref,
        "lastByteReceived": upload.last_byte_received,
    }
