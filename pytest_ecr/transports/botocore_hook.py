"""The in-process transport: answer ECR requests at botocore's ``before-send`` event.

Answering there keeps botocore's whole pipeline in the loop: parameter validation,
serialisation, signing, the retry handler and response parsing run exactly as they do
against AWS; only the socket is replaced.

The handlers answer from the active fake (:mod:`pytest_ecr.transports.responder`)
through the shared codec (:func:`pytest_ecr.wire.respond`). They are installed once,
when the plugin loads, into botocore's list of handlers that every new session
registers (which is how they catch clients created anywhere, including at import time
of the code under test). While no fake is active they cost one ``is None`` check and
return ``None``, so botocore proceeds as if they were not there.
"""

from __future__ import annotations

import sys
import threading
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import botocore.auth
import botocore.endpoint
import botocore.handlers
import botocore.waiter
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from pytest_ecr.clock import SleepKind
from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from pytest_ecr.faults import ConnectionFault
from pytest_ecr.transports import responder
from pytest_ecr.transports.signer import signer_class
from pytest_ecr.wire import respond

if TYPE_CHECKING:
    from collections.abc import Iterator

SIGNATURE_VERSION = "pytest-ecr-v4"
_HANDLER_ID = "pytest-ecr"
# An answered request is marked so a second registration of the hook (a client both
# created after the plugin loaded and attach()ed) never answers it twice.
_ANSWERED = "_pytest_ecr_answered"
# After answering, the request's URL is replaced by this one so moto's before-send
# handler, which botocore calls after ours, cannot recognise an AWS request and write
# it into moto's state: an ECR request is answered by exactly one backend.
_ANSWERED_URL = "https://answered.pytest-ecr.invalid/"

# Set when the hook answered an ECR attempt in this thread: the retry sleep that botocore
# may take right after belongs to that attempt, and is virtual while the fake wants it.
_thread = threading.local()


