"""ListPullTimeUpdateExclusions: the excluded principals' ARNs, in pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.caches import pull_time_exclusions
from pytest_ecr.service import paging
from pytest_ecr.service.context import RequestContext


def list_pull_time_update_exclusions(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    page = paging.page_request(params, f"ListPullTimeUpdateExclusions\0{ctx.account}\0{ctx.region}")
    found = pull_time_exclusions(state, ctx.account, ctx.region)
    listed, token = paging.paginate((e.principal_arn for e in found), page)
    return paging.with_token({"pullTimeUpdateExclusions": listed}, token)
