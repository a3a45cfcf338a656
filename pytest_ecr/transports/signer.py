"""SigV4 with the fake's credentials, whatever the client was created with.

:class:`FastFakeSigner` writes byte for byte the ``Authorization`` header botocore's
``SigV4Auth`` writes (``tests/transports/test_signer.py`` compares the two over many
request shapes) with less work: the headers to sign are read once from the raw header
list instead of twice through the email parser's policy, and the signing key is derived
once per scope instead of with four HMACs a request. A request outside the common shape
(a header value that is not ASCII text, a streamed or unsigned payload) is signed by
botocore's own code.

It relies on botocore internals, all named in :data:`BOTOCORE_INTERNALS`. :func:`signer_class`
checks at start-up that they exist and that the short path builds the same canonical
request as botocore for a typical ECR request; when either fails (a botocore release moved
something), the plain :class:`FakeSigner`, botocore's own SigV4 with the fake keys, is
used instead. Correctness never depends on the short path.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast
from urllib.parse import urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

#: The fake's credentials as botocore takes them: long-term keys (no session token, so
#: one header less to sign).
FAKE_CREDENTIALS = ReadOnlyCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, None)

#: The same keys as a botocore credentials object: static, so freezing them runs no
#: credential provider, whatever the client itself was created with.
REQUEST_CREDENTIALS = Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-ecr")


class FakeIdentity:
    """The identity cache botocore's ``RequestSigner`` asks for a signer's credentials.

    botocore freezes the client's credentials before it builds a signer, unless the signer
    class says ``REQUIRES_IDENTITY_CACHE``: then ``get_auth_instance`` takes them from the
    request's ``context["signing"]["identity_cache"]`` instead (the hook S3 Express uses,
    in every botocore pytest-ecr supports). The fake's signers say so, and this cache
    always answers the fake's keys: the client's own credentials are never frozen, so
    their provider never runs.
    """

    def get_credentials(self, key: object) -> Credentials:
        """The fake's keys, whatever *key*."""
        del key
        return REQUEST_CREDENTIALS


#: The one identity cache the hook puts in a request's signing context.
FAKE_IDENTITY = FakeIdentity()

#: Every botocore name the short path uses that botocore does not document.
BOTOCORE_INTERNALS: tuple[tuple[Any, str], ...] = (
    (botocore.auth, "get_current_datetime"),
    (botocore.auth, "_host_from_url"),
    (botocore.auth, "SIGNED_HEADERS_BLACKLIST"),
    (botocore.auth, "SIGV4_TIMESTAMP"),
    (botocore.auth, "EMPTY_SHA256_HASH"),
    (botocore.auth.SigV4Auth, "_sign"),
    (botocore.auth.SigV4Auth, "_modify_request_before_signing"),
    (botocore.auth.SigV4Auth, "_normalize_url_path"),
    (botocore.auth.SigV4Auth, "_is_streaming_checksum_payload"),
    (botocore.auth.SigV4Auth, "_should_sha256_sign_payload"),
    (botocore.auth.SigV4Auth, "canonical_query_string"),
    (botocore.auth.SigV4Auth, "canonical_request"),
)

_botocore_auth: Any = botocore.auth  # its private helpers are not in botocore's stubs


class FakeSigner(botocore.auth.SigV4Auth):
    """botocore's own SigV4, always with the fake's credentials."""

    #: Take credentials from the request's identity cache (:class:`FakeIdentity`), so
    #: botocore does not freeze (and refresh) the client's own first.
    REQUIRES_IDENTITY_CACHE = True

    def __init__(
        self, credentials: Any, service_name: str, region_name: str, identity_cache: Any = None
    ) -> None:
        del credentials, identity_cache  # real credentials never sign what the fake answers
        super().__init__(FAKE_CREDENTIALS, service_name, region_name)


