"""PutImageScanningConfiguration: a repository's ``scanOnPush`` flag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.shapes import find_repository


def put_image_scanning_configuration(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    field = "imageScanningConfiguration"
    config = v.expect_object(v.require(params, field), field)
    raw = config.get("scanOnPush")
    scan_on_push = False if raw is None else v.expect_bool(raw, f"{field}.scanOnPush")
    repo = find_repository(state, registry_id, name, ctx)
    repo.configure(scan_on_push=scan_on_push)
    return {
        "registryId": registry_id,
        "repositoryName": name,
        "imageScanningConfiguration": {"scanOnPush": scan_on_push},
    }
