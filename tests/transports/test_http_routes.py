"""The server's route table: more specific routes (such as the OCI registry's ``/v2/...``)
sit before the ECR API, and a route's answer may be streamed chunk by chunk."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.http_server import Drop, EcrHTTPServer, Request, Response, Route
from pytest_ecr.transports.http_server.routes import Headers, run_route

from .rawhttp import Reader, api_request, connect

REGISTRY = {"version": 1, "repositories": [{"name": "team/api"}]}
MiB = 1024 * 1024


def chunks(count: int, size: int) -> Iterator[bytes]:
    for i in range(count):
        yield bytes([65 + i % 26]) * size


def blob(server: Any, request: Request) -> Response:
    if request.path.endswith("/sized"):
        return Response(200, [("Content-Length", str(8 * MiB))], chunks(8, MiB))
    return Response(200, [("Content-Type", "application/octet-stream")], chunks(64, 64 * 1024))


def upload(server: Any, request: Request) -> Response:
    return Response(202, [("Location", request.path + "/1")], request.body[::-1])


def broken(server: Any, request: Request) -> Response:
    if request.path.endswith("/drop"):
        raise Drop("reset")
    if request.path.endswith("/midway"):

        def failing() -> Iterator[bytes]:
            yield b"x" * 1024
            raise ValueError("the blob store broke")

        return Response(200, [], failing())
    raise KeyError("bug in a route")


ROUTES = [
    Route(frozenset({"GET", "HEAD"}), "/v2/team/api/blobs/", blob, prefix=True),
    Route(frozenset({"POST", "PUT", "PATCH"}), "/v2/team/api/blobs/uploads", upload, prefix=True),
    Route(frozenset({"GET"}), "/v2/broken/", broken, prefix=True),
]


@pytest.fixture(name="server")
def server_fixture() -> Iterator[EcrHTTPServer]:
    fake = FakeEcr([REGISTRY], fake_environment=False)
    with EcrHTTPServer(fake, routes=ROUTES) as server:
        yield server


def conn(server: EcrHTTPServer) -> http.client.HTTPConnection:
    host, port = server.server_address
    return http.client.HTTPConnection(host, port, timeout=10)


def test_a_streamed_body_is_chunked(server: EcrHTTPServer) -> None:
    client = conn(server)
    client.request("GET", "/v2/team/api/blobs/sha256:abc")
    response = client.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    body = response.read()
    assert len(body) == 64 * 64 * 1024
    assert body == b"".join(chunks(64, 64 * 1024))
    # and the connection goes on to the ECR API
    client.request(
        "POST",
        "/",
        body=b"{}",
        headers={
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
            "Authorization": "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/ecr/aws4_request",
        },
    )
    answer = client.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read())["repositories"][0]["repositoryName"] == "team/api"
    client.close()


def test_a_streamed_body_with_its_length(server: EcrHTTPServer) -> None:
    client = conn(server)
    client.request("GET", "/v2/team/api/blobs/sized")
    response = client.getresponse()
    assert response.getheader("Content-Length") == str(8 * MiB)
    assert response.read() == b"".join(chunks(8, MiB))
    client.request("HEAD", "/v2/team/api/blobs/sized")
    head = client.getresponse()
    assert (head.status, head.getheader("Content-Length"), head.read()) == (200, str(8 * MiB), b"")
    client.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_specific_route_comes_before_the_api(server: EcrHTTPServer, method: str) -> None:
    client = conn(server)
    client.request(method, "/v2/team/api/blobs/uploads/u1", body=b"abc")
    response = client.getresponse()
    assert (response.status, response.getheader("Location"), response.read()) == (
        202,
        "/v2/team/api/blobs/uploads/u1/1",
        b"cba",
    )
    client.close()


def test_a_method_a_route_does_not_serve_gets_the_json_404(server: EcrHTTPServer) -> None:
    client = conn(server)
    # (``/v2/...`` is the registry's: every method there gets a registry answer.)
    client.request("DELETE", "/elsewhere/sha256:abc")
    response = client.getresponse()
    assert response.status == 404
    assert json.loads(response.read())["__type"] == "UnknownOperationException"
    client.close()


def test_a_route_bug_is_a_500_raised_again_later(server: EcrHTTPServer) -> None:
    client = conn(server)
    client.request("GET", "/v2/broken/x")
    response = client.getresponse()
    assert response.status == 500
    assert json.loads(response.read())["__type"] == "InternalFailure"
    [error] = server.take_errors()
    assert isinstance(error, KeyError)
    client.close()


def test_a_stream_that_fails_is_cut_and_raised_again_later(server: EcrHTTPServer) -> None:
    client = conn(server)
    client.request("GET", "/v2/broken/midway")
    response = client.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    [error] = server.take_errors()
    assert isinstance(error, ValueError)
    client.close()


def test_a_route_can_drop_the_connection(server: EcrHTTPServer) -> None:
    client = conn(server)
    client.request("GET", "/v2/broken/drop")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        client.getresponse()
    client.close()


def test_big_bodies_are_answered_one_at_a_time_small_ones_beside_them() -> None:
    """A body of BIG_BODY bytes or more is decoded and answered holding the server's
    big-body lane (so at most one such parse holds the GIL against the loop thread);
    a small request is answered without it, also while a big one holds it."""
    from pytest_ecr.transports.http_server.api import BIG_BODY

    seen: list[tuple[str, bool]] = []
    fake = FakeEcr([REGISTRY], fake_environment=False)

    with EcrHTTPServer(fake) as server:
        answer = fake.answer

        def watching(request: Any) -> Any:
            seen.append((request.operation, server.big_body_lane.locked()))
            return answer(request)

        fake.answer = watching  # type: ignore[method-assign]
        padded = b"{}" + b" " * BIG_BODY
        for body in (padded, b"{}", padded):
            with connect(server.endpoint_url) as sock:
                sock.sendall(api_request("DescribeRepositories", body))
                assert Reader(sock).answer().status == 200
        small = api_request("DescribeRepositories", b'{"repositoryNames":["team/api"]}')
        # The lane held (as by a big request): a small one is not held up.
        with server.big_body_lane, connect(server.endpoint_url) as sock:
            sock.sendall(small)
            assert Reader(sock).answer().status == 200
    assert seen == [
        ("DescribeRepositories", True),
        ("DescribeRepositories", False),
        ("DescribeRepositories", True),
        ("DescribeRepositories", True),
    ]


def test_a_server_stopped_mid_stream_ends_the_connection_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stopping a server while a streamed body is between chunks cancels the connection's
    task and lets it clean up on the live loop and pool: no task destroyed while pending
    (whose clean-up failed on the shut pool, an error pytest reported against a later
    test), nothing unraisable."""
    import gc
    import sys
    import threading

    unraisable: list[Any] = []
    first_sent, release = threading.Event(), threading.Event()

    def slow_chunks() -> Iterator[bytes]:
        yield b"x" * 1024
        first_sent.set()
        release.wait(5)
        yield b"y" * 1024

    def slow(server: Any, request: Request) -> Response:
        return Response(200, [("Content-Length", "2048")], slow_chunks())

    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        fake = FakeEcr([REGISTRY], fake_environment=False)
        server = EcrHTTPServer(fake, routes=[Route(frozenset({"GET"}), "/slow", slow)]).start()
        with connect(server.endpoint_url) as sock:
            sock.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert first_sent.wait(10)
            server.stop()
        release.set()
        pool = server.pool
        pool.shutdown(wait=True)  # the chunk being made is done: nothing holds the task
        del server, pool
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert [str(u.exc_value) for u in unraisable] == []
    assert [r.getMessage() for r in caplog.records if "destroyed" in r.getMessage()] == []


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("size", [100, 64 * 1024, 64 * 1024 + 1, 3 * MiB + 5])
def test_a_routes_body_arrives_whole_and_in_order_whatever_its_size(
    server: EcrHTTPServer, size: int, chunked: bool
) -> None:
    # Over 64 KiB, the body's reads are joined by the worker that runs the route.
    body = bytes(range(256)) * (size // 256) + bytes(size % 256)
    c = conn(server)
    try:
        if chunked:
            pieces = (body[i : i + 50_000] for i in range(0, len(body), 50_000))
            c.request("POST", "/v2/team/api/blobs/uploads", body=pieces, encode_chunked=True)
        else:
            c.request("POST", "/v2/team/api/blobs/uploads", body=body)
        response = c.getresponse()
        assert response.status == 202
        assert response.read() == body[::-1]
    finally:
        c.close()


def test_run_route_joins_the_chunks_into_bytes_before_the_handler_runs() -> None:
    seen: list[object] = []

    def handler(server: Any, request: Request) -> Response:
        seen.append(request.body)
        return Response(200)

    request = Request("POST", "/", "", Headers([]), b"")
    run_route(handler, None, request, [bytearray(b"ab"), b"cd"])  # type: ignore[arg-type]
    assert seen == [b"abcd"]
    assert type(seen[0]) is bytes
    run_route(handler, None, Request("POST", "/", "", Headers([]), b"xy"))  # type: ignore[arg-type]
    assert seen[-1] == b"xy"
