"""PutLifecyclePolicy: store (replace) a repository's lifecycle policy, checked by ECR's rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.lifecycle import LIFECYCLE_POLICY_KEY, StoredPolicy, minified
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.lifecycle import checked_policy, policy_text
from pytest_ecr.service.shapes import find_repository


def put_lifecycle_policy(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    text = policy_text(params, required=True)
    assert text is not None
    repo = find_repository(state, registry_id, name, ctx)
    policy = checked_policy(text)
    # ECR echoes (and keeps) the text without its whitespace; a new policy has never
    # been evaluated.
    stored = StoredPolicy(minified(text), policy)
    repo.set_setting(LIFECYCLE_POLICY_KEY, stored)
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": stored.text,
    }
