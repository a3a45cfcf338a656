"""The ``version: 1`` declaration format, stated once: keys, values, patterns, hints.

Everything that needs to know what a declaration may say reads it here: the shape checks
(:mod:`~pytest_ecr.declarations.shapes`), the document walk
(:mod:`~pytest_ecr.declarations.schema`), the merge's defaults
(:mod:`~pytest_ecr.declarations.build`) and the docs' tests. The patterns of ECR's own
names come from :mod:`pytest_ecr.model.names`, which the service layer checks requests
with too.

``schema.json`` (the JSON Schema shipped for editors) is written by hand, because its
descriptions are the reference documentation. It is *checked* against this module, not
generated from it: ``tests/declarations/test_format.py`` reads every key list, required
list, enum, constant, pattern, bound and default the schema states outside its
``fault`` definition and asserts the set equals :func:`schema_facts`, so neither side can
state a rule the other lacks. (The ``fault`` definition is checked against
:mod:`pytest_ecr.faults`, which owns fault fields, in ``tests/test_cli.py``.)

The hints kept here describe what a value accepts and serve more than one check; a hint
that only says how to fix one message stays beside the check that gives it.
"""

from __future__ import annotations

from itertools import combinations
from typing import Final

from pytest_ecr.declarations import blobs_format, caches_format
from pytest_ecr.declarations.platforms import PLATFORM_HINT, PLATFORM_PATTERN
from pytest_ecr.model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    IMAGE_FAILURE_CODES,
    MediaType,
    TagMutability,
)
from pytest_ecr.model.account import (
    ACCOUNT_SETTING_DEFAULTS,
    ACCOUNT_SETTING_NAMES,
    ACCOUNT_SETTINGS,
)
from pytest_ecr.model.names import (
    IMAGE_TAG_MAX_LENGTH,
    IMAGE_TAG_PATTERN,
    REGION_PATTERN,
    REGISTRY_ID_PATTERN,
    REPOSITORY_NAME_MAX_LENGTH,
    REPOSITORY_NAME_MIN_LENGTH,
    REPOSITORY_NAME_PATTERN,
    SHA256_DIGEST_PATTERN,
)
from pytest_ecr.model.tags import MAX_KEY_LENGTH, MAX_TAGS, MAX_VALUE_LENGTH
from pytest_ecr.service.repository_settings import EXCLUSION_FILTER_PATTERN

#: The format version this package reads.
VERSION: Final = 1

# -- keys, per level -------------------------------------------------------------------

#: The repository key of the tag-mutability exclusion filters.
EXCLUSIONS_KEY: Final = "tag_mutability_exclusions"
#: Keys of the document itself, in the order the reference lists them.
TOP_KEYS: Final = ("version", "account", "region", "registries", "repositories", "faults")
TOP_REQUIRED: Final = ("version",)
#: Keys of one ``registries:`` entry: where it is, then the registry-level settings
#: (:mod:`~pytest_ecr.declarations.features`).
REGISTRY_KEYS: Final = (
    "account",
    "region",
    "policy",
    "account_settings",
    "scanning",
    "replication",
    "signing",
    caches_format.PULL_THROUGH_CACHE_RULES,
    caches_format.CREATION_TEMPLATES,
    blobs_format.ALLOW_MISSING_LAYERS_KEY,
)
#: Keys of one ``repositories:`` entry.
REPOSITORY_KEYS: Final = (
    "name",
    "account",
    "region",
    "tag_mutability",
    "images",
    "tags",
    "scan_on_push",
    "encryption",
    "created_at",
    EXCLUSIONS_KEY,
    "policy",
    "lifecycle_policy",
    blobs_format.ALLOW_MISSING_LAYERS_KEY,
)
REPOSITORY_REQUIRED: Final = ("name",)
#: Keys of one ``images:`` entry.
IMAGE_KEYS: Final = (
    "tags",
    "manifest",
    "manifest_text",
    "manifest_file",
    "media_type",
    "platforms",
    "digest",
    "pushed_at",
    "failure",
    "scan",
    blobs_format.BLOBS_KEY,
)
#: The keys that give an image's manifest; an image takes at most one of them, and none
#: together with ``platforms``.
MANIFEST_KEYS: Final = ("manifest", "manifest_text", "manifest_file")
#: Keys of an image's ``failure:`` mapping.
FAILURE_KEYS: Final = ("code", "reason")
FAILURE_REQUIRED: Final = ("code",)
#: Keys of a repository's ``encryption:`` mapping.
ENCRYPTION_KEYS: Final = ("type", "kms_key")
ENCRYPTION_REQUIRED: Final = ("type",)

