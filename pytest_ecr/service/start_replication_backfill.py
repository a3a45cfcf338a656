"""StartReplicationBackfill: copy a registry's existing images to one configured destination."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import (
    Backfill,
    backfill_items,
    backfills_of,
    replication_of,
    run_backfill,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.backfill import (
    MAX_RUNNING_BACKFILLS,
    backfill_shape,
    live_backfills,
    store_backfill,
)
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.replication import destination

#: Backfill ids are UUIDs derived from the registry and the start, so runs repeat.
_NAMESPACE = uuid.UUID("5f0c2a57-3b0e-4c1b-9a53-6d1f2b7e8c90")


def _check_can_start(
    state: RegistryState, registry_id: str, ctx: RequestContext, target: Any
) -> None:
    if target not in replication_of(state, registry_id, ctx.region).unique_destinations():
        raise invalid_parameter(
            "destination",
            "Member must be a destination of the registry's replication configuration",
        )
    now = ctx.clock()
    running = [b for b in live_backfills(state, registry_id, ctx) if b.running(now)]
    if any(b.destination.region == target.region for b in running):
        raise EcrError(
            "ReplicationBackfillInProgressException",
            f"A replication backfill to the Region '{target.region}' is already in progress "
            f"for the registry with id '{registry_id}'",
        )
    if len(running) >= MAX_RUNNING_BACKFILLS:
        raise EcrError(
            "LimitExceededException",
            f"The registry with id '{registry_id}' already has {MAX_RUNNING_BACKFILLS} "
            "replication backfills in progress",
        )


def start_replication_backfill(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    target = destination(v.require(params, "destination"), "destination")
    _check_can_start(state, registry_id, ctx, target)
    now = float(int(ctx.clock()))
    count = len(backfills_of(state, registry_id, ctx.region))
    backfill = Backfill(
        str(uuid.uuid5(_NAMESPACE, f"{registry_id}/{ctx.region}/{count}/{now}")),
        target,
        now,
        backfill_items(state, registry_id, ctx.region, target),
    )
    store_backfill(state, registry_id, ctx, backfill)
    run_backfill(state, registry_id, ctx.region, backfill, now)
    return {"registryId": registry_id, **backfill_shape(backfill, ctx.clock(), summary=False)}
