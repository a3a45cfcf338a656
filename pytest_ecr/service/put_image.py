"""PutImage: store a manifest byte for byte, tag it, and report what ECR would refuse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import Image, RegistryState, Repository, TagMutability
from pytest_ecr.model.names import MANIFEST_MAX_LENGTH
from pytest_ecr.service import validation as v
from pytest_ecr.service.batch_get_image import MAX_TAG_LENGTH
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, invalid_parameter
from pytest_ecr.service.layers import layers_not_found, missing_blob, missing_layers_allowed
from pytest_ecr.service.replication import after_push
from pytest_ecr.service.scanning import on_push as scan_on_push
from pytest_ecr.service.shapes import find_repository, image_id

MAX_MANIFEST_LENGTH = MANIFEST_MAX_LENGTH


def _invalid_manifest() -> EcrError:
    # ECR's one answer for a manifest it cannot or will not read, valid JSON or not.
    return invalid_parameter("ImageManifest", "Invalid JSON syntax")


def _read_media_type(manifest: str, given: str | None) -> None:
    """Reject what ECR rejects before looking at the manifest's content."""
    try:
        doc = json.loads(manifest)
    except ValueError:
        raise _invalid_manifest() from None
    if not isinstance(doc, dict):
        raise _invalid_manifest()
    declared = doc.get("mediaType")
    if declared is not None and not isinstance(declared, str):
        raise _invalid_manifest()
    # Schema 1 predates mediaType; every later format must name its type somewhere.
    if not declared and given is None and doc.get("schemaVersion") != 1:
        raise invalid_parameter(
            "imageManifestMediaType",
            "Member must not be null when the image manifest has no mediaType",
        )
    if declared and given is not None and declared != given:
        raise invalid_parameter(
            "imageManifestMediaType",
            f"Member must match the mediaType of the image manifest ('{declared}')",
        )


def _check_references(state: RegistryState, repo: Repository, image: Image) -> None:
    """What the manifest names must be in the repository: a list's images
    (``ReferencedImagesNotFoundException``), an image's config and layers
    (``LayersNotFoundException``, unless ``allow_missing_layers``)."""
    missing = [child for child in dict.fromkeys(image.children) if repo.get_image(child) is None]
    if missing:
        # The text ECR's registry answers a list push with (under MANIFEST_BLOB_UNKNOWN).
        raise EcrError(
            "ReferencedImagesNotFoundException",
            f"Images with digests '[{', '.join(missing)}]' required for pushing image into "
            f"repository with name '{repo.name}' in the registry with id '{repo.registry_id}' "
            "do not exist",
        )
    blob = None if missing_layers_allowed(state, repo) else missing_blob(repo, image)
    if blob is not None:
        raise layers_not_found(blob, repo)


def put_image(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    manifest = v.string_length(
        v.require(params, "imageManifest"), "imageManifest", low=1, high=MAX_MANIFEST_LENGTH
    )
    raw_type = params.get("imageManifestMediaType")
    given_type = None if raw_type is None else v.expect_str(raw_type, "imageManifestMediaType")
    raw_tag = params.get("imageTag")
    tag = (
        None
        if raw_tag is None
        else v.string_length(raw_tag, "imageTag", low=1, high=MAX_TAG_LENGTH)
    )
    raw_digest = params.get("imageDigest")
    given_digest = None if raw_digest is None else v.expect_str(raw_digest, "imageDigest")
    repo = find_repository(state, registry_id, name, ctx)

    _read_media_type(manifest, given_type)
    try:
        # Every real imagePushedAt is a whole second.
        image = Image.from_manifest(
            manifest, media_type=given_type, pushed_at=float(int(ctx.clock()))
        )
    except ValueError:
        raise _invalid_manifest() from None
    if given_digest is not None and given_digest != image.digest:
        raise EcrError(
            "ImageDigestDoesNotMatchException",
            f"The specified image digest '{given_digest}' does not match the digest that "
            f"Amazon ECR calculated for the image manifest: '{image.digest}'",
        )
    _check_references(state, repo, image)

    current = repo.resolve_tag(tag) if tag is not None else None
    if repo.get_image(image.digest) is not None and (tag is None or current == image.digest):
        # Nothing would change. An absent tag prints as 'null', as in ECR's other messages.
        raise EcrError(
            "ImageAlreadyExistsException",
            f"Image with digest '{image.digest}' and tag '{tag or 'null'}' already exists "
            f"in the repository with name '{name}' in registry with id '{registry_id}'",
        )
    if tag is not None and current not in (None, image.digest) and repo.is_tag_immutable(tag):
        # Since exclusion filters exist, ECR says the tag is immutable, not the repository.
        what = "repository" if repo.tag_mutability is TagMutability.IMMUTABLE else "tag"
        raise EcrError(
            "ImageTagAlreadyExistsException",
            f"The image tag '{tag}' already exists in the '{name}' repository and cannot be "
            f"overwritten because the {what} is immutable.",
        )

    stored = _store(state, repo, image, tag, ctx)
    return {
        "image": {
            "registryId": registry_id,
            "repositoryName": name,
            "imageId": image_id(stored.digest, tag),
            "imageManifest": stored.manifest,
            "imageManifestMediaType": stored.media_type,
        }
    }


def _store(
    state: RegistryState, repo: Repository, image: Image, tag: str | None, ctx: RequestContext
) -> Image:
    """Store a validated push, then what ECR does after one: scan on push (a new image
    only), replication and signing."""
    # A retag finds the stored image and keeps it, original push time included.
    stored = repo.put(image)
    if tag is not None:
        repo.tag(tag, stored.digest)
    if stored is image:
        scan_on_push(state, repo, stored, ctx)
    after_push(state, repo, stored.digest, tag, float(int(ctx.clock())))
    return stored
