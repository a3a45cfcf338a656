"""DescribeImageReplicationStatus: one status per destination the image was replicated to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import replica_statuses
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.replication import find_image
from pytest_ecr.service.shapes import request_echo


def describe_image_replication_status(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    _, repo, image = find_image(state, params, ctx)
    now = ctx.clock()
    statuses = []
    for replica in replica_statuses(repo, image.digest):
        entry = {
            "region": replica.destination.region,
            "registryId": replica.destination.registry_id,
            "status": replica.status(now),
        }
        if replica.failure_code is not None:
            entry["failureCode"] = replica.failure_code
        statuses.append(entry)
    ident = params["imageId"]
    echo = request_echo(ident.get("imageTag"), ident.get("imageDigest") or image.digest)
    return {"repositoryName": repo.name, "imageId": echo, "replicationStatuses": statuses}
