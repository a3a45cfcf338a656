"""Declared settings of the control plane: one :class:`Feature` per YAML key.

A feature is a key of a ``registries:`` entry (the registry policy, replication...), of a
``repositories:`` entry (tags, a lifecycle policy...) or of an ``images:`` entry (a scan).
It says how to read its value (:attr:`Feature.read`, reporting problems with the rest of
the declaration) and how to put it into the model once every declaration is merged
(:attr:`Feature.apply`). Adding a declarable setting is one feature in its own module,
its key in :mod:`~pytest_ecr.declarations.format`, and one line in :data:`FEATURES`,
which names the module's functions: the module is imported when a declaration first
uses its key.

Values must be immutable and picklable (tuples, strings, frozen dataclasses): parsed
declarations are shared by every test and kept in the declaration store. The same
setting declared twice for one registry, repository or image must be declared alike;
two different values are a problem that names both places.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from pytest_ecr.declarations.blobs_format import ALLOW_MISSING_LAYERS_KEY
from pytest_ecr.declarations.caches_format import CREATION_TEMPLATES, PULL_THROUGH_CACHE_RULES
from pytest_ecr.declarations.format import EXCLUSIONS_KEY
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


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """``pytest_ecr.declarations.<module>.<name>``, imported when first called: a feature
    module (and the model it fills) is imported only by a declaration that uses its key."""

    def call(*args: Any) -> Any:
        function = getattr(importlib.import_module(f"pytest_ecr.declarations.{module}"), name)
        return function(*args)

    call.__qualname__ = call.__name__ = f"{module}.{name}"
    return call


def _feature(key: str, level: Level, module: str, read: str, apply: str) -> Feature:
    return Feature(key, level, _lazy(module, read), _lazy(module, apply))


#: Every declarable setting. A feature module adds one line here.
FEATURES: Final[tuple[Feature, ...]] = (
    _feature(
        "policy", "registry", "registry_settings", "read_registry_policy", "apply_registry_policy"
    ),
    _feature(
        "account_settings",
        "registry",
        "registry_settings",
        "read_account_settings",
        "apply_account_settings",
    ),
    _feature("tags", "repository", "repository_settings", "read_tags", "apply_tags"),
    _feature(
        "scan_on_push",
        "repository",
        "repository_settings",
        "read_scan_on_push",
        "apply_scan_on_push",
    ),
    _feature(
        "encryption", "repository", "repository_settings", "read_encryption", "apply_encryption"
    ),
    _feature(
        "created_at", "repository", "repository_settings", "read_created_at", "apply_created_at"
    ),
    _feature(
        EXCLUSIONS_KEY, "repository", "repository_settings", "read_exclusions", "apply_exclusions"
    ),
    _feature(
        "policy",
        "repository",
        "repository_settings",
        "read_repository_policy",
        "apply_repository_policy",
    ),
    _feature("scan", "image", "scans", "read_scan", "apply_scan"),
    _feature("scanning", "registry", "registry_scanning", "read", "apply"),
    _feature("replication", "registry", "replication", "read_replication", "apply_replication"),
    _feature("signing", "registry", "signing", "read_signing", "apply_signing"),
    _feature(PULL_THROUGH_CACHE_RULES, "registry", "caches", "read_rules", "apply_rules"),
    _feature(CREATION_TEMPLATES, "registry", "caches", "read_templates", "apply_templates"),
    _feature(ALLOW_MISSING_LAYERS_KEY, "registry", "layer_checks", "read", "apply"),
    _feature(ALLOW_MISSING_LAYERS_KEY, "repository", "layer_checks", "read", "apply"),
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
