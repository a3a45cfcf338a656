"""The HTTP transport: the fake registry served on 127.0.0.1 for clients outside the
Python process (the AWS CLI, the JavaScript and Go SDKs, ...).

Requests go through the same codec step as the in-process hook
(:func:`pytest_ecr.wire.respond`), so both answer byte-for-byte alike. The server is
bound to loopback only, on an ephemeral port, and serves whichever fake is currently
attached to it, so one server can live for a whole session while every test gets its own
registry state.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from pytest_ecr.credentials import export_environment
from pytest_ecr.faults import ConnectionFault
from pytest_ecr.service.errors import EcrError
from pytest_ecr.wire import encode_error, respond

if TYPE_CHECKING:
    from pytest_ecr.transports.responder import Responder

#: Largest request body accepted: the largest UploadLayerPart (a 20,971,520-byte part,
#: base64: 27,962,028 characters) with room for its other members; a 4 MiB manifest,
#: JSON-escaped, fits too. A body is read whole, so this bounds a request's memory.
MAX_BODY = 4 * ((20_971_520 + 2) // 3) + 64 * 1024


class EcrHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server answering the ECR API from an attached fake."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self,
        fake: Responder | None = None,
        *,
        port: int = 0,
        timeout_hold: float = 2.0,
        idle_timeout: float = 30.0,
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake
        #: How long a ``connection: timeout`` fault holds a response before dropping it.
        self.timeout_hold = timeout_hold
        #: A connection that sends nothing for this long is closed (slow or stuck clients
        #: never pin a worker thread for good).
        self.idle_timeout = idle_timeout
        self.errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EcrHTTPServer:
        self._thread = threading.Thread(
            target=self.serve_forever, name="pytest-ecr-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def record_error(self, error: BaseException) -> None:
        with self._errors_lock:
            self.errors.append(error)

    def take_errors(self) -> list[BaseException]:
        with self._errors_lock:
            errors, self.errors = self.errors, []
        return errors

    def __enter__(self) -> EcrHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: EcrHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # type: ignore[misc]  # per server, not class
        super().setup()

    server_version = "pytest-ecr"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the fake's call history is the log

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        # Status line, headers and body leave in one write: written in pieces, a small
        # answer waits on the client's delayed ACK (~40 ms a request).
        reason = self.responses.get(status, ("",))[0]
        lines = [
            f"{self.protocol_version} {status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        lines.extend(f"{k}: {v}" for k, v in headers.items() if k.lower() != "content-length")
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _send_error(self, error: EcrError) -> None:
        answer = encode_error(error)
        self._send(answer.status, answer.headers, answer.body)

    def do_GET(self) -> None:
        self._send_error(EcrError("UnknownOperationException", "Only POST / is supported", 404))

    def do_POST(self) -> None:
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header is not None else 0
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send_error(EcrError("SerializationException", "Invalid Content-Length"))
            return
        if length > MAX_BODY:
            self.close_connection = True
            self._send_error(
                EcrError(
                    "RequestEntityTooLargeException",
                    f"Request body of {length} bytes exceeds the limit of {MAX_BODY} bytes",
                    413,
                )
            )
            return
        body = self.rfile.read(length)
        if not self.headers.get("Authorization"):
            self._send_error(
                EcrError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
            )
            return
        fake = self.server.fake
        if fake is None:
            self._send_error(
                EcrError("ServiceUnavailableException", "No pytest-ecr registry is attached", 503)
            )
            return
        try:
            # http.server's headers look names up case-insensitively, as the codec needs.
            headers: Any = self.headers
            answer = respond(fake.answer, headers, body, transport="http")
        except ConnectionFault as fault:
            self._drop(fault.kind)
            return
        except Exception as error:  # a bug in the fake: answer, and re-raise in the test
            self.server.record_error(error)
            traceback_text = "".join(traceback.format_exception_only(type(error), error)).strip()
            self._send_error(
                EcrError("InternalFailure", f"pytest-ecr failed: {traceback_text}", 500)
            )
            return
        self._send(answer.status, answer.headers, answer.body)

    def _drop(self, kind: str) -> None:
        """Fail the connection the way the network would for *kind*."""
        self.close_connection = True
        if kind == "timeout":
            # Hold the answer past the client's read timeout (set it below timeout_hold).
            time.sleep(self.server.timeout_hold)
        # SO_LINGER 0 makes close() send RST: the client sees a reset, not a clean close.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


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


__all__ = ["MAX_BODY", "EcrHTTPServer", "EcrServer", "export_environment"]
