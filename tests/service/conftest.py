"""Fixtures for tests/service: the declared registry of :mod:`.support`, a
fake answering real boto3 clients over a fork of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import RegistryState

from .support import build_state


@pytest.fixture(scope="session")
def declared() -> RegistryState:
    """The frozen declared state, shared by every test (as a loaded YAML file would be)."""
    return build_state()


@pytest.fixture
def fake(declared: RegistryState) -> Iterator[FakeEcr]:
    with FakeEcr(state=declared) as active:
        yield active


@pytest.fixture
def placeholder_pushes(fake: FakeEcr) -> FakeEcr:
    """The test's fake, letting PutImage store manifests whose layers were never uploaded
    (``allow_missing_layers``): for tests about something else than pushing layers."""
    registries = {(r.registry_id, r.region) for r in fake.registry.repositories()}
    for account, region in registries | {(fake.account, fake.region)}:
        fake.registry.allow_missing_layers(account=account, region=region)
    return fake


@pytest.fixture(scope="session")
def shared_client(declared: RegistryState) -> Any:
    # A boto3 client costs about 0.1 s to build. An attached client is answered by
    # whichever fake is active, so one serves every test that needs no special config.
    return FakeEcr(state=declared).client()


@pytest.fixture
def client(fake: FakeEcr, shared_client: Any) -> Any:
    del fake  # requested so the test's fake is active while the client is used
    return shared_client


@pytest.fixture(scope="session")
def _http_server() -> Iterator[Any]:
    from pytest_ecr.transports.http_server import EcrHTTPServer

    with EcrHTTPServer() as server:
        yield server


@pytest.fixture(scope="session")
def _http_client(_http_server: Any, endpoint_client: Any) -> Any:
    from botocore.config import Config

    return endpoint_client(_http_server.endpoint_url, Config(retries={"max_attempts": 1}))


@pytest.fixture(params=["hook", "http"])
def any_client(
    request: pytest.FixtureRequest, fake: FakeEcr, shared_client: Any, _http_server: Any
) -> Iterator[Any]:
    """A boto3 client answered by the test's fake in process (``hook``) and, as a second
    run of the test, over the loopback HTTP endpoint (``http``): for tests that must hold
    on every transport."""
    if request.param == "hook":
        yield shared_client
        return
    _http_server.fake = fake
    fake.http_endpoints = (_http_server.endpoint_url,)
    try:
        yield request.getfixturevalue("_http_client")
    finally:
        _http_server.fake = None
        fake.http_endpoints = ()
    errors = _http_server.take_errors()
    if errors:
        raise errors[0]
