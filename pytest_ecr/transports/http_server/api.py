"""The ECR JSON API as a route: ``POST`` on any path, answered through the codec
(:func:`pytest_ecr.wire.respond`) by whichever fake the server serves now."""

from __future__ import annotations

import contextlib
import json
import time
import traceback

from pytest_ecr.faults import ConnectionFault
from pytest_ecr.service.errors import EcrError
from pytest_ecr.transports.http_server.routes import Drop, Request, Response, Route, Server
from pytest_ecr.transports.http_server.sigv4 import verify
from pytest_ecr.wire import encode_error, respond

#: A JSON body may hold at most this many values (counted as the commas, ``[`` and ``{``
#: it holds: every value but the first of a container follows a comma). The largest ECR
#: requests hold far fewer (100 image ids, 200 tags; a 4 MiB manifest is one string, of
#: some 100,000 commas at most), while a 16 MiB body of ``{"k":{},...}`` would parse into
#: hundreds of MB of Python objects. Commas inside strings count too: the bound is loose
#: on purpose, to cost one pass over the bytes.
MAX_JSON_VALUES = 500_000
# A body this small holds fewer values than the bound whatever it holds: not counted.
_COUNT_FROM = 2 * MAX_JSON_VALUES
# Counted a slice at a time, so a big body never holds the GIL for long; after each
# slice the counting thread sleeps a moment, which hands the GIL to the loop thread at
# once (a thread that only computes keeps it for sys.getswitchinterval(), 5 ms, each
# time the loop thread makes a system call and wants it back).
_SLICE = 1024 * 1024
_YIELD = 0.0002
#: A body this big is decoded and answered in the server's big-body lane, one at a time.
#: Parsing 16 MiB of JSON is one C call that holds the GIL for some 25 ms; with several
#: worker threads each in such a call, the GIL went from one to the next while the loop
#: thread (which answers every small request) waited through them all. One at a time,
#: the loop waits through one at most.
BIG_BODY = 1024 * 1024


def error_response(error: EcrError) -> Response:
    answer = encode_error(error)
    return Response(answer.status, list(answer.headers.items()), answer.body)


def json_values_bound(body: bytes | bytearray) -> int:
    """An upper bound of the number of JSON values *body* parses into (plus one)."""
    total = 0
    for start in range(0, len(body), _SLICE):
        end = start + _SLICE
        total += body.count(b",", start, end)
        total += body.count(b"[", start, end) + body.count(b"{", start, end)
        time.sleep(_YIELD)
    return total


def _check_body(body: bytes | bytearray) -> None:
    if len(body) >= _COUNT_FROM and json_values_bound(body) > MAX_JSON_VALUES:
        raise EcrError(
            "SerializationException",
            f"Request body holds more than {MAX_JSON_VALUES} JSON values",
        )


_JSON_SPACE = b" \t\n\r"


def _space_run(body: bytes | bytearray, from_end: bool) -> int:
    """How many bytes of JSON whitespace *body* starts (or ends) with, looked at a slice
    at a time with a pause after each."""
    run = 0
    while run < len(body):
        start, end = (
            (len(body) - run - _SLICE, len(body) - run) if from_end else (run, run + _SLICE)
        )
        piece = body[max(start, 0) : end]
        kept = piece.rstrip(_JSON_SPACE) if from_end else piece.lstrip(_JSON_SPACE)
        run += len(piece) - len(kept)
        if kept:
            break
        time.sleep(_YIELD)
    return run


def without_padding(body: bytes | bytearray) -> bytes | bytearray:
    """*body* without the JSON whitespace around its value, when it is UTF-8.

    ``json.loads`` skips that whitespace with one regular-expression match that holds the
    GIL to the end: a body padded to 16 MiB held it some 20 ms, during which the loop
    thread answered no one. Found here a slice at a time, it costs the loop nothing."""
    if not body or json.detect_encoding(body[:4]) != "utf-8":
        return body
    if body[:1] not in _JSON_SPACE and body[-1:] not in _JSON_SPACE:
        return body
    lead = _space_run(body, from_end=False)
    if lead == len(body):
        return body[:1]  # whitespace alone is no JSON value: parsing it still fails
    value = body[lead : len(body) - _space_run(body, from_end=True)]
    # What the padding hid stays hidden: a byte-order mark after it is no JSON either.
    return value if json.detect_encoding(value[:4]) == "utf-8" else body


def ecr_api(server: Server, request: Request) -> Response:
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
            raise EcrError("ServiceUnavailableException", "No pytest-ecr registry is attached", 503)
        # Counting and parsing both hold the GIL: a big body does both in the lane.
        lane = server.big_body_lane if len(request.body) >= BIG_BODY else contextlib.nullcontext()
        with lane:
            _check_body(request.body)
            body = without_padding(request.body) if len(request.body) >= BIG_BODY else request.body
            answer = respond(fake.answer, request.headers, body, transport="http")
    except EcrError as error:
        return error_response(error)
    except ConnectionFault as fault:
        raise Drop(fault.kind) from None
    except Exception as error:  # a bug in the fake: answer, and re-raise in the test
        server.record_error(error)
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        return error_response(EcrError("InternalFailure", f"pytest-ecr failed: {text}", 500))
    return Response(answer.status, list(answer.headers.items()), answer.body)


def unknown_route(server: Server, request: Request) -> Response:
    """What a method or path no route serves gets (a ``GET /`` among them)."""
    return error_response(EcrError("UnknownOperationException", "Only POST / is supported", 404))


#: The ECR API: every ``POST``, whatever its path (SDKs send ``/``), after any more
#: specific route.
API_ROUTE = Route(frozenset({"POST"}), "/", ecr_api, prefix=True, inline=True)

__all__ = [
    "API_ROUTE",
    "BIG_BODY",
    "MAX_JSON_VALUES",
    "ecr_api",
    "error_response",
    "json_values_bound",
    "unknown_route",
]
