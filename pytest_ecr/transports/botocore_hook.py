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

Credentials: botocore's ``RequestSigner`` freezes the client's credentials before it
builds any signer (``get_auth_instance`` calls ``get_frozen_credentials()``), and freezing
refreshable credentials runs their provider: an STS AssumeRole for an assume-role profile,
the ``credential_process``, an SSO GetRoleCredentials. So:

- while a fake is active, ECR and ECR Public requests get the fake's signer, which
  declares ``REQUIRES_IDENTITY_CACHE``; ``get_auth_instance`` then takes its credentials
  from the request's identity cache, which the ``choose-signer`` handler sets to the
  fake's static keys (:class:`~pytest_ecr.transports.signer.FakeIdentity`), instead of
  freezing the client's;
- a request the network guard will stop is handed the fake's keys as its
  ``request_credentials`` at ``before-sign`` (botocore's per-request credentials);
- a client created during a fake from a session made earlier gets the fake's keys instead
  of resolving the session's (``Session.create_client`` would run the provider chain
  against the profile the session read before the fake).

No provider runs while a fake is active, and nothing is signed with a real key for it.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import botocore.auth
import botocore.endpoint
import botocore.handlers
import botocore.session
import botocore.signers
import botocore.waiter
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from pytest_ecr.clock import SleepKind
from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from pytest_ecr.faults import ConnectionFault
from pytest_ecr.transports import ensure_async_hook, guard, responder
from pytest_ecr.transports.guard import EcrNetworkGuardError, set_guard
from pytest_ecr.transports.signer import FAKE_IDENTITY, REQUEST_CREDENTIALS, signer_class
from pytest_ecr.wire import respond

if TYPE_CHECKING:
    from collections.abc import Iterator

SIGNATURE_VERSION = "pytest-ecr-v4"
_HANDLER_ID = "pytest-ecr"
# An answered request is marked so a second registration of the hook (a client both
# created after the plugin loaded and attach()ed) never answers it twice.
_ANSWERED = "_pytest_ecr_answered"
# A request the hook saw: the guard's message tells a client that predates the plugin.
_SEEN = "_pytest_ecr_seen"
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


def _choose_signer(
    signature_version: Any = None, context: dict[str, Any] | None = None, **_: Any
) -> str | None:
    """While a fake is active, the fake's signer, with the identity cache it takes its
    credentials from (so botocore never freezes the client's own)."""
    if responder.active() is None or signature_version is UNSIGNED or context is None:
        return None
    signing = context.get("signing") or {}
    context["signing"] = {**signing, "identity_cache": FAKE_IDENTITY, "cache_key": _HANDLER_ID}
    return SIGNATURE_VERSION


def _moto_mocking() -> bool:
    """Whether moto's ``mock_aws`` may answer at ``before-send`` (then a request is
    signed as moto expects it: moto tells accounts apart by access key)."""
    if "moto" not in sys.modules:
        return False
    stubber = getattr(sys.modules.get("moto.core.models"), "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", True))  # unknown: assume it may answer


# Whether botocore's signer takes per-request credentials (botocore >= 1.34.6x).
_REQUEST_CREDENTIALS = (
    "request_credentials"
    in inspect.signature(botocore.signers.RequestSigner.get_auth_instance).parameters
)


def _before_sign(request: Any, **_: Any) -> None:
    """A request the guard will stop is signed with the fake's keys, not the client's:
    botocore then freezes (refreshes) no credentials of its own, and a machine without
    any gets the guard's error rather than ``NoCredentialsError``. (A botocore without
    per-request credentials is stopped here, before signing, instead.)"""
    if responder.active() is not None or not guard.stops(request.url) or _moto_mocking():
        return  # a fake's own signer (see _choose_signer), or a request that may go out
    if not _REQUEST_CREDENTIALS:
        raise EcrNetworkGuardError(
            guard.stopped_message(_target(request), request.url, fake_active=False, hooked=True)
        )
    context = request.context
    signing = context.get("signing") or {}
    context["signing"] = {**signing, "request_credentials": REQUEST_CREDENTIALS}


def _target(request: Any) -> str:
    target = request.headers.get("X-Amz-Target") or b""
    return target.decode("latin-1") if isinstance(target, bytes) else str(target)


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
    setattr(request, _SEEN, True)
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


# The handlers every session gets: (event, handler, unique id for a late registration).
_HANDLERS = (
    ("choose-signer.ecr", _choose_signer, f"{_HANDLER_ID}-signer"),
    ("choose-signer.ecr-public", _choose_signer, f"{_HANDLER_ID}-signer-public"),
    ("before-sign.ecr", _before_sign, f"{_HANDLER_ID}-sign"),
    ("before-sign.ecr-public", _before_sign, f"{_HANDLER_ID}-sign-public"),
    ("before-send.ecr", _before_send, f"{_HANDLER_ID}-send"),
)
# The services whose clients, created during a fake, get the fake's keys.
_FAKE_KEYED = frozenset({"ecr", "ecr-public"})


