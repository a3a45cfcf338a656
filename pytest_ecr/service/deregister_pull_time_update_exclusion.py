"""DeregisterPullTimeUpdateExclusion: pulls by this principal update pull times again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import pull_time_exclusions, set_pull_time_exclusions
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.pull_time_exclusions import principal_arn


def deregister_pull_time_update_exclusion(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    arn = principal_arn(params)
    found = pull_time_exclusions(state, ctx.account, ctx.region)
    left = tuple(e for e in found if e.principal_arn != arn)
    if len(left) == len(found):
        raise EcrError(
            "ExclusionNotFoundException",
            f"The pull time update exclusion for principal '{arn}' was not found in the "
            f"registry with id '{ctx.account}'",
        )
    set_pull_time_exclusions(state, ctx.account, ctx.region, left)
    return {"principalArn": arn}
