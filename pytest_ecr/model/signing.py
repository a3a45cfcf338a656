"""Managed signing: the registry's signing configuration and each image's signatures.

The configuration is registry-level (:data:`SIGNING`). A push to a repository that a
rule covers starts one signing per matching profile, recorded on the image
(:data:`SIGNING_STATUSES`); each reads ``IN_PROGRESS`` for :data:`SIGNING_SECONDS` of the
fake's clock and ``COMPLETE`` after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pytest_ecr.model.registry import RegistryState
from pytest_ecr.model.repository import Repository

#: Registry setting: the registry's :class:`SigningConfiguration`.
SIGNING = "signing"
#: Image state: a tuple of :class:`SigningStatus`, one per signing profile.
SIGNING_STATUSES = "signing"
#: How long (fake seconds) a signing reads ``IN_PROGRESS`` before ``COMPLETE``.
SIGNING_SECONDS = 10.0

# ECR's rules for a configuration (botocore's model), stated once for the service and
# the declarations.
PROFILE_ARN_PATTERN = (
    "^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\\/signing-profiles\\/[a-zA-Z0-9_]{2,}$"
)
PROFILE_ARN_MAX_LENGTH = 200
#: A ``WILDCARD_MATCH`` repository filter.
FILTER_PATTERN = "^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$"
FILTER_MIN_LENGTH = 1
FILTER_MAX_LENGTH = 256
MAX_RULES = 10
MAX_FILTERS = 100


def _wildcard(pattern: str) -> re.Pattern[str]:
    # `*` matches any run of characters (also `/`); everything else is literal. The re
    # module caches compiled patterns.
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


@dataclass(frozen=True, slots=True)
class SigningRule:
    """A signing profile and the ``WILDCARD_MATCH`` filters of the repositories it signs
    (none: every repository)."""

    profile_arn: str
    filters: tuple[str, ...] = ()

    def covers(self, repository: str) -> bool:
        return not self.filters or any(
            _wildcard(f).fullmatch(repository) is not None for f in self.filters
        )


@dataclass(frozen=True, slots=True)
class SigningConfiguration:
    rules: tuple[SigningRule, ...] = ()

    def profiles_for(self, repository: str) -> tuple[str, ...]:
        """The profiles of every rule covering *repository*, once each, in rule order."""
        return tuple(
            dict.fromkeys(rule.profile_arn for rule in self.rules if rule.covers(repository))
        )


@dataclass(frozen=True, slots=True)
class SigningStatus:
    profile_arn: str
    started_at: float
    failure_code: str | None = None
    failure_reason: str | None = None

    def status(self, now: float) -> str:
        if self.failure_code is not None:
            return "FAILED"
        return "IN_PROGRESS" if now < self.started_at + SIGNING_SECONDS else "COMPLETE"


def signing_of(state: RegistryState, account: str, region: str) -> SigningConfiguration | None:
    """The registry's signing configuration, ``None`` when there is none."""
    value = state.registry_setting(account, region, SIGNING)
    return value if isinstance(value, SigningConfiguration) else None


def signing_statuses(repo: Repository, digest: str) -> tuple[SigningStatus, ...]:
    value = repo.image_state(digest, SIGNING_STATUSES)
    return value if isinstance(value, tuple) else ()


def sign_push(state: RegistryState, repo: Repository, digest: str, now: float) -> None:
    """Start a signing of the pushed image for each profile whose rule covers *repo*.

    An image already signed with a profile keeps that signature (a retag signs nothing
    new).
    """
    config = signing_of(state, repo.registry_id, repo.region)
    if config is None:
        return
    current = signing_statuses(repo, digest)
    known = {s.profile_arn for s in current}
    new = tuple(
        SigningStatus(arn, now) for arn in config.profiles_for(repo.name) if arn not in known
    )
    if new:
        repo.set_image_state(digest, SIGNING_STATUSES, (*current, *new))
