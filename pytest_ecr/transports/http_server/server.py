"""The loopback HTTP/1.1 server: an event loop on one thread for every connection, h11
for the framing, routes answered on a small pool of worker threads, and bounds on all
three of connections, threads and buffered bytes.

Bounds (constructor options, defaults in brackets):

- ``max_connections`` [1000]: beyond it the server stops accepting; new connections wait
  in the listen backlog until one closes.
- ``max_workers`` [4]: threads that run routes (the fake); with the loop thread, the
  server never runs more than ``max_workers + 1`` threads.
- ``max_buffered_bytes`` [64 MiB]: request bodies held at once, server-wide. A request's
  body is admitted when its declared length (``max_body`` for a chunked one) fits; until
  then its connection is not read, so the bytes wait in the client's socket. Beyond the
  bodies, a connection holds at most one read (64 KiB) and a request head (16 KiB).
- ``max_body`` [about 26.7 MiB]: one request's body (413 beyond), except for a
  ``streamed`` route (a registry blob upload), whose body is read a bounded piece at a
  time while the route runs and may reach ``max_upload`` [8 GiB]; such a request holds
  at most 16 MiB of the buffered bytes at once.
- ``idle_timeout`` [30 s]: a connection silent this long is closed, between requests or
  in the middle of one; ``request_timeout`` [30 s]: a request must be whole this long
  after its first byte (a client dripping bytes is dropped).

Besides its main port, the server opens one port per other registry (account, region)
a client asks for (:meth:`EcrHTTPServer.registry_port`): an OCI client names a registry
by its host alone, so each registry needs a host of its own. Every port serves every
route; the registry routes answer for the port's registry.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from pytest_ecr.transports.http_server.api import API_ROUTE
from pytest_ecr.transports.http_server.budget import ByteBudget
from pytest_ecr.transports.http_server.connection import Connection
from pytest_ecr.transports.http_server.registry import REGISTRY_ROUTES
from pytest_ecr.transports.http_server.routes import Route

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_ecr.transports.responder import Responder

#: Largest request body accepted: the largest UploadLayerPart (a 20,971,520-byte part,
#: base64: 27,962,028 characters) with room for its other members; a 4 MiB manifest,
#: JSON-escaped, fits too.
MAX_BODY = 4 * ((20_971_520 + 2) // 3) + 64 * 1024
MiB = 1024 * 1024
#: Largest blob upload (one streamed request body) accepted by default.
MAX_UPLOAD = 8 * 1024 * MiB
_READ_SIZE = 64 * 1024
# accept() failures that mean "out of descriptors or memory for now": wait, then retry.
_ACCEPT_LATER = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class EcrHTTPServer:
    """The ECR API on ``http://127.0.0.1:<port>``, answered by whichever fake is attached
    (:attr:`fake`; one server can outlive many fakes). Binds on construction; serves from
    :meth:`start` (or ``with``) until :meth:`stop`."""

    def __init__(
        self,
        fake: Responder | None = None,
        *,
        port: int = 0,
        timeout_hold: float = 2.0,
        idle_timeout: float = 30.0,
        request_timeout: float = 30.0,
        max_connections: int = 1000,
        max_workers: int = 4,
        max_buffered_bytes: int = 64 * MiB,
        max_body: int = MAX_BODY,
        max_upload: int = MAX_UPLOAD,
        verify_signatures: bool = False,
        credentials: Mapping[str, str] | None = None,
        routes: Sequence[Route] = (),
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {port}")
        if min(max_connections, max_workers, max_body) < 1 or max_body > max_buffered_bytes:
            raise ValueError(
                "max_connections, max_workers and max_body must be positive, and max_body "
                "at most max_buffered_bytes"
            )
        self.fake = fake
        #: How long a ``connection: timeout`` fault holds a response before dropping it.
        self.timeout_hold = timeout_hold
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.max_workers = max_workers
        self.max_body = max_body
        self.max_upload = max_upload
        self.verify_signatures = verify_signatures
        #: Access key -> secret key pairs a checked signature may use.
        self.credentials: Mapping[str, str] = dict(
            credentials if credentials is not None else {FAKE_ACCESS_KEY: FAKE_SECRET_KEY}
        )
        #: Tried in order: the given routes, the OCI registry (``/v2/...`` and layer
        #: downloads), then the ECR API (every other ``POST``).
        self.routes: tuple[Route, ...] = (*routes, *REGISTRY_ROUTES, API_ROUTE)
        self.budget = ByteBudget(max_buffered_bytes)
        #: Held while a big request body is decoded and answered (see
        #: :data:`~pytest_ecr.transports.http_server.api.BIG_BODY`).
        self.big_body_lane = threading.Lock()
        self.errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self._socket = _listen(port, max_connections)
        self.server_address: tuple[str, int] = self._socket.getsockname()[:2]
        # The registry ports opened so far: (account, region) -> listening socket.
        self._registry_sockets: dict[tuple[str, str], socket.socket] = {}
        self._listen_lock = threading.Lock()
        # What the loop accepts on (loop thread only): each socket with its registry.
        self._listeners: list[tuple[socket.socket, tuple[str, str] | None]] = []
        self.read_buffer = memoryview(bytearray(_READ_SIZE))
        self.connections: set[Connection] = set()
        self._accepting = False
        self._date = (0, "")
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers, thread_name_prefix="pytest-ecr-http")
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address
        return f"http://{host!s}:{port}"

    def registry_port(self, account: str, region: str) -> int:
        """The port serving the registry of *account* in *region*, opened on the first
        ask and kept for the server's life (the main port serves the fake's own
        registry; this one serves *account*/*region* whichever fake is attached)."""
        key = (account, region)
        with self._listen_lock:
            sock = self._registry_sockets.get(key)
            if sock is None:
                if self._stopped:
                    raise RuntimeError("the server is stopped")
                sock = _listen(0, self.max_connections)
                sock.setblocking(False)
                self._registry_sockets[key] = sock
                if self._thread is not None:
                    self.call_soon(self._add_listener, sock, key)
        return int(sock.getsockname()[1])

    @property
    def registry_ports(self) -> dict[tuple[str, str], int]:
        """The registry ports opened so far, by (account, region)."""
        with self._listen_lock:
            return {key: s.getsockname()[1] for key, s in self._registry_sockets.items()}

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> EcrHTTPServer:
        if self._thread is None:
            ready = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(ready,), name="pytest-ecr-http", daemon=True
            )
            self._thread.start()
            ready.wait(10)
        return self

    def _run(self, ready: threading.Event) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        self._socket.setblocking(False)
        with self._listen_lock:
            self._listeners = [(self._socket, None)]
            self._listeners.extend((sock, key) for key, sock in self._registry_sockets.items())
        self._resume_accepting()
        loop.call_soon(self._sweep)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            for connection in list(self.connections):
                connection.drop_stalled()
            # Connections still answering (a body mid-stream) end here, as cancelled, not
            # later as tasks destroyed while pending (their clean-up would then run on a
            # closed loop and a shut pool). The wait also lets the aborts complete.
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(
                    asyncio.wait(pending, timeout=5) if pending else asyncio.sleep(0)
                )
            loop.close()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        thread = self._thread
        if thread is not None and thread.is_alive():
            self.loop.call_soon_threadsafe(self._shutdown)
            thread.join(timeout=10)
        elif thread is None:
            self.loop.close()
        self._socket.close()
        with self._listen_lock:
            for sock in self._registry_sockets.values():
                sock.close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _shutdown(self) -> None:
        self._pause_accepting()
        self.loop.stop()

    def __enter__(self) -> EcrHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- errors of routes, raised again in the test -----------------------------------

    def record_error(self, error: BaseException) -> None:
        with self._errors_lock:
            self.errors.append(error)

    def take_errors(self) -> list[BaseException]:
        with self._errors_lock:
            errors, self.errors = self.errors, []
        return errors

    # -- what connections use ---------------------------------------------------------

    def loop_time(self) -> float:
        return self.loop.time()

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run *callback* on the loop thread (from any thread; nothing once stopped)."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server stopped
            self.loop.call_soon_threadsafe(callback, *args)

    def http_date(self) -> str:
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, email.utils.formatdate(second, usegmt=True))
        return self._date[1]

    def forget(self, connection: Connection) -> None:
        self.connections.discard(connection)
        if not self._accepting and not self._stopped:
            self._resume_accepting()

    # -- accepting --------------------------------------------------------------------

    def _add_listener(self, sock: socket.socket, key: tuple[str, str]) -> None:
        if self._stopped or any(known is sock for known, _ in self._listeners):
            return
        self._listeners.append((sock, key))
        if self._accepting:
            self.loop.add_reader(sock.fileno(), self._accept, sock, key)

    def _resume_accepting(self) -> None:
        if not self._accepting and len(self.connections) < self.max_connections:
            self._accepting = True
            for sock, key in self._listeners:
                self.loop.add_reader(sock.fileno(), self._accept, sock, key)

    def _pause_accepting(self) -> None:
        if self._accepting:
            self._accepting = False
            for sock, _ in self._listeners:
                self.loop.remove_reader(sock.fileno())

    def _accept(self, listener: socket.socket, registry: tuple[str, str] | None) -> None:
        for _ in range(8):  # a burst is accepted over several loop turns, others answered between
            if len(self.connections) >= self.max_connections:
                self._pause_accepting()  # the rest wait in the backlog
                return
            try:
                sock, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                if error.errno not in _ACCEPT_LATER:
                    raise
                self._pause_accepting()
                self.loop.call_later(0.1, self._resume_accepting)
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(self, registry)
            self.connections.add(connection)
            self.loop.create_task(self._connect(sock, connection))

    async def _connect(self, sock: socket.socket, connection: Connection) -> None:
        try:
            await self.loop.connect_accepted_socket(lambda: connection, sock)
        except OSError:
            sock.close()
            self.forget(connection)

    # -- timeouts ---------------------------------------------------------------------

    def _sweep(self) -> None:
        now = self.loop.time()
        for connection in [c for c in self.connections if c.expired(now)]:
            connection.drop_stalled()
        tick = min(self.idle_timeout, self.request_timeout) / 4
        self.loop.call_later(min(max(tick, 0.05), 1.0), self._sweep)


def _listen(port: int, backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(min(backlog, socket.SOMAXCONN))
    except BaseException:
        sock.close()
        raise
    return sock


__all__ = ["MAX_BODY", "EcrHTTPServer"]
