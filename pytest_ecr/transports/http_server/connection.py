"""One client connection: bytes in, h11's framing, a route in a worker thread, bytes out.

Everything here runs on the server's event-loop thread except the route itself. A
connection reads only while it may: not while its request waits for room in the
server's byte budget, not while a route answers it (a pipelined request waits in the
kernel, not in memory). The server's sweep drops it when it stalls (see
:meth:`Connection.expired`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import h11

from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.api import error_response, unknown_route
from pytest_ecr.transports.http_server.budget import ByteBudget
from pytest_ecr.transports.http_server.framing import (
    MAX_HEAD,
    declared_length,
    framing_error,
    reason_phrase,
)
from pytest_ecr.transports.http_server.routes import (
    Drop,
    Handler,
    Headers,
    Request,
    RequestBody,
    Response,
    Route,
    Server,
    find_route,
    run_route,
)
from pytest_ecr.transports.http_server.stream import BodyStream
from pytest_ecr.wire import encode_error

#: Bodies up to this size are answered on the loop thread by an ``inline`` route.
INLINE_BODY = 64 * 1024
#: Bodies up to this size need no room in the server's byte budget.
SMALL_BODY = 64 * 1024
#: What a streamed request reserves in the byte budget: the most its route holds at once
#: (a registry upload gathers a part of up to 15 MiB, plus what waits in the stream).
STREAM_RESERVE = 16 * 1024 * 1024
# How long a connection that was answered an error and closed is drained of what the
# client still sends, so that closing does not reset the answer away.
_LINGER = 1.0


class Host(Server, Protocol):
    """What a connection uses of its server (:class:`~.server.EcrHTTPServer`)."""

    loop: asyncio.AbstractEventLoop
    pool: ThreadPoolExecutor
    budget: ByteBudget
    routes: tuple[Route, ...]
    read_buffer: memoryview
    max_body: int
    max_upload: int
    idle_timeout: float
    request_timeout: float
    timeout_hold: float

    def loop_time(self) -> float: ...

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None: ...

    def http_date(self) -> str: ...

    def forget(self, connection: Connection) -> None: ...


class Connection(asyncio.BufferedProtocol):
    """The protocol of one accepted connection (one request at a time)."""

    def __init__(self, server: Host, registry: tuple[str, str] | None = None) -> None:
        self.server = server
        #: The registry (account, region) of the port this connection came in on.
        self.registry = registry
        #: The body of a streamed route's request, while it arrives.
        self.stream: BodyStream | None = None
        self._route: Route | None = None
        # A streamed route answered before its body was whole: finish once it is.
        self._finish_after_body = False
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self.transport: asyncio.Transport | None = None
        self.head: h11.Request | None = None
        # The body so far, as read: joined where it is handled (see _dispatch).
        self.body: list[bytes] = []
        self.size = 0
        #: Bytes of the byte budget held for this request's body.
        self.reserved = 0
        #: How many body bytes this request may send.
        self.allowed = 0
        #: How many bytes the request waiting for room in the budget wants.
        self.wanted = 0
        self.waiting = False
        self.busy = False
        self.closing = False
        now = server.loop_time()
        self.last = now
        #: When the request now arriving began (``None`` between requests).
        self.started: float | None = None
        self.write_paused_since: float | None = None
        self._pumping = False
        self._drained: asyncio.Future[None] | None = None

    # -- asyncio callbacks ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=256 * 1024)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.server.read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.last = now = self.server.loop_time()
        if self.closing:
            return  # draining after an error answer
        if self.started is None:
            self.started = now
        self.h11.receive_data(bytes(self.server.read_buffer[:nbytes]))
        self.pump()

    def eof_received(self) -> bool:
        if not self.closing:
            self.h11.receive_data(b"")
            self.pump()
        return True  # an answer may still be on its way; close when it is sent

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        if self.stream is not None:
            self.stream.abort()
        self._release()
        if self._drained is not None and not self._drained.done():
            self._drained.cancel()  # a stream waiting for it ends
        self.server.forget(self)

    def pause_writing(self) -> None:
        self.write_paused_since = self.server.loop_time()
        self._drained = self.server.loop.create_future()

    def resume_writing(self) -> None:
        self.write_paused_since = None
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # -- reading ----------------------------------------------------------------------

    def pump(self) -> None:
        """Handle every event h11 has whole, until it needs more bytes or a request is
        dispatched."""
        if self._pumping:
            return  # an answer given inside the loop below: the loop goes on
        self._pumping = True
        try:
            self._pump()
        finally:
            self._pumping = False

    def _pump(self) -> None:
        while not (self.waiting or self.closing) and (not self.busy or self.stream is not None):
            try:
                event = self.h11.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    return
                if isinstance(event, h11.Request):
                    self._on_head(event)
                elif isinstance(event, h11.Data):
                    self._on_data(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    if self.stream is not None:
                        self._stream_ended()
                    else:
                        self._dispatch()
                elif isinstance(event, h11.ConnectionClosed):
                    self._close()
            except h11.RemoteProtocolError as error:
                self.fail(framing_error(error.error_status_hint, str(error)))
            except EcrError as error:
                self.fail(error)

    def _on_head(self, head: h11.Request) -> None:
        self.head = head
        declared = declared_length(head)
        path = head.target.decode("latin-1").partition("?")[0]
        self._route = route = find_route(self.server.routes, head.method.decode("ascii"), path)
        streamed = route is not None and route.streamed
        limit = self.server.max_upload if streamed else self.server.max_body
        if declared is not None and declared > limit:
            raise EcrError(
                "RequestEntityTooLargeException",
                f"Request body of {declared} bytes exceeds the limit of {limit} bytes",
                413,
            )
        self.allowed = limit if declared is None else declared
        # A streamed body is held a bounded piece at a time: that piece is reserved.
        wanted = min(self.allowed, STREAM_RESERVE) if streamed else self.allowed
        if wanted <= SMALL_BODY:
            # Counted in the per-connection allowance: small requests never wait for big.
            self._body_admitted()
            return
        if not self.server.budget.take(wanted):
            self.wanted, self.waiting = wanted, True
            self._pause_reading()
            self.server.budget.wait(self)
            return
        self.reserved = wanted
        self._body_admitted()

    def admitted(self) -> None:
        """Called by the budget: room for the waiting request's body was found."""
        self.reserved, self.wanted, self.waiting = self.wanted, 0, False
        self.started = self.last = self.server.loop_time()  # its time starts now
        self._body_admitted()
        self._resume_reading()
        self.pump()

    def _body_admitted(self) -> None:
        self._continue()
        if self._route is not None and self._route.streamed:
            self._start_stream(self._route)

    def _start_stream(self, route: Route) -> None:
        """Hand a streamed route its request now; the body follows through the stream."""
        head = self.head
        assert head is not None
        self.stream = stream = BodyStream(lambda: self.server.call_soon(self._stream_room))
        self.busy = True
        self._submit(route.handler, self._request(head, b"", stream), ())

    def _stream_room(self) -> None:
        # Only for a body still arriving: once it is whole, reading waits for the answer
        # (a pipelined request stays in the kernel), whatever callback comes late.
        if not self.closing and self.stream is not None and not self.stream.paused:
            self._resume_reading()

    def _stream_ended(self) -> None:
        stream = self.stream
        assert stream is not None
        stream.end()
        self.head, self.size, self.started, self.stream = None, 0, None, None
        if self._finish_after_body:
            self._finish_after_body = False
            self._finish()
        else:
            self._pause_reading()  # a pipelined request waits for the answer

    def _continue(self) -> None:
        if self.h11.they_are_waiting_for_100_continue and self.transport is not None:
            self.transport.write(
                self.h11.send(h11.InformationalResponse(status_code=100, headers=[]))
            )

    def _on_data(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.allowed:  # only a chunked body can outgrow what it declared
            limit = self.server.max_body
            if self.stream is not None:
                limit = self.server.max_upload
                self.stream.abort()
            raise EcrError(
                "RequestEntityTooLargeException",
                f"Request body exceeds the limit of {limit} bytes",
                413,
            )
        if self.stream is not None:
            if self.stream.feed(data):
                self._pause_reading()
            return
        self.body.append(bytes(data))  # h11's bytearray: joining bytes drops the GIL

    def _request(self, head: h11.Request, body: RequestBody, stream: BodyStream | None) -> Request:
        target = head.target.decode("latin-1")
        path, _, query = target.partition("?")
        method = head.method.decode("ascii")
        return Request(method, path, query, Headers(head.headers), body, stream, self.registry)

    def _dispatch(self) -> None:
        head = self.head
        assert head is not None
        chunks, self.body = self.body, []
        big, self.size, self.head, self.started = self.size > INLINE_BODY, 0, None, None
        request = self._request(head, b"" if big else b"".join(chunks), None)
        route, self._route = self._route, None
        handler = route.handler if route is not None else unknown_route
        self.busy = True
        if route is not None and route.inline and not big:
            # Small CPU-only work: a hop to a worker thread and back would cost more.
            future: Future[Response] = Future()
            try:
                future.set_result(handler(self.server, request))
            except BaseException as error:
                future.set_exception(error)
            self._answered(future, request)
            return
        self._pause_reading()
        self._submit(handler, request, chunks if big else ())  # joined by the worker

    def _submit(self, handler: Handler, request: Request, chunks: Sequence[bytes]) -> None:
        future = self.server.pool.submit(run_route, handler, self.server, request, chunks)
        future.add_done_callback(lambda done: self.server.call_soon(self._answered, done, request))

    # -- answering --------------------------------------------------------------------

    def _answered(self, done: Future[Response], request: Request) -> None:
        self._release()  # the body has been handled
        if self.closing:
            return
        try:
            response = done.result()
        except Drop as drop:
            self._drop(drop.kind)
            return
        except Exception as error:  # a route's bug: answer, and re-raise in the test
            self.server.record_error(error)
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            failure = EcrError("InternalFailure", f"pytest-ecr failed: {text}", 500)
            response = error_response(failure)
        if isinstance(response.body, (bytes, bytearray)):
            self._write_whole(request, response)
        else:
            self.server.loop.create_task(self._write_streamed(request, response))

    def _head_event(self, response: Response, length: int | None) -> h11.Response:
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        headers += [("Server", "pytest-ecr"), ("Date", self.server.http_date())]
        if length is not None:
            headers.append(("Content-Length", str(length)))
        else:
            headers.extend((k, v) for k, v in response.headers if k.lower() == "content-length")
        return h11.Response(status_code=response.status, headers=headers)

    def _write_whole(self, request: Request, response: Response) -> None:
        body = bytes(response.body)  # type: ignore[arg-type]  # checked by the caller
        out = [self.h11.send(self._head_event(response, len(body)))]
        if body and request.method != "HEAD":
            out.append(self.h11.send(h11.Data(data=body)))
        out.append(self.h11.send(h11.EndOfMessage()))
        assert self.transport is not None
        self.transport.write(b"".join(o for o in out if o))
        self._finish()

    async def _write_streamed(self, request: Request, response: Response) -> None:
        assert self.transport is not None
        assert not isinstance(response.body, bytes)
        chunks: Iterator[bytes] = iter(response.body)
        loop = self.server.loop
        try:
            self.transport.write(self.h11.send(self._head_event(response, None)) or b"")
            while request.method != "HEAD":
                chunk = await loop.run_in_executor(self.server.pool, next, chunks, None)
                if chunk is None:
                    break
                if chunk:
                    self.transport.write(self.h11.send(h11.Data(data=chunk)) or b"")
                if self._drained is not None:
                    await self._drained
                    self._drained = None
            self.transport.write(self.h11.send(h11.EndOfMessage()) or b"")
        except Exception as error:  # a failing body or a lost client: the stream is cut
            if not isinstance(error, (ConnectionError, h11.LocalProtocolError)):
                self.server.record_error(error)
            self.transport.abort()
            return
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                self.server.pool.submit(close)
        self._finish()

    def _finish(self) -> None:
        """The answer is written: free the request's budget, then read the next one."""
        if self.stream is not None and not self.stream.ended:
            # Answered before the body was whole: drop the rest of it, then go on.
            self.stream.discard()
            self._finish_after_body = True
            self._resume_reading()
            self.pump()
            return
        self.stream = None
        self._route = None
        self._release()
        self.busy = False
        self.last = self.server.loop_time()
        if self.h11.our_state is h11.MUST_CLOSE or self.h11.their_state is h11.CLOSED:
            self._close()
            return
        try:
            self.h11.start_next_cycle()
        except h11.LocalProtocolError:
            self._close()
            return
        if self.h11.trailing_data[0]:
            self.started = self.last  # a pipelined request is already here
        self._resume_reading()
        self.pump()

    # -- failing and closing ----------------------------------------------------------

    def fail(self, error: EcrError) -> None:
        """Answer *error* and close; what the client still sends is read and dropped for
        a moment, so the answer is not lost to a reset."""
        answer = encode_error(error)
        lines = [f"HTTP/1.1 {answer.status} {reason_phrase(answer.status)}", "Server: pytest-ecr"]
        lines.append(f"Date: {self.server.http_date()}")
        lines.extend(f"{k}: {v}" for k, v in answer.headers.items())
        lines.append("Connection: close")
        self._release()
        self.closing = True
        transport = self.transport
        if transport is None:
            return
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + answer.body)
        with contextlib.suppress(OSError, RuntimeError):
            if transport.can_write_eof():
                transport.write_eof()
        self._resume_reading()
        self.server.loop.call_later(_LINGER, transport.close)

    def _drop(self, kind: str) -> None:
        """Fail the connection the way the network would for *kind*."""
        self.closing = True
        if kind == "timeout":
            # Hold the answer past the client's read timeout (set it below timeout_hold).
            self.server.loop.call_later(self.server.timeout_hold, self._reset)
        else:
            self._reset()

    def _reset(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        sock: Any = transport.get_extra_info("socket")
        # SO_LINGER 0 makes close() send RST: the client sees a reset, not a clean close.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    def _close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def expired(self, now: float) -> bool:
        """Whether the server's sweep should drop this connection now: silent for
        ``idle_timeout``, a request not whole ``request_timeout`` after it began, or an
        answer the client has not taken for ``idle_timeout``."""
        server = self.server
        if self.closing or self.waiting:
            return False
        stream = self.stream
        if stream is not None and not stream.paused:
            # A body still arriving while its route runs: the client must keep sending.
            if now - self.last > server.idle_timeout:
                return True
            return self.started is not None and now - self.started > server.request_timeout
        if self.busy:
            paused = self.write_paused_since
            return paused is not None and now - paused > server.idle_timeout
        if now - self.last > server.idle_timeout:
            return True
        return self.started is not None and now - self.started > server.request_timeout

    def drop_stalled(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    def _release(self) -> None:
        if self.waiting:
            self.server.budget.cancel(self)
            self.waiting = False
        if self.reserved:
            reserved, self.reserved = self.reserved, 0
            self.server.budget.give(reserved)

    def _pause_reading(self) -> None:
        if self.transport is not None and self.transport.is_reading():
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing() and not transport.is_reading():
            transport.resume_reading()


__all__ = ["MAX_HEAD", "Connection"]
