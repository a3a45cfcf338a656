"""BatchDeleteImage: remove tags or whole images, one result or failure per id (§6.6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DEFAULT_FAILURE_REASONS, RegistryState, Repository, is_valid_digest
from pytest_ecr.service import validation as v
from pytest_ecr.service.batch_get_image import MAX_TAG_LENGTH
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.shapes import find_repository, image_id, request_echo


def _referenced_by(repo: Repository, digest: str) -> str | None:
    """The failure reason when manifest lists in the repository still reference *digest*."""
    lists = [found for found in repo.referencing_lists(digest) if found != digest]
    if not lists:
        return None
    return f"Requested image referenced by manifest list: [{', '.join(lists)}]"


def batch_delete_image(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    ids = v.bounded_list(params, "imageIds", low=1, high=100, required=True)
    assert ids is not None
    checked = [
        v.image_identifier(raw, f"imageIds.{position + 1}.member")
        for position, raw in enumerate(ids)
    ]
    repo = find_repository(state, registry_id, name, ctx)

    deleted: list[dict[str, str]] = []
    failures: list[dict[str, Any]] = []
    seen_deleted: set[tuple[str, str | None]] = set()
    seen_failures: set[tuple[str | None, str | None]] = set()
    # What earlier ids of this request removed: a later id naming the same image or tag
    # collapses into the earlier result instead of failing with ImageNotFound.
    removed_tags: dict[str, str] = {}
    removed_images: set[str] = set()

    def fail(tag: str | None, digest: str | None, code: str, reason: str | None = None) -> None:
        if (tag, digest) in seen_failures:
            return
        seen_failures.add((tag, digest))
        failures.append(
            {
                "imageId": request_echo(tag, digest),
                "failureCode": code,
                "failureReason": reason or DEFAULT_FAILURE_REASONS[code],
            }
        )

    def record(digest: str, tag: str | None) -> None:
        if (digest, tag) not in seen_deleted:
            seen_deleted.add((digest, tag))
            deleted.append(image_id(digest, tag))

    # Ids are applied in request order, so deleting a manifest list and then its child in
    # one request succeeds, and the other order fails for the child.
    for tag, digest in checked:
        if tag is None and digest is None:
            fail(tag, digest, "MissingDigestAndTag")
            continue
        if digest is not None and not is_valid_digest(digest):
            fail(tag, digest, "InvalidImageDigest")
            continue
        if tag is not None and not 1 <= len(tag) <= MAX_TAG_LENGTH:
            fail(tag, digest, "InvalidImageTag")
            continue

        if tag is not None:
            earlier = removed_tags.get(tag)
            if earlier is not None and digest in (None, earlier):
                continue
            found = repo.resolve_tag(tag)
            if found is None:
                fail(tag, digest, "ImageNotFound")
                continue
            if digest is not None and found != digest:
                fail(tag, digest, "ImageTagDoesNotMatchDigest")
                continue
            # Removing an image's last tag deletes the image, which lists may still need.
            if repo.tags_of(found) == (tag,):
                reason = _referenced_by(repo, found)
                if reason is not None:
                    fail(tag, digest, "ImageReferencedByManifestList", reason)
                    continue
                repo.delete(found)
                removed_images.add(found)
            else:
                repo.untag(tag)
            removed_tags[tag] = found
            record(found, tag)
            continue

        assert digest is not None
        if digest in removed_images:
            continue
        if repo.get_image(digest) is None:
            fail(tag, digest, "ImageNotFound")
            continue
        reason = _referenced_by(repo, digest)
        if reason is not None:
            fail(tag, digest, "ImageReferencedByManifestList", reason)
            continue
        tags = repo.delete(digest)
        removed_images.add(digest)
        for removed in tags:
            removed_tags[removed] = digest
            record(digest, removed)
        if not tags:
            record(digest, None)
    return {"imageIds": deleted, "failures": failures}
