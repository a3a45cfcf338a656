"""Images: an exact manifest and what ECR derives from it."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_ecr.model.digest import sha256_digest
from pytest_ecr.model.media import inspect_manifest
from pytest_ecr.model.names import DIGEST_PATTERN

#: Every ``ImageFailureCode`` the ECR API defines, in the order of its model.
IMAGE_FAILURE_CODES: tuple[str, ...] = (
    "InvalidImageDigest",
    "InvalidImageTag",
    "ImageTagDoesNotMatchDigest",
    "ImageNotFound",
    "MissingDigestAndTag",
    "ImageReferencedByManifestList",
    "KmsError",
    "UpstreamAccessDenied",
    "UpstreamTooManyRequests",
    "UpstreamUnavailable",
    "ImageInaccessible",
)


#: ``failureReason`` for each code. Texts marked as seen come from real ECR answers; the
#: others are this project's choice (ECR's wording is unknown) and say so on the docs'
#: fidelity page.
DEFAULT_FAILURE_REASONS: dict[str, str] = {
    # seen
    "ImageNotFound": "Requested image not found",
    "MissingDigestAndTag": "Invalid request parameters: both tag and digest cannot be null",
    "InvalidImageDigest": (
        f"Invalid request parameters: image digest should satisfy the regex '{DIGEST_PATTERN}'"
    ),
    "ImageTagDoesNotMatchDigest": (
        "Invalid request parameters: given tag does not map to the given digest"
    ),
    "ImageReferencedByManifestList": "Requested image referenced by manifest list",
    # chosen
    "InvalidImageTag": (
        "Invalid request parameters: image tag should satisfy the constraint "
        "'Member must have length less than or equal to 300'"
    ),
    "KmsError": "The KMS key used to encrypt the image is disabled or access to it was denied",
    "UpstreamAccessDenied": "Access to the upstream registry was denied",
    "UpstreamTooManyRequests": "The upstream registry is throttling requests",
    "UpstreamUnavailable": "The upstream registry is unavailable",
    "ImageInaccessible": "The requested image is archived and cannot be pulled",
}


@dataclass(frozen=True, slots=True)
class ImageFailure:
    """A per-image failure that BatchGetImage reports instead of the image."""

    code: str
    reason: str

    def __post_init__(self) -> None:
        if self.code not in IMAGE_FAILURE_CODES:
            raise ValueError(
                f"unknown image failure code {self.code!r}; "
                f"expected one of: {', '.join(IMAGE_FAILURE_CODES)}"
            )


@dataclass(frozen=True, slots=True)
class Image:
    """One image of a repository.

    ``manifest`` is the exact text ECR returns; ``digest`` is ``sha256:`` + the sha256 of
    its UTF-8 bytes. Tags are not part of the image: they live in the repository's index,
    because they move between images while the image itself never changes.
    """

    digest: str
    manifest: str
    media_type: str
    pushed_at: float
    size_bytes: int | None = None
    artifact_media_type: str | None = None
    children: tuple[str, ...] = ()
    failure: ImageFailure | None = None
    #: The OCI 1.1 ``subject`` digest of a referrer (a signature, an SBOM...), else None.
    subject: str | None = None
    #: The artifact type a referrers listing reports (see :class:`ManifestInfo`).
    artifact_type: str | None = None

    @classmethod
    def from_manifest(
        cls,
        manifest: str,
        *,
        media_type: str | None = None,
        pushed_at: float = 0.0,
        failure: ImageFailure | None = None,
    ) -> Image:
        """Build an image from manifest text, computing its digest and size.

        *media_type* is used when the manifest has no top-level ``mediaType`` (as PutImage's
        ``imageManifestMediaType``). Raises :class:`ValueError` when the text is not a JSON
        object or no media type can be determined.
        """
        info = inspect_manifest(manifest, media_type)
        return cls(
            digest=sha256_digest(manifest.encode("utf-8")),
            manifest=manifest,
            media_type=info.media_type,
            pushed_at=pushed_at,
            size_bytes=info.size_bytes,
            artifact_media_type=info.artifact_media_type,
            children=info.children,
            failure=failure,
            subject=info.subject,
            artifact_type=info.artifact_type,
        )
