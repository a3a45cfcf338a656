"""The in-process transport: answer ECR requests at botocore's ``before-send`` event.

Answering there keeps botocore's whole pipeline in the loop: parameter validation,
serialisation, signing, the retry handler and response parsing run exactly as they do
against AWS; only the socket is replaced.

This module holds the project's one module-level mutable singleton, the *active fake*.
The hook is installed once, when the plugin loads, into botocore's list of handlers that
every new session registers (which is how it catches clients created anywhere, including
at import time of the code under test). While no fake is active the handlers cost one
``is None`` check and return ``None``, so botocore proceeds as if they were not there.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import botocore.auth
import botocore.endpoint
import botocore.handlers
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from pytest_ecr.faults import ConnectionFault

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_ecr.fake import FakeEcr

#: Credentials every intercepted ECR request is signed with while a fake is active.
FAKE_ACCESS_KEY = "AKIAPYTESTECR0000000"
FAKE_SECRET_KEY = "pytest-ecr/fake/secret/key/never/valid/00"
# Long-term (IAM user style) keys: no session token, so one header less to sign.
FAKE_CREDENTIALS = ReadOnlyCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, None)

SIGNATURE_VERSION = "pytest-ecr-v4"
_HANDLER_ID = "pytest-ecr"
# An answered request is marked so a second registration of the hook (a client both
# created after the plugin loaded and attach()ed) never answers it twice.
_ANSWERED = "_pytest_ecr_answered"
# After answering, the request's URL is replaced by this one so moto's before-send
# handler, which botocore calls after ours, cannot recognise an AWS request and write
# it into moto's state: an ECR request is answered by exactly one backend.
_ANSWERED_URL = "https://answered.pytest-ecr.invalid/"

_active: FakeEcr | None = None
_lock = threading.Lock()
# Set when the hook answered an ECR attempt in this thread: the retry sleep that botocore
# may take right after belongs to that attempt, and is virtual while the fake wants it.
_thread = threading.local()


# SigV4 signing keys of the fake secret by (date, region, service): a key depends on
# nothing else, so it is derived once a day per scope instead of with four HMACs a request.
_SIGNING_KEYS: dict[tuple[str, str, str], bytes] = {}
# Host header values by URL, as botocore derives them (lowercase, default port dropped).
_HOSTS: dict[str, str] = {}
_UNSIGNED_HEADERS = frozenset(botocore.auth.SIGNED_HEADERS_BLACKLIST)
_botocore_auth: Any = botocore.auth  # its private helpers are not in botocore's stubs


class _FakeCredentialsAuth(botocore.auth.SigV4Auth):
    """SigV4 with the fake's credentials, whatever the client was created with.

    It writes byte for byte the ``Authorization`` header botocore's ``SigV4Auth`` writes
    (a test compares the two over many request shapes), with less work: the headers to
    sign are read once from the raw header list instead of twice through the email
    parser's policy, and the signing key is derived once per scope. A request outside the
    common shape (a header value that is not ASCII text, a streamed or unsigned payload)
    is signed by botocore's own code.
    """

    def __init__(self, credentials: Any, service_name: str, region_name: str) -> None:
        del credentials  # real credentials never sign a request the fake answers
        super().__init__(FAKE_CREDENTIALS, service_name, region_name)

    def signature(self, string_to_sign: str, request: Any) -> str:
        """The same signature as SigV4's, from a signing key derived once per scope."""
        auth: Any = self  # SigV4Auth's private members are not in botocore's stubs
        scope = (request.context["timestamp"][0:8], auth._region_name, auth._service_name)
        key = _SIGNING_KEYS.get(scope)
        if key is None:
            key = f"AWS4{FAKE_SECRET_KEY}".encode()
            for part in (*scope, "aws4_request"):
                key = auth._sign(key, part)
            if len(_SIGNING_KEYS) > 64:
                _SIGNING_KEYS.clear()
            _SIGNING_KEYS[scope] = key
        return cast("str", auth._sign(key, string_to_sign, hex=True))

    def add_auth(self, request: Any) -> None:
        auth: Any = self
        if not self._common_shape(request):
            super().add_auth(request)  # botocore's canonical request; our signature()
            return
        request.context["timestamp"] = _botocore_auth.get_current_datetime().strftime(
            botocore.auth.SIGV4_TIMESTAMP
        )
        auth._modify_request_before_signing(request)  # X-Amz-Date; an old signature goes
        signed = self._headers_to_sign(request)
        names = sorted(signed)
        canonical_headers = "\n".join(
            f"{name}:{','.join(' '.join(v.split()) for v in signed[name])}" for name in names
        )
        signed_headers = ";".join(names)
        data = request.data
        payload = hashlib.sha256(data).hexdigest() if data else botocore.auth.EMPTY_SHA256_HASH
        path = auth._normalize_url_path(urlsplit(request.url).path)
        canonical = "\n".join(
            (
                request.method.upper(),
                path,
                auth.canonical_query_string(request),
                canonical_headers + "\n",
                signed_headers,
                payload,
            )
        )
        timestamp = request.context["timestamp"]
        scope = f"{timestamp[0:8]}/{auth._region_name}/{auth._service_name}/aws4_request"
        string_to_sign = (
            f"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n"
            f"{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
        )
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/{scope}, "
            f"SignedHeaders={signed_headers}, "
            f"Signature={self.signature(string_to_sign, request)}"
        )

    def _common_shape(self, request: Any) -> bool:
        """Whether the short path signs *request* as botocore would: ASCII text headers
        in botocore's raw header list, and a body of bytes hashed whole into the
        signature (no streamed, unsigned or pre-hashed payload)."""
        auth: Any = self
        raw = getattr(request.headers, "_headers", None)
        return (
            isinstance(raw, list)
            and all(type(value) is str and value.isascii() for _, value in raw)
            and type(request.data) is bytes
            and "X-Amz-Content-SHA256" not in request.headers
            and not auth._is_streaming_checksum_payload(request)
            and auth._should_sha256_sign_payload(request)
        )

    @staticmethod
    def _headers_to_sign(request: Any) -> dict[str, list[str]]:
        """Lowercase name -> values of the headers SigV4 signs, ``host`` included."""
        signed: dict[str, list[str]] = {}
        for name, value in request.headers._headers:
            lname = name.lower()
            if lname not in _UNSIGNED_HEADERS:
                signed.setdefault(lname, []).append(value)
        if "host" not in signed:
            url = request.url
            host = _HOSTS.get(url)
            if host is None:
                host = _botocore_auth._host_from_url(url)
                if len(_HOSTS) > 256:
                    _HOSTS.clear()
                _HOSTS[url] = host
            signed["host"] = [host]
        return signed


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
    if _active is None or signature_version is UNSIGNED:
        return None
    return SIGNATURE_VERSION


