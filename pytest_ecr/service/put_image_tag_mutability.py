"""PutImageTagMutability: a repository's tag mutability mode and its exclusion filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.repository_settings import (
    exclusion_filters,
    exclusion_filters_shape,
    tag_mutability,
)
from pytest_ecr.service.shapes import find_repository


def put_image_tag_mutability(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    mode = tag_mutability(params, required=True)
    filters = exclusion_filters(params, mode)
    repo = find_repository(state, registry_id, name, ctx)
    # A plain mode clears the filters a *_WITH_EXCLUSION mode had.
    repo.configure(tag_mutability=mode, tag_mutability_exclusion_filters=filters)
    response: dict[str, Any] = {
        "registryId": registry_id,
        "repositoryName": name,
        "imageTagMutability": mode.value,
    }
    if filters:
        response["imageTagMutabilityExclusionFilters"] = exclusion_filters_shape(filters)
    return response
