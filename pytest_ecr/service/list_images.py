"""ListImages: one ``ImageIdentifier`` per (image, tag), untagged images by digest alone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.model.archive import image_status as status_of
from pytest_ecr.model.archive import storage_class_used
from pytest_ecr.service import paging
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.shapes import find_repository, image_id

TAG_STATUSES = ("TAGGED", "UNTAGGED", "ANY")
IMAGE_STATUSES = ("ACTIVE", "ARCHIVED", "ACTIVATING", "ANY")


def read_filter(params: Mapping[str, Any]) -> tuple[str, str]:
    """``(tagStatus, imageStatus)`` of a ListImages or DescribeImages ``filter``."""
    raw = v.optional_object(params, "filter")
    tag_status = raw.get("tagStatus")
    image_status = raw.get("imageStatus")
    return (
        "ANY" if tag_status is None else v.enum_value(tag_status, "filter.tagStatus", TAG_STATUSES),
        "ACTIVE"
        if image_status is None
        else v.enum_value(image_status, "filter.imageStatus", IMAGE_STATUSES),
    )


def _entries(
    repo: Repository, tag_status: str, image_status: str = "ANY", now: float | None = None
) -> Iterator[dict[str, str]]:
    want_tagged = tag_status in ("TAGGED", "ANY")
    want_untagged = tag_status in ("UNTAGGED", "ANY")
    if now is None and image_status not in ("ACTIVE", "ANY"):
        return  # nothing in this repository ever left the ACTIVE status
    check = now is not None and image_status != "ANY"
    for image in repo.images():
        if check and status_of(repo, image.digest, now or 0.0) != image_status:
            continue
        tags = repo.tags_of(image.digest)
        if tags:
            if want_tagged:
                for tag in tags:
                    yield image_id(image.digest, tag)
        elif want_untagged:
            yield image_id(image.digest, None)


def list_images(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    tag_status, image_status = read_filter(params)
    page = paging.page_request(
        params, f"ListImages\0{registry_id}\0{ctx.region}\0{name}\0{tag_status}\0{image_status}"
    )
    repo = find_repository(state, registry_id, name, ctx)
    now = ctx.clock() if storage_class_used(repo) else None
    ids, token = paging.paginate(_entries(repo, tag_status, image_status, now), page)
    return paging.with_token({"imageIds": ids}, token)
