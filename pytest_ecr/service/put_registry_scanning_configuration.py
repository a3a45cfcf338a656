"""PutRegistryScanningConfiguration: replace the registry's scan type and rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model import scanning as s
from pytest_ecr.service import scanning as sc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext


def put_registry_scanning_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    raw_type = params.get("scanType")
    # Without scanType the registry scans as it does by default: BASIC.
    scan_type = s.BASIC if raw_type is None else v.enum_value(raw_type, "scanType", s.SCAN_TYPES)
    rules = sc.read_rules(params, scan_type)
    config = s.ScanningConfiguration(scan_type, rules)
    state.set_registry_setting(ctx.account, ctx.region, s.REGISTRY_SCANNING_KEY, config)
    return {"registryScanningConfiguration": sc.configuration_shape(config)}
