"""PutReplicationConfiguration: replace the caller's registry's replication rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.replication import REPLICATION
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.replication import configuration_shape, read_configuration


def put_replication_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    config = read_configuration(params, ctx)
    # `rules: []` clears replication: the registry then reads as never configured.
    state.set_registry_setting(
        ctx.account, ctx.region, REPLICATION, config if config.rules else None
    )
    return {"replicationConfiguration": configuration_shape(config)}
