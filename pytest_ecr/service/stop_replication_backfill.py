"""StopReplicationBackfill: ask a preparing or running backfill to stop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service.backfill import backfill_shape, find_backfill, store_backfill
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError


def stop_replication_backfill(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id, backfill = find_backfill(state, params, ctx)
    now = ctx.clock()
    status = backfill.status(now)
    if status not in ("PREPARING", "IN_PROGRESS"):
        raise EcrError(
            "ReplicationBackfillInvalidStatusException",
            f"The replication backfill with id '{backfill.backfill_id}' cannot be stopped "
            f"because its status is {status}",
        )
    stopped = backfill.stop(now)
    store_backfill(state, registry_id, ctx, stopped)
    return {"registryId": registry_id, **backfill_shape(stopped, now, summary=False)}