# -- values ----------------------------------------------------------------------------

#: The values of ``tag_mutability``, and the default.
TAG_MUTABILITIES: Final = tuple(m.value for m in TagMutability)
DEFAULT_TAG_MUTABILITY: Final = TagMutability.MUTABLE
#: The values of ``encryption.type`` (ECR's ``encryptionType``), and the default.
ENCRYPTION_TYPES: Final = ("AES256", "KMS", "KMS_DSSE")
DEFAULT_ENCRYPTION_TYPE: Final = "AES256"
#: Tag keys may not start with ``aws:``, in any case.
RESERVED_TAG_PATTERN: Final = "^[aA][wW][sS]:"
#: At most this many ``tag_mutability_exclusions`` (ECR's limit on exclusion filters).
MAX_EXCLUSIONS: Final = 5
#: The values of ``failure.code``: ECR's ``ImageFailureCode``.
FAILURE_CODES: Final = IMAGE_FAILURE_CODES
#: The media type of a synthetic manifest, and of a declared one without ``mediaType``.
DEFAULT_MEDIA_TYPE: Final = MediaType.DOCKER_V2
#: The list types ``platforms:`` can generate, the default first.
LIST_MEDIA_TYPES: Final = (MediaType.DOCKER_LIST, MediaType.OCI_INDEX)
#: 2024-01-01T00:00:00Z: image ``i`` of a repository is pushed ``i`` seconds after it,
#: unless it says ``pushed_at``, so declaration order is push order.
DEFAULT_PUSHED_AT: Final = 1_704_067_200.0

#: Keys of an image's ``scan:`` mapping (its declared, finished scan).
SCAN_KEYS: Final = ("status", "findings", "severity_counts")
#: The default status of a declared scan (the statuses are the model's
#: ``scanning.OUTCOMES``).
DEFAULT_SCAN_STATUS: Final = "COMPLETE"
#: Keys of one ``scan.findings`` entry.
FINDING_KEYS: Final = (
    "name",
    "severity",
    "description",
    "uri",
    "package_name",
    "package_version",
)
FINDING_REQUIRED: Final = ("name", "severity")
#: Keys of a registry's ``scanning:`` mapping, and of one of its ``rules``.
SCANNING_KEYS: Final = ("scan_type", "rules")
SCANNING_RULE_KEYS: Final = ("scan_frequency", "repository_filters")
SCANNING_RULE_REQUIRED: Final = ("scan_frequency", "repository_filters")

# -- hints -------------------------------------------------------------------------------

ACCOUNT_HINT: Final = "an AWS account id is 12 digits, like '123456789012'"
REGION_HINT: Final = "a region looks like 'us-east-1' or 'ap-southeast-2'"
REGION_SHORT_HINT: Final = "a region looks like 'us-east-1'"
NAME_HINT: Final = (
    "2 to 256 characters: lowercase letters and digits, joined by '.', '_', '__' or "
    "runs of '-', with '/' between path components, like 'team/api'"
)
TAG_HINT: Final = (
    "1 to 300 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'"
)
PUSHED_AT_HINT: Final = "an ISO-8601 time like 2024-05-01T12:00:00Z, or epoch seconds"
DIGEST_HINT: Final = "sha256: followed by 64 lowercase hex digits"
FAILURE_CODE_HINT: Final = f"expected one of: {', '.join(FAILURE_CODES)}"
TAG_MUTABILITY_HINT: Final = f"expected one of: {', '.join(TAG_MUTABILITIES)}"
PLATFORMS_EXAMPLE: Final = "like `platforms: [linux/amd64, linux/arm64]`"
MANIFEST_HINT: Final = "ECR accepts Docker v2, OCI and schema 1 manifests and lists"
UTF8_MANIFEST_HINT: Final = "ECR stores manifests as UTF-8 JSON"

# -- the JSON Schema's view ----------------------------------------------------------------

#: What :func:`schema_facts` covers in ``schema.json``: these keywords, everywhere but
#: under ``/$defs/fault``.
SCHEMA_KEYWORDS: Final = (
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "maxProperties",
    "uniqueItems",
    "minimum",
    "default",
)


def _anchored(pattern: str) -> str:
    # JSON Schema patterns search; the format's match whole values.
    return pattern if pattern.startswith("^") else f"^{pattern}$"


