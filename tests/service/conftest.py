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


@pytest.fixture(scope="session")
def shared_client(declared: RegistryState) -> Any:
    # A boto3 client costs about 0.1 s to build. An attached client is answered by
    # whichever fake is active, so one serves every test that needs no special config.
    return FakeEcr(state=declared).client()


@pytest.fixture
def client(fake: FakeEcr, shared_client: Any) -> Any:
    del fake  # requested so the test's fake is active while the client is used
    return shared_client
