"""ListImageReferrers: the OCI 1.1 referrers of a subject image, filtered, in pages.

A referrer is an image of the same repository whose manifest names the subject's
digest in ``subject``; the repository keeps an index subject -> referrers, so this
never scans the repository. The subject itself need not exist (OCI lets referrers
arrive first): an unknown subject has no referrers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pytest_ecr.model import DIGEST_PATTERN, Image, RegistryState, Repository, is_valid_digest
from pytest_ecr.model.archive import IMAGE_STATUSES, image_status
from pytest_ecr.service import paging
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import invalid_parameter
from pytest_ecr.service.shapes import find_repository

#: ``maxResults`` bounds and the page size without it: the service model's documentation
#: says 20 (the API reference page says 50); this project follows the model.
MAX_RESULTS: Final = 50
DEFAULT_RESULTS: Final = 20
STATUS_FILTERS: Final = (*IMAGE_STATUSES, "ANY")


def _subject(params: Mapping[str, Any]) -> str:
    raw = v.expect_object(v.require(params, "subjectId"), "subjectId")
    if raw.get("imageDigest") is None:
        raise invalid_parameter("subjectId.imageDigest", "Member must not be null")
    digest = v.expect_str(raw["imageDigest"], "subjectId.imageDigest")
    if not is_valid_digest(digest):
        raise invalid_parameter(
            "subjectId.imageDigest", f"must satisfy regular expression '{DIGEST_PATTERN}'"
        )
    return digest


def _filter(params: Mapping[str, Any]) -> tuple[tuple[str, ...] | None, str]:
    raw = v.optional_object(params, "filter")
    types = v.bounded_list(raw, "artifactTypes", low=0, high=5, required=False)
    checked = None
    if types:
        checked = tuple(
            v.string_length(item, "filter.artifactTypes.member", low=1, high=255) for item in types
        )
    status = raw.get("artifactStatus")
    return checked, (
        "ACTIVE"
        if status is None
        else v.enum_value(status, "filter.artifactStatus", STATUS_FILTERS)
    )


def _page(params: Mapping[str, Any], scope: str) -> paging.Page:
    size = DEFAULT_RESULTS
    if params.get("maxResults") is not None:
        size = v.int_range(params["maxResults"], "maxResults", low=1, high=MAX_RESULTS)
    start = paging.page_request({"nextToken": params.get("nextToken")}, scope).start
    return paging.Page(start, size, scope)


def _annotations(image: Image) -> dict[str, str] | None:
    found = json.loads(image.manifest).get("annotations")
    if not isinstance(found, dict) or not found:
        return None
    return {str(k): str(val) for k, val in found.items()}


def referrer_shape(image: Image, status: str) -> dict[str, Any]:
    """An ``ImageReferrer``: its size is the manifest's, as an OCI descriptor's is."""
    shape: dict[str, Any] = {"digest": image.digest, "mediaType": image.media_type}
    artifact_type = image.artifact_type or image.artifact_media_type
    if artifact_type is not None:
        shape["artifactType"] = artifact_type
    shape["size"] = len(image.manifest.encode("utf-8"))
    annotations = _annotations(image)
    if annotations is not None:
        shape["annotations"] = annotations
    shape["artifactStatus"] = status
    return shape


def _matching(
    repo: Repository, subject: str, types: tuple[str, ...] | None, status: str, now: float
) -> Iterator[tuple[Image, str]]:
    for digest in repo.referrers(subject):
        image = repo.get_image(digest)
        if image is None:
            continue
        current = image_status(repo, digest, now)
        if status != "ANY" and current != status:
            continue
        if types is not None and (image.artifact_type or image.artifact_media_type) not in types:
            continue
        yield image, current


def list_image_referrers(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    subject = _subject(params)
    types, status = _filter(params)
    page = _page(
        params,
        f"ListImageReferrers\0{registry_id}\0{ctx.region}\0{name}\0{subject}\0{types}\0{status}",
    )
    repo = find_repository(state, registry_id, name, ctx)
    listed, token = paging.paginate(_matching(repo, subject, types, status, ctx.clock()), page)
    return paging.with_token(
        {"referrers": [referrer_shape(image, current) for image, current in listed]}, token
    )
