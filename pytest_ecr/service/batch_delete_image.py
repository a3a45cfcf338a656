"""BatchDeleteImage: remove tags or whole images, one result or failure per id
(API Reference, BatchDeleteImage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DEFAULT_FAILURE_REASONS, RegistryState, Repository
from pytest_ecr.service import validation as v
from pytest_ecr.service.batch_get_image import identifier_failure
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.replication import after_delete
from pytest_ecr.service.shapes import find_repository, image_id, request_echo


def _referenced_by(repo: Repository, digest: str) -> str | None:
    """The failure reason when manifest lists in the repository still reference *digest*."""
    lists = [found for found in repo.referencing_lists(digest) if found != digest]
    if not lists:
        return None
    return f"Requested image referenced by manifest list: [{', '.join(lists)}]"


class _Deletion:
    """One request's results, failures and what its earlier ids already removed."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.deleted: list[dict[str, str]] = []
        self.failures: list[dict[str, Any]] = []
        self._seen_deleted: set[tuple[str, str | None]] = set()
        self._seen_failures: set[tuple[str | None, str | None]] = set()
        # What earlier ids of this request removed: a later id naming the same image or tag
        # collapses into the earlier result instead of failing with ImageNotFound.
        self._removed_tags: dict[str, str] = {}
        self._removed_images: set[str] = set()

    def fail(
        self, tag: str | None, digest: str | None, code: str, reason: str | None = None
    ) -> None:
        if (tag, digest) in self._seen_failures:
            return
        self._seen_failures.add((tag, digest))
        self.failures.append(
            {
                "imageId": request_echo(tag, digest),
                "failureCode": code,
                "failureReason": reason or DEFAULT_FAILURE_REASONS[code],
            }
        )

    def record(self, digest: str, tag: str | None) -> None:
        if (digest, tag) not in self._seen_deleted:
            self._seen_deleted.add((digest, tag))
            self.deleted.append(image_id(digest, tag))

    def apply(self, tag: str | None, digest: str | None) -> None:
        """Delete what one checked id names, or record why not."""
        code = identifier_failure(tag, digest)
        if code is not None:
            self.fail(tag, digest, code)
        elif tag is not None:
            self._by_tag(tag, digest)
        else:
            assert digest is not None
            self._by_digest(digest)

    def _by_tag(self, tag: str, digest: str | None) -> None:
        repo = self.repo
        earlier = self._removed_tags.get(tag)
        if earlier is not None and digest in (None, earlier):
            return
        found = repo.resolve_tag(tag)
        if found is None:
            self.fail(tag, digest, "ImageNotFound")
            return
        if digest is not None and found != digest:
            self.fail(tag, digest, "ImageTagDoesNotMatchDigest")
            return
        # Removing an image's last tag deletes the image, which lists may still need.
        if repo.tags_of(found) == (tag,):
            reason = _referenced_by(repo, found)
            if reason is not None:
                self.fail(tag, digest, "ImageReferencedByManifestList", reason)
                return
            repo.delete(found)
            self._removed_images.add(found)
        else:
            repo.untag(tag)
        self._removed_tags[tag] = found
        self.record(found, tag)

    def _by_digest(self, digest: str) -> None:
        repo = self.repo
        if digest in self._removed_images:
            return
        if repo.get_image(digest) is None:
            self.fail(None, digest, "ImageNotFound")
            return
        reason = _referenced_by(repo, digest)
        if reason is not None:
            self.fail(None, digest, "ImageReferencedByManifestList", reason)
            return
        tags = repo.delete(digest)
        self._removed_images.add(digest)
        for removed in tags:
            self._removed_tags[removed] = digest
            self.record(digest, removed)
        if not tags:
            self.record(digest, None)


def batch_delete_image(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    """Answer one BatchDeleteImage request (a JSON-level dict in, a JSON-level dict out)."""
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    ids = v.bounded_list(params, "imageIds", low=1, high=100, required=True)
    assert ids is not None
    checked = [
        v.image_identifier(raw, f"imageIds.{position + 1}.member")
        for position, raw in enumerate(ids)
    ]
    deletion = _Deletion(find_repository(state, registry_id, name, ctx))
    # Ids are applied in request order, so deleting a manifest list and then its child in
    # one request succeeds, and the other order fails for the child.
    for tag, digest in checked:
        deletion.apply(tag, digest)
    after_delete(state, deletion.repo, deletion.deleted)
    return {"imageIds": deletion.deleted, "failures": deletion.failures}
