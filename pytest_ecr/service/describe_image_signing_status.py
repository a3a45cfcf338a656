"""DescribeImageSigningStatus: one status per signing profile that signs the image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.signing import signing_statuses
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.replication import find_image
from pytest_ecr.service.shapes import request_echo


def describe_image_signing_status(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id, repo, image = find_image(state, params, ctx)
    now = ctx.clock()
    statuses = []
    for signing in signing_statuses(repo, image.digest):
        entry = {"signingProfileArn": signing.profile_arn, "status": signing.status(now)}
        if signing.failure_code is not None:
            entry["failureCode"] = signing.failure_code
        if signing.failure_reason is not None:
            entry["failureReason"] = signing.failure_reason
        statuses.append(entry)
    ident = params["imageId"]
    echo = request_echo(ident.get("imageTag"), ident.get("imageDigest") or image.digest)
    return {
        "repositoryName": repo.name,
        "imageId": echo,
        "registryId": registry_id,
        "signingStatuses": statuses,
    }
