"""Response shapes and errors that several operations share."""

from __future__ import annotations

from typing import Any

from pytest_ecr.model import RegistryState, Repository
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError, repository_not_found
from pytest_ecr.service.partitions import repository_arn, repository_uri


def find_repository(
    state: RegistryState, registry_id: str, name: str, ctx: RequestContext
) -> Repository:
    """The repository, or ECR's ``RepositoryNotFoundException`` naming the registry asked."""
    repo = state.get_repository(registry_id, ctx.region, name)
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


def repository_shape(repo: Repository) -> dict[str, Any]:
    """A ``Repository`` as DescribeRepositories, CreateRepository and DeleteRepository
    return it."""
    encryption: dict[str, Any] = {"encryptionType": repo.encryption_type}
    if repo.kms_key is not None:
        encryption["kmsKey"] = repo.kms_key
    shape: dict[str, Any] = {
        "repositoryArn": repository_arn(repo.registry_id, repo.region, repo.name),
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "repositoryUri": repository_uri(repo.registry_id, repo.region, repo.name),
        "createdAt": repo.created_at,
        "imageTagMutability": repo.tag_mutability.value,
        "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
        "encryptionConfiguration": encryption,
    }
    if repo.tag_mutability_exclusion_filters:
        shape["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": pattern}
            for pattern in repo.tag_mutability_exclusion_filters
        ]
    return shape


def image_id(digest: str, tag: str | None) -> dict[str, str]:
    """An ``ImageIdentifier``; an untagged image is named by its digest alone."""
    ident = {"imageDigest": digest}
    if tag is not None:
        ident["imageTag"] = tag
    return ident


def request_echo(tag: str | None, digest: str | None) -> dict[str, str]:
    """The request's own ``imageId``, as failures echo it."""
    echo: dict[str, str] = {}
    if digest is not None:
        echo["imageDigest"] = digest
    if tag is not None:
        echo["imageTag"] = tag
    return echo


def image_not_found(tag: str | None, digest: str | None, repo: Repository) -> EcrError:
    """DescribeImages' ``ImageNotFoundException``: a missing field prints as ``'null'``."""
    return EcrError(
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{digest or 'null'}', "
        f"imageTag:'{tag or 'null'}'}} does not exist within the repository with name "
        f"'{repo.name}' in the registry with id '{repo.registry_id}'",
    )
