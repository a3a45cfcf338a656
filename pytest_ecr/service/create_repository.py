"""CreateRepository: an empty repository with its settings, as ECR validates them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.tags import set_repository_tags
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.repository_settings import (
    exclusion_filters,
    kms_key_arn,
    tag_mutability,
)
from pytest_ecr.service.shapes import repository_shape
from pytest_ecr.service.tagging import check_tag_count, tag_list

ENCRYPTION_TYPES = ("AES256", "KMS", "KMS_DSSE")


def _encryption(params: Mapping[str, Any]) -> tuple[str, str | None]:
    raw = v.optional_object(params, "encryptionConfiguration")
    if not raw:
        return "AES256", None
    kind = v.enum_value(
        v.require(raw, "encryptionType"),
        "encryptionConfiguration.encryptionType",
        ENCRYPTION_TYPES,
    )
    key = raw.get("kmsKey")
    if key is None:
        return kind, None
    key = v.string_length(key, "encryptionConfiguration.kmsKey", low=1, high=2048)
    if kind == "AES256":
        raise invalid_parameter(
            "encryptionConfiguration.kmsKey",
            "Member must be null when encryptionType is AES256",
        )
    return kind, key


def create_repository(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    mode = tag_mutability(params, required=False)
    filters = exclusion_filters(params, mode)
    scanning = v.optional_object(params, "imageScanningConfiguration")
    raw_scan = scanning.get("scanOnPush")
    scan_on_push = False if raw_scan is None else v.expect_bool(raw_scan, "scanOnPush")
    encryption_type, kms_key = _encryption(params)
    tags = check_tag_count(tag_list(params, required=False))
    if encryption_type != "AES256":
        kms_key = kms_key_arn(kms_key, registry_id, ctx.region)

    if state.get_repository(registry_id, ctx.region, name) is not None:
        raise EcrError(
            "RepositoryAlreadyExistsException",
            f"The repository with name '{name}' already exists in the registry with id "
            f"'{registry_id}'",
        )
    repo = state.create_repository(
        name,
        account=registry_id,
        region=ctx.region,
        tag_mutability=mode,
        # createdAt carries milliseconds in real answers, unlike imagePushedAt.
        # Truncated, not rounded: a rounded-up time would lie up to 0.5 ms in the future.
        created_at=math.floor(ctx.clock() * 1000) / 1000,
        tag_mutability_exclusion_filters=filters,
        scan_on_push=scan_on_push,
        encryption_type=encryption_type,
        kms_key=kms_key,
    )
    set_repository_tags(repo, tags)
    return {"repository": repository_shape(repo)}
