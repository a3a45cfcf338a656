"""GetRegistryScanningConfiguration: the registry's scan type and rules (BASIC, no rules,
when never set)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model import scanning as s
from pytest_ecr.service import scanning as sc
from pytest_ecr.service.context import RequestContext


def get_registry_scanning_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del params  # the operation has no members: it reads the caller's registry
    config = s.configuration(state, ctx.account, ctx.region)
    return {"registryId": ctx.account, "scanningConfiguration": sc.configuration_shape(config)}
