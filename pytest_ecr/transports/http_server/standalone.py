"""Running the server as a program (``pytest-ecr serve``): what a failed bind means in a
sentence, and serving until SIGINT or SIGTERM."""

from __future__ import annotations

import contextlib
import errno
import gc
import signal
import threading
from collections.abc import Callable, Iterator

from pytest_ecr.transports.http_server.server import EcrHTTPServer


def listen_problem(port: int, error: OSError) -> str:
    """One line saying why listening on 127.0.0.1:*port* failed with *error*."""
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on 127.0.0.1 is already in use"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port} of 127.0.0.1"
    return f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}"


@contextlib.contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set *stop*, even where SIGINT was ignored when the process
    started (``nohup pytest-ecr serve ... &``: Python then installs no Ctrl-C handler).
    Off the main thread (where signals cannot be handled) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.getsignal(number) for number in wanted}
    for number in wanted:
        signal.signal(number, lambda *_: stop.set())
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def heap_settled() -> Iterator[None]:
    """While the block runs, what start-up made (the modules, botocore's models, the
    loaded registry) is out of the cyclic collector's way: collected once, then frozen
    (:func:`gc.freeze`), so a full collection walks only what serving makes. Unfrozen
    after. Under load, a full collection of the unfrozen heap held the loop thread, and
    every client with it, for 40-80 ms. For a process that serves (``pytest-ecr serve``):
    a test session's endpoint lives on the session's heap and leaves it alone."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def serve_until(
    server: EcrHTTPServer, stop: threading.Event, report: Callable[[BaseException], None]
) -> None:
    """Serve until *stop* is set, handing each error of the fake to *report*; then stop."""
    try:
        while not stop.wait(0.2):
            for failure in server.take_errors():
                report(failure)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


__all__ = ["heap_settled", "listen_problem", "serve_until", "stopped_by_signals"]
