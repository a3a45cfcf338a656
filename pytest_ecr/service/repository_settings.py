"""Shared by CreateRepository and PutImageTagMutability: tag mutability with its
exclusion filters, and the KMS key a repository reports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import TagMutability
from pytest_ecr.model.encryption import AWS_MANAGED_ALIAS, alias_key_id
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.partitions import partition_of

MUTABILITIES = tuple(mode.value for mode in TagMutability)
EXCLUSION_FIELD = "imageTagMutabilityExclusionFilters"
EXCLUSION_FILTER_PATTERN = "^[0-9a-zA-Z._*-]{1,128}$"
EXCLUSION_FILTER_RE = re.compile(EXCLUSION_FILTER_PATTERN)
MAX_EXCLUSION_FILTERS = 5
WITH_EXCLUSION = (TagMutability.IMMUTABLE_WITH_EXCLUSION, TagMutability.MUTABLE_WITH_EXCLUSION)
KMS_KEY_FIELD = "encryptionConfiguration.kmsKey"
# arn:partition:kms:region:account:key/<id> or alias/<name>
_KMS_ARN_RE = re.compile(r"arn:([a-z-]+):kms:([a-z0-9-]+):([0-9]{12}):(key|alias)/(.+)")


def tag_mutability(params: Mapping[str, Any], *, required: bool) -> TagMutability:
    raw = v.require(params, "imageTagMutability") if required else params.get("imageTagMutability")
    if raw is None:
        return TagMutability.MUTABLE
    return TagMutability(v.enum_value(raw, "imageTagMutability", MUTABILITIES))


def exclusion_filters(params: Mapping[str, Any], mode: TagMutability) -> tuple[str, ...]:
    """The filters of a ``*_WITH_EXCLUSION`` *mode* (required with it, refused without)."""
    field = EXCLUSION_FIELD
    items = v.bounded_list(params, field, low=1, high=MAX_EXCLUSION_FILTERS, required=False)
    if mode not in WITH_EXCLUSION:
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
        if EXCLUSION_FILTER_RE.fullmatch(pattern) is None:
            raise invalid_parameter(
                f"{member}.filter",
                f"must satisfy regular expression '{EXCLUSION_FILTER_PATTERN}'",
            )
        patterns.append(pattern)
    return tuple(patterns)


def exclusion_filters_shape(filters: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"filterType": "WILDCARD", "filter": pattern} for pattern in filters]


def kms_key_arn(key: str | None, account: str, region: str) -> str:
    """The key ARN a repository of *account* in *region* reports for the ``kmsKey`` given.

    No key: the AWS-managed key ``alias/aws/ecr``. A key ARN is kept; a key id becomes the
    key's ARN in the repository's account and Region; an alias (``alias/name`` or an alias
    ARN) becomes the ARN of a key whose id derives from the alias (see
    :mod:`pytest_ecr.model.encryption`). A key ARN of another Region or partition is a
    ``KmsException``, as ECR requires the key in the repository's Region.
    """
    partition = partition_of(region).name
    if key is None:
        key = AWS_MANAGED_ALIAS
    match = _KMS_ARN_RE.fullmatch(key)
    if match is not None:
        key_partition, key_region, key_account, kind, rest = match.groups()
        if key_partition != partition or key_region != region:
            raise EcrError(
                "KmsException",
                f"The KMS key '{key}' is not in the Region '{region}' of the repository",
                extra={"kmsError": "NotFoundException"},
            )
        if kind == "key":
            return key
        return _arn(
            partition, region, key_account, alias_key_id(key_account, region, f"alias/{rest}")
        )
    if key.startswith("arn:"):
        raise invalid_parameter(
            KMS_KEY_FIELD, "Member must be a KMS key id, key ARN, alias or alias ARN"
        )
    if key.startswith("alias/"):
        return _arn(partition, region, account, alias_key_id(account, region, key))
    return _arn(partition, region, account, key)


def _arn(partition: str, region: str, account: str, key_id: str) -> str:
    return f"arn:{partition}:kms:{region}:{account}:key/{key_id}"


__all__ = [
    "EXCLUSION_FILTER_PATTERN",
    "MUTABILITIES",
    "WITH_EXCLUSION",
    "exclusion_filters",
    "exclusion_filters_shape",
    "kms_key_arn",
    "tag_mutability",
]
