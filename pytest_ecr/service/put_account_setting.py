"""PutAccountSetting: set one account setting of the caller's registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ecr.model import RegistryState
from pytest_ecr.model.account import ACCOUNT_SETTINGS, set_account_setting
from pytest_ecr.service import validation as v
from pytest_ecr.service.context import RequestContext
from pytest_ecr.service.get_account_setting import setting_name


def put_account_setting(
    state: RegistryState, params: Mapping[str, Any], ctx: RequestContext
) -> dict[str, Any]:
    name = setting_name(params)
    value = v.enum_value(v.require(params, "value"), "value", ACCOUNT_SETTINGS[name])
    set_account_setting(state, ctx.account, ctx.region, name, value)
    return {"name": name, "value": value}
