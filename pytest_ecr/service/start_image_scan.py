"""StartImageScan: a basic scan of one image, within ECR's one-scan-a-day quota."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import MediaType, RegistryState
from pytest_ecr.model import scanning as s
from pytest_ecr.model.archive import ACTIVE, image_status, storage_class_used
from pytest_ecr.service import scanning as sc
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.shapes import find_repository

QUOTA_EXCEEDED = "The scan quota per image has been exceeded. Wait and try again."


def unsupported_image_type(media_type: str) -> EcrError:
    return EcrError(
        "UnsupportedImageTypeException",
        f"An artifact with media type '{media_type}' cannot be scanned. For more "
        "information, see the Amazon ECR documentation.",
    )


def start_image_scan(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    tag, digest = sc.requested_image(params)
    repo = find_repository(state, registry_id, name, ctx)
    image = sc.resolve(repo, tag, digest)
    config = s.configuration(state, registry_id, ctx.region)
    if config.scan_type == s.ENHANCED:
        # Enhanced scanning scans on push or continuously; manual scans are basic only.
        raise sc.feature_disabled()
    if image.media_type in MediaType.LISTS:
        raise unsupported_image_type(image.media_type)
    now = ctx.clock()
    if storage_class_used(repo) and image_status(repo, image.digest, now) != ACTIVE:
        # An archived image (or one still being restored) cannot be scanned.
        raise EcrError(
            "ImageArchivedException",
            f"The image with digest '{image.digest}' in the repository with name '{name}' "
            f"in the registry with id '{registry_id}' is archived and cannot be scanned",
        )
    last = s.scan_of(repo, image.digest)
    # A declared scan (duration 0) is the image's history, not a scan of today's quota.
    if (
        last is not None
        and last.duration > 0
        and last.scan_type == s.BASIC
        and now < last.started_at + s.SCAN_QUOTA_PERIOD
    ):
        raise EcrError("LimitExceededException", QUOTA_EXCEEDED)
    scan = s.start_scan(state, repo, image.digest, now)
    return {
        "registryId": registry_id,
        "repositoryName": name,
        "imageId": sc.echo_id(image, tag),
        "imageScanStatus": sc.status_shape(scan.status(now)),
    }
