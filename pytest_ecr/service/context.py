"""Who is asking, and where: what the service needs beyond the request's parameters."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

#: How long an authorization token lives: ECR's tokens expire after 12 hours.
DEFAULT_TOKEN_LIFETIME = 12 * 60 * 60.0


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The caller's account (the default ``registryId``) and the client's region.

    ``now`` pins the clock (epoch seconds) for push times, creation times, token expiry and
    the progress of scans and previews; else ``time_source`` is read (a fake passes its
    virtual clock, on which waiter sleeps and :meth:`FakeEcr.advance` move time on); else
    the real time, read once per call of :meth:`clock`.

    ``endpoint`` is the URL of an HTTP server serving the fake, if one does (where
    GetDownloadUrlForLayer points).
    """

    account: str
    region: str
    now: float | None = None
    token_lifetime: float = DEFAULT_TOKEN_LIFETIME
    time_source: Callable[[], float] | None = None
    endpoint: str | None = None

    def clock(self) -> float:
        """The current time in epoch seconds."""
        if self.now is not None:
            return self.now
        if self.time_source is not None:
            return self.time_source()
        return time.time()
