"""The ECR registry model: registries, repositories, images, digests and indexes.

This package knows nothing of botocore, YAML or pytest. Everything in it works on plain
Python values, so the same model serves the in-process hook, the HTTP endpoint and the
moto seeding code.
"""

from __future__ import annotations

from pytest_ecr.model.digest import sha256_digest
from pytest_ecr.model.image import (
    DEFAULT_FAILURE_REASONS,
    IMAGE_FAILURE_CODES,
    Image,
    ImageFailure,
)
from pytest_ecr.model.media import ManifestInfo, MediaType, inspect_manifest
from pytest_ecr.model.names import DIGEST_PATTERN, is_valid_digest
from pytest_ecr.model.registry import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    RegistryKey,
    RegistryState,
)
from pytest_ecr.model.repository import Repository, TagMutability

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_FAILURE_REASONS",
    "DEFAULT_REGION",
    "DIGEST_PATTERN",
    "IMAGE_FAILURE_CODES",
    "Image",
    "ImageFailure",
    "ManifestInfo",
    "MediaType",
    "RegistryKey",
    "RegistryState",
    "Repository",
    "TagMutability",
    "inspect_manifest",
    "is_valid_digest",
    "sha256_digest",
]
