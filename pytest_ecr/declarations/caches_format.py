"""The format of the registry-level keys ``pull_through_cache_rules`` and
``creation_templates``: their keys and the rules ``schema.json`` states for them.

Stated here once, read by :mod:`~pytest_ecr.declarations.caches` (the checks) and by
:func:`pytest_ecr.declarations.format.schema_facts` (the schema test). Each rule is the
service model's (the same constants the service checks requests with).
"""

from __future__ import annotations

from typing import Final

PULL_THROUGH_CACHE_RULES: Final = "pull_through_cache_rules"
CREATION_TEMPLATES: Final = "creation_templates"

#: Keys of one ``pull_through_cache_rules:`` entry and the API member each one gives.
RULE_MEMBERS: Final = {
    "ecr_repository_prefix": "ecrRepositoryPrefix",
    "upstream_registry_url": "upstreamRegistryUrl",
    "upstream_registry": "upstreamRegistry",
    "credential_arn": "credentialArn",
    "custom_role_arn": "customRoleArn",
    "upstream_repository_prefix": "upstreamRepositoryPrefix",
}
RULE_KEYS: Final = (*RULE_MEMBERS, "validation_failure")
RULE_REQUIRED: Final = ("ecr_repository_prefix", "upstream_registry_url")

#: Keys of one ``creation_templates:`` entry and the API member each one gives.
TEMPLATE_MEMBERS: Final = {
    "prefix": "prefix",
    "applied_for": "appliedFor",
    "description": "description",
    "encryption": "encryptionConfiguration",
    "kms_key": "encryptionConfiguration",
    "tags": "resourceTags",
    "tag_mutability": "imageTagMutability",
    "tag_mutability_exclusion_filters": "imageTagMutabilityExclusionFilters",
    "repository_policy": "repositoryPolicy",
    "lifecycle_policy": "lifecyclePolicy",
    "custom_role_arn": "customRoleArn",
}
TEMPLATE_KEYS: Final = tuple(TEMPLATE_MEMBERS)
TEMPLATE_REQUIRED: Final = ("prefix", "applied_for")


#: At most 50 pull-through cache rules per registry; 5 exclusion filters per template.
MAX_RULES: Final = 50
MAX_EXCLUSION_FILTERS: Final = 5


def schema_facts() -> dict[str, object]:
    """What ``schema.json`` states for these keys, by JSON pointer (see ``format``)."""
    # The model's rules, imported here: a declaration without these keys never needs them.
    from pytest_ecr.model.caches import CREDENTIAL_ARN_PATTERN, PREFIX_PATTERN, UPSTREAM_NAMES
    from pytest_ecr.model.templates import (
        APPLIED_FOR,
        ENCRYPTION_TYPES,
        EXCLUSION_FILTER_PATTERN,
        TAG_MUTABILITIES,
    )

    registry = "/$defs/registry/properties"
    rule, rules = "/$defs/pull_through_cache_rule", "/$defs/pull_through_cache_rule/properties"
    template = "/$defs/creation_template"
    fields = f"{template}/properties"
    return {
        f"{registry}/{PULL_THROUGH_CACHE_RULES}/default": [],
        f"{registry}/{CREATION_TEMPLATES}/default": [],
        f"{registry}/{PULL_THROUGH_CACHE_RULES}/maxItems": MAX_RULES,
        f"{rule}/required": list(RULE_REQUIRED),
        f"{rule}/additionalProperties": False,
        rules: list(RULE_KEYS),
        f"{rules}/ecr_repository_prefix/minLength": 2,
        f"{rules}/ecr_repository_prefix/maxLength": 30,
        f"{rules}/ecr_repository_prefix/pattern": PREFIX_PATTERN,
        f"{rules}/upstream_registry_url/minLength": 1,
        f"{rules}/upstream_registry/enum": list(UPSTREAM_NAMES),
        f"{rules}/credential_arn/minLength": 50,
        f"{rules}/credential_arn/maxLength": 612,
        f"{rules}/credential_arn/pattern": CREDENTIAL_ARN_PATTERN,
        f"{rules}/custom_role_arn/maxLength": 2048,
        f"{rules}/upstream_repository_prefix/minLength": 2,
        f"{rules}/upstream_repository_prefix/maxLength": 30,
        f"{rules}/upstream_repository_prefix/pattern": PREFIX_PATTERN,
        f"{rules}/validation_failure/minLength": 1,
        f"{template}/required": list(TEMPLATE_REQUIRED),
        f"{template}/additionalProperties": False,
        fields: list(TEMPLATE_KEYS),
        f"{fields}/prefix/minLength": 1,
        f"{fields}/prefix/maxLength": 256,
        f"{fields}/prefix/pattern": PREFIX_PATTERN,
        f"{fields}/applied_for/minItems": 1,
        f"{fields}/applied_for/items/enum": list(APPLIED_FOR),
        f"{fields}/description/maxLength": 256,
        f"{fields}/encryption/enum": list(ENCRYPTION_TYPES),
        f"{fields}/encryption/default": "AES256",
        f"{fields}/kms_key/maxLength": 2048,
        f"{fields}/tag_mutability/enum": list(TAG_MUTABILITIES),
        f"{fields}/tag_mutability/default": "MUTABLE",
        f"{fields}/tag_mutability_exclusion_filters/minItems": 1,
        f"{fields}/tag_mutability_exclusion_filters/maxItems": MAX_EXCLUSION_FILTERS,
        f"{fields}/tag_mutability_exclusion_filters/items/pattern": EXCLUSION_FILTER_PATTERN,
        f"{fields}/custom_role_arn/maxLength": 2048,
    }
