"""GetAccountSetting: one account setting of the caller's registry (its default if unset)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.account import ACCOUNT_SETTING_NAMES, account_setting
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext

MAX_NAME_LENGTH = 64


def setting_name(params: Mapping[str, Any]) -> str:
    """``name``: 1 to 64 characters, one of the settings ECR knows."""
    name = v.string_length(v.require(params, "name"), "name", low=1, high=MAX_NAME_LENGTH)
    return v.enum_value(name, "name", ACCOUNT_SETTING_NAMES)


def get_account_setting(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    name = setting_name(params)
    return {"name": name, "value": account_setting(state, ctx.account, ctx.region, name)}
