"""What the HTTP server hands a route, and what a route hands back.

The server does the HTTP/1.1 framing (h11) and the bounds; a *route* only sees a whole
:class:`Request` and returns a :class:`Response`. Routes are tried in order, the first
whose method and path match answers, so the ECR JSON API (``POST`` on any path) can sit
last behind more specific ones, such as an OCI registry's ``/v2/...`` routes with
``GET``/``HEAD``/``PUT``/``PATCH``/``POST``.

A response body is either bytes (sent with the headers in one write) or an iterable of
byte chunks, pulled one at a time in a worker thread and written as the client takes
them (``Content-Length`` if the route sets it, else chunked): a blob need never be in
memory whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pytest_ecr.transports.http_server.stream import BodyStream
    from pytest_ecr.transports.responder import Responder

Body = bytes | Iterable[bytes]
#: A request's body: a bytearray when the server read it, so it was never copied whole.
RequestBody = bytes | bytearray


class Headers(Mapping[str, str]):
    """Request headers, looked up case-insensitively (a repeated header is joined with
    ``", "``, as RFC 9110 allows), in the order the client sent them."""

    __slots__ = ("_by_name", "raw")

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self.raw: list[tuple[str, str]] = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in raw
        ]
        by_name: dict[str, str] = {}
        for name, value in self.raw:
            key = name.lower()
            by_name[key] = f"{by_name[key]}, {value}" if key in by_name else value
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(frozen=True)
class Request:
    """One request: the target split at ``?``, the headers, the body.

    The body is whole in :attr:`body`, except for a ``streamed`` route's request, whose
    body is read from :attr:`stream` while the route runs (:attr:`body` is then empty).
    :attr:`registry` is the ``(account, region)`` of the registry port the request came
    in on (``None``: the server's main port, which serves the fake's own registry).
    """

    method: str
    path: str
    query: str
    headers: Headers
    body: RequestBody
    stream: BodyStream | None = None
    registry: tuple[str, str] | None = None


@dataclass
class Response:
    """An answer: a status, headers (``Content-Length`` is set from a bytes body), and a
    body of bytes or of chunks."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Body = b""


class Drop(Exception):
    """Raised by a route: fail the connection as the network would (``"reset"``: RST at
    once; ``"timeout"``: hold the answer for the server's ``timeout_hold``, then RST)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Server(Protocol):
    """What a route sees of the server answering."""

    #: The fake answering now (``None``: none attached).
    fake: Responder | None
    verify_signatures: bool
    credentials: Mapping[str, str]

    @property
    def big_body_lane(self) -> AbstractContextManager[Any]:
        """Held by a route while it decodes and answers a big body, one at a time."""
        ...

    def record_error(self, error: BaseException) -> None:
        """Keep *error* (a bug in the fake) to raise it again in the test."""
        ...


Handler = Callable[[Server, Request], Response]


@dataclass(frozen=True)
class Route:
    """*handler* answers *methods* on *path* (every path under it with ``prefix=True``).

    An ``inline`` handler is one that never blocks (pure computation on memory, like the
    ECR API's): for a small request it runs on the loop thread itself rather than on a
    worker thread. Any handler that reads files, sleeps or waits must not be inline.

    A ``streamed`` handler gets its request as soon as the head is read and reads the
    body from :attr:`Request.stream` (a blob upload of any size, held a bounded piece at
    a time); its requests may be as large as the server's ``max_upload``.
    """

    methods: frozenset[str]
    path: str
    handler: Handler
    prefix: bool = False
    inline: bool = False
    streamed: bool = False

    def matches(self, method: str, path: str) -> bool:
        if method not in self.methods:
            return False
        return path.startswith(self.path) if self.prefix else path == self.path


def find_route(routes: Iterable[Route], method: str, path: str) -> Route | None:
    """The first of *routes* that answers *method* on *path*."""
    for route in routes:
        if route.matches(method, path):
            return route
    return None


def run_route(
    handler: Handler, server: Server, request: Request, chunks: Sequence[bytes] = ()
) -> Response:
    """*handler*'s answer to *request*, whose body, when *chunks* are given, is those
    chunks joined here first: on a worker thread, since a join of 1 MiB or more copies
    without holding the GIL, so the loop thread goes on answering meanwhile."""
    if chunks:
        request = replace(request, body=b"".join(chunks))
    return handler(server, request)


__all__ = [
    "Body",
    "Drop",
    "Handler",
    "Headers",
    "Request",
    "RequestBody",
    "Response",
    "Route",
    "Server",
    "find_route",
    "run_route",
]
