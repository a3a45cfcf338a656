"""GetLifecyclePolicy: a repository's lifecycle policy and when it was last evaluated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.lifecycle import policy_answer, stored_policy
from pytest_ecr.service.shapes import find_repository


def get_lifecycle_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    repo = find_repository(state, registry_id, name, ctx)
    return policy_answer(repo, stored_policy(repo))
