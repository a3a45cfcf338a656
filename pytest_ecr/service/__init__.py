"""ECR operations on plain request dicts: ``(state, params, context) -> response``.

One module per operation. Nothing here knows of botocore, HTTP or pytest: the wire codec
decodes a request into ``params`` and encodes the returned dict or :class:`EcrError`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, cast

from pytest_ecr.model import RegistryState
from pytest_ecr.service import validation
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.operation_names import snake_case
from pytest_ecr.service.shapes import find_repository

Operation = Callable[[RegistryState, Mapping[str, Any], RequestContext], dict[str, Any]]

#: Every ECR operation the local backend answers, by API name. Each is answered by the
#: function of the same name (snake_case) in the module of that name of this package.
OPERATION_NAMES: Final[tuple[str, ...]] = (
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "BatchGetImage",
    "BatchGetRepositoryScanningConfiguration",
    "CompleteLayerUpload",
    "CreatePullThroughCacheRule",
    "CreateRepository",
    "CreateRepositoryCreationTemplate",
    "DeleteLifecyclePolicy",
    "DeletePullThroughCacheRule",
    "DeleteRegistryPolicy",
    "DeleteRepository",
    "DeleteRepositoryCreationTemplate",
    "DeleteRepositoryPolicy",
    "DeleteSigningConfiguration",
    "DeregisterPullTimeUpdateExclusion",
    "DescribeImageReplicationStatus",
    "DescribeImageScanFindings",
    "DescribeImageSigningStatus",
    "DescribeImages",
    "DescribePullThroughCacheRules",
    "DescribeRegistry",
    "DescribeReplicationBackfillResults",
    "DescribeRepositories",
    "DescribeRepositoryCreationTemplates",
    "GetAccountSetting",
    "GetAuthorizationToken",
    "GetDownloadUrlForLayer",
    "GetLifecyclePolicy",
    "GetLifecyclePolicyPreview",
    "GetRegistryPolicy",
    "GetRegistryScanningConfiguration",
    "GetRepositoryPolicy",
    "GetSigningConfiguration",
    "InitiateLayerUpload",
    "ListImageReferrers",
    "ListImages",
    "ListPullTimeUpdateExclusions",
    "ListReplicationBackfills",
    "ListTagsForResource",
    "PutAccountSetting",
    "PutImage",
    "PutImageScanningConfiguration",
    "PutImageTagMutability",
    "PutLifecyclePolicy",
    "PutRegistryPolicy",
    "PutRegistryScanningConfiguration",
    "PutReplicationConfiguration",
    "PutSigningConfiguration",
    "RegisterPullTimeUpdateExclusion",
    "SetRepositoryPolicy",
    "StartImageScan",
    "StartLifecyclePolicyPreview",
    "StartReplicationBackfill",
    "StopReplicationBackfill",
    "TagResource",
    "UntagResource",
    "UpdateImageStorageClass",
    "UpdatePullThroughCacheRule",
    "UpdateRepositoryCreationTemplate",
    "UploadLayerPart",
    "ValidatePullThroughCacheRule",
)


class Operations(Mapping[str, Operation]):
    """The operations by API name, each module imported when it is first asked for: a
    suite that only pulls never imports the other operations (nor what only they use)."""

    __slots__ = ("_loaded", "_modules")

    def __init__(self, names: tuple[str, ...]) -> None:
        self._modules = {name: snake_case(name) for name in names}
        self._loaded: dict[str, Operation] = {}

    def __getitem__(self, operation: str) -> Operation:
        found = self._loaded.get(operation)
        if found is None:
            module = self._modules[operation]  # KeyError for an operation it lacks
            code = importlib.import_module(f"{__name__}.{module}")
            found = self._loaded[operation] = cast(Operation, getattr(code, module))
        return found

    def __contains__(self, operation: object) -> bool:
        return operation in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


OPERATIONS: Final[Operations] = Operations(OPERATION_NAMES)


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
    "OPERATION_NAMES",
    "EcrError",
    "Operation",
    "Operations",
    "RequestContext",
    "dispatch",
    "not_implemented",
    "validate_request",
]
