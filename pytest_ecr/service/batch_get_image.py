"""BatchGetImage, following ECR's per-id resolution table (ecr-semantics §3.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DEFAULT_FAILURE_REASONS, RegistryState, Repository, is_valid_digest
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.media import negotiate
from pytest_ecr.service.shapes import find_repository, request_echo

MAX_TAG_LENGTH = 300


def _failure(ident: dict[str, str], code: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "imageId": ident,
        "failureCode": code,
        "failureReason": reason if reason is not None else DEFAULT_FAILURE_REASONS[code],
    }


class _Answer:
    """The images and failures of one answer, with repeats collapsed.

    ECR's handling of duplicate ids is unknown for BatchGetImage; it collapses them in
    BatchDeleteImage, so repeated (digest, tag) results and repeated failures collapse.
    """

    __slots__ = ("failures", "images", "registry_id", "repository", "seen", "seen_failures")

    def __init__(self, registry_id: str, repository: str) -> None:
        self.registry_id = registry_id
        self.repository = repository
        self.images: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.seen: set[tuple[str, str | None]] = set()
        self.seen_failures: set[tuple[str | None, str | None]] = set()

    def fail(self, ident: dict[str, str], code: str, reason: str | None = None) -> None:
        key = (ident.get("imageTag"), ident.get("imageDigest"))
        if key not in self.seen_failures:
            self.seen_failures.add(key)
            self.failures.append(_failure(ident, code, reason))

    def add(self, pairs: tuple[tuple[str, str | None], ...], manifest: str, media: str) -> None:
        for pair in pairs:
            if pair in self.seen:
                continue
            self.seen.add(pair)
            image_digest, image_tag = pair
            self.images.append(
                {
                    "registryId": self.registry_id,
                    "repositoryName": self.repository,
                    "imageId": {"imageDigest": image_digest}
                    if image_tag is None
                    else {"imageDigest": image_digest, "imageTag": image_tag},
                    "imageManifest": manifest,
                    "imageManifestMediaType": media,
                }
            )


def _identifier(raw: Any, position: int) -> tuple[str | None, str | None]:
    """``(tag, digest)`` of one ``imageIds`` member; the common case (a dict of strings)
    is checked inline, anything else by the full check, which names the member."""
    if type(raw) is dict:
        tag = raw.get("imageTag")
        digest = raw.get("imageDigest")
        if (tag is None or type(tag) is str) and (digest is None or type(digest) is str):
            return tag, digest
    return v.image_identifier(raw, f"imageIds.{position + 1}.member")


def _pairs(
    repo: Repository, tag: str | None, digest: str | None
) -> tuple[tuple[str, str | None], ...] | str:
    """The (digest, tag) pairs an id answers with, or the failure code it gets: ECR's
    checks of the id's form first, then the lookup."""
    if digest is not None and not is_valid_digest(digest):
        return "InvalidImageDigest"
    if tag is not None:
        if not 1 <= len(tag) <= MAX_TAG_LENGTH:
            return "InvalidImageTag"
        found = repo.resolve_tag(tag)
        if found is None:
            return "ImageNotFound"
        if digest is not None and found != digest:
            return "ImageTagDoesNotMatchDigest"
        return ((found, tag),)
    if digest is None:
        return "MissingDigestAndTag"
    if repo.get_image(digest) is None:
        return "ImageNotFound"
    # A request by digest answers once per tag of the image (once if untagged).
    return tuple((digest, t) for t in repo.tags_of(digest)) or ((digest, None),)


def batch_get_image(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    """Answer one BatchGetImage request (a JSON-level dict in, a JSON-level dict out)."""
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    ids = v.bounded_list(params, "imageIds", low=1, high=100, required=True)
    assert ids is not None
    # Request order matters: the first accepted type with a translation wins.
    accepted = v.accepted_media_type_list(params)
    repo = find_repository(state, registry_id, name, ctx)
    answer = _Answer(registry_id, name)
    get_image = repo.get_image
    for position, raw in enumerate(ids):
        tag, digest = _identifier(raw, position)
        pairs = _pairs(repo, tag, digest)
        if isinstance(pairs, str):
            answer.fail(request_echo(tag, digest) if pairs != "MissingDigestAndTag" else {}, pairs)
            continue
        image = get_image(pairs[0][0])
        assert image is not None
        if image.failure is not None:
            # The failure echoes the request's imageId as sent.
            answer.fail(request_echo(tag, digest), image.failure.code, image.failure.reason)
            continue
        if accepted is None or digest is not None:
            answer.add(pairs, image.manifest, image.media_type)  # never translated
        else:
            answer.add(
                pairs, *negotiate(image, accepted, by_digest=False, repository=name, tag=tag)
            )
    return {"images": answer.images, "failures": answer.failures}
