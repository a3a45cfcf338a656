"""A request body read while its route runs (a registry blob upload of any size).

The loop thread :meth:`~BodyStream.feed`\\ s what h11 hands it; the route's worker thread
:meth:`~BodyStream.read`\\ s it. At most :data:`HIGH_WATER` bytes wait between the two: past
that the connection stops reading (the rest waits in the client's socket) until the
route has taken enough. A route that answers before the whole body came (an error, an
injected fault) leaves the rest to be read and dropped, so the connection stays usable.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Final

#: Bytes that may wait in a stream before the connection stops reading.
HIGH_WATER: Final = 1024 * 1024
#: The connection reads again once the route has left no more than this waiting.
LOW_WATER: Final = 256 * 1024
# How long a read waits at once: a stream the server gave up on is aborted, so this only
# bounds how long a thread can miss that.
_WAIT = 1.0


class BodyAborted(Exception):
    """The client went away (or the server dropped it) before the body was whole."""


class BodyStream:
    """The body of one request, in the order it arrives. See the module's text."""

    def __init__(self, on_room: Callable[[], None]) -> None:
        self._on_room = on_room
        self._cond = threading.Condition()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._ended = False
        self._aborted = False
        #: The loop stopped reading for want of room (set and read on the loop thread,
        #: cleared by the reader under the lock).
        self.paused = False
        #: The route is done with it: what still comes is dropped.
        self.discarding = False

    # -- the loop thread ---------------------------------------------------------------

    def feed(self, data: bytes) -> bool:
        """Add *data*; ``True`` when the connection should stop reading for now."""
        with self._cond:
            if self.discarding:
                return False
            self._chunks.append(data)
            self._buffered += len(data)
            self._cond.notify()
            if self._buffered > HIGH_WATER:
                self.paused = True
            return self.paused

    def end(self) -> None:
        """The body is whole."""
        with self._cond:
            self._ended = True
            self._cond.notify()

    def abort(self) -> None:
        """The connection is gone: a waiting or later read raises :class:`BodyAborted`."""
        with self._cond:
            self._aborted = True
            self._chunks.clear()
            self._buffered = 0
            self._cond.notify()

    @property
    def ended(self) -> bool:
        return self._ended

    # -- the route's thread ------------------------------------------------------------

    def read(self) -> bytes:
        """The next piece of the body; ``b""`` at its end. Raises :class:`BodyAborted`."""
        with self._cond:
            while not self._chunks and not self._ended and not self._aborted:
                self._cond.wait(_WAIT)
            if self._aborted:
                raise BodyAborted("the client closed the connection before the body was whole")
            if not self._chunks:
                return b""
            data = self._chunks.popleft()
            self._buffered -= len(data)
            wake = self.paused and self._buffered <= LOW_WATER
            if wake:
                self.paused = False
        if wake:
            self._on_room()
        return data

    def __iter__(self) -> Iterator[bytes]:
        while True:
            data = self.read()
            if not data:
                return
            yield data

    def discard(self) -> None:
        """The route needs no more: drop what waits and what is still to come."""
        with self._cond:
            self.discarding = True
            self._chunks.clear()
            self._buffered = 0
            wake = self.paused
            self.paused = False
        if wake:
            self._on_room()


__all__ = ["HIGH_WATER", "LOW_WATER", "BodyAborted", "BodyStream"]
