"""The server-wide budget of buffered request bytes (used on the loop thread only)."""

from __future__ import annotations

from typing import Protocol


class Waiter(Protocol):
    #: How many bytes the waiting request wants.
    wanted: int

    def admitted(self) -> None:
        """The bytes are now reserved for it."""
        ...


class ByteBudget:
    """At most :attr:`limit` bytes reserved at once. A request that does not fit waits;
    when bytes are given back, every waiting request that now fits is admitted, oldest
    first (a small request is not held behind a big one)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        #: The most ever reserved at once (for the load measurement).
        self.peak = 0
        self._waiting: list[Waiter] = []

    def take(self, size: int) -> bool:
        if self.used + size > self.limit:
            return False
        self.used += size
        self.peak = max(self.peak, self.used)
        return True

    def wait(self, waiter: Waiter) -> None:
        self._waiting.append(waiter)

    def cancel(self, waiter: Waiter) -> None:
        if waiter in self._waiting:
            self._waiting.remove(waiter)

    def give(self, size: int) -> None:
        self.used -= size
        for waiter in list(self._waiting):
            if self.take(waiter.wanted):
                self._waiting.remove(waiter)
                waiter.admitted()

    @property
    def waiting(self) -> int:
        return len(self._waiting)


__all__ = ["ByteBudget", "Waiter"]
