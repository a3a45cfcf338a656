"""GetAccountSetting and PutAccountSetting through real boto3 clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_model import needs

from pytest_ecr import FakeEcr
from pytest_ecr.model.account import account_setting_key

from .support import ACCOUNT, error_of, strip

# Operations botocore 1.34 (the floor) lacks: on a botocore without them these tests skip.
pytestmark = needs("GetAccountSetting", "PutAccountSetting")

DEFAULTS = {
    "BASIC_SCAN_TYPE_VERSION": "AWS_NATIVE",
    "REGISTRY_POLICY_SCOPE": "V2",
    "BLOB_MOUNTING": "DISABLED",
}
OTHER = {
    "BASIC_SCAN_TYPE_VERSION": "CLAIR",
    "REGISTRY_POLICY_SCOPE": "V1",
    "BLOB_MOUNTING": "ENABLED",
}


@pytest.mark.parametrize("name", DEFAULTS)
def test_defaults(any_client: Any, name: str) -> None:
    assert strip(any_client.get_account_setting(name=name)) == {
        "name": name,
        "value": DEFAULTS[name],
    }


@pytest.mark.parametrize("name", DEFAULTS)
def test_put_then_get(fake: FakeEcr, any_client: Any, name: str) -> None:
    value = OTHER[name]
    assert strip(any_client.put_account_setting(name=name, value=value)) == {
        "name": name,
        "value": value,
    }
    assert any_client.get_account_setting(name=name)["value"] == value
    # Kept as the registry setting the other features read.
    assert fake.registry.registry_setting(ACCOUNT, "us-east-1", account_setting_key(name)) == value
    # Per Region.
    assert fake.client(region="eu-west-1").get_account_setting(name=name)["value"] == DEFAULTS[name]


def test_an_unknown_name(any_client: Any) -> None:
    message = (
        "Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum "
        "value set: [BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING]'"
    )
    assert error_of(any_client.get_account_setting, name="NOPE") == (
        "InvalidParameterException",
        message,
        400,
    )
    assert error_of(any_client.put_account_setting, name="NOPE", value="V1")[1] == message


def test_a_name_too_long(any_client: Any) -> None:
    assert error_of(any_client.get_account_setting, name="N" * 65)[1] == (
        "Invalid parameter at 'name' failed to satisfy constraint: "
        "'Member must have length less than or equal to 64'"
    )


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE, CLAIR"),
        ("REGISTRY_POLICY_SCOPE", "V1, V2"),
        ("BLOB_MOUNTING", "ENABLED, DISABLED"),
    ],
)
def test_an_unknown_value(any_client: Any, name: str, allowed: str) -> None:
    assert error_of(any_client.put_account_setting, name=name, value="maybe") == (
        "InvalidParameterException",
        f"Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy "
        f"enum value set: [{allowed}]'",
        400,
    )
    assert any_client.get_account_setting(name=name)["value"] == DEFAULTS[name]


def test_requests_botocore_lets_through(fake: FakeEcr) -> None:
    loose = fake.client(parameter_validation=False)
    assert error_of(loose.put_account_setting, name="BLOB_MOUNTING") == (
        "InvalidParameterException",
        "Invalid parameter at 'value' failed to satisfy constraint: 'Member must not be null'",
        400,
    )
    assert error_of(loose.get_account_setting)[1] == (
        "Invalid parameter at 'name' failed to satisfy constraint: 'Member must not be null'"
    )
    assert error_of(loose.get_account_setting, name="")[1] == (
        "Invalid parameter at 'name' failed to satisfy constraint: "
        "'Member must have length greater than or equal to 1'"
    )
