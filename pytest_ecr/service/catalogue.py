"""ECR's error catalogue: which operation can return which error, and ECR's texts.

The service layer owns it, as it owns the operations; the fault layer reads it to check
``error:`` / ``failure:`` fields and to word an injected error. The per-operation tables
follow botocore's ECR service model (``tests/service/test_catalogue.py`` checks them
against it), plus the errors any AWS operation can get though the model does not list them.
"""

from __future__ import annotations

from typing import Final

from pytest_ecr.model import IMAGE_FAILURE_CODES

#: Errors any operation can get in practice, though the ECR model does not list them.
COMMON_ERRORS: Final[tuple[str, ...]] = ("ThrottlingException", "AccessDeniedException")

#: The modeled errors of every ECR operation, in botocore's service model's order (the
#: model's own table, checked against the installed botocore by tests/service).
OPERATION_ERRORS: Final[dict[str, tuple[str, ...]]] = {
    "BatchCheckLayerAvailability": (
        "RepositoryNotFoundException",
        "InvalidParameterException",
        "ServerException",
    ),
    "BatchDeleteImage": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
    ),
    "BatchGetImage": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "LimitExceededException",
        "UnableToGetUpstreamImageException",
    ),
    "BatchGetRepositoryScanningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ValidationException",
    ),
    "CompleteLayerUpload": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "UploadNotFoundException",
        "InvalidLayerException",
        "LayerPartTooSmallException",
        "LayerAlreadyExistsException",
        "EmptyUploadException",
        "KmsException",
    ),
    "CreatePullThroughCacheRule": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "PullThroughCacheRuleAlreadyExistsException",
        "UnsupportedUpstreamRegistryException",
        "LimitExceededException",
        "UnableToAccessSecretException",
        "SecretNotFoundException",
        "UnableToDecryptSecretValueException",
    ),
    "CreateRepository": (
        "ServerException",
        "InvalidParameterException",
        "InvalidTagParameterException",
        "TooManyTagsException",
        "RepositoryAlreadyExistsException",
        "LimitExceededException",
        "KmsException",
    ),
    "CreateRepositoryCreationTemplate": (
        "ServerException",
        "ValidationException",
        "InvalidParameterException",
        "LimitExceededException",
        "TemplateAlreadyExistsException",
    ),
    "DeleteLifecyclePolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "LifecyclePolicyNotFoundException",
        "ValidationException",
    ),
    "DeletePullThroughCacheRule": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "PullThroughCacheRuleNotFoundException",
    ),
    "DeleteRegistryPolicy": (
        "ServerException",
        "InvalidParameterException",
        "RegistryPolicyNotFoundException",
        "ValidationException",
    ),
    "DeleteRepository": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "RepositoryNotEmptyException",
        "KmsException",
    ),
    "DeleteRepositoryCreationTemplate": (
        "ServerException",
        "ValidationException",
        "InvalidParameterException",
        "TemplateNotFoundException",
    ),
    "DeleteRepositoryPolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "RepositoryPolicyNotFoundException",
    ),
    "DeleteSigningConfiguration": (
        "ServerException",
        "ValidationException",
        "SigningConfigurationNotFoundException",
    ),
    "DeregisterPullTimeUpdateExclusion": (
        "InvalidParameterException",
        "ExclusionNotFoundException",
        "LimitExceededException",
        "ValidationException",
        "ServerException",
    ),
    "DescribeImageReplicationStatus": (
        "ServerException",
        "InvalidParameterException",
        "ImageNotFoundException",
        "RepositoryNotFoundException",
        "ValidationException",
    ),
    "DescribeImageScanFindings": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ImageNotFoundException",
        "ScanNotFoundException",
        "ValidationException",
    ),
    "DescribeImageSigningStatus": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "ImageNotFoundException",
        "RepositoryNotFoundException",
    ),
    "DescribeImages": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ImageNotFoundException",
    ),
    "DescribePullThroughCacheRules": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "PullThroughCacheRuleNotFoundException",
    ),
    "DescribeRegistry": ("ServerException", "InvalidParameterException", "ValidationException"),
    "DescribeReplicationBackfillResults": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "ReplicationBackfillNotFoundException",
    ),
    "DescribeRepositories": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
    ),
    "DescribeRepositoryCreationTemplates": (
        "ServerException",
        "ValidationException",
        "InvalidParameterException",
    ),
    "GetAccountSetting": ("ServerException", "ValidationException", "InvalidParameterException"),
    "GetAuthorizationToken": ("ServerException", "InvalidParameterException"),
    "GetDownloadUrlForLayer": (
        "ServerException",
        "InvalidParameterException",
        "LayersNotFoundException",
        "LayerInaccessibleException",
        "RepositoryNotFoundException",
        "UnableToGetUpstreamLayerException",
    ),
    "GetLifecyclePolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "LifecyclePolicyNotFoundException",
        "ValidationException",
    ),
    "GetLifecyclePolicyPreview": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "LifecyclePolicyPreviewNotFoundException",
        "ValidationException",
    ),
    "GetRegistryPolicy": (
        "ServerException",
        "InvalidParameterException",
        "RegistryPolicyNotFoundException",
        "ValidationException",
    ),
    "GetRegistryScanningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
    ),
    "GetRepositoryPolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "RepositoryPolicyNotFoundException",
    ),
    "GetSigningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "SigningConfigurationNotFoundException",
    ),
    "InitiateLayerUpload": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "KmsException",
    ),
    "ListImageReferrers": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ValidationException",
        "UnableToListUpstreamImageReferrersException",
    ),
    "ListImages": ("ServerException", "InvalidParameterException", "RepositoryNotFoundException"),
    "ListPullTimeUpdateExclusions": (
        "InvalidParameterException",
        "ValidationException",
        "LimitExceededException",
        "ServerException",
    ),
    "ListReplicationBackfills": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
    ),
    "ListTagsForResource": (
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ServerException",
    ),
    "PutAccountSetting": (
        "ServerException",
        "ValidationException",
        "InvalidParameterException",
        "LimitExceededException",
    ),
    "PutImage": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ImageAlreadyExistsException",
        "LayersNotFoundException",
        "ReferencedImagesNotFoundException",
        "LimitExceededException",
        "ImageTagAlreadyExistsException",
        "ImageDigestDoesNotMatchException",
        "KmsException",
    ),
    "PutImageScanningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ValidationException",
    ),
    "PutImageTagMutability": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
    ),
    "PutLifecyclePolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "ValidationException",
    ),
    "PutRegistryPolicy": ("ServerException", "InvalidParameterException", "ValidationException"),
    "PutRegistryScanningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "BlockedByOrganizationPolicyException",
    ),
    "PutReplicationConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
    ),
    "PutSigningConfiguration": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
    ),
    "RegisterPullTimeUpdateExclusion": (
        "InvalidParameterException",
        "ExclusionAlreadyExistsException",
        "LimitExceededException",
        "ValidationException",
        "ServerException",
    ),
    "SetRepositoryPolicy": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
    ),
    "StartImageScan": (
        "ServerException",
        "InvalidParameterException",
        "UnsupportedImageTypeException",
        "LimitExceededException",
        "RepositoryNotFoundException",
        "ImageNotFoundException",
        "ValidationException",
        "ImageArchivedException",
    ),
    "StartLifecyclePolicyPreview": (
        "ServerException",
        "InvalidParameterException",
        "RepositoryNotFoundException",
        "LifecyclePolicyNotFoundException",
        "LifecyclePolicyPreviewInProgressException",
        "ValidationException",
    ),
    "StartReplicationBackfill": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "LimitExceededException",
        "ReplicationBackfillInProgressException",
    ),
    "StopReplicationBackfill": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "ReplicationBackfillNotFoundException",
        "ReplicationBackfillInvalidStatusException",
    ),
    "TagResource": (
        "InvalidParameterException",
        "InvalidTagParameterException",
        "TooManyTagsException",
        "RepositoryNotFoundException",
        "ServerException",
    ),
    "UntagResource": (
        "InvalidParameterException",
        "InvalidTagParameterException",
        "TooManyTagsException",
        "RepositoryNotFoundException",
        "ServerException",
    ),
    "UpdateImageStorageClass": (
        "InvalidParameterException",
        "ImageNotFoundException",
        "ImageStorageClassUpdateNotSupportedException",
        "RepositoryNotFoundException",
        "ServerException",
        "ValidationException",
    ),
    "UpdatePullThroughCacheRule": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "UnableToAccessSecretException",
        "PullThroughCacheRuleNotFoundException",
        "SecretNotFoundException",
        "UnableToDecryptSecretValueException",
    ),
    "UpdateRepositoryCreationTemplate": (
        "ServerException",
        "ValidationException",
        "InvalidParameterException",
        "TemplateNotFoundException",
    ),
    "UploadLayerPart": (
        "ServerException",
        "InvalidParameterException",
        "InvalidLayerPartException",
        "RepositoryNotFoundException",
        "UploadNotFoundException",
        "LimitExceededException",
        "KmsException",
    ),
    "ValidatePullThroughCacheRule": (
        "ServerException",
        "InvalidParameterException",
        "ValidationException",
        "PullThroughCacheRuleNotFoundException",
    ),
}


