"""The in-process transport for aiobotocore (and aioboto3, which creates its clients
through it): the botocore hook's answers, awaitable.

aiobotocore runs botocore's pipeline with its own event emitter, which awaits whatever a
handler returns, and reads a response's body with ``await``. Its sessions register
botocore's built-in handlers, pytest-ecr's among them (see
:mod:`pytest_ecr.transports.botocore_hook`), and swap the ones it has async versions of
through ``aiobotocore.hooks._HANDLER_MAPPING``. This module adds pytest-ecr's handlers to
that mapping, so an aiobotocore client gets these instead:

- ``choose-signer``: the fake's signer, with an identity cache whose ``get_credentials``
  is awaitable, as aiobotocore's signer awaits it (the client's own credentials are never
  frozen, so no credential provider runs);
- ``before-sign``: a request the guard will stop is handed the fake's keys as aiobotocore
  credentials;
- ``before-send``: the fake's answer as an ``AioAWSResponse`` whose body is read with
  ``await``; the decoding and answering run in a worker thread (``asyncio.to_thread``), so
  a fake with real time (``--ecr-real-time``) sleeps an injected latency without
  stopping the event loop. An injected connection fault is raised as the botocore error
  aiobotocore's aiohttp session raises for that failure, wrapping the aiohttp error it
  wraps (``ServerDisconnectedError``, ``ServerTimeoutError``, ``ClientConnectorError``).

Everything else is patched once, when ``aiobotocore.session`` has been imported
(:func:`pytest_ecr.transports.ensure_async_hook`); nothing here runs, and aiobotocore is
not imported, for a suite that never imports it. The patches are listed in
:func:`_install`. The call history names these requests' transport ``"aiobotocore"``.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import sys
from types import ModuleType
from typing import Any, cast

import aiobotocore.credentials
import aiobotocore.endpoint
import aiobotocore.hooks
import aiobotocore.session
import aiobotocore.waiter
import aiohttp
from aiobotocore.awsrequest import AioAWSResponse
from botocore import UNSIGNED
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from pytest_ecr.clock import SleepKind
from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from pytest_ecr.faults import ConnectionFault
from pytest_ecr.transports import botocore_hook, guard, responder
from pytest_ecr.wire import respond

# The botocore hook's private names used here are its handlers and request markers: the
# two hooks share them so that either one answers a request, never both.

#: What the call history says carried these requests (``Call.transport``).
TRANSPORT = "aiobotocore"

#: The fake's keys as aiobotocore credentials (its signer awaits their freezing).
ASYNC_CREDENTIALS = aiobotocore.credentials.AioCredentials(
    FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-ecr"
)

# Whether the hook answered the last ECR attempt of this task: the retry sleep that
# aiobotocore may take right after belongs to that attempt. A context variable, not a
# thread-local: many tasks share the event loop's thread, each in a context of its own.
_answered: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "pytest_ecr_answered", default=False
)


class AsyncFakeIdentity:
    """The identity cache aiobotocore's signer asks (with ``await``) for the fake signer's
    credentials: always the fake's keys, so the client's own are never frozen."""

    async def get_credentials(self, key: object) -> Any:
        """The fake's keys, whatever *key*."""
        del key
        return ASYNC_CREDENTIALS


_IDENTITY = AsyncFakeIdentity()


def _choose_signer(
    signature_version: Any = None, context: dict[str, Any] | None = None, **_: Any
) -> str | None:
    if responder.active() is None or signature_version is UNSIGNED or context is None:
        return None
    signing = context.get("signing") or {}
    context["signing"] = {
        **signing,
        "identity_cache": _IDENTITY,
        "cache_key": botocore_hook._HANDLER_ID,
    }
    return botocore_hook.SIGNATURE_VERSION


def _before_sign(request: Any, **_: Any) -> None:
    if responder.active() is not None or not guard.stops(request.url):
        return
    if botocore_hook._moto_mocking():
        return
    context = request.context
    signing = context.get("signing") or {}
    context["signing"] = {**signing, "request_credentials": ASYNC_CREDENTIALS}


