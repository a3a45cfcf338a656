"""DeleteRepositoryPolicy: remove the repository policy; the answer shows the text removed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.policies import REPOSITORY_POLICY
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.get_repository_policy import stored_policy


def delete_repository_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    repo, text = stored_policy(state, params, ctx)
    repo.set_setting(REPOSITORY_POLICY, None)
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": text}
