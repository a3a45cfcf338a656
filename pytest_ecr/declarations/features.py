"""Declared settings of the control plane: one :class:`Feature` per YAML key.

A feature is a key of a ``registries:`` entry (the registry policy, replication...), of a
``repositories:`` entry (tags, a lifecycle policy...) or of an ``images:`` entry (a scan).
It says how to read its value (:attr:`Feature.read`, reporting problems with the rest of
the declaration) and how to put it into the model once every declaration is merged
(:attr:`Feature.apply`). Adding a declarable setting is one feature in its own module,
its key in :mod:`~pytest_ecr.declarations.format`, and one line in :data:`FEATURES`.

Values must be immutable and picklable (tuples, strings, frozen dataclasses): parsed
declarations are shared by every test and kept in the declaration store. The same
setting declared twice for one registry, repository or image must be declared alike;
two different values are a problem that names both places.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from pytest_ecr.declarations import (
    caches,
    layer_checks,
    registry_scanning,
    replication,
    scans,
    signing,
)
from pytest_ecr.declarations import registry_settings as reg
from pytest_ecr.declarations import repository_settings as repo
from pytest_ecr.declarations.blobs_format import ALLOW_MISSING_LAYERS_KEY
from pytest_ecr.declarations.problems import join_path
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID

Level = Literal["registry", "repository", "image"]


#: Reads a feature's value: ``(report, value, where)`` -> the immutable value, or
#: ``None`` after reporting what is wrong (with ``report.problem`` / ``report.wrong``
#: on the *entry* mapping, whose key the feature is). *where* is the YAML path of the key.
Reader = Callable[[Report, Mapping[Any, Any], str], object | None]
#: Puts a read value into the model.
Applier = Callable[[Target, object], None]


@dataclass(frozen=True, slots=True)
class Feature:
    """One declarable setting: its YAML key, its level, how to read and apply it."""

    key: str
    level: Level
    read: Reader
    apply: Applier


#: Every declarable setting. A feature module adds one line here.
FEATURES: Final[tuple[Feature, ...]] = (
    Feature("policy", "registry", reg.read_registry_policy, reg.apply_registry_policy),
    Feature("account_settings", "registry", reg.read_account_settings, reg.apply_account_settings),
    Feature("tags", "repository", repo.read_tags, repo.apply_tags),
    Feature("scan_on_push", "repository", repo.read_scan_on_push, repo.apply_scan_on_push),
    Feature("encryption", "repository", repo.read_encryption, repo.apply_encryption),
    Feature("created_at", "repository", repo.read_created_at, repo.apply_created_at),
    Feature(repo.EXCLUSIONS_KEY, "repository", repo.read_exclusions, repo.apply_exclusions),
    Feature("policy", "repository", repo.read_repository_policy, repo.apply_repository_policy),
    Feature("scan", "image", scans.read_scan, scans.apply_scan),
    Feature("scanning", "registry", registry_scanning.read, registry_scanning.apply),
    Feature("replication", "registry", replication.read_replication, replication.apply_replication),
    Feature("signing", "registry", signing.read_signing, signing.apply_signing),
    Feature(caches.PULL_THROUGH_CACHE_RULES, "registry", caches.read_rules, caches.apply_rules),
    Feature(caches.CREATION_TEMPLATES, "registry", caches.read_templates, caches.apply_templates),
    Feature(ALLOW_MISSING_LAYERS_KEY, "registry", layer_checks.read, layer_checks.apply),
    Feature(ALLOW_MISSING_LAYERS_KEY, "repository", layer_checks.read, layer_checks.apply),
)

_BY_LEVEL: Final[dict[str, tuple[Feature, ...]]] = {
    level: tuple(f for f in FEATURES if f.level == level)
    for level in ("registry", "repository", "image")
}

#: ``(key, value)`` pairs of one entry, in :data:`FEATURES` order.
Settings = tuple[tuple[str, object], ...]


def features(level: Level) -> tuple[Feature, ...]:
    """The features of *level*."""
    return _BY_LEVEL[level]


def feature(level: Level, key: str) -> Feature:
    """The feature *key* of *level*; :class:`KeyError` if there is none."""
    for candidate in _BY_LEVEL[level]:
        if candidate.key == key:
            return candidate
    raise KeyError(f"no {level} feature {key!r}")


def read_settings(report: Report, entry: Mapping[Any, Any], path: str, level: Level) -> Settings:
    """The settings *entry* (a registries/repositories/images entry) declares.

    A key the YAML reader already reported, or a value the feature reports as wrong, is
    left out: the problems are in *report*.
    """
    found: list[tuple[str, object]] = []
    for candidate in _BY_LEVEL[level]:
        if candidate.key not in entry or entry[candidate.key] is INVALID:
            continue
        value = candidate.read(report, entry, join_path(path, candidate.key))
        if value is not None:
            found.append((candidate.key, value))
    return tuple(found)


def apply_settings(level: Level, target: Target, settings: Settings) -> None:
    """Put *settings* (as :func:`read_settings` gave them) into *target*."""
    for key, value in settings:
        feature(level, key).apply(target, value)


__all__ = [
    "FEATURES",
    "Applier",
    "Feature",
    "Level",
    "Reader",
    "Settings",
    "Target",
    "apply_settings",
    "feature",
    "features",
    "read_settings",
]
