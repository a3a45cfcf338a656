"""Promote container images between tags in Amazon ECR.

This is the *code under test* of the example suite: a small release tool of the kind a
platform team keeps next to its pipelines. It creates its own boto3 client, as real
application code does, and knows nothing of pytest-ecr.

Promoting ``team/api:v1.2.0`` to ``prod`` means:

1. resolve ``v1.2.0`` with BatchGetImage, accepting single images and multi-architecture
   indexes in both the Docker and the OCI formats, so ECR returns the stored bytes;
2. check that the sha256 of those bytes is the digest ECR reported (a translated manifest
   would not be: the tool refuses to retag something it cannot verify);
3. PutImage the same bytes under ``prod``; ``ImageAlreadyExistsException`` means ``prod``
   already is that image, which counts as success.

ECR's throttling and 5xx errors are retried by botocore (standard mode, bounded attempts).
Per-image failures of a pull-through cache (``UpstreamTooManyRequests``,
``UpstreamUnavailable``) come back in a 200 response, which botocore does not retry, so
the tool retries those itself, a bounded number of times with a growing pause.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"

#: Everything the tool can retag unchanged: ECR then never translates a manifest.
ACCEPTED_MEDIA_TYPES = (OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST)
#: Per-image failures worth another try: a pull-through cache's upstream is struggling.
RETRYABLE_FAILURES = frozenset({"UpstreamTooManyRequests", "UpstreamUnavailable"})


class PromotionError(Exception):
    """The promotion did not happen; the message says why."""


class ImageUnavailable(PromotionError):
    """ECR reported the image as a failure; ``code`` is its ``failureCode``."""

    def __init__(self, reference: str, code: str, reason: str) -> None:
        super().__init__(f"{reference}: {code}: {reason}")
        self.code = code
        self.reason = reason


class DigestMismatch(PromotionError):
    """The manifest ECR returned does not hash to the digest ECR reported."""


class TagLocked(PromotionError):
    """The target tag exists on another image in a repository with immutable tags."""


@dataclass(frozen=True)
class ResolvedImage:
    repository: str
    tag: str
    digest: str
    media_type: str
    manifest: str


@dataclass(frozen=True)
class Promotion:
    repository: str
    source: str
    target: str
    digest: str
    changed: bool


def make_client(region: str | None = None, max_attempts: int = 5) -> ECRClient:
    """An ECR client that retries throttling and server errors: *max_attempts* in all."""
    return boto3.client(
        "ecr",
        region_name=region,
        config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}),
    )


class Promoter:
    """Resolves, verifies and retags images in one registry."""

    def __init__(
        self,
        client: ECRClient | None = None,
        *,
        registry_id: str | None = None,
        accepted_media_types: Sequence[str] = ACCEPTED_MEDIA_TYPES,
        attempts: int = 3,
        pause: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client or make_client()
        self.accepted_media_types = list(accepted_media_types)
        self.attempts = attempts
        self.pause = pause
        self.sleep = sleep
        self._registry: dict[str, Any] = {"registryId": registry_id} if registry_id else {}

    def resolve(self, repository: str, tag: str) -> ResolvedImage:
        """Fetch *repository:tag* and check its manifest against its digest."""
        reference = f"{repository}:{tag}"
        for attempt in range(1, self.attempts + 1):
            response = self.client.batch_get_image(
                **self._registry,
                repositoryName=repository,
                imageIds=[{"imageTag": tag}],
                acceptedMediaTypes=self.accepted_media_types,
            )
            if response["images"]:
                break
            failure = response["failures"][0]
            code = failure.get("failureCode", "")
            if code not in RETRYABLE_FAILURES or attempt == self.attempts:
                raise ImageUnavailable(reference, code, failure.get("failureReason", ""))
            self.sleep(self.pause * 2 ** (attempt - 1))
        image = response["images"][0]
        manifest = image["imageManifest"]
        digest = image["imageId"]["imageDigest"]
        actual = "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()
        if actual != digest:
            raise DigestMismatch(
                f"{reference}: the manifest returned hashes to {actual}, but ECR says the "
                f"image is {digest} (was it translated to another media type?)"
            )
        return ResolvedImage(repository, tag, digest, image["imageManifestMediaType"], manifest)

    def promote(self, repository: str, source: str, target: str) -> Promotion:
        """Point *target* at the image *source* names; idempotent."""
        image = self.resolve(repository, source)
        try:
            self.client.put_image(
                **self._registry,
                repositoryName=repository,
                imageManifest=image.manifest,
                imageManifestMediaType=image.media_type,
                imageDigest=image.digest,
                imageTag=target,
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ImageAlreadyExistsException":
                return Promotion(repository, source, target, image.digest, changed=False)
            if code == "ImageTagAlreadyExistsException":
                raise TagLocked(f"{repository}:{target} is immutable and elsewhere") from error
            raise
        return Promotion(repository, source, target, image.digest, changed=True)

    def releases(self, repository: str, prefix: str = "v") -> list[str]:
        """Release tags (starting with *prefix*), newest push first."""
        found: list[tuple[Any, str]] = []
        paginator = self.client.get_paginator("describe_images")
        pages = paginator.paginate(
            **self._registry, repositoryName=repository, filter={"tagStatus": "TAGGED"}
        )
        for page in pages:
            for detail in page["imageDetails"]:
                for tag in detail.get("imageTags", []):
                    if tag.startswith(prefix):
                        found.append((detail["imagePushedAt"], tag))
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [tag for _, tag in found]