class FastFakeSigner(FakeSigner):
    """:class:`FakeSigner`'s header, computed with less work (see the module's text)."""

    # Signing keys of the fake secret by (date, region, service): a key depends on nothing
    # else. Bounded, and correct whatever it holds: the key is a pure function of its key.
    _keys: dict[tuple[str, str, str], bytes] = {}

    def signature(self, string_to_sign: str, request: Any) -> str:
        """The same signature as SigV4's, from a signing key derived once per scope."""
        auth: Any = self  # SigV4Auth's private members are not in botocore's stubs
        scope = (request.context["timestamp"][0:8], auth._region_name, auth._service_name)
        key = self._keys.get(scope)
        if key is None:
            key = f"AWS4{FAKE_SECRET_KEY}".encode()
            for part in (*scope, "aws4_request"):
                key = auth._sign(key, part)
            if len(self._keys) > 64:
                self._keys.clear()
            self._keys[scope] = key
        return cast("str", auth._sign(key, string_to_sign, hex=True))

    def add_auth(self, request: Any) -> None:
        """Sign *request* (botocore's own code for an uncommon request shape)."""
        if not self.common_shape(request):
            super().add_auth(request)  # botocore's canonical request; our signature()
            return
        auth: Any = self
        request.context["timestamp"] = _botocore_auth.get_current_datetime().strftime(
            botocore.auth.SIGV4_TIMESTAMP
        )
        auth._modify_request_before_signing(request)  # X-Amz-Date; an old signature goes
        canonical, signed_headers = self.canonical(request)
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

    def canonical(self, request: Any) -> tuple[str, str]:
        """The canonical request of a common-shaped *request* and its signed headers."""
        auth: Any = self
        signed = _headers_to_sign(request)
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
        return canonical, signed_headers

    def common_shape(self, request: Any) -> bool:
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


def _headers_to_sign(request: Any) -> dict[str, list[str]]:
    """Lowercase name -> values of the headers SigV4 signs, ``host`` included."""
    unsigned = botocore.auth.SIGNED_HEADERS_BLACKLIST
    signed: dict[str, list[str]] = {}
    for name, value in request.headers._headers:
        lname = name.lower()
        if lname not in unsigned:
            signed.setdefault(lname, []).append(value)
    if "host" not in signed:
        signed["host"] = [_botocore_auth._host_from_url(request.url)]
    return signed


def _sample_request() -> AWSRequest:
    """A typical ECR request, as botocore's endpoint prepares one for signing."""
    request = AWSRequest(
        method="POST",
        url="https://api.ecr.us-east-1.amazonaws.com/",
        data=b'{"repositoryName":"team/api","imageIds":[{"imageTag":"v1"}]}',
        headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.BatchGetImage",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "Boto3/1 md/Botocore#1 ua/2.1 os/linux  cfg/retry-mode#standard",
            "amz-sdk-invocation-id": "00000000-0000-4000-8000-000000000000",
            "amz-sdk-request": "attempt=1; max=3",
        },
    )
    request.context["timestamp"] = "20260101T000000Z"
    return request


def short_path_agrees() -> bool:
    """Whether every internal the short path uses exists and, for a typical ECR request,
    it builds the canonical request botocore builds."""
    if not all(hasattr(owner, name) for owner, name in BOTOCORE_INTERNALS):
        return False
    try:
        fast = FastFakeSigner(None, "ecr", "us-east-1")
        request = _sample_request()
        fast_auth: Any = fast
        fast_auth._modify_request_before_signing(request)
        if not fast.common_shape(request):
            return False
        ours, _ = fast.canonical(request)
        theirs = botocore.auth.SigV4Auth(FAKE_CREDENTIALS, "ecr", "us-east-1")
        return bool(ours == theirs.canonical_request(request))
    except Exception:  # any internal that changed shape: use botocore's own code
        return False


def signer_class() -> type[FakeSigner]:
    """The signer to register: the short path when it agrees with botocore, else the
    plain one."""
    return FastFakeSigner if short_path_agrees() else FakeSigner


__all__ = [
    "BOTOCORE_INTERNALS",
    "FAKE_CREDENTIALS",
    "FAKE_IDENTITY",
    "REQUEST_CREDENTIALS",
    "FakeIdentity",
    "FakeSigner",
    "FastFakeSigner",
    "short_path_agrees",
    "signer_class",
]
