"""PutSigningConfiguration: replace the caller's registry's signing rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.signing import SIGNING
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.signing import configuration_shape, read_configuration


def put_signing_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    config = read_configuration(params)
    # Stored even with no rules: Get then answers `rules: []`, not a not-found error.
    state.set_registry_setting(ctx.account, ctx.region, SIGNING, config)
    return {"signingConfiguration": configuration_shape(config)}
