"""What the four replication backfill operations share: the lookup, the shapes, the errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import BACKFILLS, Backfill, backfills_of
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.replication import destination_shape

BACKFILL_ID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_BACKFILL_ID_RE = re.compile(BACKFILL_ID_PATTERN)
#: Backfills running at once per registry (ECR's quota).
MAX_RUNNING_BACKFILLS = 10


def live_backfills(state: RegistryState, registry_id: str, ctx: RequestContext) -> list[Backfill]:
    """The registry's backfills in start order, without those past their 90 days."""
    now = ctx.clock()
    return [b for b in backfills_of(state, registry_id, ctx.region) if not b.expired(now)]


def store_backfill(
    state: RegistryState, registry_id: str, ctx: RequestContext, backfill: Backfill
) -> None:
    """Add or replace (same id) *backfill* in the registry's list."""
    current = live_backfills(state, registry_id, ctx)
    ids = [b.backfill_id for b in current]
    if backfill.backfill_id in ids:
        current[ids.index(backfill.backfill_id)] = backfill
    else:
        current.append(backfill)
    state.set_registry_setting(registry_id, ctx.region, BACKFILLS, tuple(current))


def find_backfill(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> tuple[str, Backfill]:
    """``(registryId, backfill)`` of a request naming ``replicationBackfillId``."""
    registry_id = v.registry_id(params, ctx.account)
    backfill_id = v.expect_str(v.require(params, "replicationBackfillId"), "replicationBackfillId")
    if _BACKFILL_ID_RE.fullmatch(backfill_id) is None:
        raise invalid_parameter(
            "replicationBackfillId", f"must satisfy regular expression '{BACKFILL_ID_PATTERN}'"
        )
    for backfill in live_backfills(state, registry_id, ctx):
        if backfill.backfill_id == backfill_id:
            return registry_id, backfill
    raise EcrError(
        "ReplicationBackfillNotFoundException",
        f"The replication backfill with id '{backfill_id}' does not exist in the registry "
        f"with id '{registry_id}'",
    )


def progress_shape(backfill: Backfill, now: float) -> dict[str, Any] | None:
    """``progress``: ``None`` while the backfill is still preparing."""
    if not backfill.prepared(now):
        return None
    return {
        "totalReplicationCount": len(backfill.items),
        "completedReplicationCount": backfill.completed(now),
        "failedReplicationCount": 0,
        "failureCodes": [],
    }


def backfill_shape(backfill: Backfill, now: float, *, summary: bool) -> dict[str, Any]:
    """Start/Stop's answer (``summary=False``) or a ListReplicationBackfills item."""
    shape: dict[str, Any] = {
        "replicationBackfillId": backfill.backfill_id,
        "destination": destination_shape(backfill.destination),
        "status": backfill.status(now),
        "startedAt": backfill.started_at,
    }
    if summary:
        progress = progress_shape(backfill, now)
        if progress is not None:
            shape["progress"] = progress
        ended = backfill.ended_at(now)
        if ended is not None:
            shape["endedAt"] = ended
    return shape