class _RawBody:
    """The body an ``AioAWSResponse`` reads with ``await raw.read()``."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _connection_error(kind: str, request: Any) -> Exception:
    """The botocore error aiobotocore's aiohttp session raises for a dropped connection
    (*kind* ``reset``), a read timeout (``timeout``) or a refused one (``endpoint``),
    wrapping the aiohttp error it would wrap."""
    url = request.url
    if kind == "reset":
        return ConnectionClosedError(
            error=aiohttp.ServerDisconnectedError(), request=request, endpoint_url=url
        )
    if kind == "timeout":
        error = aiohttp.ServerTimeoutError("Timeout on reading data from socket")
        return ReadTimeoutError(endpoint_url=url, error=error)
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")
    return EndpointConnectionError(endpoint_url=url, error=_connector_error(url, refused))


def _connector_error(url: str, cause: OSError) -> Exception:
    """aiohttp's ``ClientConnectorError`` for *url*, or its base class if this aiohttp's
    connection key cannot be built here."""
    try:
        from aiohttp.client_reqrep import ConnectionKey
        from yarl import URL

        parsed = URL(url)
        fields: dict[str, Any] = dict.fromkeys(ConnectionKey._fields)
        fields.update(host=parsed.host, port=parsed.port, is_ssl=parsed.scheme == "https")
        fields.update(ssl=True, proxy_headers_hash=None)
        error: Exception = aiohttp.ClientConnectorError(ConnectionKey(**fields), cause)
    except Exception:  # a changed ConnectionKey: the message matters, not the class
        error = aiohttp.ClientConnectionError(f"Cannot connect to host {url}: {cause}")
    return error


async def _before_send(request: Any, **_: Any) -> AioAWSResponse | None:
    setattr(request, botocore_hook._SEEN, True)
    fake = responder.active()
    if fake is None or getattr(request, botocore_hook._ANSWERED, False):
        return None
    if fake.http_endpoints and request.url.startswith(fake.http_endpoints):
        _answered.set(False)
        return None  # a client pointed at the fake's own HTTP server goes over the socket
    setattr(request, botocore_hook._ANSWERED, True)
    _answered.set(True)
    url = request.url
    body = request.body if isinstance(request.body, (bytes, str)) else None
    headers = cast("Any", request.headers)
    try:
        answer = await asyncio.to_thread(respond, fake.answer, headers, body, transport=TRANSPORT)
    except ConnectionFault as fault:
        # Raised here, aiobotocore's endpoint takes it for the socket failing: its retry
        # handler sees what it would see from aiohttp.
        raise _connection_error(fault.kind, request) from None
    finally:
        if "moto" in sys.modules:
            request.url = botocore_hook._ANSWERED_URL
    return AioAWSResponse(url, answer.status, cast("Any", answer.headers), _RawBody(answer.body))


class _AsyncioShim(ModuleType):
    """Stands in for ``asyncio`` inside ``aiobotocore.endpoint`` and ``aiobotocore.waiter``.

    aiobotocore sleeps its retry backoff (endpoint) and a waiter's poll interval (waiter)
    there with ``asyncio.sleep``; right after the hook answered an ECR attempt of this
    task, the delay goes to the active fake's clock instead (in a worker thread, so a fake
    with real time sleeps it without stopping the loop), and the task still yields to the
    loop once, as ``asyncio.sleep`` does. Every other use falls through to ``asyncio``.
    """

    def __init__(self, kind: SleepKind) -> None:
        super().__init__("asyncio")
        self._kind: SleepKind = kind

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        fake = responder.active()
        if fake is not None and _answered.get():
            _answered.set(False)
            await asyncio.to_thread(fake.sleep, delay, self._kind)
            return await asyncio.sleep(0, result)
        return await asyncio.sleep(delay, result)


_real_send: Any = None
_real_create_client: Any = None


async def _guarded_send(endpoint: Any, request: Any) -> Any:
    # A request of any service that goes to a socket: its retry sleep is real.
    _answered.set(False)
    botocore_hook.check_guard(request)
    return await _real_send(endpoint, request)


async def _create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
    call = botocore_hook.fake_keyed(_real_create_client, session, service_name, *args, **kwargs)
    if call is None:
        return await _real_create_client(session, service_name, *args, **kwargs)
    return await _real_create_client(*call.args, **call.kwargs)


# The botocore hook's handlers, and what an aiobotocore session registers in their place.
_ASYNC_HANDLERS: tuple[tuple[Any, Any], ...] = (
    (botocore_hook._choose_signer, _choose_signer),
    (botocore_hook._before_sign, _before_sign),
    (botocore_hook._before_send, _before_send),
)


def _install() -> None:
    """Patch aiobotocore, once per process; these are all the patches made to it:

    - ``aiobotocore.hooks._HANDLER_MAPPING``: the botocore hook's ``choose-signer``,
      ``before-sign`` and ``before-send`` handlers map to this module's, so every
      aiobotocore session (and :func:`~pytest_ecr.transports.botocore_hook.attach` on an
      aiobotocore client) registers these;
    - ``aiobotocore.endpoint.asyncio`` and ``aiobotocore.waiter.asyncio``: shims whose
      ``sleep`` puts the retry backoff and a waiter's poll interval on the active fake's
      clock right after the hook answered (:class:`_AsyncioShim`);
    - ``aiobotocore.endpoint.AioEndpoint._send``: the network guard, as for botocore's
      ``Endpoint._send`` (aiobotocore's endpoint does not call that one);
    - ``aiobotocore.session.AioSession._create_client``: an ECR or ECR Public client
      created while a fake is active, with no keys given, gets the fake's keys instead of
      running the session's credential providers.
    """
    mapping: dict[Any, Any] = cast("Any", aiobotocore.hooks)._HANDLER_MAPPING
    for sync, async_ in _ASYNC_HANDLERS:
        mapping[sync] = async_
    for module, kind in ((aiobotocore.endpoint, "backoff"), (aiobotocore.waiter, "waiter")):
        patched: Any = module
        if not isinstance(patched.asyncio, _AsyncioShim):
            patched.asyncio = _AsyncioShim(cast("SleepKind", kind))
    endpoint_class: Any = aiobotocore.endpoint.AioEndpoint
    session_class: Any = aiobotocore.session.AioSession
    global _real_send, _real_create_client
    if _real_send is None:
        _real_send, endpoint_class._send = endpoint_class._send, _guarded_send
    if _real_create_client is None:
        _real_create_client = session_class._create_client
        session_class._create_client = _create_client


# Installed at import, which happens once aiobotocore.session is loaded (see above).
_install()

__all__ = ["ASYNC_CREDENTIALS", "TRANSPORT", "AsyncFakeIdentity"]
