"""GetAuthorizationToken through real boto3 clients, and with a pinned clock."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState
from pytest_ecr.service import RequestContext, dispatch

from .support import ACCOUNT, error_of

TWELVE_HOURS = 12 * 60 * 60


def credentials(entry: dict[str, Any]) -> tuple[str, str]:
    # What awscli's get-login-password does: split on ':' and unpack exactly two parts.
    user, password = base64.b64decode(entry["authorizationToken"]).decode().split(":")
    return user, password


def test_one_token_for_the_callers_registry(client: Any) -> None:
    before = time.time()
    [entry] = client.get_authorization_token()["authorizationData"]
    after = time.time()
    user, password = credentials(entry)
    assert user == "AWS"
    assert password
    assert entry["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    expires = entry["expiresAt"].timestamp()
    assert before + TWELVE_HOURS - 0.001 <= expires <= after + TWELVE_HOURS + 0.001


def test_one_token_per_requested_registry(client: Any) -> None:
    ids = ["210987654321", "999999999999"]
    data = client.get_authorization_token(registryIds=ids)["authorizationData"]
    assert [d["proxyEndpoint"] for d in data] == [
        f"https://{registry}.dkr.ecr.us-east-1.amazonaws.com" for registry in ids
    ]
    assert all(credentials(d)[0] == "AWS" for d in data)


@pytest.mark.parametrize(
    ("region", "suffix"),
    [("cn-northwest-1", "amazonaws.com.cn"), ("us-iso-east-1", "c2s.ic.gov")],
)
def test_proxy_endpoint_follows_the_partition(region: str, suffix: str) -> None:
    with FakeEcr(state=RegistryState(ACCOUNT, region)) as fake:
        [entry] = fake.client(region=region).get_authorization_token()["authorizationData"]
    assert entry["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.{region}.{suffix}"


def test_malformed_registry_id(client: Any) -> None:
    assert error_of(client.get_authorization_token, registryIds=[ACCOUNT, "abc"]) == (
        "InvalidParameterException",
        "Invalid parameter at 'registryIds.2.member' failed to satisfy constraint: "
        "'must satisfy regular expression '[0-9]{12}''",
        400,
    )


def test_more_than_ten_registry_ids(client: Any) -> None:
    assert error_of(client.get_authorization_token, registryIds=[ACCOUNT] * 11) == (
        "InvalidParameterException",
        "Invalid parameter at 'registryIds' failed to satisfy constraint: "
        "'Member must have length less than or equal to 10'",
        400,
    )


def test_pinned_clock_gives_an_exact_repeatable_answer() -> None:
    ctx = RequestContext(ACCOUNT, "us-east-1", now=1_700_000_000.123456)
    state = RegistryState(ACCOUNT, "us-east-1")
    first = dispatch(state, "GetAuthorizationToken", {}, ctx)
    assert first["authorizationData"][0]["expiresAt"] == 1_700_043_200.123
    assert dispatch(state, "GetAuthorizationToken", {}, ctx) == first
    short = RequestContext(ACCOUNT, "us-east-1", now=100.0, token_lifetime=60.0)
    assert (
        dispatch(state, "GetAuthorizationToken", {}, short)["authorizationData"][0]["expiresAt"]
        == 160.0
    )
