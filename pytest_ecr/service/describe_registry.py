"""DescribeRegistry: the caller's registry id and its replication configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import replication_of
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.replication import configuration_shape


def describe_registry(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    # Registry-scoped: no registryId; the caller's registry in the client's Region.
    del params
    return {
        "registryId": ctx.account,
        "replicationConfiguration": configuration_shape(
            replication_of(state, ctx.account, ctx.region)
        ),
    }
