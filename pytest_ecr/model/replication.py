"""Registry replication: the configuration, each image's replica statuses, and backfills.

Replication is registry-level (per account and Region): one
:class:`ReplicationConfiguration` under the registry setting :data:`REPLICATION`. A push
to a repository that a rule covers copies the image to each destination registry at once
(:func:`replicate`) and records a :class:`ReplicaStatus` per destination on the source
image; the status reads ``IN_PROGRESS`` for :data:`REPLICATION_SECONDS` of the fake's
clock and ``COMPLETE`` after. A :class:`Backfill` copies the images a registry already
holds to one destination; its status, progress and results are read off the clock too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pytest_ecr.model.blobs import manifest_blobs
from pytest_ecr.model.image import Image
from pytest_ecr.model.registry import RegistryState
from pytest_ecr.model.repository import Repository

#: Registry setting: the registry's :class:`ReplicationConfiguration`.
REPLICATION = "replication"
#: Registry setting: the registry's backfills (a tuple of :class:`Backfill`, oldest first).
BACKFILLS = "replication-backfills"
#: Image state of a source image: a tuple of :class:`ReplicaStatus`, one per destination.
REPLICA_STATUSES = "replication"

#: How long (fake seconds) a replication reads ``IN_PROGRESS`` before ``COMPLETE``.
REPLICATION_SECONDS = 10.0
#: How long a backfill reads ``PREPARING``.
BACKFILL_PREPARING_SECONDS = 10.0
#: How long a backfill reads ``IN_PROGRESS`` (its replications complete evenly over it).
BACKFILL_RUNNING_SECONDS = 60.0
#: How long a stopped backfill reads ``STOPPING`` before ``STOPPED``.
BACKFILL_STOPPING_SECONDS = 10.0
#: Terminal backfills are kept (and listed) this long after they end: 90 days.
BACKFILL_RETENTION_SECONDS = 90 * 24 * 3600.0

RUNNING_BACKFILL_STATUSES = ("PREPARING", "IN_PROGRESS", "STOPPING")

# ECR's rules for a configuration (botocore 1.44's model and the User Guide's quotas),
# stated once for the service and the declarations.
#: A destination Region.
REGION_PATTERN = "[0-9a-z-]{2,25}"
#: A ``PREFIX_MATCH`` repository filter.
FILTER_PATTERN = "^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$"
FILTER_MIN_LENGTH = 2
FILTER_MAX_LENGTH = 256
#: Rules per configuration (botocore 1.44's model; 1.43's said 10).
MAX_RULES = 25
MAX_DESTINATIONS_PER_RULE = 100
MAX_FILTERS = 100
#: ECR's quota of unique destinations across all rules of a registry.
MAX_UNIQUE_DESTINATIONS = 25


@dataclass(frozen=True, slots=True)
class Destination:
    """One replication destination: a registry (account) in a Region."""

    region: str
    registry_id: str


@dataclass(frozen=True, slots=True)
class ReplicationRule:
    """One rule: its destinations, its ``PREFIX_MATCH`` filters, its deletion flag.

    ``filters`` empty means the rule covers every repository. ``delete_replication`` is
    ``None`` when the request left ``deleteReplication`` out (echoed as it came).
    """

    destinations: tuple[Destination, ...]
    filters: tuple[str, ...] = ()
    delete_replication: bool | None = None

    def covers(self, repository: str) -> bool:
        return not self.filters or any(repository.startswith(f) for f in self.filters)


@dataclass(frozen=True, slots=True)
class ReplicationConfiguration:
    rules: tuple[ReplicationRule, ...] = ()

    def destinations_for(self, repository: str) -> tuple[Destination, ...]:
        """Every destination of the rules covering *repository*, once each, in rule order."""
        found: dict[Destination, None] = {}
        for rule in self.rules:
            if rule.covers(repository):
                found.update(dict.fromkeys(rule.destinations))
        return tuple(found)

    def deletes_to(self, repository: str) -> tuple[Destination, ...]:
        """Destinations to which deletions in *repository* are replicated."""
        found: dict[Destination, None] = {}
        for rule in self.rules:
            if rule.delete_replication and rule.covers(repository):
                found.update(dict.fromkeys(rule.destinations))
        return tuple(found)

    def unique_destinations(self) -> tuple[Destination, ...]:
        found: dict[Destination, None] = {}
        for rule in self.rules:
            found.update(dict.fromkeys(rule.destinations))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """The replication of one image to one destination, started at *started_at*."""

    destination: Destination
    started_at: float
    failure_code: str | None = None

    def status(self, now: float) -> str:
        if self.failure_code is not None:
            return "FAILED"
        if now < self.started_at + REPLICATION_SECONDS:
            return "IN_PROGRESS"
        return "COMPLETE"


def replication_of(state: RegistryState, account: str, region: str) -> ReplicationConfiguration:
    """The registry's replication configuration (an empty one when never configured)."""
    value = state.registry_setting(account, region, REPLICATION)
    return value if isinstance(value, ReplicationConfiguration) else ReplicationConfiguration()


