"""BatchGetImage, following ECR's per-id resolution table (ecr-semantics §3.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import DEFAULT_FAILURE_REASONS, RegistryState, is_valid_digest
from pytest_ecr.model.names import IMAGE_TAG_MAX_LENGTH
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.media import negotiate
from pytest_ecr.service.shapes import find_repository, request_echo

#: ``ImageTag``'s maximum length (its home is :mod:`pytest_ecr.model.names`).
MAX_TAG_LENGTH = IMAGE_TAG_MAX_LENGTH


def _failure(ident: dict[str, str], code: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "imageId": ident,
        "failureCode": code,
        "failureReason": reason if reason is not None else DEFAULT_FAILURE_REASONS[code],
    }


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

    def fail(ident: dict[str, str], code: str, reason: str | None = None) -> None:
        key = (ident.get("imageTag"), ident.get("imageDigest"))
        if key not in seen_failures:
            seen_failures.add(key)
            failures.append(_failure(ident, code, reason))

    resolve_tag = repo.resolve_tag
    get_image = repo.get_image
    for position, raw in enumerate(ids):
        # The common case (a dict of strings) is checked inline; anything else goes
        # through the full check, which names the offending member.
        if type(raw) is dict:
            tag = raw.get("imageTag")
            digest = raw.get("imageDigest")
            if (tag is not None and type(tag) is not str) or (
                digest is not None and type(digest) is not str
            ):
                tag, digest = v.image_identifier(raw, f"imageIds.{position + 1}.member")
        else:
            tag, digest = v.image_identifier(raw, f"imageIds.{position + 1}.member")
        if tag is None and digest is None:
            fail({}, "MissingDigestAndTag")
            continue
        if digest is not None and not is_valid_digest(digest):
            fail(request_echo(tag, digest), "InvalidImageDigest")
            continue
        if tag is not None and not 1 <= len(tag) <= MAX_TAG_LENGTH:
            fail(request_echo(tag, digest), "InvalidImageTag")
            continue

        if tag is not None:
            found = resolve_tag(tag)
            if found is None:
                fail(request_echo(tag, digest), "ImageNotFound")
                continue
            if digest is not None and found != digest:
                fail(request_echo(tag, digest), "ImageTagDoesNotMatchDigest")
                continue
            pairs: tuple[tuple[str, str | None], ...] = ((found, tag),)
        else:
            assert digest is not None
            if get_image(digest) is None:
                fail(request_echo(tag, digest), "ImageNotFound")
                continue
            # A request by digest answers once per tag of the image (once if untagged).
            pairs = tuple((digest, t) for t in repo.tags_of(digest)) or ((digest, None),)

        image = get_image(pairs[0][0])
        assert image is not None
        if image.failure is not None:
            # The failure echoes the request's imageId as sent.
            fail(request_echo(tag, digest), image.failure.code, image.failure.reason)
            continue
        manifest, media_type = negotiate(
            image, accepted, by_digest=digest is not None, repository=name, tag=tag
        )
        for pair in pairs:
            if pair in seen_images:
                continue
            seen_images.add(pair)
            image_digest, image_tag = pair
            images.append(
                {
                    "registryId": registry_id,
                    "repositoryName": name,
                    "imageId": {"imageDigest": image_digest}
                    if image_tag is None
                    else {"imageDigest": image_digest, "imageTag": image_tag},
                    "imageManifest": manifest,
                    "imageManifestMediaType": media_type,
                }
            )
    return {"images": images, "failures": failures}
