"""The ECR JSON API as a route: ``POST`` on any path, answered through the codec
(:func:`pytest_ecr.wire.respond`) by whichever fake the server serves now."""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING

from pytest_ecr.faults import ConnectionFault
from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.routes import Drop, Request, Response, Route
from pytest_ecr.transports.http_server.sigv4 import verify
from pytest_ecr.wire import encode_error, respond

if TYPE_CHECKING:
    from pytest_ecr.transports.http_server.server import EcrHTTPServer

#: A JSON body may hold at most this many values outside strings (arrays, objects and
#: their members). The largest ECR requests hold a few thousand (100 image ids, 200 tags,
#: a policy is one string); a 16 MiB body of ``{"a":{},...}`` would otherwise parse into
#: hundreds of MB of Python objects.
MAX_JSON_VALUES = 100_000
# Bodies this small parse into a bounded size whatever they hold: not counted.
_COUNT_FROM = 256 * 1024
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def error_response(error: EcrError) -> Response:
    answer = encode_error(error)
    return Response(answer.status, list(answer.headers.items()), answer.body)


def _values_outside_strings(body: bytes) -> int:
    def count(text: bytes) -> int:
        return text.count(b",") + text.count(b"[") + text.count(b"{")

    rough = count(body)
    if rough <= MAX_JSON_VALUES:
        return rough
    # Strings (a manifest, a policy) may hold any number of commas and braces.
    return count(_STRING.sub(b'""', body))


def _check_body(body: bytes) -> None:
    if len(body) >= _COUNT_FROM and _values_outside_strings(body) > MAX_JSON_VALUES:
        raise EcrError(
            "SerializationException",
            f"Request body holds more than {MAX_JSON_VALUES} JSON values",
        )


def ecr_api(server: EcrHTTPServer, request: Request) -> Response:
    """Answer one ECR API request (awsJson1_1) from ``server.fake``."""
    authorization = request.headers.get("authorization")
    try:
        if not authorization:
            raise EcrError(
                "MissingAuthenticationTokenException", "Missing Authentication Token", 403
            )
        if server.verify_signatures:
            verify(request, authorization, server.credentials)
        fake = server.fake
        if fake is None:
            raise EcrError(
                "ServiceUnavailableException", "No pytest-ecr registry is attached", 503
            )
        _check_body(request.body)
    except EcrError as error:
        return error_response(error)
    try:
        answer = respond(fake.answer, request.headers, request.body, transport="http")
    except ConnectionFault as fault:
        raise Drop(fault.kind) from None
    except Exception as error:  # a bug in the fake: answer, and re-raise in the test
        server.record_error(error)
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        return error_response(EcrError("InternalFailure", f"pytest-ecr failed: {text}", 500))
    return Response(answer.status, list(answer.headers.items()), answer.body)


def unknown_route(server: EcrHTTPServer, request: Request) -> Response:
    """What a method or path no route serves gets (a ``GET /`` among them)."""
    return error_response(EcrError("UnknownOperationException", "Only POST / is supported", 404))


#: The ECR API: every ``POST``, whatever its path (SDKs send ``/``), after any more
#: specific route.
API_ROUTE = Route(frozenset({"POST"}), "/", ecr_api, prefix=True, inline=True)

__all__ = ["API_ROUTE", "MAX_JSON_VALUES", "ecr_api", "error_response", "unknown_route"]