def _install() -> None:
    """Patch botocore, once per process; these are all the patches pytest-ecr makes:

    - ``botocore.auth.AUTH_TYPE_MAPS["pytest-ecr-v4"]``: the fake signer
      (:mod:`pytest_ecr.transports.signer`), chosen for ECR only while a fake is active;
    - ``botocore.endpoint.time`` and ``botocore.waiter.time``: shims whose ``sleep`` puts
      botocore's retry backoff and a waiter's poll interval on the active fake's clock
      right after the hook answered; every other use is ``time``'s;
    - ``botocore.handlers.BUILTIN_HANDLERS``: ``choose-signer`` and ``before-sign`` for
      ``ecr`` and ``ecr-public``, and ``before-send.ecr``, appended (:data:`_HANDLERS`),
      so every session created from now on carries them;
    - the same handlers registered on boto3's default session, if one was made before;
    - ``botocore.endpoint.Endpoint._send``: the network guard (:mod:`.guard`), which
      stops an ECR or ECR Public request about to open a socket to AWS while the guard
      is on; otherwise it calls botocore's own;
    - ``botocore.session.Session.create_client``: an ECR or ECR Public client created
      while a fake is active, with no keys given, gets the fake's keys instead of running
      the session's credential providers; otherwise it is botocore's own.
    """
    botocore.auth.AUTH_TYPE_MAPS[SIGNATURE_VERSION] = signer_class()
    for module, kind in ((botocore.endpoint, "backoff"), (botocore.waiter, "waiter")):
        patched: Any = module
        if not isinstance(patched.time, _TimeShim):
            patched.time = _TimeShim(cast("SleepKind", kind))
    builtin = botocore.handlers.BUILTIN_HANDLERS
    for event, handler, _ in _HANDLERS:
        if (event, handler) not in builtin:
            builtin.append((event, handler))
    # A boto3 default session made before this import never saw the list above.
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if default is not None:
        _register(default._session)
    endpoint_class: Any = botocore.endpoint.Endpoint
    session_class: Any = botocore.session.Session
    global _real_send, _real_create_client
    if _real_send is None:
        _real_send, endpoint_class._send = endpoint_class._send, _guarded_send
    if _real_create_client is None:
        _real_create_client = session_class.create_client
        session_class.create_client = _create_client


def _register(events: Any) -> None:
    for event, handler, unique_id in _HANDLERS:
        events.register(event, handler, unique_id=unique_id)


def attach(client: Any) -> None:
    """Route *client*'s ECR requests through the hook.

    Needed only for a client whose botocore session was created before pytest-ecr was
    imported; attaching a client that already has the hook is harmless.
    """
    if client.meta.service_model.service_id.hyphenize() != "ecr":
        raise TypeError(
            f"attach() takes an ECR client, got a {client.meta.service_model.service_name!r} client"
        )
    _register(client.meta.events)


_real_send: Any = None
_real_create_client: Any = None


def check_guard(request: AWSPreparedRequest) -> None:
    """Raise :class:`EcrNetworkGuardError` if *request*, about to open a socket, is an ECR
    or ECR Public request the guard stops (shared with the aiobotocore hook)."""
    target = _target(request)
    if target.partition(".")[0] in guard.SERVICES and guard.stops(request.url):
        raise EcrNetworkGuardError(
            guard.stopped_message(
                target,
                request.url,
                fake_active=responder.active() is not None,
                hooked=getattr(request, _SEEN, False),
            )
        )


def _guarded_send(endpoint: Any, request: AWSPreparedRequest) -> Any:
    check_guard(request)
    return _real_send(endpoint, request)


def _create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
    call = fake_keyed(_real_create_client, session, service_name, *args, **kwargs)
    if call is None:
        return _real_create_client(session, service_name, *args, **kwargs)
    return _real_create_client(*call.args, **call.kwargs)


@functools.lru_cache(maxsize=8)
def _signature(create: Any) -> inspect.Signature:
    # Of the session's create_client (botocore's, aiobotocore's): worked out once each.
    return inspect.signature(create)


def fake_keyed(
    create: Any, session: Any, service_name: str, *args: Any, **kwargs: Any
) -> inspect.BoundArguments | None:
    """The arguments of a ``create(session, service_name, ...)`` call with the fake's keys
    in place of none, or ``None`` to call it unchanged (no fake active, another service).
    Shared with the aiobotocore hook, whose session creates clients another way."""
    if responder.active() is None or service_name not in _FAKE_KEYED:
        return None
    call = _signature(create).bind(session, service_name, *args, **kwargs)
    given = call.arguments
    config = given.get("config")
    no_keys = given.get("aws_access_key_id") is None and given.get("aws_secret_access_key") is None
    if no_keys and getattr(config, "signature_version", None) is not UNSIGNED:
        # The session's own credentials would be resolved now, from its profile as it was
        # read before the fake; the fake's requests are signed with its keys anyway.
        given["aws_access_key_id"] = FAKE_ACCESS_KEY
        given["aws_secret_access_key"] = FAKE_SECRET_KEY
        given["aws_session_token"] = None
    return call


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
# aiobotocore's sessions register these handlers too: arm the async hook, which swaps in
# awaitable ones (now if aiobotocore is loaded, else when it is; nothing imported before).
ensure_async_hook()

__all__ = ["EcrNetworkGuardError", "attach", "create_client", "set_guard"]
