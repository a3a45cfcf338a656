"""Who asks a registry request, of which registry, and how it reaches the fake.

Authentication is ECR's (ecr-control-plane.md §15.1): ``Authorization: Basic`` of
``AWS:<password>``, the password one GetAuthorizationToken gave in the registry's region
that has not expired on the fake's clock. It is checked by computing the password again
(:func:`~pytest_ecr.service.get_authorization_token.check_password`), not by looking it
up. Each request is then answered by the fake as the ECR API action ECR maps it to
(:meth:`RegistryContext.answer`), so faults, the clock and the history apply as to any
API call, with ``transport="registry"``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_ecr.faults import ConnectionFault
from pytest_ecr.service.errors import EcrError
from pytest_ecr.service.get_authorization_token import check_password
from pytest_ecr.service.partitions import partition_of, proxy_endpoint
from pytest_ecr.transports.http_server.registry.oci import API_VERSION, OciError, from_ecr
from pytest_ecr.transports.http_server.routes import Drop, Request, Response, Server
from pytest_ecr.transports.responder import Responder
from pytest_ecr.wire import WireRequest

#: The history's ``transport`` of every call a registry request makes.
TRANSPORT: Final = "registry"

# seen (aws/aws-cli#6580)
EXPIRED: Final = "Your authorization token has expired. Reauthenticate and try again."
# chosen: ECR's text for a token that is not one of its own is unknown
INVALID: Final = "Your authorization token is invalid. Reauthenticate and try again."


class Challenge(OciError):
    """The 401 of a request without credentials, as ECR sends it (§15.1)."""

    def __init__(self, account: str, region: str) -> None:
        super().__init__(401, "UNAUTHORIZED", "Not Authorized")
        self.realm = proxy_endpoint(account, region) + "/"
        self.service = "ecr." + partition_of(region).dns_suffix

    def response(self, extra: list[tuple[str, str]] | None = None) -> Response:
        challenge = f'Basic realm="{self.realm}",service="{self.service}"'
        headers = [
            API_VERSION,
            ("Www-Authenticate", challenge),
            ("Content-Type", "text/plain; charset=utf-8"),
        ]
        return Response(401, headers, b"Not Authorized\n")


@dataclass(frozen=True)
class RegistryContext:
    """One authenticated registry request: the fake, the registry and the request."""

    fake: Responder
    account: str
    region: str
    request: Request
    #: The server (its big-body lane, for a manifest of a megabyte or more).
    server: Server

    @property
    def base_url(self) -> str:
        """``http://<host>`` as the client reached this server (for ``Location``)."""
        return "http://" + self.request.headers.get("host", "127.0.0.1")

    def answer_raw(self, operation: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """The fake's answer to *operation*, an :class:`EcrError` raised as it is."""
        request = WireRequest(
            operation,
            {"registryId": self.account, **params},
            region=self.region,
            transport=TRANSPORT,
        )
        try:
            return self.fake.answer(request)
        except ConnectionFault as fault:
            raise Drop(fault.kind) from None

    def answer(
        self, operation: str, params: Mapping[str, Any], repository: str | None = None
    ) -> Mapping[str, Any]:
        """The fake's answer to *operation*; an ECR error raised as the registry's."""
        try:
            return self.answer_raw(operation, params)
        except EcrError as error:
            raise from_ecr(error, repository, self.account) from None


def _password(header: str) -> str | None:
    """The password of ``Basic base64(AWS:<password>)``; ``None`` if it is not one."""
    try:
        user, sep, password = (
            base64.b64decode(header.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return password if sep and user == "AWS" else None


def authenticate(server: Server, request: Request) -> RegistryContext:
    """The context of *request*, or the :class:`OciError` refusing it."""
    fake = server.fake
    if fake is None:
        raise OciError(503, "UNAVAILABLE", "No pytest-ecr registry is attached")
    account, region = request.registry or (fake.account, fake.region)
    scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic" or not credentials.strip():
        raise Challenge(account, region)
    password = _password(credentials)
    # A token of the caller's own account serves every registry of the region, as the
    # caller's ECR token does for the cross-account repositories it may pull.
    verdict = (
        "invalid"
        if password is None
        else check_password(password, {account, fake.account}, region, fake.clock.now())
    )
    if verdict == "expired":
        raise OciError(403, "DENIED", EXPIRED)
    if verdict != "valid":
        raise OciError(403, "DENIED", INVALID)
    return RegistryContext(fake, account, region, request, server)


__all__ = [
    "EXPIRED",
    "INVALID",
    "TRANSPORT",
    "Challenge",
    "RegistryContext",
    "authenticate",
]