def replica_statuses(repo: Repository, digest: str) -> tuple[ReplicaStatus, ...]:
    value = repo.image_state(digest, REPLICA_STATUSES)
    return value if isinstance(value, tuple) else ()


def _record_status(repo: Repository, digest: str, status: ReplicaStatus) -> None:
    kept = tuple(s for s in replica_statuses(repo, digest) if s.destination != status.destination)
    repo.set_image_state(digest, REPLICA_STATUSES, (*kept, status))


def destination_repository(
    state: RegistryState, name: str, destination: Destination, now: float
) -> Repository:
    """The repository *name* in the destination registry, created with default settings."""
    found = state.get_repository(destination.registry_id, destination.region, name)
    if found is not None:
        return found
    return state.create_repository(
        name, account=destination.registry_id, region=destination.region, created_at=now
    )


def replicate(
    state: RegistryState,
    source: Repository,
    digest: str,
    tags: tuple[str, ...],
    destination: Destination,
    now: float,
    completes_at: float | None = None,
) -> None:
    """Copy the image *digest* of *source* (and the images it lists) with *tags*.

    A tag that is immutable in the destination and already names another image there is
    not moved: the replica arrives without it (untagged if it was the only one). The
    status recorded on the source image completes :data:`REPLICATION_SECONDS` after
    *now*, or at *completes_at* (a backfill's schedule).
    """
    image = source.get_image(digest)
    if image is None:
        return
    target = destination_repository(state, source.name, destination, now)
    for child in image.children:
        child_image = source.get_image(child)
        if child_image is not None:
            target.put(child_image)
            _copy_blobs(source, target, child_image)
    target.put(image)
    _copy_blobs(source, target, image)
    for tag in tags:
        current = target.resolve_tag(tag)
        if current is not None and current != digest and target.is_tag_immutable(tag):
            continue
        target.tag(tag, digest)
    started = now if completes_at is None else completes_at - REPLICATION_SECONDS
    _record_status(source, digest, ReplicaStatus(destination, started))


def _copy_blobs(source: Repository, target: Repository, image: Image) -> None:
    """The bytes of *image*'s config and layers that *source* has, into *target* (as ECR
    replicates layers with their image); content objects are immutable, so shared."""
    for blob in manifest_blobs(image):
        if target.blobs.content(blob.digest) is None:
            content = source.blobs.content(blob.digest)
            if content is not None:
                target.blobs.store(blob.digest, content)


def replicate_deletion(
    state: RegistryState, source: Repository, digest: str, tag: str | None
) -> None:
    """Mirror one deletion in *source* to the destinations whose rules replicate deletions.

    The image gone from the source goes from each destination (unless a manifest list
    there still lists it); a tag removed while its image stays is removed there too, when
    it names the same image.
    """
    config = replication_of(state, source.registry_id, source.region)
    gone = source.get_image(digest) is None
    for destination in config.deletes_to(source.name):
        target = state.get_repository(destination.registry_id, destination.region, source.name)
        if target is None or target.get_image(digest) is None:
            continue
        if gone:
            if not [d for d in target.referencing_lists(digest) if d != digest]:
                target.delete(digest)
        elif tag is not None and target.resolve_tag(tag) == digest:
            target.untag(tag)


