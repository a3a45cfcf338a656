"""StartLifecyclePolicyPreview: evaluate a policy (given, or the stored one) without acting.

The preview evaluates the repository as it is now, on the fake's clock, and reports
``IN_PROGRESS`` until :data:`~pytest_ecr.model.lifecycle.PREVIEW_DURATION` has passed.
It never changes the stored policy nor any image.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.lifecycle import (
    LIFECYCLE_PREVIEW_KEY,
    Preview,
    evaluate,
    preview_results,
    repository_facts,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.lifecycle import (
    checked_policy,
    policy_text,
    preview_in_progress,
    stored_policy,
)
from pytest_ecr.service.shapes import find_repository


def start_lifecycle_policy_preview(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    text = policy_text(params, required=False)
    repo = find_repository(state, registry_id, name, ctx)
    if text is not None:
        # Echoed as sent, unlike PutLifecyclePolicy's minified echo.
        policy = checked_policy(text)
    else:
        stored = stored_policy(repo)
        text, policy = stored.text, stored.policy
    now = ctx.clock()
    running = repo.setting(LIFECYCLE_PREVIEW_KEY)
    if isinstance(running, Preview) and running.status(now) == "IN_PROGRESS":
        raise preview_in_progress(repo)
    results = preview_results(evaluate(policy, repository_facts(repo), now))
    repo.set_setting(LIFECYCLE_PREVIEW_KEY, Preview.of(text, now, results))
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": text,
        "status": "IN_PROGRESS",
    }
