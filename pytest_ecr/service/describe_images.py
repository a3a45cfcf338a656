"""DescribeImages: metadata of named images, or of every image of a repository in pages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pytest_ecr.model import Image, RegistryState, Repository
from pytest_ecr.model.archive import image_status, storage_class_used
from pytest_ecr.service import paging
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.image_ids import checked_image_ids
from pytest_ecr.service.list_images import read_filter
from pytest_ecr.service.scanning import findings_summary
from pytest_ecr.service.shapes import find_repository, image_not_found
from pytest_ecr.service.update_image_storage_class import archive_fields


def image_detail(repo: Repository, image: Image, now: float | None = None) -> dict[str, Any]:
    """An ``ImageDetail``: all tags (key absent when untagged), size, push time, types;
    the storage-class fields once the image was archived (as of *now*)."""
    detail: dict[str, Any] = {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "imageDigest": image.digest,
    }
    tags = repo.tags_of(image.digest)
    if tags:
        detail["imageTags"] = list(tags)
    size = repo.size_of(image)
    # Schema 1 manifests carry no sizes, and a list whose children are gone has none to
    # report; 0 keeps callers that read the key (as every real answer has it) working.
    detail["imageSizeInBytes"] = size if size is not None else 0
    detail["imagePushedAt"] = image.pushed_at
    detail["imageManifestMediaType"] = image.media_type
    # The model leaves it unset for manifest lists, which real answers show without it.
    if image.artifact_media_type is not None:
        detail["artifactMediaType"] = image.artifact_media_type
    if image.subject is not None:
        detail["subjectManifestDigest"] = image.subject
    if now is not None:
        detail.update(archive_fields(repo, image.digest, now))
    return detail


def _resolve(repo: Repository, tag: str | None, digest: str | None) -> Image:
    # Tag and digest together must name the same image, as in BatchGetImage.
    found = repo.resolve_tag(tag) if tag is not None else digest
    if found is None or (digest is not None and found != digest):
        raise image_not_found(tag, digest, repo)
    image = repo.get_image(found)
    if image is None:
        raise image_not_found(tag, digest, repo)
    return image


def _listed(repo: Repository, tag_status: str, status: str, now: float | None) -> Iterator[Image]:
    if now is None and status not in ("ACTIVE", "ANY"):
        return  # nothing in this repository ever left the ACTIVE status
    for image in repo.images():
        if now is not None and status != "ANY" and image_status(repo, image.digest, now) != status:
            continue
        if tag_status == "ANY" or (tag_status == "TAGGED") == bool(repo.tags_of(image.digest)):
            yield image


def describe_images(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    ids = v.bounded_list(params, "imageIds", low=1, high=100, required=False)
    tag_status, image_status = read_filter(params)
    if ids is not None:
        paging.exclusive_with(params, "imageIds")
        # No `failures` list here: a malformed id is an InvalidParameterException (ECR's
        # texts are unknown), where BatchGetImage reports it per id.
        checked = checked_image_ids(ids)
        repo = find_repository(state, registry_id, name, ctx)
        # One detail per image, in request order, however many ids name it.
        images: dict[str, Image] = {}
        for tag, digest in checked:
            image = _resolve(repo, tag, digest)
            images.setdefault(image.digest, image)
        now = ctx.clock() if storage_class_used(repo) else None
        return {
            "imageDetails": [
                {**image_detail(repo, image, now), **findings_summary(state, repo, image, ctx)}
                for image in images.values()
            ]
        }

    page = paging.page_request(
        params,
        f"DescribeImages\0{registry_id}\0{ctx.region}\0{name}\0{tag_status}\0{image_status}",
    )
    repo = find_repository(state, registry_id, name, ctx)
    # None: no image here ever changed storage class, so none needs its status looked up.
    now = ctx.clock() if storage_class_used(repo) else None
    listed, token = paging.paginate(_listed(repo, tag_status, image_status, now), page)
    return paging.with_token(
        {
            "imageDetails": [
                {**image_detail(repo, image, now), **findings_summary(state, repo, image, ctx)}
                for image in listed
            ]
        },
        token,
    )
