"""What the four repository creation template operations share: checks, shape, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from pytest_ecr.model.templates import (
    APPLIED_FOR,
    ENCRYPTION_TYPES,
    EXCLUSION_FILTER_PATTERN,
    KMS_KEY_PATTERN,
    TAG_MUTABILITIES,
    RepositoryCreationTemplate,
)
from pytest_ecr.service import pull_through_cache as ptc
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import EcrError, invalid_parameter

PREFIX_MAX: Final = 256
DESCRIPTION_MAX: Final = 256
POLICY_MAX: Final = 10240
LIFECYCLE_POLICY_MAX: Final = 30720
KMS_KEY_MAX: Final = 2048
#: Tags a template may carry, and ECR's tag key and value lengths (its repository limits).
MAX_TAGS: Final = 50
TAG_KEY_MAX: Final = 128
TAG_VALUE_MAX: Final = 256
MUTABILITIES: Final = TAG_MUTABILITIES
FILTER_PATTERN: Final = EXCLUSION_FILTER_PATTERN

_KMS_KEY_RE: Final = re.compile(KMS_KEY_PATTERN)
_FILTER_RE: Final = re.compile(FILTER_PATTERN)


def template_prefix(params: Mapping[str, Any]) -> str:
    return ptc.prefix(v.require(params, "prefix"), "prefix", low=1, high=PREFIX_MAX)


def template_not_found(prefix: str, registry_id: str) -> EcrError:
    return EcrError(
        "TemplateNotFoundException",
        f"The repository creation template with prefix '{prefix}' can't be found in the "
        f"registry with id '{registry_id}'. Verify the registry ID and prefix and try again",
    )


def template_exists(prefix: str, registry_id: str) -> EcrError:
    return EcrError(
        "TemplateAlreadyExistsException",
        f"The repository creation template with prefix '{prefix}' already exists in the "
        f"registry with id '{registry_id}'. Specify a unique prefix and try again",
    )


def applied_for(value: Any) -> tuple[str, ...]:
    items = v.expect_list(value, "appliedFor")
    if not items:
        raise invalid_parameter("appliedFor", "Member must have length greater than or equal to 1")
    chosen = [v.enum_value(item, "appliedFor.member", APPLIED_FOR) for item in items]
    return tuple(dict.fromkeys(chosen))


def _policy(value: Any, field: str, high: int) -> str:
    text = v.string_length(value, field, low=0, high=high)
    if text:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise invalid_parameter(field, "Member must be a JSON object")
    return text


def _encryption(value: Any) -> tuple[str, str | None]:
    raw = v.expect_object(value, "encryptionConfiguration")
    field = "encryptionConfiguration.encryptionType"
    if raw.get("encryptionType") is None:
        raise invalid_parameter(field, "Member must not be null")
    kind = v.enum_value(raw["encryptionType"], field, ENCRYPTION_TYPES)
    key = raw.get("kmsKey")
    if key is None:
        return kind, None
    key_field = "encryptionConfiguration.kmsKey"
    text = v.string_length(key, key_field, low=0, high=KMS_KEY_MAX)
    if _KMS_KEY_RE.fullmatch(text) is None:
        raise invalid_parameter(key_field, f"must satisfy regular expression '{KMS_KEY_PATTERN}'")
    if text and kind == "AES256":
        raise invalid_parameter(key_field, "Member must be null when encryptionType is AES256")
    return kind, text or None


def _tags(value: Any) -> tuple[tuple[str, str], ...]:
    items = v.expect_list(value, "resourceTags")
    if len(items) > MAX_TAGS:
        raise invalid_parameter(
            "resourceTags", f"Member must have length less than or equal to {MAX_TAGS}"
        )
    tags: dict[str, str] = {}
    for position, raw in enumerate(items):
        field = f"resourceTags.{position + 1}.member"
        tag = v.expect_object(raw, field)
        key = v.string_length(v.require(tag, "Key"), f"{field}.Key", low=1, high=TAG_KEY_MAX)
        val = v.string_length(v.require(tag, "Value"), f"{field}.Value", low=0, high=TAG_VALUE_MAX)
        if key in tags:
            raise invalid_parameter(f"{field}.Key", "Member must be unique within resourceTags")
        tags[key] = val
    return tuple(tags.items())


def _filters(value: Any) -> tuple[str, ...]:
    items = v.expect_list(value, "imageTagMutabilityExclusionFilters")
    if not 1 <= len(items) <= 5:
        bound = "greater than or equal to 1" if not items else "less than or equal to 5"
        raise invalid_parameter(
            "imageTagMutabilityExclusionFilters", f"Member must have length {bound}"
        )
    patterns = []
    for position, raw in enumerate(items):
        field = f"imageTagMutabilityExclusionFilters.{position + 1}.member"
        entry = v.expect_object(raw, field)
        v.enum_value(v.require(entry, "filterType"), f"{field}.filterType", ("WILDCARD",))
        text = v.expect_str(v.require(entry, "filter"), f"{field}.filter")
        if _FILTER_RE.fullmatch(text) is None:
            raise invalid_parameter(
                f"{field}.filter", f"must satisfy regular expression '{FILTER_PATTERN}'"
            )
        patterns.append(text)
    return tuple(patterns)


def read_changes(params: Mapping[str, Any]) -> dict[str, Any]:
    """The template fields a Create or Update request sets, checked, by dataclass field."""
    changes: dict[str, Any] = {}
    readers = (
        (
            "description",
            "description",
            lambda x: v.string_length(x, "description", low=0, high=DESCRIPTION_MAX),
        ),
        ("resourceTags", "resource_tags", _tags),
        (
            "imageTagMutability",
            "image_tag_mutability",
            lambda x: v.enum_value(x, "imageTagMutability", MUTABILITIES),
        ),
        ("imageTagMutabilityExclusionFilters", "image_tag_mutability_exclusion_filters", _filters),
        (
            "repositoryPolicy",
            "repository_policy",
            lambda x: _policy(x, "repositoryPolicy", POLICY_MAX),
        ),
        (
            "lifecyclePolicy",
            "lifecycle_policy",
            lambda x: _policy(x, "lifecyclePolicy", LIFECYCLE_POLICY_MAX),
        ),
        ("appliedFor", "applied_for", applied_for),
        (
            "customRoleArn",
            "custom_role_arn",
            lambda x: v.string_length(x, "customRoleArn", low=0, high=ptc.CUSTOM_ROLE_MAX),
        ),
    )
    for member, name, read in readers:
        raw = params.get(member)
        if raw is not None:
            changes[name] = read(raw)
    raw_encryption = params.get("encryptionConfiguration")
    if raw_encryption is not None:
        changes["encryption_type"], changes["kms_key"] = _encryption(raw_encryption)
    return changes


def apply_changes(
    template: RepositoryCreationTemplate, changes: Mapping[str, Any]
) -> RepositoryCreationTemplate:
    """*template* with *changes*; a new non-exclusion mutability drops the old filters."""
    changed = dict(changes)
    mode = changed.get("image_tag_mutability")
    if (
        mode is not None
        and not mode.endswith("_WITH_EXCLUSION")
        and "image_tag_mutability_exclusion_filters" not in changed
    ):
        changed["image_tag_mutability_exclusion_filters"] = ()
    updated = replace(template, **changed)
    with_exclusion = updated.image_tag_mutability.endswith("_WITH_EXCLUSION")
    if with_exclusion and not updated.image_tag_mutability_exclusion_filters:
        raise invalid_parameter(
            "imageTagMutabilityExclusionFilters",
            f"Member must not be null when imageTagMutability is {updated.image_tag_mutability}",
        )
    if not with_exclusion and updated.image_tag_mutability_exclusion_filters:
        raise invalid_parameter(
            "imageTagMutabilityExclusionFilters",
            f"Member must be null when imageTagMutability is {updated.image_tag_mutability}",
        )
    return updated


def template_shape(template: RepositoryCreationTemplate) -> dict[str, Any]:
    """A ``RepositoryCreationTemplate`` as every template operation answers it."""
    encryption: dict[str, Any] = {"encryptionType": template.encryption_type}
    if template.kms_key is not None:
        encryption["kmsKey"] = template.kms_key
    shape: dict[str, Any] = {"prefix": template.prefix}
    if template.description is not None:
        shape["description"] = template.description
    shape["encryptionConfiguration"] = encryption
    shape["resourceTags"] = [{"Key": k, "Value": val} for k, val in template.resource_tags]
    shape["imageTagMutability"] = template.image_tag_mutability
    if template.image_tag_mutability_exclusion_filters:
        shape["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": f}
            for f in template.image_tag_mutability_exclusion_filters
        ]
    if template.repository_policy is not None:
        shape["repositoryPolicy"] = template.repository_policy
    if template.lifecycle_policy is not None:
        shape["lifecyclePolicy"] = template.lifecycle_policy
    shape["appliedFor"] = list(template.applied_for)
    if template.custom_role_arn is not None:
        shape["customRoleArn"] = template.custom_role_arn
    shape["createdAt"] = template.created_at
    shape["updatedAt"] = template.updated_at
    return shape
