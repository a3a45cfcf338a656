"""What ECR keeps of lifecycle policies: the stored policy per repository, its preview,
and the per-image facts the rules read (storage class, archive and pull times).

Values are frozen (forks share them); the keys are the repository-setting and
image-state keys they are kept under.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

from pytest_ecr.model import archive
from pytest_ecr.model.lifecycle.policy import LifecyclePolicy, Rule

#: Repository setting: the :class:`StoredPolicy`.
LIFECYCLE_POLICY_KEY: Final = "lifecycle_policy"
#: Repository setting: the latest :class:`Preview`.
LIFECYCLE_PREVIEW_KEY: Final = "lifecycle_policy_preview"

#: Image state: where the image is (:class:`pytest_ecr.model.archive.StorageClassState`,
#: shared with UpdateImageStorageClass; absent: ``STANDARD``).
STORAGE_CLASS_KEY: Final = archive.STORAGE_CLASS_KEY
#: Image state: the last recorded pull (epoch seconds; absent: never pulled).
LAST_PULLED_AT_KEY: Final = "last_pulled_at"

#: How long a preview runs on the fake's clock before it is COMPLETE (seconds): two polls
#: of botocore's waiter (5 s apart) see IN_PROGRESS, the third COMPLETE.
PREVIEW_DURATION: Final = 10.0
#: How long a completed preview stays readable before it is EXPIRED (seconds).
PREVIEW_LIFETIME: Final = 24 * 3600.0
#: Archived images are kept 90 days at least: lifecycle expires none archived for less.
ARCHIVE_MINIMUM_DAYS: Final = 90


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """A repository's policy: the text as ECR echoes it (minified), the parsed rules, and
    when it was last evaluated (``0.0``: never, as ECR answers)."""

    text: str
    policy: LifecyclePolicy
    last_evaluated_at: float = 0.0


class ImageFacts(NamedTuple):
    """What the rules read of one image (a tuple: 100,000 of them are built per run)."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: float
    storage_class: str = "STANDARD"
    archived_at: float | None = None
    last_pulled_at: float | None = None
    #: Referenced by a manifest list (index) of the repository: never acted on.
    in_list: bool = False


class PreviewResult(NamedTuple):
    """One rule acting on one image: what a preview reports
    (``LifecyclePolicyPreviewResult``) and what a run does."""

    image: ImageFacts
    rule: Rule

    @property
    def digest(self) -> str:
        return self.image.digest

    @property
    def tags(self) -> tuple[str, ...]:
        return self.image.tags

    @property
    def pushed_at(self) -> float:
        return self.image.pushed_at

    @property
    def storage_class(self) -> str:
        """``STANDARD`` or ``ARCHIVE``: where the image is now."""
        return self.image.storage_class

    @property
    def priority(self) -> int:
        return self.rule.priority

    @property
    def action(self) -> str:
        """``EXPIRE`` or ``TRANSITION``, as previews say it."""
        return self.rule.action.upper()

    @property
    def target_storage_class(self) -> str | None:
        target = self.rule.target_storage_class
        return target.upper() if target is not None else None


@dataclass(frozen=True, slots=True, eq=False)
class Preview:
    """A preview started at *started_at*: the text echoed, and what it found then.

    The preview evaluates the repository as it is when it starts, ages counted from that
    time; its status then moves on the fake's clock (:meth:`status`).
    """

    text: str
    started_at: float
    results: tuple[PreviewResult, ...]
    #: The results of tagged and of untagged images (``filter.tagStatus``), in order, so
    #: a page of either costs its own length.
    tagged: tuple[PreviewResult, ...]
    untagged: tuple[PreviewResult, ...]
    #: Images the preview would expire, and would transition to ARCHIVE.
    expiring: int
    transitioning: int

    @classmethod
    def of(cls, text: str, started_at: float, results: tuple[PreviewResult, ...]) -> Preview:
        tagged = tuple(result for result in results if result.image.tags)
        untagged = tuple(result for result in results if not result.image.tags)
        expiring = sum(1 for result in results if result.rule.action == "expire")
        return cls(text, started_at, results, tagged, untagged, expiring, len(results) - expiring)

    def status(self, now: float) -> str:
        """``IN_PROGRESS``, ``COMPLETE`` or ``EXPIRED`` at the time *now*."""
        elapsed = now - self.started_at
        if elapsed < PREVIEW_DURATION:
            return "IN_PROGRESS"
        if elapsed < PREVIEW_DURATION + PREVIEW_LIFETIME:
            return "COMPLETE"
        return "EXPIRED"
