"""The whole fake: every registry, keyed by (account, region)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from pytest_ecr.model.blobs import ALLOW_MISSING_LAYERS
from pytest_ecr.model.repository import FrozenRepositoryError, Repository, TagMutability

#: The caller's account when a declaration names none (the one moto uses too).
DEFAULT_ACCOUNT = "123456789012"
#: The region when a declaration names none.
DEFAULT_REGION = "us-east-1"


class RegistryKey(NamedTuple):
    """Where a repository lives: ECR registries are per account and per region."""

    account: str
    region: str
    name: str


class RegistryState:
    """All repositories of all declared registries, plus the caller's defaults.

    A loaded declaration is one frozen ``RegistryState`` shared by every test of a session;
    each test works on :meth:`fork`, which costs O(1) and forks a repository only when the
    test first touches it, so a test's writes stay its own.
    """

    def __init__(
        self,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        *,
        _base: RegistryState | None = None,
    ) -> None:
        self.account = account
        self.region = region
        self._base = _base
        # For a fork, None marks a repository the test deleted.
        self._repos: dict[RegistryKey, Repository | None] = {}
        # (account, region, feature) -> immutable value: registry-level settings (the
        # registry policy, replication, scanning...). For a fork, None marks a removal.
        self._settings: dict[tuple[str, str, str], object | None] = {}
        self._frozen = False

    def __repr__(self) -> str:
        return (
            f"<RegistryState account={self.account} region={self.region} "
            f"repositories={sum(1 for _ in self.repositories())}>"
        )

    # -- reading ---------------------------------------------------------------------

    def repository(
        self, name: str, *, account: str | None = None, region: str | None = None
    ) -> Repository:
        """The repository *name* in the given (default: the caller's) registry.

        Raises :class:`KeyError` when it does not exist.
        """
        found = self.get_repository(account or self.account, region or self.region, name)
        if found is None:
            raise KeyError(
                f"no repository {name!r} in registry {account or self.account} "
                f"({region or self.region})"
            )
        return found

    def get_repository(self, account: str, region: str, name: str) -> Repository | None:
        key = RegistryKey(account, region, name)
        if key in self._repos:
            return self._repos[key]
        if self._base is None:
            return None
        shared = self._base.get_repository(account, region, name)
        if shared is None:
            return None
        # Reading forks too (O(1)): the caller may go on to write to what it got.
        mine = shared.fork()
        self._repos[key] = mine
        return mine

    def repositories(
        self, account: str | None = None, region: str | None = None
    ) -> Iterator[Repository]:
        """Repositories in declaration order, optionally of one registry only."""
        seen: set[RegistryKey] = set()
        if self._base is not None:
            for shared in self._base.repositories(account, region):
                key = RegistryKey(shared.registry_id, shared.region, shared.name)
                seen.add(key)
                current = self.get_repository(*key)
                if current is not None:
                    yield current
        for key, own in self._repos.items():
            if key in seen or own is None:
                continue
            if (account is None or key.account == account) and (
                region is None or key.region == region
            ):
                yield own

    def registry_setting(self, account: str, region: str, key: str) -> object | None:
        """The registry-level setting *key* of one registry (account, region), or ``None``."""
        slot = (account, region, key)
        if slot in self._settings:
            return self._settings[slot]
        if self._base is None:
            return None
        return self._base.registry_setting(account, region, key)

    def registry_settings(self, key: str) -> Iterator[tuple[str, str, object]]:
        """``(account, region, value)`` of every registry that has the setting *key*."""
        seen: set[tuple[str, str]] = set()
        for (account, region, name), value in self._settings.items():
            if name == key:
                seen.add((account, region))
                if value is not None:
                    yield account, region, value
        if self._base is not None:
            for account, region, value in self._base.registry_settings(key):
                if (account, region) not in seen:
                    yield account, region, value

    # -- writing ---------------------------------------------------------------------

    def set_registry_setting(
        self, account: str, region: str, key: str, value: object | None
    ) -> object | None:
        """Set (``None``: remove) a registry-level setting; return the old value.

        *value* must be immutable (a tuple, a frozen dataclass, a string): forks share it.
        """
        self._check_writable()
        old = self.registry_setting(account, region, key)
        if value is None and self._base is None:
            self._settings.pop((account, region, key), None)
        else:
            self._settings[(account, region, key)] = value
        return old

    def allow_missing_layers(
        self, allowed: bool = True, *, account: str | None = None, region: str | None = None
    ) -> None:
        """Let PutImage store manifests whose config or layers a repository of the
        registry (*account*, *region*; default: the caller's) lacks, as the declaration
        key ``allow_missing_layers`` does; ``allowed=False`` checks them again."""
        self.set_registry_setting(
            account or self.account, region or self.region, ALLOW_MISSING_LAYERS, allowed
        )

    def _check_writable(self) -> None:
        if self._frozen:
            raise FrozenRepositoryError("this registry state is shared; write to a fork")

    def create_repository(
        self,
        name: str,
        *,
        account: str | None = None,
        region: str | None = None,
        tag_mutability: TagMutability = TagMutability.MUTABLE,
        created_at: float = 0.0,
        tag_mutability_exclusion_filters: tuple[str, ...] = (),
        scan_on_push: bool = False,
        encryption_type: str = "AES256",
        kms_key: str | None = None,
    ) -> Repository:
        """Add an empty repository; :class:`ValueError` if it already exists."""
        self._check_writable()
        account = account or self.account
        region = region or self.region
        if self.get_repository(account, region, name) is not None:
            raise ValueError(f"repository {name!r} already exists in {account}/{region}")
        repo = Repository(
            name,
            account,
            region,
            tag_mutability=tag_mutability,
            created_at=created_at,
            tag_mutability_exclusion_filters=tag_mutability_exclusion_filters,
            scan_on_push=scan_on_push,
            encryption_type=encryption_type,
            kms_key=kms_key,
        )
        self._repos[RegistryKey(account, region, name)] = repo
        return repo

    def delete_repository(self, account: str, region: str, name: str) -> Repository:
        """Remove a repository; :class:`KeyError` if there is none."""
        self._check_writable()
        repo = self.get_repository(account, region, name)
        if repo is None:
            raise KeyError(name)
        key = RegistryKey(account, region, name)
        if self._base is not None and self._base.get_repository(*key) is not None:
            self._repos[key] = None
        else:
            del self._repos[key]
        return repo

    # -- sharing ---------------------------------------------------------------------

    def freeze(self) -> RegistryState:
        """Make this state read-only and shareable; returns ``self``."""
        if self._base is not None:
            raise FrozenRepositoryError("a fork cannot be frozen; build a new state")
        for repo in self._repos.values():
            if repo is not None:
                repo.freeze()
        self._frozen = True
        return self

    @property
    def frozen(self) -> bool:
        return self._frozen

    def snapshot(self) -> RegistryState:
        """A frozen state holding what this one holds now, to fork from (a shared fake's
        state as its next test starts). A frozen state is its own snapshot, and an
        untouched fork its base's. Otherwise the repositories this state holds are frozen
        into the snapshot and this state with them: writes to it then raise, so go on
        writing to a fork of the snapshot."""
        if self._frozen:
            return self
        if self._base is not None and not self._repos and not self._settings:
            return self._base
        snapshot = RegistryState(self.account, self.region)
        base = self._base
        keys = [
            RegistryKey(r.registry_id, r.region, r.name)
            for r in (base.repositories() if base is not None else ())
        ]
        in_base = set(keys)
        keys += [key for key in self._repos if key not in in_base]
        for key in keys:
            # A repository this state never touched is the base's own (frozen) one.
            repo = self._repos[key] if key in self._repos or base is None else base._repos[key]
            if repo is not None:
                repo.freeze()
                snapshot._repos[key] = repo
        snapshot._settings = {
            slot: value for slot, value in self._all_settings().items() if value is not None
        }
        self._frozen = snapshot._frozen = True
        return snapshot

    def _all_settings(self) -> dict[tuple[str, str, str], object | None]:
        merged = self._base._all_settings() if self._base is not None else {}
        merged.update(self._settings)
        return merged

    def fork(self) -> RegistryState:
        """A writable view of this frozen state for one test: O(1)."""
        if not self._frozen:
            raise FrozenRepositoryError("only a frozen registry state can be forked")
        return RegistryState(self.account, self.region, _base=self)