class _RawBody:
    """The minimal urllib3-like body botocore reads an ``AWSResponse`` from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _choose_signer(signature_version: Any = None, **_: Any) -> str | None:
    if responder.active() is None or signature_version is UNSIGNED:
        return None
    return SIGNATURE_VERSION


class _TimeShim(ModuleType):
    """Stands in for the ``time`` module inside ``botocore.endpoint`` and ``botocore.waiter``.

    botocore sleeps its retry backoff (endpoint) and a waiter's poll interval (waiter)
    there with ``time.sleep``; while a fake is active and has just answered an ECR
    attempt in this thread, the delay goes to the fake's virtual clock instead, which
    moves the fake's time on by as much. Every other use falls through to the real module.
    """

    def __init__(self, kind: SleepKind) -> None:
        super().__init__("time")
        self._kind: SleepKind = kind

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        fake = responder.active()
        if fake is not None and getattr(_thread, "answered", False):
            _thread.answered = False
            fake.sleep(seconds, self._kind)
            return
        time.sleep(seconds)


_CONNECTION_ERRORS = {
    "reset": ConnectionClosedError,
    "timeout": ReadTimeoutError,
    "endpoint": EndpointConnectionError,
}


def _before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    fake = responder.active()
    if fake is None or getattr(request, _ANSWERED, False):
        return None
    if fake.http_endpoints and request.url.startswith(fake.http_endpoints):
        return None  # a client pointed at the fake's own HTTP server goes over the socket
    setattr(request, _ANSWERED, True)
    _thread.answered = True
    url = request.url
    body = request.body if isinstance(request.body, (bytes, str)) else None
    try:
        answer = respond(fake.answer, cast("Any", request.headers), body, transport="botocore")
    except ConnectionFault as fault:
        # Raised here, botocore's endpoint treats it as the socket failing: its retry
        # handler sees it exactly as it would see the real thing.
        raise _CONNECTION_ERRORS[fault.kind](endpoint_url=url) from None
    finally:
        if "moto" in sys.modules:
            request.url = _ANSWERED_URL
    return AWSResponse(url, answer.status, cast("Any", answer.headers), _RawBody(answer.body))


def _install() -> None:
    """Patch botocore, once per process; these are all the patches pytest-ecr makes:

    - ``botocore.auth.AUTH_TYPE_MAPS["pytest-ecr-v4"]``: the fake signer
      (:mod:`pytest_ecr.transports.signer`), chosen for ECR only while a fake is active;
    - ``botocore.endpoint.time`` and ``botocore.waiter.time``: shims whose ``sleep`` puts
      botocore's retry backoff and a waiter's poll interval on the active fake's clock
      right after the hook answered; every other use is ``time``'s;
    - ``botocore.handlers.BUILTIN_HANDLERS``: ``choose-signer.ecr`` and ``before-send.ecr``
      appended, so every session created from now on carries them;
    - the handlers registered on boto3's default session, if one was made before.

    The network guard (:func:`set_guard`) patches ``Endpoint._send`` when turned on.
    """
    botocore.auth.AUTH_TYPE_MAPS[SIGNATURE_VERSION] = signer_class()
    for module, kind in ((botocore.endpoint, "backoff"), (botocore.waiter, "waiter")):
        patched: Any = module
        if not isinstance(patched.time, _TimeShim):
            patched.time = _TimeShim(cast("SleepKind", kind))
    builtin = botocore.handlers.BUILTIN_HANDLERS
    for spec in (("choose-signer.ecr", _choose_signer), ("before-send.ecr", _before_send)):
        if spec not in builtin:
            builtin.append(spec)
    # A boto3 default session made before this import never saw the list above.
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if default is not None:
        default._session.register(
            "choose-signer.ecr", _choose_signer, unique_id=f"{_HANDLER_ID}-signer"
        )
        default._session.register("before-send.ecr", _before_send, unique_id=f"{_HANDLER_ID}-send")


def attach(client: Any) -> None:
    """Route *client*'s ECR requests through the hook.

    Needed only for a client whose botocore session was created before pytest-ecr was
    imported; attaching a client that already has the hook is harmless.
    """
    events = client.meta.events
    if client.meta.service_model.service_id.hyphenize() != "ecr":
        raise TypeError(
            f"attach() takes an ECR client, got a {client.meta.service_model.service_name!r} client"
        )
    events.register("choose-signer.ecr", _choose_signer, unique_id=f"{_HANDLER_ID}-signer")
    events.register("before-send.ecr", _before_send, unique_id=f"{_HANDLER_ID}-send")


class EcrNetworkGuardError(RuntimeError):
    """An ECR request was about to leave the process while no fake was active."""


_real_send: Any = None


def _guarded_send(endpoint: Any, request: AWSPreparedRequest) -> Any:
    target = request.headers.get("X-Amz-Target") or b""
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    if target.startswith("AmazonEC2ContainerRegistry_V20150921.") and not _is_loopback(request.url):
        raise EcrNetworkGuardError(
            f"pytest-ecr's network guard stopped an ECR request to {request.url} "
            f"({target.partition('.')[2]}): no fake ECR is active in this test. Request the "
            "`ecr` fixture or use an ecr_* marker; or turn the guard off (--ecr-guard=off / "
            "ini ecr_guard = false) if the test really means to call AWS."
        )
    return _real_send(endpoint, request)


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def set_guard(enabled: bool) -> None:
    """Refuse (or allow again) ECR requests that would go to a non-loopback host.

    The guard sits where botocore would open a socket, after every ``before-send``
    handler had its chance, so an active fake or moto's ``mock_aws`` still answers.
    """
    global _real_send
    endpoint_class: Any = botocore.endpoint.Endpoint
    if enabled and _real_send is None:
        _real_send = endpoint_class._send
        endpoint_class._send = _guarded_send
    elif not enabled and _real_send is not None:
        endpoint_class._send = _real_send
        _real_send = None


_session: Any = None
_session_lock = threading.Lock()


def create_client(region: str, config: Any = None) -> Any:
    """A boto3 ECR client with the fake credentials, from one shared session.

    Sharing the session means ECR's service model and endpoint rules are loaded once per
    process rather than once per client (a new session costs tens of milliseconds).
    Creation is serialised: botocore does not promise thread-safe client creation.
    """
    global _session
    with _session_lock:
        if _session is None:
            import boto3.session

            _session = boto3.session.Session()
        return _session.client(
            "ecr",
            region_name=region,
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
            config=config,
        )


# Installed at import: the plugin imports this module when pytest loads it, before any
# test module (and so before any client the code under test creates at import time).
_install()

__all__ = ["EcrNetworkGuardError", "attach", "create_client", "set_guard"]
