"""DeleteRegistryPolicy: remove the registry policy; the answer shows the text removed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.policies import REGISTRY_POLICY
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.get_registry_policy import stored_registry_policy


def delete_registry_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del params  # the operation takes no members
    text = stored_registry_policy(state, ctx)
    state.set_registry_setting(ctx.account, ctx.region, REGISTRY_POLICY, None)
    return {"registryId": ctx.account, "policyText": text}
