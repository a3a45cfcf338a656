"""DeleteRepository: refuses a repository with images unless ``force`` is true."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.shapes import find_repository, repository_shape


def delete_repository(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    raw_force = params.get("force")
    force = False if raw_force is None else v.expect_bool(raw_force, "force")
    repo = find_repository(state, registry_id, name, ctx)
    # One image is enough to refuse; len() would walk a forked repository's layers.
    if not force and next(repo.images(), None) is not None:
        raise EcrError(
            "RepositoryNotEmptyException",
            f"The repository with name '{name}' in registry with id '{registry_id}' cannot "
            "be deleted because it still contains images",
        )
    shape = repository_shape(repo)
    state.delete_repository(registry_id, ctx.region, name)
    return {"repository": shape}
