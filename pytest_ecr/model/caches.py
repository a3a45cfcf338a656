"""Pull-through cache rules and pull-time update exclusions: registry-level settings.

Both are kept per registry (account and Region) with
:meth:`RegistryState.set_registry_setting`, as tuples in creation order, under
:data:`PULL_THROUGH_CACHE_RULES_KEY` and :data:`PULL_TIME_EXCLUSIONS_KEY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from pytest_ecr.model.names import REPOSITORY_NAME_PATTERN
from pytest_ecr.model.registry import RegistryState

#: Registry-level setting: a tuple of :class:`PullThroughCacheRule`.
PULL_THROUGH_CACHE_RULES_KEY: Final = "pull_through_cache_rules"
#: Registry-level setting: a tuple of :class:`PullTimeUpdateExclusion`.
PULL_TIME_EXCLUSIONS_KEY: Final = "pull_time_update_exclusions"

#: Rules per registry (ECR's service quota).
MAX_PULL_THROUGH_CACHE_RULES: Final = 50
#: Pull-time update exclusions per registry (ECR's documented limit).
MAX_PULL_TIME_EXCLUSIONS: Final = 100

#: ``PullThroughCacheRuleRepositoryPrefix`` (and the templates' ``Prefix``) pattern, as the
#: service model states it.
PREFIX_PATTERN: Final = "^(" + REPOSITORY_NAME_PATTERN + r"\/?|ROOT)$"
PREFIX_RE: Final = re.compile(PREFIX_PATTERN)
ROOT: Final = "ROOT"

#: ``CredentialArn``: a Secrets Manager secret named ``ecr-pullthroughcache/...``.
CREDENTIAL_ARN_PATTERN: Final = (
    r"^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/"
    r"[a-zA-Z0-9\/_+=.@-]+$"
)
CREDENTIAL_ARN_RE: Final = re.compile(CREDENTIAL_ARN_PATTERN)

#: ``PrincipalArn`` of a pull-time update exclusion: an IAM role or user.
PRINCIPAL_ARN_PATTERN: Final = (
    r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$"
)
PRINCIPAL_ARN_RE: Final = re.compile(PRINCIPAL_ARN_PATTERN)


@dataclass(frozen=True, slots=True)
class Upstream:
    """One kind of upstream registry ECR can cache (``UpstreamRegistry``)."""

    name: str
    needs_credential: bool


#: The upstream registries of the service model, and whether their rules need a Secrets
#: Manager secret (``credentialArn``).
UPSTREAMS: Final[tuple[Upstream, ...]] = (
    Upstream("ecr", needs_credential=False),
    Upstream("ecr-public", needs_credential=False),
    Upstream("quay", needs_credential=False),
    Upstream("k8s", needs_credential=False),
    Upstream("docker-hub", needs_credential=True),
    Upstream("github-container-registry", needs_credential=True),
    Upstream("azure-container-registry", needs_credential=True),
    Upstream("gitlab-container-registry", needs_credential=True),
    Upstream("chainguard", needs_credential=True),
)
UPSTREAM_NAMES: Final = tuple(upstream.name for upstream in UPSTREAMS)
#: An upstream a request does not name, at a URL that is not an ECR registry's. ECR tells
#: upstreams apart by their hosts; pytest-ecr keeps no table of registry hosts, so such a
#: rule has no ``upstreamRegistry`` and no per-upstream checks.
UNNAMED: Final = Upstream("", needs_credential=False)

# <account>.dkr.ecr.<region>.amazonaws.com (or a partition's suffix).
_ECR_HOST_RE: Final = re.compile(r"([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?")
# A DNS host name (optionally with a port): what an upstream URL must look like.
_HOST_RE: Final = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::[0-9]{1,5})?"
)


def upstream_of(url: str) -> Upstream | None:
    """The ECR upstream when *url* is an ECR private registry's host, else ``None``."""
    return UPSTREAMS[0] if _ECR_HOST_RE.fullmatch(url) else None


def upstream_named(name: str) -> Upstream:
    """The upstream registry called *name* (one of :data:`UPSTREAM_NAMES`)."""
    return next(upstream for upstream in UPSTREAMS if upstream.name == name)


