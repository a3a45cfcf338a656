"""What a transport needs of a fake, and which fake is answering now.

Transports are typed against :class:`Responder`, so none of them imports the fake that
calls them: a transport decodes a request (:func:`pytest_ecr.wire.respond`), hands the
decoded request to :meth:`Responder.answer`, and encodes what comes back.

This module holds the project's one process-wide state that matters for correctness, the
*active fake* (:func:`active`): botocore's handlers are registered once per process, and
they answer from whichever fake is active. The other module-level values of the package
are listed, with why each is safe, in ``tests/test_layers.py::PROCESS_STATE``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pytest_ecr.clock import SleepKind, VirtualClock
    from pytest_ecr.model.blobs import BlobContent
    from pytest_ecr.wire import WireRequest


class Responder(Protocol):
    """The fake as its transports see it."""

    #: URLs of HTTP servers serving this fake: the in-process hook lets requests to them
    #: through to the socket.
    http_endpoints: tuple[str, ...]
    #: The fake's time (epoch seconds from ``clock.now()``): token and URL expiry.
    clock: VirtualClock

    @property
    def region(self) -> str:
        """The default region, for requests that name none."""
        ...

    @property
    def account(self) -> str:
        """The caller's account (the default registry)."""
        ...

    def blob_content(
        self, account: str, region: str, repository: str, digest: str
    ) -> BlobContent | None:
        """The bytes of a repository's blob (a layer download serves them), if any."""
        ...

    def mount_blob(self, account: str, region: str, source: str, target: str, digest: str) -> bool:
        """Mount a blob of *source* into *target* as ECR's registry would; ``False``
        when ECR would not (the client then uploads it)."""
        ...

    def answer(self, request: WireRequest) -> Mapping[str, Any]:
        """The output members answering *request*; raises
        :class:`~pytest_ecr.service.errors.EcrError` for an error answer and
        :class:`~pytest_ecr.faults.ConnectionFault` for a connection to drop."""
        ...

    def sleep(self, seconds: float, kind: SleepKind) -> None:
        """Spend *seconds* on the fake's clock (botocore's retry ``"backoff"``)."""
        ...


_active: Responder | None = None
_lock = threading.Lock()


def activate(responder: Responder) -> None:
    """Make *responder* answer every ECR request in this process."""
    global _active
    with _lock:
        if _active is not None and _active is not responder:
            raise RuntimeError(
                "another pytest-ecr fake is already active in this process; "
                "deactivate it first (fakes do not nest)"
            )
        _active = responder


def deactivate(responder: Responder) -> None:
    """Stop *responder* answering (nothing happens if another one is active)."""
    global _active
    with _lock:
        if _active is responder:
            _active = None


def active() -> Responder | None:
    """The fake answering ECR requests now, if any."""
    return _active


__all__ = ["Responder", "activate", "active", "deactivate"]
