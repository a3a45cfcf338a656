"""Storage classes: an image moved to ECR's archive, and its restore on the fake's clock.

What ECR keeps per image once UpdateImageStorageClass has touched it, under
:data:`STORAGE_CLASS_KEY` of :meth:`Repository.image_state`. An image with no such state
is ``ACTIVE`` in the standard class, as every pushed image is. A restore takes
:data:`RESTORE_SECONDS` of the fake's (virtual) time: the status is computed from the
clock at read time, so :meth:`FakeEcr.advance` finishes it with no wall time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pytest_ecr.model.repository import Repository

#: The per-image state key of :class:`StorageClassState`.
STORAGE_CLASS_KEY: Final = "storage_class"
#: Repository setting set once any of its images changed class: reads of a repository
#: without it skip the per-image lookups (every image there is ``ACTIVE``).
STORAGE_CLASS_USED_KEY: Final = "storage_class_used"

STANDARD: Final = "STANDARD"
ARCHIVE: Final = "ARCHIVE"
#: ``TargetStorageClass`` values, in the service model's order.
STORAGE_CLASSES: Final = (STANDARD, ARCHIVE)

ACTIVE: Final = "ACTIVE"
ARCHIVED: Final = "ARCHIVED"
ACTIVATING: Final = "ACTIVATING"
#: ``ImageStatus`` values, in the service model's order.
IMAGE_STATUSES: Final = (ACTIVE, ARCHIVED, ACTIVATING)

#: How long a restore from the archive takes on the fake's clock. ECR says "minutes to
#: hours" without a figure; 20 minutes is this project's choice (docs/fidelity.md).
RESTORE_SECONDS: Final = 20 * 60.0


@dataclass(frozen=True, slots=True)
class StorageClassState:
    """Where one image is: its class, its last archive, its restore in progress (if any).

    ``restore_started_at`` is set by a restore: the image is ``ACTIVATING`` until
    :data:`RESTORE_SECONDS` after it, then ``ACTIVE``. ``activated_at`` keeps the end of
    an earlier, finished restore.
    """

    storage_class: str
    last_archived_at: float | None = None
    restore_started_at: float | None = None
    activated_at: float | None = None

    def status(self, now: float) -> str:
        """The ``imageStatus`` at time *now*."""
        if self.storage_class == ARCHIVE:
            return ARCHIVED
        if self.restore_started_at is not None and now < self.restore_started_at + RESTORE_SECONDS:
            return ACTIVATING
        return ACTIVE

    def last_activated_at(self, now: float) -> float | None:
        """When the last restore finished (``None`` before any restore finished)."""
        if self.restore_started_at is not None:
            done = self.restore_started_at + RESTORE_SECONDS
            if now >= done:
                return done
        return self.activated_at

    def archived(self, now: float) -> StorageClassState:
        """This image moved to the archive at *now*."""
        return StorageClassState(ARCHIVE, now, None, self.last_activated_at(now))

    def restored(self, now: float) -> StorageClassState:
        """This image's restore to the standard class, started at *now*."""
        return StorageClassState(STANDARD, self.last_archived_at, now, self.last_activated_at(now))


#: The state of an image nothing has archived.
NEVER_ARCHIVED: Final = StorageClassState(STANDARD)


def storage_state(repo: Repository, digest: str) -> StorageClassState:
    """The storage-class state of one image (:data:`NEVER_ARCHIVED` when untouched)."""
    found = repo.image_state(digest, STORAGE_CLASS_KEY)
    return found if isinstance(found, StorageClassState) else NEVER_ARCHIVED


def image_status(repo: Repository, digest: str, now: float) -> str:
    """``imageStatus`` of one image at time *now*."""
    found = repo.image_state(digest, STORAGE_CLASS_KEY)
    if found is None:
        return ACTIVE
    assert isinstance(found, StorageClassState)
    return found.status(now)


def is_pullable(repo: Repository, digest: str, now: float) -> bool:
    """Whether the image can be pulled: an archived (or still restoring) one cannot."""
    return image_status(repo, digest, now) == ACTIVE


def storage_class_used(repo: Repository) -> bool:
    """Whether any image of *repo* ever changed class (else all are ``ACTIVE``): O(1)."""
    return repo.setting(STORAGE_CLASS_USED_KEY) is not None


def set_storage_state(repo: Repository, digest: str, value: StorageClassState) -> None:
    """Keep *value* as the storage-class state of one image (and mark the repository)."""
    repo.set_image_state(digest, STORAGE_CLASS_KEY, value)
    if not storage_class_used(repo):
        repo.set_setting(STORAGE_CLASS_USED_KEY, True)
