"""A small piece of ECR-dependent code: resolve a release tag to a verified image.

This is "the code under test" of the example suite: it creates its own boto3 client,
as real application code does, and knows nothing of pytest-ecr.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import boto3


class ImageUnavailable(Exception):
    """The image could not be fetched; ``code`` is ECR's failure code."""

    def __init__(self, reference: str, code: str, reason: str) -> None:
        super().__init__(f"{reference}: {code}: {reason}")
        self.code = code


@dataclass(frozen=True)
class ResolvedImage:
    repository: str
    tag: str
    digest: str
    media_type: str
    manifest: str


def resolve(repository: str, tag: str, *, client: Any = None) -> ResolvedImage:
    """Fetch *repository:tag* with BatchGetImage and check its digest."""
    client = client or boto3.client("ecr")
    response = client.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageTag": tag}],
        acceptedMediaTypes=[
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ],
    )
    for failure in response["failures"]:
        raise ImageUnavailable(
            f"{repository}:{tag}", failure["failureCode"], failure["failureReason"]
        )
    image = response["images"][0]
    manifest = image["imageManifest"]
    digest = image["imageId"]["imageDigest"]
    actual = "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    if actual != digest:
        raise ValueError(f"{repository}:{tag}: manifest hashes to {actual}, ECR said {digest}")
    return ResolvedImage(repository, tag, digest, image["imageManifestMediaType"], manifest)


def same_image(repository: str, first: str, second: str, *, client: Any = None) -> bool:
    """Whether two tags of *repository* point at the same image."""
    client = client or boto3.client("ecr")
    return (
        resolve(repository, first, client=client).digest
        == resolve(repository, second, client=client).digest
    )
