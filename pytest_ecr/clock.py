"""A virtual clock: botocore's retry backoff and injected latency, recorded not slept."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

SleepKind = Literal["backoff", "latency", "waiter", "advance"]


@dataclass(frozen=True, slots=True)
class Sleep:
    """One delay: botocore's retry backoff, latency a fault injected, a waiter's poll
    interval, or time a test moved on explicitly (``advance``)."""

    seconds: float
    kind: SleepKind


class VirtualClock:
    """Records delays instead of sleeping them (unless ``real`` is set).

    ``elapsed`` is the virtual time that has passed; with five retried throttles a test
    sees the ~15 s of backoff botocore asked for, in milliseconds of wall time.
    """

    def __init__(self, *, real: bool = False) -> None:
        self.real = real
        self._lock = threading.Lock()
        self._sleeps: list[Sleep] = []
        self._ahead = 0.0

    def sleep(self, seconds: float, kind: SleepKind) -> None:
        with self._lock:
            self._sleeps.append(Sleep(float(seconds), kind))
            if not self.real or kind == "advance":
                self._ahead += float(seconds)
        if self.real and seconds > 0 and kind != "advance":
            time.sleep(seconds)

    def now(self) -> float:
        """The fake's time in epoch seconds: the real time plus every delay recorded and
        not slept (so a scan that takes 5 s is done after a waiter's virtual 5 s poll)."""
        return time.time() + self._ahead

    @property
    def sleeps(self) -> list[Sleep]:
        with self._lock:
            return list(self._sleeps)

    @property
    def backoff(self) -> list[float]:
        """The retry delays botocore asked for, in order."""
        return [s.seconds for s in self.sleeps if s.kind == "backoff"]

    @property
    def elapsed(self) -> float:
        return sum(s.seconds for s in self.sleeps)

    def clear(self) -> None:
        with self._lock:
            self._sleeps.clear()
            self._ahead = 0.0