#: Every error some operation can return, sorted: what a fault without ``operation`` may use.
ANY_OPERATION_ERRORS: Final[tuple[str, ...]] = tuple(
    sorted({e for errors in OPERATION_ERRORS.values() for e in errors} | set(COMMON_ERRORS))
)

#: Operations whose answers carry per-image failures.
FAILURE_OPERATIONS: Final[frozenset[str]] = frozenset({"BatchGetImage", "BatchDeleteImage"})

#: The per-image failure codes each of those operations reports.
FAILURE_CODES_BY_OPERATION: Final[dict[str, tuple[str, ...]]] = {
    "BatchGetImage": tuple(c for c in IMAGE_FAILURE_CODES if c != "ImageReferencedByManifestList"),
    "BatchDeleteImage": (
        "InvalidImageDigest",
        "InvalidImageTag",
        "ImageTagDoesNotMatchDigest",
        "ImageNotFound",
        "MissingDigestAndTag",
        "ImageReferencedByManifestList",
        "KmsError",
    ),
}

#: HTTP statuses other than 400 that ECR answers an error with.
SERVER_STATUS: Final[dict[str, int]] = {"ServerException": 500}


def error_status(code: str) -> int:
    """The HTTP status ECR answers error *code* with."""
    return SERVER_STATUS.get(code, 400)


