"""RegisterPullTimeUpdateExclusion: pulls by this principal stop updating pull times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import (
    MAX_PULL_TIME_EXCLUSIONS,
    PullTimeUpdateExclusion,
    pull_time_exclusions,
    set_pull_time_exclusions,
)
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.pull_time_exclusions import principal_arn


def register_pull_time_update_exclusion(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    arn = principal_arn(params)
    found = pull_time_exclusions(state, ctx.account, ctx.region)
    if any(e.principal_arn == arn for e in found):
        raise EcrError(
            "ExclusionAlreadyExistsException",
            f"The pull time update exclusion for principal '{arn}' already exists for the "
            f"registry with id '{ctx.account}'",
        )
    if len(found) >= MAX_PULL_TIME_EXCLUSIONS:
        raise EcrError(
            "LimitExceededException",
            f"The registry with id '{ctx.account}' already has the maximum number of pull "
            f"time update exclusions ({MAX_PULL_TIME_EXCLUSIONS})",
        )
    exclusion = PullTimeUpdateExclusion(arn, ctx.clock())
    set_pull_time_exclusions(state, ctx.account, ctx.region, (*found, exclusion))
    return {"principalArn": arn, "createdAt": exclusion.created_at}
