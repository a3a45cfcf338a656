"""Evaluating a lifecycle policy: which images each rule acts on, in ECR's order.

ECR's documented evaluation (docs/fidelity.md, "Lifecycle policies"):

1. rules are applied by priority, lowest number first;
2. an image is acted on by one rule at most;
3. an image a higher-priority rule *selected* (matched), even one it kept, cannot be acted
   on by a lower-priority rule, which still counts it;
4. ``imageCountMoreThan`` counts the candidates newest first by push time and acts on those
   past the count; the age types act on candidates older than ``countNumber`` days;
5. images a manifest list (index) in the repository references are kept (and counted);
6. archived images are kept for 90 days after archiving at least.

The images are sorted once, newest first; each rule is then one pass over them, so an
evaluation costs O(n log n + rules x n) for *n* images.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_ecr.model.lifecycle.policy import LifecyclePolicy, Rule, Selection, entry_patterns
from pytest_ecr.model.lifecycle.state import (
    ARCHIVE_MINIMUM_DAYS,
    ARCHIVED_AT_KEY,
    LAST_PULLED_AT_KEY,
    STORAGE_CLASS_KEY,
    PreviewResult,
)
from pytest_ecr.model.repository import Repository

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What the rules read of one image."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: float
    storage_class: str = "STANDARD"
    archived_at: float | None = None
    last_pulled_at: float | None = None
    #: Referenced by a manifest list (index) of the repository: never acted on.
    in_list: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """One rule acting on one image."""

    image: ImageFacts
    rule: Rule

    @property
    def action(self) -> str:
        """``EXPIRE`` or ``TRANSITION``, as previews say it."""
        return self.rule.action.upper()

    @property
    def target_storage_class(self) -> str | None:
        target = self.rule.target_storage_class
        return target.upper() if target is not None else None


def repository_facts(repo: Repository) -> list[ImageFacts]:
    """The facts of every image of *repo*, in the order they were added."""
    facts = []
    for image in repo.images():
        digest = image.digest
        state = repo.image_states(digest)
        archived = state.get(ARCHIVED_AT_KEY)
        pulled = state.get(LAST_PULLED_AT_KEY)
        facts.append(
            ImageFacts(
                digest,
                repo.tags_of(digest),
                image.pushed_at,
                "ARCHIVE" if state.get(STORAGE_CLASS_KEY) == "ARCHIVE" else "STANDARD",
                archived if isinstance(archived, (int, float)) else None,
                pulled if isinstance(pulled, (int, float)) else None,
                bool(repo.referencing_lists(digest)),
            )
        )
    return facts


class _Matcher:
    """Whether an image is a candidate of one rule's selection."""

    __slots__ = ("entries", "storage_class", "tag_status")

    def __init__(self, selection: Selection) -> None:
        self.tag_status = selection.tag_status
        self.storage_class = selection.storage_class.upper()
        self.entries: tuple[re.Pattern[str], ...] = entry_patterns(selection)

    def __call__(self, image: ImageFacts) -> bool:
        if image.storage_class != self.storage_class:
            return False
        status = self.tag_status
        if status == "any":
            return True
        tags = image.tags
        if status == "untagged":
            return not tags
        # Several entries are ANDed: each must match one of the image's tags.
        return bool(tags) and all(any(entry.match(tag) for tag in tags) for entry in self.entries)


def _measured(rule: Rule, image: ImageFacts) -> float:
    """The time a rule's age counts from."""
    count_type = rule.selection.count_type
    if count_type == "sinceImagePulled" and image.last_pulled_at is not None:
        return image.last_pulled_at
    if count_type == "sinceImageTransitioned" and image.archived_at is not None:
        return image.archived_at
    return image.pushed_at


def _hits(rule: Rule, candidates: list[int], newest: Sequence[ImageFacts], now: float) -> list[int]:
    selection = rule.selection
    if selection.counts:
        return candidates[selection.count_number :]
    limit = now - selection.count_number * DAY
    return [k for k in candidates if _measured(rule, newest[k]) < limit]


def _archive_kept(image: ImageFacts, now: float) -> bool:
    """An archived image within its 90-day minimum."""
    if image.storage_class != "ARCHIVE":
        return False
    since = image.archived_at if image.archived_at is not None else image.pushed_at
    return now - since < ARCHIVE_MINIMUM_DAYS * DAY


def evaluate(policy: LifecyclePolicy, images: Sequence[ImageFacts], now: float) -> list[Decision]:
    """What *policy* does to *images* at the time *now* (epoch seconds).

    Decisions come rule by rule in priority order, each rule's oldest image first. Images
    pushed at the same time count in the order they were added (the later one is newer).
    """
    order = sorted(range(len(images)), key=lambda i: (images[i].pushed_at, i), reverse=True)
    newest = [images[i] for i in order]
    selected = bytearray(len(newest))
    decisions: list[Decision] = []
    for rule in policy.rules:
        matches = _Matcher(rule.selection)
        candidates = [k for k, image in enumerate(newest) if matches(image)]
        acted = []
        for k in _hits(rule, candidates, newest, now):
            image = newest[k]
            if selected[k] or image.in_list:
                continue
            if rule.action == "expire" and _archive_kept(image, now):
                continue
            acted.append(Decision(image, rule))
        decisions.extend(reversed(acted))
        for k in candidates:
            selected[k] = 1
    return decisions


def preview_results(decisions: Sequence[Decision]) -> tuple[PreviewResult, ...]:
    """The preview's view of *decisions*."""
    return tuple(
        PreviewResult(
            decision.image.digest,
            decision.image.tags,
            decision.image.pushed_at,
            decision.action,
            decision.rule.priority,
            decision.image.storage_class,
            decision.target_storage_class,
        )
        for decision in decisions
    )
