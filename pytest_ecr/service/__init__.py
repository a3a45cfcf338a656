"""ECR operations on plain request dicts: ``(state, params, context) -> response``.

One module per operation. Nothing here knows of botocore, HTTP or pytest: the wire codec
decodes a request into ``params`` and encodes the returned dict or :class:`EcrError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation
from pytest_ecr.service.batch_check_layer_availability import batch_check_layer_availability
from pytest_ecr.service.batch_delete_image import batch_delete_image
from pytest_ecr.service.batch_get_image import batch_get_image
from pytest_ecr.service.batch_get_repository_scanning_configuration import (
    batch_get_repository_scanning_configuration,
)
from pytest_ecr.service.complete_layer_upload import complete_layer_upload
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.create_pull_through_cache_rule import create_pull_through_cache_rule
from pytest_ecr.service.create_repository import create_repository
from pytest_ecr.service.create_repository_creation_template import (
    create_repository_creation_template,
)
from pytest_ecr.service.delete_lifecycle_policy import delete_lifecycle_policy
from pytest_ecr.service.delete_pull_through_cache_rule import delete_pull_through_cache_rule
from pytest_ecr.service.delete_registry_policy import delete_registry_policy
from pytest_ecr.service.delete_repository import delete_repository
from pytest_ecr.service.delete_repository_creation_template import (
    delete_repository_creation_template,
)
from pytest_ecr.service.delete_repository_policy import delete_repository_policy
from pytest_ecr.service.delete_signing_configuration import delete_signing_configuration
from pytest_ecr.service.deregister_pull_time_update_exclusion import (
    deregister_pull_time_update_exclusion,
)
from pytest_ecr.service.describe_image_replication_status import describe_image_replication_status
from pytest_ecr.service.describe_image_scan_findings import describe_image_scan_findings
from pytest_ecr.service.describe_image_signing_status import describe_image_signing_status
from pytest_ecr.service.describe_images import describe_images
from pytest_ecr.service.describe_pull_through_cache_rules import describe_pull_through_cache_rules
from pytest_ecr.service.describe_registry import describe_registry
from pytest_ecr.service.describe_replication_backfill_results import (
    describe_replication_backfill_results,
)
from pytest_ecr.service.describe_repositories import describe_repositories
from pytest_ecr.service.describe_repository_creation_templates import (
    describe_repository_creation_templates,
)
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.get_account_setting import get_account_setting
from pytest_ecr.service.get_authorization_token import get_authorization_token
from pytest_ecr.service.get_download_url_for_layer import get_download_url_for_layer
from pytest_ecr.service.get_lifecycle_policy import get_lifecycle_policy
from pytest_ecr.service.get_lifecycle_policy_preview import get_lifecycle_policy_preview
from pytest_ecr.service.get_registry_policy import get_registry_policy
from pytest_ecr.service.get_registry_scanning_configuration import (
    get_registry_scanning_configuration,
)
from pytest_ecr.service.get_repository_policy import get_repository_policy
from pytest_ecr.service.get_signing_configuration import get_signing_configuration
from pytest_ecr.service.initiate_layer_upload import initiate_layer_upload
from pytest_ecr.service.list_image_referrers import list_image_referrers
from pytest_ecr.service.list_images import list_images
from pytest_ecr.service.list_pull_time_update_exclusions import list_pull_time_update_exclusions
from pytest_ecr.service.list_replication_backfills import list_replication_backfills
from pytest_ecr.service.list_tags_for_resource import list_tags_for_resource
from pytest_ecr.service.put_account_setting import put_account_setting
from pytest_ecr.service.put_image import put_image
from pytest_ecr.service.put_image_scanning_configuration import put_image_scanning_configuration
from pytest_ecr.service.put_image_tag_mutability import put_image_tag_mutability
from pytest_ecr.service.put_lifecycle_policy import put_lifecycle_policy
from pytest_ecr.service.put_registry_policy import put_registry_policy
from pytest_ecr.service.put_registry_scanning_configuration import (
    put_registry_scanning_configuration,
)
from pytest_ecr.service.put_replication_configuration import put_replication_configuration
from pytest_ecr.service.put_signing_configuration import put_signing_configuration
from pytest_ecr.service.register_pull_time_update_exclusion import (
    register_pull_time_update_exclusion,
)
from pytest_ecr.service.set_repository_policy import set_repository_policy
from pytest_ecr.service.shapes import find_repository
from pytest_ecr.service.start_image_scan import start_image_scan
from pytest_ecr.service.start_lifecycle_policy_preview import start_lifecycle_policy_preview
from pytest_ecr.service.start_replication_backfill import start_replication_backfill
from pytest_ecr.service.stop_replication_backfill import stop_replication_backfill
from pytest_ecr.service.tag_resource import tag_resource
from pytest_ecr.service.untag_resource import untag_resource
from pytest_ecr.service.update_image_storage_class import update_image_storage_class
from pytest_ecr.service.update_pull_through_cache_rule import update_pull_through_cache_rule
from pytest_ecr.service.update_repository_creation_template import (
    update_repository_creation_template,
)
from pytest_ecr.service.upload_layer_part import upload_layer_part
from pytest_ecr.service.validate_pull_through_cache_rule import validate_pull_through_cache_rule

Operation = Callable[[RegistryState, Mapping[str, Any], RequestContext], dict[str, Any]]

#: Every ECR operation the local backend answers, by API name.
OPERATIONS: dict[str, Operation] = {
    "BatchCheckLayerAvailability": batch_check_layer_availability,
    "BatchDeleteImage": batch_delete_image,
    "BatchGetImage": batch_get_image,
    "BatchGetRepositoryScanningConfiguration": batch_get_repository_scanning_configuration,
    "CompleteLayerUpload": complete_layer_upload,
    "CreatePullThroughCacheRule": create_pull_through_cache_rule,
    "CreateRepository": create_repository,
    "CreateRepositoryCreationTemplate": create_repository_creation_template,
    "DeleteLifecyclePolicy": delete_lifecycle_policy,
    "DeletePullThroughCacheRule": delete_pull_through_cache_rule,
    "DeleteRegistryPolicy": delete_registry_policy,
    "DeleteRepository": delete_repository,
    "DeleteRepositoryCreationTemplate": delete_repository_creation_template,
    "DeleteRepositoryPolicy": delete_repository_policy,
    "DeleteSigningConfiguration": delete_signing_configuration,
    "DeregisterPullTimeUpdateExclusion": deregister_pull_time_update_exclusion,
    "DescribeImageReplicationStatus": describe_image_replication_status,
    "DescribeImageScanFindings": describe_image_scan_findings,
    "DescribeImageSigningStatus": describe_image_signing_status,
    "DescribeImages": describe_images,
    "DescribePullThroughCacheRules": describe_pull_through_cache_rules,
    "DescribeRegistry": describe_registry,
    "DescribeReplicationBackfillResults": describe_replication_backfill_results,
    "DescribeRepositories": describe_repositories,
    "DescribeRepositoryCreationTemplates": describe_repository_creation_templates,
    "GetAccountSetting": get_account_setting,
    "GetAuthorizationToken": get_authorization_token,
    "GetDownloadUrlForLayer": get_download_url_for_layer,
    "GetLifecyclePolicy": get_lifecycle_policy,
    "GetLifecyclePolicyPreview": get_lifecycle_policy_preview,
    "GetRegistryPolicy": get_registry_policy,
    "GetRegistryScanningConfiguration": get_registry_scanning_configuration,
    "GetRepositoryPolicy": get_repository_policy,
    "GetSigningConfiguration": get_signing_configuration,
    "InitiateLayerUpload": initiate_layer_upload,
    "ListImageReferrers": list_image_referrers,
    "ListImages": list_images,
    "ListPullTimeUpdateExclusions": list_pull_time_update_exclusions,
    "ListReplicationBackfills": list_replication_backfills,
    "ListTagsForResource": list_tags_for_resource,
    "PutAccountSetting": put_account_setting,
    "PutImage": put_image,
    "PutImageScanningConfiguration": put_image_scanning_configuration,
    "PutImageTagMutability": put_image_tag_mutability,
    "PutLifecyclePolicy": put_lifecycle_policy,
    "PutRegistryPolicy": put_registry_policy,
    "PutRegistryScanningConfiguration": put_registry_scanning_configuration,
    "PutReplicationConfiguration": put_replication_configuration,
    "PutSigningConfiguration": put_signing_configuration,
    "RegisterPullTimeUpdateExclusion": register_pull_time_update_exclusion,
    "SetRepositoryPolicy": set_repository_policy,
    "StartImageScan": start_image_scan,
    "StartLifecyclePolicyPreview": start_lifecycle_policy_preview,
    "StartReplicationBackfill": start_replication_backfill,
    "StopReplicationBackfill": stop_replication_backfill,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "UpdateImageStorageClass": update_image_storage_class,
    "UpdatePullThroughCacheRule": update_pull_through_cache_rule,
    "UpdateRepositoryCreationTemplate": update_repository_creation_template,
    "UploadLayerPart": upload_layer_part,
    "ValidatePullThroughCacheRule": validate_pull_through_cache_rule,
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