def default_error_message(
    code: str, operation: str, repository: str | None, account: str, region: str
) -> str:
    """ECR's text for *code* where it is known; a plausible one (documented) elsewhere."""
    repo = repository or "<repository>"
    known = {
        "ThrottlingException": "Rate exceeded",
        "RepositoryNotFoundException": (
            f"The repository with name '{repo}' does not exist in the registry with id '{account}'"
        ),
        "AccessDeniedException": (
            f"User: arn:aws:iam::{account}:user/pytest-ecr is not authorized to perform: "
            f"ecr:{operation} on resource: arn:aws:ecr:{region}:{account}:repository/{repo} "
            "because no identity-based policy allows the ecr:" + operation + " action"
        ),
        "ServerException": "Internal server error",
        "InvalidParameterException": "Invalid parameter at 'repositoryName'",
        "LimitExceededException": (
            "The operation did not succeed because it would have exceeded a service limit "
            "for your account"
        ),
        "UnableToGetUpstreamImageException": (
            "The image could not be pulled from the upstream registry"
        ),
        "ImageNotFoundException": "The requested image does not exist",
        "KmsException": "The operation failed due to a KMS exception",
        "InvalidTagParameterException": (
            "An invalid parameter has been specified. Tag keys can have a maximum character "
            "length of 128 characters, and tag values can have a maximum length of 256 "
            "characters."
        ),
        "TooManyTagsException": (
            "The maximum number of tags that can be applied to a repository is 50"
        ),
        "RepositoryPolicyNotFoundException": (
            f"Repository policy does not exist for the repository with name '{repo}' in the "
            f"registry with id '{account}'"
        ),
        "RegistryPolicyNotFoundException": (
            f"Registry policy does not exist in the registry with id '{account}'"
        ),
    }
    return known.get(code, f"{code} injected by pytest-ecr")
