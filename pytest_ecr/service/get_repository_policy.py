"""GetRepositoryPolicy: the stored repository policy text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.model.policies import repository_policy
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.shapes import find_repository


def stored_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> tuple[Repository, str]:
    """The repository a request names and its policy, or ECR's not-found errors."""
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    repo = find_repository(state, registry_id, name, ctx)
    text = repository_policy(repo)
    if text is None:
        raise EcrError(
            "RepositoryPolicyNotFoundException",
            f"Repository policy does not exist for the repository with name '{name}' in the "
            f"registry with id '{registry_id}'",
        )
    return repo, text


def get_repository_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    repo, text = stored_policy(state, params, ctx)
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": text}
