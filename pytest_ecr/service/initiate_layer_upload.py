"""InitiateLayerUpload: start an upload of a layer to a repository."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.layers import PART_SIZE
from pytest_ecr.service.shapes import find_repository


def initiate_layer_upload(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    repo = find_repository(state, registry_id, name, ctx)
    upload = repo.blobs.start_upload(str(uuid.uuid4()), ctx.clock())
    return {"uploadId": upload.upload_id, "partSize": PART_SIZE}
