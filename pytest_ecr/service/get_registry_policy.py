"""GetRegistryPolicy: the registry policy of the caller's registry in the client's Region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.policies import registry_policy
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError


def stored_registry_policy(state: RegistryState, ctx: RequestContext) -> str:
    text = registry_policy(state, ctx.account, ctx.region)
    if text is None:
        raise EcrError(
            "RegistryPolicyNotFoundException",
            f"Registry policy does not exist in the registry with id '{ctx.account}'",
        )
    return text


def get_registry_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del params  # the operation takes no members
    return {"registryId": ctx.account, "policyText": stored_registry_policy(state, ctx)}
