"""GetSigningConfiguration: the caller's registry's signing rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.signing import configuration_shape, configured


def get_signing_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del params
    config = configured(state, ctx)
    return {"registryId": ctx.account, "signingConfiguration": configuration_shape(config)}