def _manifest_exclusions() -> dict[str, object]:
    """The ``allOf`` of ``image``: one manifest key at most, and none with ``platforms``."""
    facts: dict[str, object] = {}
    pairs = list(combinations(MANIFEST_KEYS, 2))
    for index, pair in enumerate(pairs):
        facts[f"/$defs/image/allOf/{index}/not/required"] = list(pair)
    last = f"/$defs/image/allOf/{len(pairs)}"
    facts[f"{last}/if/required"] = ["platforms"]
    for index, key in enumerate(MANIFEST_KEYS):
        facts[f"{last}/then/not/anyOf/{index}/required"] = [key]
    return facts


def _account_settings_facts() -> dict[str, object]:
    """``account_settings`` of a ``registries:`` entry: each name, its values, its default."""
    at = "/$defs/registry/properties/account_settings"
    facts: dict[str, object] = {
        f"{at}/additionalProperties": False,
        f"{at}/properties": list(ACCOUNT_SETTING_NAMES),
    }
    for name in ACCOUNT_SETTING_NAMES:
        facts[f"{at}/properties/{name}/enum"] = list(ACCOUNT_SETTINGS[name])
        facts[f"{at}/properties/{name}/default"] = ACCOUNT_SETTING_DEFAULTS[name]
    return facts


# -- registry-level features: replication and signing ------------------------------------

#: Keys of one ``replication:`` rule, of one of its destinations, and their rules
#: (PutReplicationConfiguration's).
REPLICATION_RULE_KEYS: Final = ("destinations", "repository_filters", "delete_replication")
REPLICATION_RULE_REQUIRED: Final = ("destinations",)
REPLICATION_DESTINATION_KEYS: Final = ("region", "account")
REPLICATION_DESTINATION_REQUIRED: Final = ("region",)
#: Keys of one ``signing:`` rule (PutSigningConfiguration's).
SIGNING_RULE_KEYS: Final = ("profile_arn", "repository_filters")
SIGNING_RULE_REQUIRED: Final = ("profile_arn",)


def _registry_feature_facts() -> dict[str, object]:
    """What ``schema.json`` states of the ``replication:`` and ``signing:`` keys."""
    from pytest_ecr.model import replication as rep
    from pytest_ecr.model import signing as sig

    rule = "/$defs/registry/properties/replication/items"
    destination = f"{rule}/properties/destinations/items"
    filters = f"{rule}/properties/repository_filters"
    signing = "/$defs/registry/properties/signing/items"
    signing_filters = f"{signing}/properties/repository_filters"
    return {
        f"{rule}/additionalProperties": False,
        f"{rule}/required": list(REPLICATION_RULE_REQUIRED),
        f"{rule}/properties": list(REPLICATION_RULE_KEYS),
        f"{destination}/additionalProperties": False,
        f"{destination}/required": list(REPLICATION_DESTINATION_REQUIRED),
        f"{destination}/properties": list(REPLICATION_DESTINATION_KEYS),
        "/$defs/registry/properties/replication/maxItems": rep.MAX_RULES,
        f"{rule}/properties/destinations/maxItems": rep.MAX_DESTINATIONS_PER_RULE,
        f"{filters}/minItems": 1,
        f"{filters}/maxItems": rep.MAX_FILTERS,
        f"{filters}/items/minLength": rep.FILTER_MIN_LENGTH,
        f"{filters}/items/maxLength": rep.FILTER_MAX_LENGTH,
        f"{filters}/items/pattern": rep.FILTER_PATTERN,
        f"{signing}/additionalProperties": False,
        f"{signing}/required": list(SIGNING_RULE_REQUIRED),
        f"{signing}/properties": list(SIGNING_RULE_KEYS),
        f"{signing}/properties/profile_arn/maxLength": sig.PROFILE_ARN_MAX_LENGTH,
        f"{signing}/properties/profile_arn/pattern": sig.PROFILE_ARN_PATTERN,
        "/$defs/registry/properties/signing/maxItems": sig.MAX_RULES,
        f"{signing_filters}/minItems": 1,
        f"{signing_filters}/maxItems": sig.MAX_FILTERS,
        f"{signing_filters}/items/minLength": sig.FILTER_MIN_LENGTH,
        f"{signing_filters}/items/maxLength": rep.FILTER_MAX_LENGTH,
        f"{signing_filters}/items/pattern": sig.FILTER_PATTERN,
    }


