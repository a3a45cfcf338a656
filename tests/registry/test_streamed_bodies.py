"""Request bodies read while the route runs (registry uploads): bounded, and dropped as
any other request when the client stalls, lies or goes away."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.http_server import EcrHTTPServer, EcrServer

from .support import REGISTRY, Client, basic, password


@pytest.fixture(name="tight")
def tight_fixture() -> Iterator[tuple[EcrHTTPServer, str, str]]:
    fake = FakeEcr([REGISTRY], fake_environment=False)
    with EcrHTTPServer(
        fake, idle_timeout=0.5, request_timeout=1.0, max_upload=1024 * 1024
    ) as server:
        host = EcrServer(server, fake).registry_host()
        yield server, host, password(fake)
        assert server.take_errors() == []


def _upload_path(host: str, secret: str) -> str:
    client = Client(host, secret)
    try:
        started = client.request("POST", "/v2/team/copy/blobs/uploads/")
        return client.path_of(started.headers["location"])
    finally:
        client.close()


def _raw(host: str, head: str) -> socket.socket:
    name, port = host.split(":")
    sock = socket.create_connection((name, int(port)), timeout=10)
    sock.sendall(head.encode())
    return sock


def test_a_body_beyond_max_upload_is_a_413(tight: tuple[EcrHTTPServer, str, str]) -> None:
    _, host, secret = tight
    path = _upload_path(host, secret)
    sock = _raw(
        host,
        f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {basic(secret)}\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n",
    )
    with sock:
        assert sock.recv(100).startswith(b"HTTP/1.1 413 ")


def test_a_stalled_upload_is_dropped_and_frees_its_window(
    tight: tuple[EcrHTTPServer, str, str],
) -> None:
    server, host, secret = tight
    path = _upload_path(host, secret)
    sock = _raw(
        host,
        f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {basic(secret)}\r\n"
        "Content-Length: 500000\r\n\r\n" + "x" * 1000,
    )
    with sock:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if sock.recv(1024) == b"":
                    break  # closed by the server
            except ConnectionResetError:
                break
    deadline = time.monotonic() + 10
    while server.budget.used and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.budget.used == 0
    # The server goes on answering.
    client = Client(host, secret)
    assert client.request("GET", "/v2/").status == 200
    client.close()


def test_a_client_gone_midway_leaves_the_server_well(
    tight: tuple[EcrHTTPServer, str, str],
) -> None:
    _, host, secret = tight
    path = _upload_path(host, secret)
    sock = _raw(
        host,
        f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {basic(secret)}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n1000\r\n" + "y" * 4096 + "\r\n",
    )
    sock.close()
    client = Client(host, secret)
    try:
        started = client.request("POST", "/v2/team/copy/blobs/uploads/")
        assert started.status == 202
    finally:
        client.close()


def _read_answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            break
        data += piece
    return data


def test_expect_100_continue_then_a_pipelined_request(
    tight: tuple[EcrHTTPServer, str, str],
) -> None:
    _, host, secret = tight
    path = _upload_path(host, secret)
    body = b"z" * 70000
    sock = _raw(
        host,
        f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {basic(secret)}\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n",
    )
    with sock:
        assert _read_answer(sock).startswith(b"HTTP/1.1 100 ")
        # The body, then at once a second request on the same connection.
        then = f"GET /v2/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: {basic(secret)}\r\n\r\n"
        sock.sendall(body + then.encode())
        first = _read_answer(sock)
        assert first.startswith(b"HTTP/1.1 201 "), first
        assert b"Range: 0-69999" in first
        rest = first.split(b"\r\n\r\n", 1)[1]
        second = rest if b"\r\n\r\n" in rest else rest + _read_answer(sock)
        assert second.startswith(b"HTTP/1.1 200 "), second
