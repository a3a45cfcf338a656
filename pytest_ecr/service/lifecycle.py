"""What the lifecycle policy operations share: reading and checking a policy text, the
stored policy and preview of a repository, and their not-found and in-progress errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import Repository
from pytest_ecr.model.lifecycle import (
    LIFECYCLE_POLICY_KEY,
    LIFECYCLE_PREVIEW_KEY,
    MAX_POLICY_LENGTH,
    MIN_POLICY_LENGTH,
    LifecyclePolicy,
    LifecyclePolicyError,
    Preview,
    StoredPolicy,
    parse_policy,
)
from pytest_ecr.service import validation as v
from pytest_ecr.service.errors import EcrError, invalid_parameter

#: The request member, and the name ECR's content errors give it (capitalised).
TEXT_FIELD = "lifecyclePolicyText"
CONTENT_FIELD = "LifecyclePolicyText"


def policy_text(params: Mapping[str, Any], *, required: bool) -> str | None:
    """``lifecyclePolicyText`` with its length checked (botocore checks the minimum only)."""
    value = params.get(TEXT_FIELD)
    if value is None:
        if required:
            raise invalid_parameter(TEXT_FIELD, "Member must not be null")
        return None
    return v.string_length(value, TEXT_FIELD, low=MIN_POLICY_LENGTH, high=MAX_POLICY_LENGTH)


def validation_failure(detail: str) -> EcrError:
    """ECR's answer to a policy its rules reject."""
    return invalid_parameter(CONTENT_FIELD, f"Lifecycle policy validation failure: {detail}")


def checked_policy(text: str) -> LifecyclePolicy:
    """The rules of *text*, or ECR's ``InvalidParameterException`` naming what is wrong."""
    try:
        return parse_policy(text)
    except LifecyclePolicyError as error:
        raise validation_failure(error.detail) from None


def _where(repo: Repository) -> str:
    return (
        f"for the repository with name '{repo.name}' in the registry with id '{repo.registry_id}'"
    )


def policy_not_found(repo: Repository) -> EcrError:
    return EcrError(
        "LifecyclePolicyNotFoundException", f"Lifecycle policy does not exist {_where(repo)}"
    )


def preview_not_found(repo: Repository) -> EcrError:
    return EcrError(
        "LifecyclePolicyPreviewNotFoundException",
        f"Lifecycle policy preview does not exist {_where(repo)}",
    )


def preview_in_progress(repo: Repository) -> EcrError:
    return EcrError(
        "LifecyclePolicyPreviewInProgressException",
        f"Lifecycle policy preview is already in progress {_where(repo)}",
    )


def stored_policy(repo: Repository) -> StoredPolicy:
    """The repository's policy, or ``LifecyclePolicyNotFoundException``."""
    stored = repo.setting(LIFECYCLE_POLICY_KEY)
    if not isinstance(stored, StoredPolicy):
        raise policy_not_found(repo)
    return stored


def stored_preview(repo: Repository) -> Preview:
    """The repository's latest preview, or ``LifecyclePolicyPreviewNotFoundException``."""
    preview = repo.setting(LIFECYCLE_PREVIEW_KEY)
    if not isinstance(preview, Preview):
        raise preview_not_found(repo)
    return preview


def policy_answer(repo: Repository, stored: StoredPolicy) -> dict[str, Any]:
    """Get's and Delete's answer: the text as stored, and when it was last evaluated."""
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "lifecyclePolicyText": stored.text,
        "lastEvaluatedAt": stored.last_evaluated_at,
    }
