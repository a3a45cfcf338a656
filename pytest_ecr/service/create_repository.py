"""CreateRepository: an empty repository with its settings, as ECR validates them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState, TagMutability
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.shapes import repository_shape

MUTABILITIES = tuple(mode.value for mode in TagMutability)
ENCRYPTION_TYPES = ("AES256", "KMS", "KMS_DSSE")
EXCLUSION_FILTER_PATTERN = "^[0-9a-zA-Z._*-]{1,128}$"
_EXCLUSION_FILTER_RE = re.compile(EXCLUSION_FILTER_PATTERN)
_WITH_EXCLUSION = (TagMutability.IMMUTABLE_WITH_EXCLUSION, TagMutability.MUTABLE_WITH_EXCLUSION)


def _exclusion_filters(params: Mapping[str, Any], mode: TagMutability) -> tuple[str, ...]:
    field = "imageTagMutabilityExclusionFilters"
    items = v.bounded_list(params, field, low=1, high=5, required=False)
    if mode not in _WITH_EXCLUSION:
        if items is not None:
            raise invalid_parameter(
                field, f"Member must be null when imageTagMutability is {mode.value}"
            )
        return ()
    if items is None:
        raise invalid_parameter(
            field, f"Member must not be null when imageTagMutability is {mode.value}"
        )
    patterns = []
    for position, raw in enumerate(items):
        member = f"{field}.{position + 1}.member"
        entry = v.expect_object(raw, member)
        v.enum_value(v.require(entry, "filterType"), f"{member}.filterType", ("WILDCARD",))
        pattern = v.expect_str(v.require(entry, "filter"), f"{member}.filter")
        if _EXCLUSION_FILTER_RE.fullmatch(pattern) is None:
            raise invalid_parameter(
                f"{member}.filter",
                f"must satisfy regular expression '{EXCLUSION_FILTER_PATTERN}'",
            )
        patterns.append(pattern)
    return tuple(patterns)


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


def _check_tags(params: Mapping[str, Any]) -> None:
    # Resource tags are accepted and checked for shape; no tagging API reads them back.
    raw = params.get("tags")
    if raw is None:
        return
    for position, entry in enumerate(v.expect_list(raw, "tags")):
        member = f"tags.{position + 1}.member"
        tag = v.expect_object(entry, member)
        v.expect_str(v.require(tag, "Key"), f"{member}.Key")
        v.expect_str(v.require(tag, "Value"), f"{member}.Value")


def create_repository(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    raw_mode = params.get("imageTagMutability")
    mode = (
        TagMutability.MUTABLE
        if raw_mode is None
        else TagMutability(v.enum_value(raw_mode, "imageTagMutability", MUTABILITIES))
    )
    filters = _exclusion_filters(params, mode)
    scanning = v.optional_object(params, "imageScanningConfiguration")
    raw_scan = scanning.get("scanOnPush")
    scan_on_push = False if raw_scan is None else v.expect_bool(raw_scan, "scanOnPush")
    encryption_type, kms_key = _encryption(params)
    _check_tags(params)

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
        created_at=round(ctx.clock(), 3),
        tag_mutability_exclusion_filters=filters,
        scan_on_push=scan_on_push,
        encryption_type=encryption_type,
        kms_key=kms_key,
    )
    return {"repository": repository_shape(repo)}