def schema_facts() -> dict[str, object]:
    """What ``schema.json`` must state, by JSON pointer (``/$defs/image/properties``...).

    A pointer ending in ``/properties`` maps to the list of keys in order; every other
    one to the keyword's value. The keywords are :data:`SCHEMA_KEYWORDS`.
    """
    top, repository, image = "/properties", "/$defs/repository", "/$defs/image/properties"
    failure = "/$defs/image_failure"
    encryption = "/$defs/encryption"
    return {
        "/required": list(TOP_REQUIRED),
        "/additionalProperties": False,
        top: list(TOP_KEYS),
        f"{top}/version/const": VERSION,
        f"{top}/account/default": DEFAULT_ACCOUNT,
        f"{top}/region/default": DEFAULT_REGION,
        f"{top}/registries/default": [],
        f"{top}/repositories/default": [],
        "/$defs/registry/additionalProperties": False,
        "/$defs/registry/properties": list(REGISTRY_KEYS),
        **_account_settings_facts(),
        f"{top}/faults/default": [],
        "/$defs/account/pattern": _anchored(REGISTRY_ID_PATTERN),
        "/$defs/region/pattern": _anchored(REGION_PATTERN),
        f"{repository}/required": list(REPOSITORY_REQUIRED),
        f"{repository}/additionalProperties": False,
        f"{repository}/properties": list(REPOSITORY_KEYS),
        f"{repository}/properties/name/minLength": REPOSITORY_NAME_MIN_LENGTH,
        f"{repository}/properties/name/maxLength": REPOSITORY_NAME_MAX_LENGTH,
        f"{repository}/properties/name/pattern": _anchored(REPOSITORY_NAME_PATTERN),
        f"{repository}/properties/tag_mutability/enum": list(TAG_MUTABILITIES),
        f"{repository}/properties/tag_mutability/default": DEFAULT_TAG_MUTABILITY.value,
        f"{repository}/properties/images/default": [],
        f"{repository}/properties/tags/maxProperties": MAX_TAGS,
        f"{repository}/properties/tags/propertyNames/minLength": 1,
        f"{repository}/properties/tags/propertyNames/maxLength": MAX_KEY_LENGTH,
        f"{repository}/properties/tags/propertyNames/not/pattern": RESERVED_TAG_PATTERN,
        f"{repository}/properties/tags/additionalProperties": {
            "type": "string",
            "maxLength": MAX_VALUE_LENGTH,
        },
        f"{repository}/properties/scan_on_push/default": False,
        f"{repository}/properties/created_at/minimum": 0,
        f"{repository}/properties/tag_mutability_exclusions/minItems": 1,
        f"{repository}/properties/tag_mutability_exclusions/maxItems": MAX_EXCLUSIONS,
        f"{repository}/properties/tag_mutability_exclusions/items/pattern": (
            EXCLUSION_FILTER_PATTERN
        ),
        f"{encryption}/required": list(ENCRYPTION_REQUIRED),
        f"{encryption}/additionalProperties": False,
        f"{encryption}/properties": list(ENCRYPTION_KEYS),
        f"{encryption}/properties/type/enum": list(ENCRYPTION_TYPES),
        f"{encryption}/properties/type/default": DEFAULT_ENCRYPTION_TYPE,
        f"{encryption}/properties/kms_key/minLength": 1,
        f"{encryption}/properties/kms_key/maxLength": 2048,
        "/$defs/image/additionalProperties": False,
        image: list(IMAGE_KEYS),
        f"{image}/tags/uniqueItems": True,
        f"{image}/tags/default": [],
        f"{image}/tags/items/minLength": 1,
        f"{image}/tags/items/maxLength": IMAGE_TAG_MAX_LENGTH,
        f"{image}/tags/items/pattern": _anchored(IMAGE_TAG_PATTERN),
        f"{image}/manifest_text/minLength": 1,
        f"{image}/manifest_file/minLength": 1,
        f"{image}/media_type/minLength": 1,
        f"{image}/platforms/minItems": 1,
        f"{image}/platforms/uniqueItems": True,
        f"{image}/platforms/items/pattern": _anchored(PLATFORM_PATTERN),
        f"{image}/digest/pattern": _anchored(SHA256_DIGEST_PATTERN),
        f"{image}/pushed_at/minimum": 0,
        **_manifest_exclusions(),
        f"{failure}/required": list(FAILURE_REQUIRED),
        f"{failure}/additionalProperties": False,
        f"{failure}/properties": list(FAILURE_KEYS),
        f"{failure}/properties/code/enum": list(FAILURE_CODES),
        **_scan_facts(),
        **_registry_feature_facts(),
        **caches_format.schema_facts(),
        **blobs_format.schema_facts(),
    }


