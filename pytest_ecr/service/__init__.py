"""ECR operations on plain request dicts: ``(state, params, context) -> response``.

One module per operation. Nothing here knows of botocore, HTTP or pytest: the wire codec
decodes a request into ``params`` and encodes the returned dict or :class:`EcrError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation
from pytest_ecr.service.batch_delete_image import batch_delete_image
from pytest_ecr.service.batch_get_image import batch_get_image
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.create_repository import create_repository
from pytest_ecr.service.delete_registry_policy import delete_registry_policy
from pytest_ecr.service.delete_repository import delete_repository
from pytest_ecr.service.delete_repository_policy import delete_repository_policy
from pytest_ecr.service.describe_images import describe_images
from pytest_ecr.service.describe_repositories import describe_repositories
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.get_account_setting import get_account_setting
from pytest_ecr.service.get_authorization_token import get_authorization_token
from pytest_ecr.service.get_registry_policy import get_registry_policy
from pytest_ecr.service.get_repository_policy import get_repository_policy
from pytest_ecr.service.list_images import list_images
from pytest_ecr.service.list_tags_for_resource import list_tags_for_resource
from pytest_ecr.service.put_account_setting import put_account_setting
from pytest_ecr.service.put_image import put_image
from pytest_ecr.service.put_image_scanning_configuration import put_image_scanning_configuration
from pytest_ecr.service.put_image_tag_mutability import put_image_tag_mutability
from pytest_ecr.service.put_registry_policy import put_registry_policy
from pytest_ecr.service.set_repository_policy import set_repository_policy
from pytest_ecr.service.shapes import find_repository
from pytest_ecr.service.tag_resource import tag_resource
from pytest_ecr.service.untag_resource import untag_resource

Operation = Callable[[RegistryState, Mapping[str, Any], RequestContext], dict[str, Any]]

#: Every ECR operation the local backend answers, by API name.
OPERATIONS: dict[str, Operation] = {
    "BatchDeleteImage": batch_delete_image,
    "BatchGetImage": batch_get_image,
    "CreateRepository": create_repository,
    "DeleteRegistryPolicy": delete_registry_policy,
    "DeleteRepository": delete_repository,
    "DeleteRepositoryPolicy": delete_repository_policy,
    "DescribeImages": describe_images,
    "DescribeRepositories": describe_repositories,
    "GetAccountSetting": get_account_setting,
    "GetAuthorizationToken": get_authorization_token,
    "GetRegistryPolicy": get_registry_policy,
    "GetRepositoryPolicy": get_repository_policy,
    "ListImages": list_images,
    "ListTagsForResource": list_tags_for_resource,
    "PutAccountSetting": put_account_setting,
    "PutImage": put_image,
    "PutImageScanningConfiguration": put_image_scanning_configuration,
    "PutImageTagMutability": put_image_tag_mutability,
    "PutRegistryPolicy": put_registry_policy,
    "SetRepositoryPolicy": set_repository_policy,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}


def not_implemented(operation: str) -> EcrError:
    """The answer to an ECR operation the fake does not implement: loud, never empty."""
    return EcrError(
        "NotImplementedByPytestEcr",
        f"pytest-ecr does not implement the ECR operation {operation!r} (newer than its "
        "table of operations); answer this test from moto instead with "
        '@pytest.mark.ecr_backend("moto") (or --ecr-backend=moto), or upgrade pytest-ecr',
        status=501,
    )


def dispatch(
    state: RegistryState, operation: str, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    """Run *operation*; raises :class:`EcrError` for every error ECR would answer."""
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise not_implemented(operation)
    return handler(state, params, ctx)


def validate_request(
    state: RegistryState, operation: str, params: Mapping[str, Any], ctx: RequestContext
) -> None:
    """Run the request-level checks of *operation* without answering it.

    Used when injected per-image failures took every id of a request: the request still
    fails as ECR would for a bad registry id, repository name or missing repository.
    """
    if operation not in OPERATIONS:
        raise not_implemented(operation)
    if operation in {"BatchGetImage", "BatchDeleteImage"}:
        registry_id = validation.registry_id(params, ctx.account)
        find_repository(state, registry_id, validation.repository_name(params), ctx)


__all__ = [
    "OPERATIONS",
    "EcrError",
    "Operation",
    "RequestContext",
    "dispatch",
    "not_implemented",
    "validate_request",
]
