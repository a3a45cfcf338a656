"""One ``imageId`` of a request (StartImageScan, DescribeImageScanFindings,
UpdateImageStorageClass, DescribeImageReplicationStatus, DescribeImageSigningStatus):
checked as ECR checks it, and resolved to the image it names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DIGEST_PATTERN, Image, Repository, is_valid_digest
from pytest_ecr.model.names import IMAGE_TAG_MAX_LENGTH
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import invalid_parameter
from pytest_ecr.service.shapes import image_not_found


def checked_image_id(raw: Any, field: str) -> tuple[str | None, str | None]:
    """``(tag, digest)`` of the ``ImageIdentifier`` *raw* at member *field*, each part
    checked as ECR checks it (one of the two at least, ECR's digest pattern, tag length)."""
    tag, digest = v.image_identifier(raw, field)
    if tag is None and digest is None:
        raise invalid_parameter(field, "Member must have an imageTag or an imageDigest")
    if digest is not None and not is_valid_digest(digest):
        raise invalid_parameter(
            f"{field}.imageDigest", f"must satisfy regular expression '{DIGEST_PATTERN}'"
        )
    if tag is not None:
        v.string_length(tag, f"{field}.imageTag", low=1, high=IMAGE_TAG_MAX_LENGTH)
    return tag, digest


def checked_image_ids(items: list[Any]) -> list[tuple[str | None, str | None]]:
    """Every ``(tag, digest)`` of an ``imageIds`` list, each checked as one id."""
    return [
        checked_image_id(raw, f"imageIds.{position + 1}.member")
        for position, raw in enumerate(items)
    ]


def requested_image(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(tag, digest)`` of the request's ``imageId``, checked as ECR checks it."""
    return checked_image_id(v.require(params, "imageId"), "imageId")


def resolve_image(repo: Repository, tag: str | None, digest: str | None) -> Image:
    """The image the id names (tag and digest together must agree), or ImageNotFound."""
    found = repo.resolve_tag(tag) if tag is not None else digest
    image = repo.get_image(found) if found is not None else None
    if image is None or (digest is not None and image.digest != digest):
        raise image_not_found(tag, digest, repo)
    return image
