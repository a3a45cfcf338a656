"""DescribeReplicationBackfillResults: one backfill's status, progress and results, paged.

Results are listed once the backfill is terminal (COMPLETE, FAILED, STOPPED): each
replication it completed before then, in the order it made them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import Backfill
from pytest_ecr.service import validation as v
from pytest_ecr.service.backfill import find_backfill, progress_shape
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.paging import page_request, paginate, with_token
from pytest_ecr.service.replication import destination_shape
from pytest_ecr.service.shapes import image_id

TERMINAL = ("COMPLETE", "FAILED", "STOPPED")


def _results(backfill: Backfill, now: float, wanted: str | None) -> list[dict[str, Any]]:
    if backfill.status(now) not in TERMINAL or wanted == "FAILED":
        return []
    return [
        {
            "repositoryName": item.repository,
            "imageId": image_id(item.digest, item.tag),
            "status": "COMPLETE",
            "subImageFailureCodes": [],
        }
        for item in backfill.items[: backfill.completed(now)]
    ]


def describe_replication_backfill_results(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id, backfill = find_backfill(state, params, ctx)
    wanted = params.get("resultStatusFilter")
    if wanted is not None:
        wanted = v.enum_value(wanted, "resultStatusFilter", ("COMPLETE", "FAILED"))
    page = page_request(
        params,
        f"DescribeReplicationBackfillResults\0{registry_id}\0{backfill.backfill_id}\0{wanted}",
    )
    now = ctx.clock()
    results, token = paginate(_results(backfill, now, wanted), page)
    answer: dict[str, Any] = {
        "registryId": registry_id,
        "replicationBackfillId": backfill.backfill_id,
        "destination": destination_shape(backfill.destination),
        "status": backfill.status(now),
        "results": results,
        "startedAt": backfill.started_at,
    }
    progress = progress_shape(backfill, now)
    if progress is not None:
        answer["progress"] = progress
    ended = backfill.ended_at(now)
    if ended is not None:
        answer["endedAt"] = ended
    return with_token(answer, token)
