"""Account settings (GetAccountSetting / PutAccountSetting): names, values, defaults.

Each setting is a registry setting (per account and Region) under
:func:`account_setting_key`, holding the value as a string; an unset one reads as its
default, the value ECR gives new registries.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from pytest_ecr.model.registry import RegistryState

#: name -> the values it takes.
ACCOUNT_SETTINGS: Final = MappingProxyType(
    {
        "BASIC_SCAN_TYPE_VERSION": ("AWS_NATIVE", "CLAIR"),
        "REGISTRY_POLICY_SCOPE": ("V1", "V2"),
        "BLOB_MOUNTING": ("ENABLED", "DISABLED"),
    }
)
#: name -> its value in a new registry.
ACCOUNT_SETTING_DEFAULTS: Final = MappingProxyType(
    {
        "BASIC_SCAN_TYPE_VERSION": "AWS_NATIVE",
        "REGISTRY_POLICY_SCOPE": "V2",
        "BLOB_MOUNTING": "DISABLED",
    }
)
ACCOUNT_SETTING_NAMES: Final = tuple(ACCOUNT_SETTINGS)


def account_setting_key(name: str) -> str:
    """The registry setting key of the account setting *name*."""
    return f"account_setting:{name}"


def default_account_setting(name: str) -> str:
    """The value of *name* in a new registry; :class:`KeyError` for an unknown name."""
    return ACCOUNT_SETTING_DEFAULTS[name]


def account_setting(state: RegistryState, account: str, region: str, name: str) -> str:
    """The value of the account setting *name* in one registry (its default if unset)."""
    value = state.registry_setting(account, region, account_setting_key(name))
    return value if isinstance(value, str) else default_account_setting(name)


def set_account_setting(
    state: RegistryState, account: str, region: str, name: str, value: str
) -> None:
    state.set_registry_setting(account, region, account_setting_key(name), value)


__all__ = [
    "ACCOUNT_SETTINGS",
    "ACCOUNT_SETTING_DEFAULTS",
    "ACCOUNT_SETTING_NAMES",
    "account_setting",
    "account_setting_key",
    "default_account_setting",
    "set_account_setting",
]
