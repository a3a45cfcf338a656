"""UpdateImageStorageClass: archive an image, or restore it on the fake's clock.

ARCHIVE answers ``ARCHIVED`` at once; STANDARD answers ``ACTIVATING``, and the image is
``ACTIVE`` again :data:`~pytest_ecr.model.archive.RESTORE_SECONDS` of the fake's time
later (``FakeEcr.advance`` or waiter sleeps move it on). What cannot change class (a
manifest list, an image already in, or on its way to, the target class) answers
``ImageStorageClassUpdateNotSupportedException``: ECR's triggers are unknown, these are
this project's choice (docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import Image, RegistryState, Repository
from pytest_ecr.model.archive import (
    ACTIVATING,
    ACTIVE,
    ARCHIVE,
    ARCHIVED,
    STORAGE_CLASS_KEY,
    STORAGE_CLASSES,
    StorageClassState,
    set_storage_state,
    storage_state,
)
from pytest_ecr.model.media import MediaType
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.image_ids import requested_image, resolve_image
from pytest_ecr.service.shapes import find_repository, image_id


def not_supported(image: Image, repo: Repository, why: str) -> EcrError:
    return EcrError(
        "ImageStorageClassUpdateNotSupportedException",
        f"The storage class of the image with digest '{image.digest}' in the repository "
        f"with name '{repo.name}' in the registry with id '{repo.registry_id}' cannot be "
        f"updated: {why}",
    )


def update_image_storage_class(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    tag, digest = requested_image(params)
    target = v.enum_value(
        v.require(params, "targetStorageClass"), "targetStorageClass", STORAGE_CLASSES
    )
    repo = find_repository(state, registry_id, name, ctx)
    image = resolve_image(repo, tag, digest)
    if image.children or image.media_type in MediaType.LISTS:
        raise not_supported(image, repo, "an image index changes class with its images only")
    now = ctx.clock()
    current = storage_state(repo, image.digest)
    status = current.status(now)
    if status == ACTIVATING:
        raise not_supported(image, repo, "it is being restored from the archive")
    if target == ARCHIVE:
        if status == ARCHIVED:
            raise not_supported(image, repo, "it is already archived")
        changed = current.archived(now)
    else:
        if status == ACTIVE:
            raise not_supported(image, repo, "it is already in the STANDARD storage class")
        changed = current.restored(now)
    set_storage_state(repo, image.digest, changed)
    return {
        "registryId": registry_id,
        "repositoryName": name,
        "imageId": image_id(image.digest, tag),
        "imageStatus": changed.status(now),
    }


def archive_fields(repo: Repository, digest: str, now: float) -> dict[str, object]:
    """DescribeImages' ``imageStatus``, ``lastArchivedAt``, ``lastActivatedAt`` of an image
    that UpdateImageStorageClass has touched (empty for one it never did)."""
    found = repo.image_state(digest, STORAGE_CLASS_KEY)
    if not isinstance(found, StorageClassState):
        return {}
    fields: dict[str, object] = {"imageStatus": found.status(now)}
    if found.last_archived_at is not None:
        fields["lastArchivedAt"] = found.last_archived_at
    activated = found.last_activated_at(now)
    if activated is not None:
        fields["lastActivatedAt"] = activated
    return fields
