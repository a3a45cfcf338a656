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

from pytest_ecr.declarations.platforms import PLATFORM_HINT, PLATFORM_PATTERN
from pytest_ecr.model import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    IMAGE_FAILURE_CODES,
    MediaType,
    TagMutability,
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

#: The format version this package reads.
VERSION: Final = 1

# -- keys, per level -------------------------------------------------------------------

#: Keys of the document itself, in the order the reference lists them.
TOP_KEYS: Final = ("version", "account", "region", "repositories", "faults")
TOP_REQUIRED: Final = ("version",)
#: Keys of one ``repositories:`` entry.
REPOSITORY_KEYS: Final = (
    "name",
    "account",
    "region",
    "tag_mutability",
    "images",
    "lifecycle_policy",
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
)
#: The keys that give an image's manifest; an image takes at most one of them, and none
#: together with ``platforms``.
MANIFEST_KEYS: Final = ("manifest", "manifest_text", "manifest_file")
#: Keys of an image's ``failure:`` mapping.
FAILURE_KEYS: Final = ("code", "reason")
FAILURE_REQUIRED: Final = ("code",)

# -- values ----------------------------------------------------------------------------

#: The values of ``tag_mutability``, and the default.
TAG_MUTABILITIES: Final = tuple(m.value for m in TagMutability)
DEFAULT_TAG_MUTABILITY: Final = TagMutability.MUTABLE
#: The values of ``failure.code``: ECR's ``ImageFailureCode``.
FAILURE_CODES: Final = IMAGE_FAILURE_CODES
#: The media type of a synthetic manifest, and of a declared one without ``mediaType``.
DEFAULT_MEDIA_TYPE: Final = MediaType.DOCKER_V2
#: The list types ``platforms:`` can generate, the default first.
LIST_MEDIA_TYPES: Final = (MediaType.DOCKER_LIST, MediaType.OCI_INDEX)
#: 2024-01-01T00:00:00Z: image ``i`` of a repository is pushed ``i`` seconds after it,
#: unless it says ``pushed_at``, so declaration order is push order.
DEFAULT_PUSHED_AT: Final = 1_704_067_200.0

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


def schema_facts() -> dict[str, object]:
    """What ``schema.json`` must state, by JSON pointer (``/$defs/image/properties``...).

    A pointer ending in ``/properties`` maps to the list of keys in order; every other
    one to the keyword's value. The keywords are :data:`SCHEMA_KEYWORDS`.
    """
    top, repository, image = "/properties", "/$defs/repository", "/$defs/image/properties"
    failure = "/$defs/image_failure"
    return {
        "/required": list(TOP_REQUIRED),
        "/additionalProperties": False,
        top: list(TOP_KEYS),
        f"{top}/version/const": VERSION,
        f"{top}/account/default": DEFAULT_ACCOUNT,
        f"{top}/region/default": DEFAULT_REGION,
        f"{top}/repositories/default": [],
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
    }


__all__ = [
    "ACCOUNT_HINT",
    "DEFAULT_MEDIA_TYPE",
    "DEFAULT_PUSHED_AT",
    "DEFAULT_TAG_MUTABILITY",
    "DIGEST_HINT",
    "FAILURE_CODES",
    "FAILURE_CODE_HINT",
    "FAILURE_KEYS",
    "FAILURE_REQUIRED",
    "IMAGE_KEYS",
    "LIST_MEDIA_TYPES",
    "MANIFEST_HINT",
    "MANIFEST_KEYS",
    "NAME_HINT",
    "PLATFORMS_EXAMPLE",
    "PLATFORM_HINT",
    "PUSHED_AT_HINT",
    "REGION_HINT",
    "REGION_SHORT_HINT",
    "REPOSITORY_KEYS",
    "REPOSITORY_REQUIRED",
    "SCHEMA_KEYWORDS",
    "TAG_HINT",
    "TAG_MUTABILITIES",
    "TAG_MUTABILITY_HINT",
    "TOP_KEYS",
    "TOP_REQUIRED",
    "UTF8_MANIFEST_HINT",
    "VERSION",
    "schema_facts",
]
