"""Request framing the server refuses before any route sees it: heads too large, bodies
framed two ways, and the ECR-style error each refusal is answered with."""

from __future__ import annotations

from http import HTTPStatus

import h11

from pytest_ecr.service.errors import EcrError

#: Largest request head (request line and headers) accepted.
MAX_HEAD = 16 * 1024
_FRAMING_CODES = {
    413: "RequestEntityTooLargeException",
    431: "RequestHeaderFieldsTooLargeException",
    501: "NotImplemented",
    505: "HTTPVersionNotSupported",
}


def framing_error(status: int, text: str) -> EcrError:
    """The error a framing refusal with *status* (h11's hint) is answered with."""
    if status not in _FRAMING_CODES:
        status = 400
    return EcrError(_FRAMING_CODES.get(status, "SerializationException"), text, status)


def declared_length(request: h11.Request) -> int | None:
    """The body length the client declared; ``None`` for a chunked body. Raises
    :class:`EcrError` for framing h11 leaves to the server to refuse."""
    size = len(request.target) + sum(len(n) + len(v) + 4 for n, v in request.headers)
    if size > MAX_HEAD:  # h11 bounds a head still arriving; this bounds one read at once
        raise framing_error(431, f"Request head of {size} bytes exceeds {MAX_HEAD} bytes")
    length = te = None
    for name, value in request.headers:
        if name == b"content-length":
            length = int(value)  # h11 has checked it is digits, and agrees with repeats
        elif name == b"transfer-encoding":
            te = value
    if te is not None and length is not None:
        # RFC 9112 6.1: a request smuggling vector; refused rather than guessed at.
        raise framing_error(400, "Request has both Content-Length and Transfer-Encoding")
    return None if te is not None else (length or 0)


def reason_phrase(status: int) -> str:
    """HTTP's reason phrase of *status* (``""`` for one it has none for)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


__all__ = ["MAX_HEAD", "declared_length", "framing_error", "reason_phrase"]
