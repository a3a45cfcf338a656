"""BatchGetImage, following ECR's per-id resolution table (API Reference,
BatchGetImage and ImageFailure; the fidelity page's BatchGetImage section)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DEFAULT_FAILURE_REASONS, RegistryState, Repository, is_valid_digest
from pytest_ecr.model.archive import is_pullable, storage_class_used
from pytest_ecr.model.names import IMAGE_TAG_MAX_LENGTH
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.media import negotiate
from pytest_ecr.service.shapes import find_repository, request_echo

#: ``ImageTag``'s maximum length (its home is :mod:`pytest_ecr.model.names`).
MAX_TAG_LENGTH = IMAGE_TAG_MAX_LENGTH


Pairs = tuple[tuple[str, str | None], ...]


def _failure(ident: dict[str, str], code: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "imageId": ident,
        "failureCode": code,
        "failureReason": reason if reason is not None else DEFAULT_FAILURE_REASONS[code],
    }


def identifier_failure(tag: str | None, digest: str | None) -> str | None:
    """The failure code of an ``imageId`` ECR rejects before looking anything up, if any.

    Shared by BatchGetImage and BatchDeleteImage, which check an id in the same order.
    """
    if tag is None and digest is None:
        return "MissingDigestAndTag"
    if digest is not None and not is_valid_digest(digest):
        return "InvalidImageDigest"
    if tag is not None and not 1 <= len(tag) <= MAX_TAG_LENGTH:
        return "InvalidImageTag"
    return None


def _identifier(raw: Any, position: int) -> tuple[str | None, str | None]:
    # The common case (a dict of strings) is checked inline; anything else goes through the
    # full check, which names the offending member.
    if type(raw) is dict:
        tag = raw.get("imageTag")
        digest = raw.get("imageDigest")
        if (tag is None or type(tag) is str) and (digest is None or type(digest) is str):
            return tag, digest
    return v.image_identifier(raw, f"imageIds.{position + 1}.member")


def _locate(repo: Repository, tag: str | None, digest: str | None) -> Pairs | str:
    """The (digest, tag) results an id resolves to, or the failure code it earns."""
    code = identifier_failure(tag, digest)
    if code is not None:
        return code
    if tag is not None:
        found = repo.resolve_tag(tag)
        if found is None:
            return "ImageNotFound"
        if digest is not None and found != digest:
            return "ImageTagDoesNotMatchDigest"
        return ((found, tag),)
    assert digest is not None
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

    images: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    # ECR's handling of duplicate ids is unknown for BatchGetImage; it collapses them in
    # BatchDeleteImage, so repeated (digest, tag) results and repeated failures collapse.
    seen_images: set[tuple[str, str | None]] = set()
    seen_failures: set[tuple[str | None, str | None]] = set()

    def fail(tag: str | None, digest: str | None, code: str, reason: str | None = None) -> None:
        if (tag, digest) not in seen_failures:
            seen_failures.add((tag, digest))
            # The failure echoes the request's imageId as sent.
            failures.append(_failure(request_echo(tag, digest), code, reason))

    resolve_tag = repo.resolve_tag
    # None: no image here ever changed storage class, so every one can be pulled.
    now = ctx.clock() if storage_class_used(repo) else None
    get_image = repo.get_image
    for position, raw in enumerate(ids):
        tag = digest = None
        if type(raw) is dict:
            tag = raw.get("imageTag")
            digest = raw.get("imageDigest")
        located: Pairs | str
        if type(tag) is str and digest is None and 0 < len(tag) <= MAX_TAG_LENGTH:
            # The common case, a valid tag alone, is answered inline: this loop is the hot
            # path of a pull.
            found = resolve_tag(tag)
            located = "ImageNotFound" if found is None else ((found, tag),)
        else:
            tag, digest = _identifier(raw, position)
            located = _locate(repo, tag, digest)
        if isinstance(located, str):
            fail(tag, digest, located)
            continue
        image = get_image(located[0][0])
        assert image is not None
        if image.failure is not None:
            fail(tag, digest, image.failure.code, image.failure.reason)
            continue
        if now is not None and not is_pullable(repo, image.digest, now):
            # Archived (or still being restored): ECR refuses pulls of it (ECR User
            # Guide, "Archiving an image").
            fail(tag, digest, "ImageInaccessible")
            continue
        manifest, media_type = negotiate(
            image, accepted, by_digest=digest is not None, repository=name, tag=tag
        )
        for pair in located:
            if pair not in seen_images:
                seen_images.add(pair)
                images.append(
                    {
                        "registryId": registry_id,
                        "repositoryName": name,
                        "imageId": {"imageDigest": pair[0]}
                        if pair[1] is None
                        else {"imageDigest": pair[0], "imageTag": pair[1]},
                        "imageManifest": manifest,
                        "imageManifestMediaType": media_type,
                    }
                )
    return {"images": images, "failures": failures}
