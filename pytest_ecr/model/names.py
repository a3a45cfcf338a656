"""The names ECR defines: repository names, registry ids, tags, digests and regions.

Each rule is written here once, as the pattern text (what ECR quotes in its messages and
what the JSON Schema of declarations states, anchored) and its compiled form. The
declarations and the service layer both check names with these.
"""

from __future__ import annotations

import re
from typing import Final

#: ``RepositoryName`` pattern of the current ECR service model, as ECR quotes it (it
#: allows ``__`` and runs of ``-``; ``\/`` is a plain ``/``).
REPOSITORY_NAME_PATTERN: Final = (
    r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*"
)
#: ``RepositoryName`` length bounds of the service model.
REPOSITORY_NAME_MIN_LENGTH: Final = 2
REPOSITORY_NAME_MAX_LENGTH: Final = 256

#: ``RegistryId`` pattern: an AWS account id, 12 digits.
REGISTRY_ID_PATTERN: Final = "[0-9]{12}"
#: ``imageManifest``'s maximum length in botocore's model (4 MiB of characters).
MANIFEST_MAX_LENGTH: Final = 4_194_304

#: An image tag as a registry client writes it (the OCI distribution grammar); ECR's
#: ``ImageTag`` is 1 to :data:`IMAGE_TAG_MAX_LENGTH` characters.
IMAGE_TAG_PATTERN: Final = "[A-Za-z0-9_][A-Za-z0-9_.-]*"
IMAGE_TAG_MAX_LENGTH: Final = 300

#: The regular expression ECR quotes in its ``InvalidImageDigest`` failure reason.
DIGEST_PATTERN: Final = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+"
#: The digest ECR computes for a manifest: ``sha256:`` and 64 lowercase hex digits.
SHA256_DIGEST_PATTERN: Final = "sha256:[a-f0-9]{64}"

#: An AWS region name, like ``us-east-1`` or ``ap-southeast-2``.
REGION_PATTERN: Final = "[a-z]{2}(-[a-z]+)+-[0-9]+"

# Compiled once; callers use ``fullmatch``. The quoted digest pattern has ``9-_`` in its
# character class; ECR means a literal hyphen there, so the compiled form escapes it
# rather than building a range.
REPOSITORY_NAME_RE: Final = re.compile(REPOSITORY_NAME_PATTERN)
REGISTRY_ID_RE: Final = re.compile(REGISTRY_ID_PATTERN)
IMAGE_TAG_RE: Final = re.compile(IMAGE_TAG_PATTERN)
DIGEST_RE: Final = re.compile(r"[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+")
SHA256_DIGEST_RE: Final = re.compile(SHA256_DIGEST_PATTERN)
REGION_RE: Final = re.compile(REGION_PATTERN)


def is_repository_name(value: str) -> bool:
    """Whether *value* is a repository name ECR accepts (length and pattern)."""
    return (
        REPOSITORY_NAME_MIN_LENGTH <= len(value) <= REPOSITORY_NAME_MAX_LENGTH
        and REPOSITORY_NAME_RE.fullmatch(value) is not None
    )


def is_registry_id(value: str) -> bool:
    """Whether *value* is a registry (account) id: 12 digits."""
    return REGISTRY_ID_RE.fullmatch(value) is not None


def is_image_tag(value: str) -> bool:
    """Whether *value* is an image tag: at most 300 characters of the tag grammar."""
    return len(value) <= IMAGE_TAG_MAX_LENGTH and IMAGE_TAG_RE.fullmatch(value) is not None


def is_valid_digest(value: str) -> bool:
    """Whether *value* is well formed by ECR's rule (``algorithm:hex``)."""
    return DIGEST_RE.fullmatch(value) is not None


def is_sha256_digest(value: str) -> bool:
    """Whether *value* is a digest as ECR computes it: ``sha256:`` and 64 lowercase hex."""
    return SHA256_DIGEST_RE.fullmatch(value) is not None


def is_region_name(value: str) -> bool:
    """Whether *value* reads as an AWS region name."""
    return REGION_RE.fullmatch(value) is not None


__all__ = [
    "DIGEST_PATTERN",
    "DIGEST_RE",
    "IMAGE_TAG_MAX_LENGTH",
    "IMAGE_TAG_PATTERN",
    "IMAGE_TAG_RE",
    "REGION_PATTERN",
    "REGION_RE",
    "REGISTRY_ID_PATTERN",
    "REGISTRY_ID_RE",
    "REPOSITORY_NAME_MAX_LENGTH",
    "REPOSITORY_NAME_MIN_LENGTH",
    "REPOSITORY_NAME_PATTERN",
    "REPOSITORY_NAME_RE",
    "SHA256_DIGEST_PATTERN",
    "SHA256_DIGEST_RE",
    "is_image_tag",
    "is_region_name",
    "is_registry_id",
    "is_repository_name",
    "is_sha256_digest",
    "is_valid_digest",
]
