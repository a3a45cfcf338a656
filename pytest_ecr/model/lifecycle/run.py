"""Running the stored lifecycle policies for real: expired images deleted, archived ones
transitioned, ``lastEvaluatedAt`` set; what was done returned as a :class:`LifecycleRun`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pytest_ecr.model.archive import set_storage_state, storage_state
from pytest_ecr.model.lifecycle.engine import evaluate, repository_facts
from pytest_ecr.model.lifecycle.state import (
    LIFECYCLE_POLICY_KEY,
    StoredPolicy,
)
from pytest_ecr.model.registry import RegistryState


@dataclass(frozen=True, slots=True)
class LifecycleAction:
    """One image a policy acted on."""

    registry_id: str
    region: str
    repository: str
    digest: str
    tags: tuple[str, ...]
    pushed_at: float
    action: str  # EXPIRE | TRANSITION
    rule_priority: int


@dataclass(frozen=True, slots=True)
class LifecycleRun:
    """What one run of the lifecycle policies did, at the fake's time :attr:`at`."""

    at: float
    #: ``(registry id, region, name)`` of every repository whose policy was evaluated.
    evaluated: tuple[tuple[str, str, str], ...]
    actions: tuple[LifecycleAction, ...]

    @property
    def expired(self) -> tuple[LifecycleAction, ...]:
        return tuple(a for a in self.actions if a.action == "EXPIRE")

    @property
    def transitioned(self) -> tuple[LifecycleAction, ...]:
        return tuple(a for a in self.actions if a.action == "TRANSITION")

    def digests(self, repository: str | None = None, action: str | None = None) -> list[str]:
        """Digests acted on (in one repository, of one action), in the order acted on."""
        return [
            a.digest
            for a in self.actions
            if (repository is None or a.repository == repository)
            and (action is None or a.action == action)
        ]


def check_run(state: RegistryState, days_later: object, repository: object) -> None:
    """Refuse what a test author got wrong, before any clock moves: :class:`TypeError`
    for a *days_later* that is not a number or a *repository* that is not a name,
    :class:`ValueError` for a repository *state* does not hold."""
    if isinstance(days_later, bool) or not isinstance(days_later, (int, float)):
        raise TypeError(f"days_later must be a number of days, got {days_later!r}")
    if repository is None:
        return
    if not isinstance(repository, str):
        raise TypeError(f"repository must be a repository name, got {repository!r}")
    if not any(repo.name == repository for repo in state.repositories()):
        raise ValueError(f"run_lifecycle_policies(): no repository {repository!r}")


def run_policies(state: RegistryState, now: float, repository: str | None = None) -> LifecycleRun:
    """Evaluate every stored policy of *state* (of the repositories named *repository*
    only, when given) at the time *now* and apply it. Images a manifest list references
    are kept, even when the list itself expires in this run (a later run takes them)."""
    evaluated: list[tuple[str, str, str]] = []
    actions: list[LifecycleAction] = []
    for repo in list(state.repositories()):
        if repository is not None and repo.name != repository:
            continue
        stored = repo.setting(LIFECYCLE_POLICY_KEY)
        if not isinstance(stored, StoredPolicy):
            continue
        where = (repo.registry_id, repo.region, repo.name)
        for decision in evaluate(stored.policy, repository_facts(repo), now):
            image = decision.image
            if decision.action == "EXPIRE":
                repo.delete(image.digest)
            else:
                archived = storage_state(repo, image.digest).archived(now)
                set_storage_state(repo, image.digest, archived)
            actions.append(
                LifecycleAction(
                    *where,
                    image.digest,
                    image.tags,
                    image.pushed_at,
                    decision.action,
                    decision.rule.priority,
                )
            )
        repo.set_setting(LIFECYCLE_POLICY_KEY, replace(stored, last_evaluated_at=now))
        evaluated.append(where)
    return LifecycleRun(now, tuple(evaluated), tuple(actions))
