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
from pytest_ecr.service.layers import blob_unknown_message


def blob_content(
    state: RegistryState, account: str, region: str, repository: str, digest: str
) -> BlobContent | str:
    """The bytes of blob *digest* of a repository, or why there are none: the text of
    the registry's ``BLOB_UNKNOWN`` (:func:`~pytest_ecr.service.layers.blob_unknown_message`,
    which says how to declare the bytes of a blob an image names but nobody gave)."""
    repo = state.get_repository(account, region, repository)
    if repo is None:
        return f"the repository '{repository}' does not exist in the registry '{account}'"
    content = repo.blobs.content(digest)
    return blob_unknown_message(repo, digest) if content is None else content


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
