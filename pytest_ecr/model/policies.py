"""Repository and registry permission policies, as ECR stores them (the text)."""

from __future__ import annotations

from typing import Final

from pytest_ecr.model.registry import RegistryState
from pytest_ecr.model.repository import Repository

#: The repository setting holding the repository policy text (as ECR reformatted it).
REPOSITORY_POLICY: Final = "repository_policy"
#: The registry setting (per account and region) holding the registry policy text.
REGISTRY_POLICY: Final = "registry_policy"
#: The model's bound on both texts (``RepositoryPolicyText``, ``RegistryPolicyText``).
MAX_POLICY_LENGTH: Final = 10240


def repository_policy(repo: Repository) -> str | None:
    value = repo.setting(REPOSITORY_POLICY)
    return value if isinstance(value, str) else None


def registry_policy(state: RegistryState, account: str, region: str) -> str | None:
    value = state.registry_setting(account, region, REGISTRY_POLICY)
    return value if isinstance(value, str) else None


__all__ = [
    "MAX_POLICY_LENGTH",
    "REGISTRY_POLICY",
    "REPOSITORY_POLICY",
    "registry_policy",
    "repository_policy",
]