@dataclass(frozen=True, slots=True)
class BackfillItem:
    """One replication of a backfill: one image and one of its tags (``None``: untagged)."""

    repository: str
    digest: str
    tag: str | None


@dataclass(frozen=True, slots=True)
class Backfill:
    """One backfill of a registry to *destination*, its status read off the clock."""

    backfill_id: str
    destination: Destination
    started_at: float
    items: tuple[BackfillItem, ...] = ()
    stopped_at: float | None = None

    def status(self, now: float) -> str:
        if self.stopped_at is not None:
            if now < self.stopped_at + BACKFILL_STOPPING_SECONDS:
                return "STOPPING"
            return "STOPPED"
        if now < self.started_at + BACKFILL_PREPARING_SECONDS:
            return "PREPARING"
        if now < self.started_at + BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS:
            return "IN_PROGRESS"
        return "COMPLETE"

    def running(self, now: float) -> bool:
        return self.status(now) in RUNNING_BACKFILL_STATUSES

    def _work_time(self, now: float) -> float:
        # Work stops when the backfill is asked to stop.
        return now if self.stopped_at is None else min(now, self.stopped_at)

    def prepared(self, now: float) -> bool:
        """Whether the backfill got past ``PREPARING`` (it then has a progress)."""
        return self._work_time(now) >= self.started_at + BACKFILL_PREPARING_SECONDS

    def completed(self, now: float) -> int:
        """How many of the items have been replicated by *now*."""
        if not self.prepared(now):
            return 0
        elapsed = self._work_time(now) - self.started_at - BACKFILL_PREPARING_SECONDS
        share = min(1.0, elapsed / BACKFILL_RUNNING_SECONDS)
        return min(len(self.items), math.floor(len(self.items) * share))

    def ended_at(self, now: float) -> float | None:
        status = self.status(now)
        if status == "COMPLETE":
            return self.started_at + BACKFILL_PREPARING_SECONDS + BACKFILL_RUNNING_SECONDS
        if status == "STOPPED" and self.stopped_at is not None:
            return self.stopped_at + BACKFILL_STOPPING_SECONDS
        return None

    def expired(self, now: float) -> bool:
        ended = self.ended_at(now)
        return ended is not None and now >= ended + BACKFILL_RETENTION_SECONDS

    def stop(self, now: float) -> Backfill:
        return replace(self, stopped_at=now)


def backfills_of(state: RegistryState, account: str, region: str) -> tuple[Backfill, ...]:
    value = state.registry_setting(account, region, BACKFILLS)
    return value if isinstance(value, tuple) else ()


def backfill_items(
    state: RegistryState, account: str, region: str, destination: Destination
) -> tuple[BackfillItem, ...]:
    """What a backfill to *destination* replicates: each image+tag pair (an untagged image
    once) of every repository a rule naming *destination* covers."""
    rules = [
        r for r in replication_of(state, account, region).rules if destination in r.destinations
    ]
    items: list[BackfillItem] = []
    for repo in state.repositories(account, region):
        if not any(rule.covers(repo.name) for rule in rules):
            continue
        for image in repo.images():
            tags = repo.tags_of(image.digest)
            items.extend(BackfillItem(repo.name, image.digest, tag) for tag in tags or (None,))
    return tuple(items)


def run_backfill(
    state: RegistryState, account: str, region: str, backfill: Backfill, at: float
) -> None:
    """Copy every item of *backfill* to its destination (the fake copies at once).

    Each source image's replication status completes when the backfill's progress
    reaches the image's last item.
    """
    by_image: dict[tuple[str, str], list[str]] = {}
    last: dict[tuple[str, str], int] = {}
    for position, item in enumerate(backfill.items):
        key = (item.repository, item.digest)
        tags = by_image.setdefault(key, [])
        if item.tag is not None:
            tags.append(item.tag)
        last[key] = position
    total = len(backfill.items)
    running_from = backfill.started_at + BACKFILL_PREPARING_SECONDS
    for (name, digest), tags in by_image.items():
        source = state.get_repository(account, region, name)
        if source is None:
            continue
        done = running_from + BACKFILL_RUNNING_SECONDS * (last[(name, digest)] + 1) / total
        replicate(state, source, digest, tuple(tags), backfill.destination, at, done)
