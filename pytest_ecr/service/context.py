"""Who is asking, and where: what the service needs beyond the request's parameters."""

from __future__ import annotations

import time
from dataclasses import dataclass

#: How long an authorization token lives: ECR's tokens expire after 12 hours.
DEFAULT_TOKEN_LIFETIME = 12 * 60 * 60.0


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The caller's account (the default ``registryId``) and the client's region.

    ``now`` pins the clock (epoch seconds) for push times, creation times and token expiry;
    ``None`` means the real time, read once per call of :meth:`clock`.
    """

    account: str
    region: str
    now: float | None = None
    token_lifetime: float = DEFAULT_TOKEN_LIFETIME

    def clock(self) -> float:
        """The current time in epoch seconds."""
        return time.time() if self.now is None else self.now
