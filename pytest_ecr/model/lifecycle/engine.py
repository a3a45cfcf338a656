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

from collections.abc import Callable, Sequence
from operator import itemgetter

from pytest_ecr.model.archive import (
    ARCHIVE,
    NEVER_ARCHIVED,
    STORAGE_CLASS_KEY,
    StorageClassState,
)
from pytest_ecr.model.lifecycle.policy import LifecyclePolicy, Rule, Selection, entry_patterns
from pytest_ecr.model.lifecycle.state import (
    ARCHIVE_MINIMUM_DAYS,
    LAST_PULLED_AT_KEY,
    ImageFacts,
    PreviewResult,
)
from pytest_ecr.model.repository import Repository

DAY = 86_400.0
_PUSHED_AT = itemgetter(2)  # ImageFacts.pushed_at, read at C speed by the sort


#: One rule acting on one image (what a preview lists, what a run does).
Decision = PreviewResult


def repository_facts(repo: Repository) -> list[ImageFacts]:
    """The facts of every image of *repo*, in the order they were added."""
    tags_of, states_of, lists_of = repo.tags_of, repo.image_states, repo.referencing_lists
    facts: list[ImageFacts] = []
    append = facts.append
    for image in repo.images():
        digest = image.digest
        state = states_of(digest)
        if not state:  # most images: nothing archived, no pull recorded
            append(
                ImageFacts(digest, tags_of(digest), image.pushed_at, in_list=bool(lists_of(digest)))
            )
            continue
        # The storage class as UpdateImageStorageClass and transitions keep it.
        stored = state.get(STORAGE_CLASS_KEY)
        storage = stored if isinstance(stored, StorageClassState) else NEVER_ARCHIVED
        pulled = state.get(LAST_PULLED_AT_KEY)
        append(
            ImageFacts(
                digest,
                tags_of(digest),
                image.pushed_at,
                "ARCHIVE" if storage.storage_class == ARCHIVE else "STANDARD",
                storage.last_archived_at if storage.storage_class == ARCHIVE else None,
                pulled if isinstance(pulled, (int, float)) else None,
                bool(lists_of(digest)),
            )
        )
    return facts


def _tag_filter(selection: Selection) -> Callable[[str], object] | None:
    """A test on an image's tags joined by newlines: one C-level search per list entry
    instead of a loop over the tags. Several entries are ANDed: each must match a tag."""
    searches = [entry.search for entry in entry_patterns(selection)]
    if not searches:
        return None
    if len(searches) == 1:
        return searches[0]
    return lambda joined: all(search(joined) for search in searches)


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
    if selection.count_type == "sinceImagePushed":
        return [k for k in candidates if newest[k].pushed_at < limit]
    return [k for k in candidates if _measured(rule, newest[k]) < limit]


def _archive_kept(image: ImageFacts, now: float) -> bool:
    """An archived image within its 90-day minimum."""
    if image.storage_class != "ARCHIVE":
        return False
    since = image.archived_at if image.archived_at is not None else image.pushed_at
    return now - since < ARCHIVE_MINIMUM_DAYS * DAY


class _Pools:
    """The images newest first, split once by storage class and by whether tagged, so a
    rule's candidates are a ready list (``any``, ``untagged``) or one filtered pass."""

    def __init__(self, images: Sequence[ImageFacts]) -> None:
        # Reversed input into a stable sort: of two images pushed at the same time, the
        # one added later comes first (counts as newer).
        self.newest = sorted(images[::-1], key=_PUSHED_AT, reverse=True)  # noqa: C415
        self.joined: dict[int, str] = {}
        self.every: dict[str, list[int]] = {}
        self.tagged: dict[str, list[int]] = {}
        self.untagged: dict[str, list[int]] = {}
        for k, image in enumerate(self.newest):
            storage = image.storage_class
            self.every.setdefault(storage, []).append(k)
            if image.tags:
                self.tagged.setdefault(storage, []).append(k)
                self.joined[k] = "\n".join(image.tags)
            else:
                self.untagged.setdefault(storage, []).append(k)

    def candidates(self, selection: Selection) -> list[int]:
        storage = selection.storage_class.upper()
        if selection.tag_status == "any":
            return self.every.get(storage, [])
        if selection.tag_status == "untagged":
            return self.untagged.get(storage, [])
        test = _tag_filter(selection)
        joined = self.joined
        pool = self.tagged.get(storage, [])
        return [k for k in pool if test(joined[k])] if test is not None else []


def evaluate(policy: LifecyclePolicy, images: Sequence[ImageFacts], now: float) -> list[Decision]:
    """What *policy* does to *images* at the time *now* (epoch seconds).

    Decisions come rule by rule in priority order, each rule's oldest image first. Images
    pushed at the same time count in the order they were added (the later one is newer).
    """
    pools = _Pools(images)
    newest = pools.newest
    selected = bytearray(len(newest))
    decisions: list[Decision] = []
    for rule in policy.rules:
        candidates = pools.candidates(rule.selection)
        expire = rule.action == "expire"
        acted = []
        for k in _hits(rule, candidates, newest, now):
            image = newest[k]
            if selected[k] or image.in_list or (expire and _archive_kept(image, now)):
                continue
            acted.append(Decision(image, rule))
        decisions.extend(reversed(acted))
        for k in candidates:
            selected[k] = 1
    return decisions


def preview_results(decisions: Sequence[Decision]) -> tuple[PreviewResult, ...]:
    """The preview's view of *decisions* (they are its results)."""
    return tuple(decisions)
