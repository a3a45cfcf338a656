"""ListReplicationBackfills: the registry's backfills (oldest first), paged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.backfill import backfill_shape, live_backfills
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.paging import Page, page_request, paginate, with_token

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50


def list_replication_backfills(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    size = DEFAULT_PAGE_SIZE
    if params.get("maxResults") is not None:
        size = v.int_range(params["maxResults"], "maxResults", low=1, high=MAX_PAGE_SIZE)
    asked = page_request(params, f"ListReplicationBackfills\0{registry_id}\0{ctx.region}")
    now = ctx.clock()
    found, token = paginate(
        live_backfills(state, registry_id, ctx), Page(asked.start, size, asked.scope)
    )
    return with_token(
        {
            "registryId": registry_id,
            "backfills": [backfill_shape(b, now, summary=True) for b in found],
        },
        token,
    )
