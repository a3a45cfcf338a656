"""ECR's error catalogue: which operation can return which error, and ECR's texts.

The service layer owns it, as it owns the operations; the fault layer reads it to check
``error:`` / ``failure:`` fields and to word an injected error. The per-operation tables
follow botocore's ECR service model (``tests/service/test_catalogue.py`` checks them
against it), plus the errors any AWS operation can get though the model does not list them.
"""

from __future__ import annotations

from typing import Final

from pytest_ecr.model import IMAGE_FAILURE_CODES
from pytest_ecr.service.caches_errors import CACHES_ERROR_TEXTS
from pytest_ecr.service.feature_errors import feature_error_texts
from pytest_ecr.service.operation_errors import OPERATION_ERRORS as OPERATION_ERRORS

#: Errors any operation can get in practice, though the ECR model does not list them.
COMMON_ERRORS: Final[tuple[str, ...]] = ("ThrottlingException", "AccessDeniedException")


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
        **CACHES_ERROR_TEXTS,
        **feature_error_texts(repo, account, region),
    }
    return known.get(code, f"{code} injected by pytest-ecr")
