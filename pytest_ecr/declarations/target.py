"""Where a declared setting goes, in a module of its own: every feature module applies its
value to a :class:`Target`, and :mod:`~pytest_ecr.declarations.features` imports the
feature modules, so the type cannot live there."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_ecr.model import RegistryState, Repository


@dataclass(frozen=True, slots=True)
class Target:
    """Where a declared setting goes: a registry (``repository`` ``None``), a
    repository, or one image of it (``digest``)."""

    state: RegistryState
    account: str
    region: str
    repository: Repository | None = None
    digest: str | None = None