def _scan_facts() -> dict[str, object]:
    """What ``schema.json`` states about an image's ``scan:`` and its findings."""
    from pytest_ecr.model import scanning

    scan, finding = "/$defs/image_scan", "/$defs/scan_finding"
    counts = f"{scan}/properties/severity_counts"
    return {
        f"{scan}/additionalProperties": False,
        f"{scan}/properties": list(SCAN_KEYS),
        f"{scan}/properties/status/enum": list(scanning.OUTCOMES),
        f"{scan}/properties/status/default": DEFAULT_SCAN_STATUS,
        f"{scan}/properties/findings/default": [],
        f"{scan}/not/required": ["findings", "severity_counts"],
        f"{counts}/additionalProperties": False,
        f"{counts}/properties": list(scanning.SEVERITIES),
        **{f"{counts}/properties/{severity}/minimum": 0 for severity in scanning.SEVERITIES},
        f"{finding}/required": list(FINDING_REQUIRED),
        f"{finding}/additionalProperties": False,
        f"{finding}/properties": list(FINDING_KEYS),
        f"{finding}/properties/name/minLength": 1,
        f"{finding}/properties/severity/enum": list(scanning.SEVERITIES),
        **_registry_scanning_facts(),
    }


def _registry_scanning_facts() -> dict[str, object]:
    """What ``schema.json`` states about a registry's ``scanning:``."""
    from pytest_ecr.model import scanning

    config, rule = "/$defs/registry_scanning", "/$defs/scanning_rule"
    filters = f"{rule}/properties/repository_filters"
    return {
        f"{config}/additionalProperties": False,
        f"{config}/properties": list(SCANNING_KEYS),
        f"{config}/properties/scan_type/enum": list(scanning.SCAN_TYPES),
        f"{config}/properties/scan_type/default": scanning.BASIC,
        f"{config}/properties/rules/default": [],
        f"{config}/properties/rules/maxItems": scanning.MAX_RULES,
        f"{rule}/required": list(SCANNING_RULE_REQUIRED),
        f"{rule}/additionalProperties": False,
        f"{rule}/properties": list(SCANNING_RULE_KEYS),
        f"{rule}/properties/scan_frequency/enum": list(scanning.SCAN_FREQUENCIES),
        f"{filters}/maxItems": scanning.MAX_FILTERS,
        f"{filters}/items/minLength": 1,
        f"{filters}/items/maxLength": 255,
        f"{filters}/items/pattern": scanning.FILTER_PATTERN,
    }


__all__ = [
    "ACCOUNT_HINT",
    "DEFAULT_ENCRYPTION_TYPE",
    "DEFAULT_MEDIA_TYPE",
    "DEFAULT_PUSHED_AT",
    "DEFAULT_SCAN_STATUS",
    "DEFAULT_TAG_MUTABILITY",
    "DIGEST_HINT",
    "ENCRYPTION_KEYS",
    "ENCRYPTION_REQUIRED",
    "ENCRYPTION_TYPES",
    "EXCLUSIONS_KEY",
    "EXCLUSION_FILTER_PATTERN",
    "FAILURE_CODES",
    "FAILURE_CODE_HINT",
    "FAILURE_KEYS",
    "FAILURE_REQUIRED",
    "FINDING_KEYS",
    "FINDING_REQUIRED",
    "IMAGE_KEYS",
    "LIST_MEDIA_TYPES",
    "MANIFEST_HINT",
    "MANIFEST_KEYS",
    "MAX_EXCLUSIONS",
    "NAME_HINT",
    "PLATFORMS_EXAMPLE",
    "PLATFORM_HINT",
    "PUSHED_AT_HINT",
    "REGION_HINT",
    "REGION_SHORT_HINT",
    "REGISTRY_KEYS",
    "REPLICATION_DESTINATION_KEYS",
    "REPLICATION_DESTINATION_REQUIRED",
    "REPLICATION_RULE_KEYS",
    "REPLICATION_RULE_REQUIRED",
    "REPOSITORY_KEYS",
    "REPOSITORY_REQUIRED",
    "RESERVED_TAG_PATTERN",
    "SCANNING_KEYS",
    "SCANNING_RULE_KEYS",
    "SCANNING_RULE_REQUIRED",
    "SCAN_KEYS",
    "SCHEMA_KEYWORDS",
    "SIGNING_RULE_KEYS",
    "SIGNING_RULE_REQUIRED",
    "TAG_HINT",
    "TAG_MUTABILITIES",
    "TAG_MUTABILITY_HINT",
    "TOP_KEYS",
    "TOP_REQUIRED",
    "UTF8_MANIFEST_HINT",
    "VERSION",
    "schema_facts",
]
