"""What the registry API needs of a repository's blobs beyond the layer operations: the
bytes of a blob to serve, and a cross-repository mount.

Neither is an ECR API action: a blob's bytes come from the layer's storage (S3 for ECR),
reached through the URL GetDownloadUrlForLayer gave; a mount happens inside
``POST /v2/<name>/blobs/uploads/?mount=...&from=...``.
"""

from __future__ import annotations

from pytest_ecr.model import RegistryState
from pytest_ecr.model.account import account_setting
from pytest_ecr.model.blobs import BlobContent


def blob_content(
    state: RegistryState, account: str, region: str, repository: str, digest: str
) -> BlobContent | None:
    """The bytes of blob *digest* of a repository, or ``None`` (no such repository or
    blob)."""
    repo = state.get_repository(account, region, repository)
    return None if repo is None else repo.blobs.content(digest)


def mount_blob(
    state: RegistryState, account: str, region: str, source: str, target: str, digest: str
) -> bool:
    """Mount blob *digest* of repository *source* into *target* (same registry), as ECR
    does: only with the account setting ``BLOB_MOUNTING`` ``ENABLED``, only a blob an
    image of *source* names and whose bytes it has, and only between repositories of
    the same encryption. ``False``: not mounted (the client then uploads the blob)."""
    if account_setting(state, account, region, "BLOB_MOUNTING") != "ENABLED":
        return False
    origin = state.get_repository(account, region, source)
    destination = state.get_repository(account, region, target)
    if origin is None or destination is None or origin.blobs.reference(digest) is None:
        return False
    if (origin.encryption_type, origin.kms_key) != (
        destination.encryption_type,
        destination.kms_key,
    ):
        return False
    content = origin.blobs.content(digest)
    if content is None:
        return False
    if destination.blobs.content(digest) is None:
        destination.blobs.store(digest, content)
    return True


__all__ = ["blob_content", "mount_blob"]
