"""DeleteSigningConfiguration: remove the caller's registry's signing rules.

Signatures already made stay: their statuses still answer DescribeImageSigningStatus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.signing import SIGNING
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.signing import configuration_shape, configured


def delete_signing_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    del params
    config = configured(state, ctx)
    state.set_registry_setting(ctx.account, ctx.region, SIGNING, None)
    return {"registryId": ctx.account, "signingConfiguration": configuration_shape(config)}
