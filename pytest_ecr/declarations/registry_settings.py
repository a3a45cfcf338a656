"""A registry's declared settings (``registries:`` entries): ``policy`` (the registry
policy) and ``account_settings`` (GetAccountSetting's values), as features
(:mod:`~pytest_ecr.declarations.features`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.declarations.problems import describe, expected_hint, join_path
from pytest_ecr.declarations.repository_settings import policy_text
from pytest_ecr.declarations.shapes import Report
from pytest_ecr.declarations.target import Target
from pytest_ecr.declarations.yamlread import INVALID
from pytest_ecr.model.account import ACCOUNT_SETTING_NAMES, ACCOUNT_SETTINGS, set_account_setting
from pytest_ecr.model.policies import REGISTRY_POLICY

ACCOUNT_SETTINGS_EXAMPLE = "like `account_settings: {REGISTRY_POLICY_SCOPE: V1}`"


def read_registry_policy(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """The registry policy: stored as written (JSON text), or a mapping's compact JSON."""
    found = policy_text(report, entry, where, repository=False)
    return None if found is None else found[0]


def apply_registry_policy(target: Target, value: object) -> None:
    if isinstance(value, str):
        target.state.set_registry_setting(target.account, target.region, REGISTRY_POLICY, value)


def read_account_settings(report: Report, entry: Mapping[Any, Any], where: str) -> object | None:
    """``account_settings:``, a mapping of setting names to values, as PutAccountSetting
    takes them."""
    value = entry["account_settings"]
    if not isinstance(value, Mapping):
        report.wrong(entry, "account_settings", where, "a mapping", value, ACCOUNT_SETTINGS_EXAMPLE)
        return None
    found: list[tuple[str, str]] = []
    ok = True
    for name, item in value.items():
        at = join_path(where, name)
        if item is INVALID:
            ok = False
        elif name not in ACCOUNT_SETTINGS:
            report.problem(
                value,
                name,
                at,
                f"unknown account setting {describe(name)}",
                expected_hint(name, ACCOUNT_SETTING_NAMES),
            )
            ok = False
        elif item not in ACCOUNT_SETTINGS[name]:
            report.problem(
                value,
                name,
                at,
                f"{name} cannot be {describe(item)}",
                expected_hint(item, ACCOUNT_SETTINGS[name]),
            )
            ok = False
        else:
            found.append((name, item))
    return tuple(found) if ok else None


def apply_account_settings(target: Target, value: object) -> None:
    if isinstance(value, tuple):
        for name, item in value:
            set_account_setting(target.state, target.account, target.region, name, item)


__all__ = [
    "apply_account_settings",
    "apply_registry_policy",
    "read_account_settings",
    "read_registry_policy",
]
