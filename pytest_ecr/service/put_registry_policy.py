"""PutRegistryPolicy: the registry's permission policy, stored and echoed as sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.policies import REGISTRY_POLICY
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.policies import parse_policy, policy_text


def put_registry_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    text = policy_text(params)
    parse_policy(text, repository=False)
    state.set_registry_setting(ctx.account, ctx.region, REGISTRY_POLICY, text)
    return {"registryId": ctx.account, "policyText": text}