def is_host(url: str) -> bool:
    """Whether *url* is a host name (with an optional port), as an upstream URL must be."""
    return _HOST_RE.fullmatch(url) is not None


def ecr_upstream_account(url: str) -> str | None:
    """The account of an ECR upstream URL (``<account>.dkr.ecr...``), else ``None``."""
    found = _ECR_HOST_RE.fullmatch(url)
    return found.group(1) if found else None


def normal_prefix(prefix: str) -> str:
    """A prefix without its optional trailing ``/`` (ECR always implies one)."""
    return prefix[:-1] if prefix.endswith("/") else prefix


@dataclass(frozen=True, slots=True)
class PullThroughCacheRule:
    """One pull-through cache rule of one registry.

    ``validation_failure`` is what ValidatePullThroughCacheRule reports for it: ``None``
    (valid) unless a declaration says otherwise, since the fake reaches no upstream.
    """

    ecr_repository_prefix: str
    upstream_registry_url: str
    upstream_registry: str
    created_at: float
    credential_arn: str | None = None
    custom_role_arn: str | None = None
    upstream_repository_prefix: str | None = None
    updated_at: float | None = None
    validation_failure: str | None = None

    @property
    def key(self) -> str:
        return normal_prefix(self.ecr_repository_prefix)

    def matches(self, repository_name: str) -> bool:
        """Whether a pull of *repository_name* goes through this rule."""
        if self.key == ROOT:
            return True
        return repository_name.startswith(self.key + "/")


@dataclass(frozen=True, slots=True)
class PullTimeUpdateExclusion:
    """An IAM principal whose pulls do not update ``lastRecordedPullTime``."""

    principal_arn: str
    created_at: float


def pull_through_cache_rules(
    state: RegistryState, account: str, region: str
) -> tuple[PullThroughCacheRule, ...]:
    """The rules of one registry, in creation order."""
    found = state.registry_setting(account, region, PULL_THROUGH_CACHE_RULES_KEY)
    return found if isinstance(found, tuple) else ()


def set_pull_through_cache_rules(
    state: RegistryState, account: str, region: str, rules: tuple[PullThroughCacheRule, ...]
) -> None:
    state.set_registry_setting(account, region, PULL_THROUGH_CACHE_RULES_KEY, rules or None)


def find_rule(rules: tuple[PullThroughCacheRule, ...], prefix: str) -> PullThroughCacheRule | None:
    """The rule of *prefix* (with or without its trailing ``/``)."""
    key = normal_prefix(prefix)
    return next((rule for rule in rules if rule.key == key), None)


def rule_for_repository(
    rules: tuple[PullThroughCacheRule, ...], repository_name: str
) -> PullThroughCacheRule | None:
    """The rule a pull of *repository_name* uses: the longest matching prefix, else ROOT."""
    best: PullThroughCacheRule | None = None
    for rule in rules:
        longer = best is None or len(rule.key) > len(best.key)
        if rule.key != ROOT and rule.matches(repository_name) and longer:
            best = rule
    return best or find_rule(rules, ROOT)


def pull_time_exclusions(
    state: RegistryState, account: str, region: str
) -> tuple[PullTimeUpdateExclusion, ...]:
    """The pull-time update exclusions of one registry, in registration order."""
    found = state.registry_setting(account, region, PULL_TIME_EXCLUSIONS_KEY)
    return found if isinstance(found, tuple) else ()


def set_pull_time_exclusions(
    state: RegistryState,
    account: str,
    region: str,
    exclusions: tuple[PullTimeUpdateExclusion, ...],
) -> None:
    state.set_registry_setting(account, region, PULL_TIME_EXCLUSIONS_KEY, exclusions or None)


def is_pull_time_excluded(state: RegistryState, account: str, region: str, principal: str) -> bool:
    """Whether pulls by *principal* leave ``lastRecordedPullTime`` alone (for the data plane)."""
    return any(e.principal_arn == principal for e in pull_time_exclusions(state, account, region))