class _TimeShim(ModuleType):
    """Stands in for the ``time`` module inside ``botocore.endpoint``.

    botocore sleeps its retry backoff there with ``time.sleep``; while a fake is active
    and has just answered an ECR attempt in this thread, the delay goes to the fake's
    virtual clock instead. Every other use falls through to the real module.
    """

    def __init__(self) -> None:
        super().__init__("time")

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        fake = _active
        if fake is not None and getattr(_thread, "answered", False):
            _thread.answered = False
            fake.clock.sleep(seconds, "backoff")
            return
        time.sleep(seconds)


_CONNECTION_ERRORS = {
    "reset": ConnectionClosedError,
    "timeout": ReadTimeoutError,
    "endpoint": EndpointConnectionError,
}


def _before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    fake = _active
    if fake is None or getattr(request, _ANSWERED, False):
        return None
    if fake.http_endpoints and request.url.startswith(fake.http_endpoints):
        return None  # a client pointed at the fake's own HTTP server goes over the socket
    setattr(request, _ANSWERED, True)
    _thread.answered = True
    url = request.url
    body = request.body if isinstance(request.body, (bytes, str)) else None
    try:
        answer = fake.respond(cast("Any", request.headers), body, transport="botocore")
    except ConnectionFault as fault:
        # Raised here, botocore's endpoint treats it as the socket failing: its retry
        # handler sees it exactly as it would see the real thing.
        raise _CONNECTION_ERRORS[fault.kind](endpoint_url=url) from None
    finally:
        if "moto" in sys.modules:
            request.url = _ANSWERED_URL
    return AWSResponse(url, answer.status, cast("Any", answer.headers), _RawBody(answer.body))


def _install() -> None:
    botocore.auth.AUTH_TYPE_MAPS[SIGNATURE_VERSION] = _FakeCredentialsAuth
    endpoint_module: Any = botocore.endpoint
    if not isinstance(endpoint_module.time, _TimeShim):
        endpoint_module.time = _TimeShim()
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


def activate(fake: FakeEcr) -> None:
    """Make *fake* answer every ECR request in this process."""
    global _active
    with _lock:
        if _active is not None and _active is not fake:
            raise RuntimeError(
                "another pytest-ecr fake is already active in this process; "
                "deactivate it first (fakes do not nest)"
            )
        _active = fake


def deactivate(fake: FakeEcr) -> None:
    global _active
    with _lock:
        if _active is fake:
            _active = None


def active() -> FakeEcr | None:
    """The fake answering ECR requests now, if any."""
    return _active


# Installed at import: the plugin imports this module when pytest loads it, before any
# test module (and so before any client the code under test creates at import time).
_install()

__all__ = [
    "FAKE_CREDENTIALS",
    "EcrNetworkGuardError",
    "activate",
    "active",
    "attach",
    "deactivate",
    "set_guard",
]
