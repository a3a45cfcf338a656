"""A real loopback server answering the registry API from a fake of
:data:`.support.REGISTRY`, and logged-in plain-HTTP clients of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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


@pytest.fixture
def served(http_server: EcrHTTPServer) -> Iterator[Served]:
    fake = FakeEcr([REGISTRY], fake_environment=False)
    http_server.take_errors()
    http_server.fake = fake
    fake.http_endpoints = (http_server.endpoint_url,)
    served = Served(fake, http_server, EcrServer(http_server, fake))
    try:
        yield served
    finally:
        http_server.fake = None
        for client in served.clients:
            client.close()
    errors = http_server.take_errors()
    if errors:
        raise errors[0]


@pytest.fixture
def registry(served: Served) -> Client:
    """A client of the fake's own registry, logged in."""
    return served.client()
