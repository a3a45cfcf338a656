"""SetRepositoryPolicy: store a repository policy, re-serialised as ECR does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.policies import REPOSITORY_POLICY
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import invalid_parameter
from pytest_ecr.service.policies import jackson_pretty, locks_out, parse_policy, policy_text
from pytest_ecr.service.shapes import find_repository


def set_repository_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    text = policy_text(params)
    raw_force = params.get("force")
    force = False if raw_force is None else v.expect_bool(raw_force, "force")
    repo = find_repository(state, registry_id, name, ctx)
    doc = parse_policy(text, repository=True)
    if not force and locks_out(doc, ctx.account):
        raise invalid_parameter(
            "PolicyText",
            "The policy would prevent you from setting a repository policy in the future; "
            "set force to true to apply it anyway",
        )
    stored = jackson_pretty(doc)
    repo.set_setting(REPOSITORY_POLICY, stored)
    return {"registryId": registry_id, "repositoryName": name, "policyText": stored}
