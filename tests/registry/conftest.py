"""A real loopback server answering the registry API from a fake of
:data:`.support.REGISTRY`, and logged-in plain-HTTP clients of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.http_server import EcrHTTPServer, EcrServer

from .support import REGISTRY, Client, password


@dataclass
class Served:
    fake: FakeEcr
    server: EcrHTTPServer
    endpoint: EcrServer
    clients: list[Client] = field(default_factory=list)

    def client(
        self, account: str | None = None, region: str | None = None, *, login: bool = True
    ) -> Client:
        """A client of one registry (closed when the test ends)."""
        host = self.endpoint.registry_host(account, region)
        client = Client(host, password(self.fake, region) if login else None)
        self.clients.append(client)
        return client


@pytest.fixture(scope="module")
def http_server() -> Iterator[EcrHTTPServer]:
    with EcrHTTPServer() as server:
        yield server


#: Attach a fake of these declaration sources to the module's server.
Serve = Callable[..., Served]


@pytest.fixture
def serve(http_server: EcrHTTPServer) -> Iterator[Serve]:
    """``serve(*sources)``: the module's server answering from a new fake of *sources*
    (mappings, YAML text or file paths), the last one attached winning; detached, its
    clients closed and the server's errors raised when the test ends."""
    attached: list[Served] = []

    def attach(*sources: Any) -> Served:
        fake = FakeEcr(list(sources), fake_environment=False)
        http_server.take_errors()
        http_server.fake = fake
        fake.http_endpoints = (http_server.endpoint_url,)
        attached.append(Served(fake, http_server, EcrServer(http_server, fake)))
        return attached[-1]

    try:
        yield attach
    finally:
        http_server.fake = None
        for served in attached:
            for client in served.clients:
                client.close()
    errors = http_server.take_errors()
    if errors:
        raise errors[0]


@pytest.fixture
def served(serve: Serve) -> Served:
    """The module's server answering from a fake of :data:`.support.REGISTRY`."""
    return serve(REGISTRY)


@pytest.fixture
def registry(served: Served) -> Client:
    """A client of the fake's own registry, logged in."""
    return served.client()
