"""Checking a request's SigV4 signature, for a server started with signature checks on.

Off by default: ECR's endpoint checks every signature, the fake's does not unless asked
(``EcrHTTPServer(verify_signatures=True)``, ``pytest-ecr serve --verify-signatures``).
When on, a request must be signed with a known key pair (by default the fake's own,
:data:`~pytest_ecr.credentials.FAKE_ACCESS_KEY`) and the errors are AWS's:

- ``IncompleteSignatureException``: the ``Authorization`` header is not a whole SigV4
  header (a part missing, no ``X-Amz-Date``, a credential scope of the wrong shape);
- ``UnrecognizedClientException``: an access key (or a session token) the server does not
  know;
- ``InvalidSignatureException``: a scope for another service, ``host`` not signed, or a
  signature that is not the one the secret key gives.

The request time is not checked against a clock: the fake's clock is virtual.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, unquote

from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.routes import Request

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "ecr"

_UNRECOGNIZED = "The security token included in the request is invalid."
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)


def _incomplete(text: str) -> EcrError:
    return EcrError("IncompleteSignatureException", text)


def _invalid(text: str) -> EcrError:
    return EcrError("InvalidSignatureException", text)


def _parts(authorization: str) -> dict[str, str]:
    """``Credential``, ``SignedHeaders`` and ``Signature`` of a SigV4 header."""
    _, _, rest = authorization.partition(" ")
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        name, sep, value = piece.strip().partition("=")
        if sep:
            parts[name] = value
    return parts


def _check_complete(authorization: str, request: Request) -> dict[str, str]:
    parts = _parts(authorization) if authorization.startswith(ALGORITHM + " ") else {}
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if "x-amz-date" not in request.headers and "date" not in request.headers:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise _incomplete(" ".join(missing) + f" Authorization={authorization}")
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{parts['Credential']}'"
        )
    return parts


def _canonical_query(query: str) -> str:
    pairs = []
    for piece in query.split("&") if query else ():
        name, _, value = piece.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _canonical_request(request: Request, signed: list[str]) -> str:
    values: dict[str, list[str]] = {}
    for name, value in request.headers.raw:
        values.setdefault(name.lower(), []).append(" ".join(value.split()))
    lines = [f"{name}:{','.join(values.get(name, []))}" for name in signed]
    payload = (
        request.headers.get("x-amz-content-sha256") or hashlib.sha256(request.body).hexdigest()
    )
    return "\n".join(
        [
            request.method,
            quote(request.path or "/", safe="/~"),
            _canonical_query(request.query),
            "\n".join(lines) + "\n",
            ";".join(signed),
            payload,
        ]
    )


def _signature(secret: str, scope: list[str], string_to_sign: str) -> str:
    key = f"AWS4{secret}".encode()
    for step in (*scope[1:4], "aws4_request"):
        key = hmac.new(key, step.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: Request, authorization: str, credentials: Mapping[str, str]) -> None:
    """Raise ECR's error unless *authorization* signs *request* with one of *credentials*
    (access key -> secret key)."""
    parts = _check_complete(authorization, request)
    scope = parts["Credential"].split("/")
    secret = credentials.get(scope[0])
    if secret is None or "x-amz-security-token" in request.headers:
        raise EcrError("UnrecognizedClientException", _UNRECOGNIZED)
    if scope[3] != SERVICE:
        raise _invalid(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed:
        raise _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    timestamp = request.headers.get("x-amz-date") or request.headers.get("date", "")
    canonical = _canonical_request(request, signed)
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            timestamp,
            "/".join(scope[1:]),
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    expected = _signature(secret, scope, string_to_sign)
    if not hmac.compare_digest(expected, parts["Signature"]):
        raise _invalid(_MISMATCH)


__all__ = ["verify"]
