"""GetLifecyclePolicyPreview: the status and, once COMPLETE, the results of the latest
preview, in pages, narrowed by ``imageIds`` or ``filter.tagStatus``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.lifecycle import Preview, PreviewResult
from pytest_ecr.service import paging
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.image_ids import checked_image_ids
from pytest_ecr.service.lifecycle import stored_preview
from pytest_ecr.service.shapes import find_repository

TAG_STATUSES = ("TAGGED", "UNTAGGED", "ANY")
MAX_RESULTS = 100
MAX_TAG_LENGTH = 300


def result_shape(result: PreviewResult) -> dict[str, Any]:
    """A ``LifecyclePolicyPreviewResult``; ``imageTags`` absent for an untagged image."""
    action: dict[str, Any] = {"type": result.action}
    if result.target_storage_class is not None:
        action["targetStorageClass"] = result.target_storage_class
    shape: dict[str, Any] = {"imageDigest": result.digest}
    if result.tags:
        shape["imageTags"] = list(result.tags)
    shape["imagePushedAt"] = result.pushed_at
    shape["action"] = action
    shape["appliedRulePriority"] = result.priority
    shape["storageClass"] = result.storage_class
    return shape


def summary_shape(preview: Preview) -> dict[str, Any]:
    """The whole preview's counts, whatever page or filter was asked for."""
    summary: dict[str, Any] = {"expiringImageTotalCount": preview.expiring}
    if preview.transitioning:
        summary["transitioningImageTotalCounts"] = [
            {"targetStorageClass": "ARCHIVE", "imageTotalCount": preview.transitioning}
        ]
    return summary


def _tag_status(params: Mapping[str, Any]) -> str:
    raw = v.optional_object(params, "filter").get("tagStatus")
    return "ANY" if raw is None else v.enum_value(raw, "filter.tagStatus", TAG_STATUSES)


def _named(
    preview: Preview, ids: list[tuple[str | None, str | None]], tag_status: str
) -> list[PreviewResult]:
    """The results of the named images, in request order, each once; an image the
    preview does not act on, or a tag and digest naming two images, is left out. One
    pass over the results (at most 100 ids are asked for)."""
    digests = {digest for _, digest in ids if digest is not None}
    tags = {tag for tag, _ in ids if tag is not None}
    by_digest: dict[str, PreviewResult] = {}
    by_tag: dict[str, str] = {}
    for result in preview.results:
        if result.digest in digests:
            by_digest[result.digest] = result
        for tag in result.tags:
            if tag in tags:
                by_tag[tag] = result.digest
                by_digest[result.digest] = result
    found: dict[str, PreviewResult] = {}
    for asked_tag, digest in ids:
        target = by_tag.get(asked_tag) if asked_tag is not None else digest
        if target is None or (digest is not None and target != digest):
            continue
        hit = by_digest.get(target)
        if hit is None:
            continue
        if tag_status == "ANY" or (tag_status == "TAGGED") == bool(hit.tags):
            found.setdefault(target, hit)
    return list(found.values())


def _page(params: Mapping[str, Any], scope: str) -> paging.Page:
    # maxResults is 1..100 here, not the 1..1000 of the image listings.
    size = paging.DEFAULT_PAGE_SIZE
    if params.get("maxResults") is not None:
        size = v.int_range(params["maxResults"], "maxResults", low=1, high=MAX_RESULTS)
    start = paging.page_request({"nextToken": params.get("nextToken")}, scope).start
    return paging.Page(start, size, scope)


def _slice(
    results: tuple[PreviewResult, ...], page: paging.Page
) -> tuple[list[PreviewResult], str | None]:
    # Sliced, not walked: a page of a 100,000-image preview costs its own length.
    chunk = results[page.start : page.start + page.size + 1]
    if len(chunk) <= page.size:
        return list(chunk), None
    return list(chunk[: page.size]), paging.encode_token(page.scope, page.start + page.size)


def get_lifecycle_policy_preview(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    registry_id = v.registry_id(params, ctx.account)
    name = v.repository_name(params)
    ids = v.bounded_list(params, "imageIds", low=1, high=100, required=False)
    tag_status = _tag_status(params)
    checked = None
    if ids is not None:
        paging.exclusive_with(params, "imageIds")
        checked = checked_image_ids(ids)
    repo = find_repository(state, registry_id, name, ctx)
    preview = stored_preview(repo)
    scope = (
        f"GetLifecyclePolicyPreview\0{registry_id}\0{ctx.region}\0{name}\0{tag_status}"
        f"\0{preview.started_at!r}"
    )
    page = _page(params, scope) if checked is None else None
    status = preview.status(ctx.clock())
    answer: dict[str, Any] = {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": preview.text,
        "status": status,
        "previewResults": [],
    }
    if status != "COMPLETE":
        return answer
    token = None
    if checked is not None:
        listed = _named(preview, checked, tag_status)
    else:
        assert page is not None
        pool = {"ANY": preview.results, "TAGGED": preview.tagged, "UNTAGGED": preview.untagged}
        listed, token = _slice(pool[tag_status], page)
    answer["previewResults"] = [result_shape(result) for result in listed]
    answer["summary"] = summary_shape(preview)
    return paging.with_token(answer, token)
