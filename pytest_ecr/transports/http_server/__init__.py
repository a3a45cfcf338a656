"""The HTTP transport: the fake registry served on 127.0.0.1 for clients outside the
Python process (the AWS CLI, the JavaScript and Go SDKs, ...).

Requests go through the same codec step as the in-process hook
(:func:`pytest_ecr.wire.respond`), so both answer byte-for-byte alike. The server is
bound to loopback only, on an ephemeral port, and serves whichever fake is currently
attached to it, so one server can live for a whole session while every test gets its own
registry state. HTTP/1.1 framing is h11's; the bounds on connections, threads and
buffered bytes are in :mod:`.server`, the routes in :mod:`.routes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_ecr.credentials import export_environment
from pytest_ecr.transports.http_server.routes import Drop, Request, Response, Route
from pytest_ecr.transports.http_server.server import MAX_BODY, EcrHTTPServer

if TYPE_CHECKING:
    from pytest_ecr.transports.responder import Responder


class EcrServer:
    """What the ``ecr_server`` fixture yields: where the registry is served, and the
    environment a subprocess needs to use it."""

    def __init__(self, server: EcrHTTPServer, fake: Responder) -> None:
        self._server = server
        self.fake = fake

    def __repr__(self) -> str:
        return f"<EcrServer {self.endpoint_url}>"

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``: pass as ``--endpoint-url`` or ``endpoint_url=``."""
        return self._server.endpoint_url

    def registry_host(self, account: str | None = None, region: str | None = None) -> str:
        """``127.0.0.1:<port>``: where an OCI client (skopeo, crane, oras, docker...)
        reaches the registry of *account* in *region* (default: the fake's own), as
        ``<host>/<repository>:<tag>``.

        The fake's own registry is served on :attr:`endpoint_url`'s port; every other
        registry gets a port of its own, opened on the first ask and kept for the
        server's life. Log in as ``AWS`` with the password GetAuthorizationToken gives
        for *region*."""
        from pytest_ecr.model.names import is_region_name

        account = account or self.fake.account
        region = region or self.fake.region
        if not (account.isdigit() and len(account) == 12):
            raise ValueError(f"registry_host(account={account!r}): an account is 12 digits")
        if not is_region_name(region):
            raise ValueError(f"registry_host(region={region!r}): not a region name")
        host, port = self._server.server_address
        if (account, region) != (self.fake.account, self.fake.region):
            port = self._server.registry_port(account, region)
        return f"{host}:{port}"

    @property
    def server(self) -> EcrHTTPServer:
        """The underlying loopback server (shared by the session; serves this test's fake)."""
        return self._server

    @property
    def env(self) -> dict[str, str]:
        """``os.environ`` plus the endpoint, fake credentials and the region, for
        ``subprocess.run(..., env=ecr_server.env)``."""
        import os

        return {**os.environ, **export_environment(self.endpoint_url, self.fake.region)}


__all__ = [
    "MAX_BODY",
    "Drop",
    "EcrHTTPServer",
    "EcrServer",
    "Request",
    "Response",
    "Route",
    "export_environment",
]
