"""GetDownloadUrlForLayer: where to download a layer an image of the repository names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.layers import (
    download_url,
    layer_digest,
    layer_inaccessible,
    layers_not_found,
)
from pytest_ecr.service.shapes import find_repository


def get_download_url_for_layer(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    digest = layer_digest(v.require(params, "layerDigest"), "layerDigest")
    repo = find_repository(state, registry_id, name, ctx)
    # Only layers an image names can be fetched; an uploaded one that no manifest names
    # yet is refused as ECR refuses it.
    if repo.blobs.reference(digest) is None:
        if repo.blobs.content(digest) is not None:
            raise layer_inaccessible(digest, repo)
        raise layers_not_found(digest, repo)
    return {"downloadUrl": download_url(repo, digest, ctx), "layerDigest": digest}
