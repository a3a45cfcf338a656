"""HTTP/1.1 framing of the loopback endpoint, byte for byte over raw sockets: each test
is a request that ``http.server`` framed wrongly (issue 15, defect 4)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.http_server import EcrHTTPServer
from pytest_ecr.transports.http_server.api import MAX_JSON_VALUES, without_padding

from .rawhttp import AUTHORIZATION, Reader, api_request, connect

REGISTRY = {
    "version": 1,
    "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}, {"name": "keep/me"}],
}


@pytest.fixture(name="fake")
def fake_fixture() -> FakeEcr:
    return FakeEcr([REGISTRY], fake_environment=False)


@pytest.fixture(name="server")
def server_fixture(fake: FakeEcr) -> Iterator[EcrHTTPServer]:
    with EcrHTTPServer(fake, idle_timeout=5) as server:
        yield server
    assert server.take_errors() == []


def names(fake: FakeEcr) -> list[str]:
    return sorted(r.name for r in fake.registry.repositories())


def exchange(server: EcrHTTPServer, data: bytes, timeout: float = 2.0) -> tuple[list[Any], bool]:
    """Send *data*, then read every answer until the server closes or goes quiet for
    *timeout* seconds; the answers, and whether the server closed the connection."""
    with connect(server.endpoint_url, timeout=timeout) as sock:
        sock.sendall(data)
        reader = Reader(sock)
        answers = []
        try:
            while (answer := reader.answer()) is not None:
                answers.append(answer)
        except TimeoutError:
            return answers, False
        return answers, True


# A last request that asks the server to close after answering it: read up to the close
# instead of waiting for the read timeout.
_LAST = api_request("DescribeRepositories", b"{}", extra="Connection: close\r\n")


def answers_to(server: EcrHTTPServer, data: bytes) -> list[Any]:
    """Every answer to the whole requests in *data*, read up to a closing request sent
    after them (whose own answer is checked and left out)."""
    # The server closes at once after the last answer; the timeout only bounds a failure
    # (a big body on a loaded machine can take seconds).
    answers, closed = exchange(server, data + _LAST, timeout=30)
    assert closed, "the server did not close after the Connection: close request"
    assert answers
    assert answers[-1].status == 200
    assert "repositories" in answers[-1].json()
    return answers[:-1]


def test_a_get_body_is_not_read_as_the_next_request(server: EcrHTTPServer, fake: FakeEcr) -> None:
    hidden = api_request("DeleteRepository", json.dumps({"repositoryName": "keep/me"}).encode())
    get = (
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTHORIZATION}\r\n"
        f"Content-Length: {len(hidden)}\r\n\r\n"
    ).encode() + hidden
    follow = api_request("DescribeRepositories", b"{}")
    answers = answers_to(server, get + follow)
    assert [a.status for a in answers] == [404, 200]
    assert answers[0].json()["__type"] == "UnknownOperationException"
    assert len(answers[1].json()["repositories"]) == 2
    assert names(fake) == ["keep/me", "team/api"]
    assert fake.calls("DeleteRepository").count == 0


def test_a_chunked_body_is_read(server: EcrHTTPServer, fake: FakeEcr) -> None:
    body = json.dumps({"repositoryName": "made/chunked"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
    request = api_request(
        "CreateRepository",
        chunks + b"0\r\n\r\n",
        extra="Transfer-Encoding: chunked\r\n",
        length=False,
    )
    answers = answers_to(server, request)
    assert [a.status for a in answers] == [200]
    assert answers[0].json()["repository"]["repositoryName"] == "made/chunked"
    assert "made/chunked" in names(fake)


@pytest.mark.parametrize(
    "lengths",
    [["2", "3"], ["2, 3"], ["+2"], ["0_2"], ["-1"], ["2 2"], ["0x2"]],
    ids=["two-values", "list", "plus", "underscore", "negative", "space", "hex"],
)
def test_a_bad_content_length_is_refused_and_the_connection_closed(
    server: EcrHTTPServer, fake: FakeEcr, lengths: list[str]
) -> None:
    extra = "".join(f"Content-Length: {value}\r\n" for value in lengths)
    request = api_request(
        "DeleteRepository", b'{"repositoryName":"keep/me"}', extra=extra, length=False
    )
    answers, closed = exchange(server, request)
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]
    assert closed
    assert names(fake) == ["keep/me", "team/api"]


def test_content_length_with_transfer_encoding_is_refused(server: EcrHTTPServer) -> None:
    request = api_request(
        "DescribeRepositories",
        b"2\r\n{}\r\n0\r\n\r\n",
        extra="Transfer-Encoding: chunked\r\nContent-Length: 13\r\n",
        length=False,
    )
    answers, closed = exchange(server, request)
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]
    assert closed


def test_repeated_equal_content_lengths_are_one(server: EcrHTTPServer) -> None:
    request = api_request("DescribeRepositories", b"{}", extra="Content-Length: 2\r\n")
    answers = answers_to(server, request)
    assert [a.status for a in answers] == [200]


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_deeply_nested_json_is_a_serialization_exception(
    server: EcrHTTPServer, opener: bytes
) -> None:
    body = opener * 50_000
    answers = answers_to(server, api_request("DescribeRepositories", body))
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]
    assert server.take_errors() == []


def test_a_body_of_too_many_json_values_is_refused(server: EcrHTTPServer) -> None:
    body = b'{"a":[' + b",".join([b"0"] * (MAX_JSON_VALUES + 1)) + b"]}"
    answers = answers_to(server, api_request("DescribeRepositories", body))
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]


def test_a_big_manifest_is_within_the_bound(server: EcrHTTPServer, fake: FakeEcr) -> None:
    # A 4 MiB manifest of 25,000 layers: one string of some 75,000 commas.
    layer = {
        "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
        "size": 1234,
        "digest": "sha256:" + "a" * 64,
    }
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {**layer, "mediaType": "application/vnd.oci.image.config.v1+json"},
            "layers": [layer] * 25_000,
        }
    )
    assert 3 * 1024 * 1024 < len(manifest) < 4 * 1024 * 1024
    body = json.dumps({"repositoryName": "team/api", "imageManifest": manifest}).encode()
    answers = answers_to(server, api_request("PutImage", body))
    assert answers
    assert answers[0].json().get("__type") != "SerializationException"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "FOO"])
def test_other_methods_get_a_json_error(server: EcrHTTPServer, method: str) -> None:
    request = f"{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode()
    answers = answers_to(server, request + api_request("DescribeRepositories", b"{}"))
    assert [a.status for a in answers] == [404, 200]
    assert answers[0].headers["content-type"] == "application/x-amz-json-1.1"
    assert answers[0].json()["__type"] == "UnknownOperationException"


def test_head_gets_the_status_without_a_body(server: EcrHTTPServer) -> None:
    request = b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with connect(server.endpoint_url, timeout=5) as sock:
        sock.sendall(request)
        reader = Reader(sock)
        while b"\r\n\r\n" not in reader.buffer:
            assert reader._more()
        head, _, rest = reader.buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 404 ")
        assert rest == b""
        # and the connection goes on
        sock.sendall(api_request("DescribeRepositories", b"{}"))
        reader.buffer = b""
        answer = reader.answer()
        assert answer is not None
        assert answer.status == 200


def test_a_malformed_request_line_is_a_json_400(server: EcrHTTPServer) -> None:
    answers, closed = exchange(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]
    assert closed


def test_an_oversized_head_is_refused(server: EcrHTTPServer) -> None:
    answers, closed = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
    )
    assert [a.status for a in answers] == [431]
    assert closed


def test_a_chunked_body_over_the_limit_is_refused(fake: FakeEcr) -> None:
    with EcrHTTPServer(fake, max_body=1024, max_buffered_bytes=4096) as server:
        chunk = b"a" * 600
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
        request = api_request(
            "DescribeRepositories", body, extra="Transfer-Encoding: chunked\r\n", length=False
        )
        answers, closed = exchange(server, request)
        assert [(a.status, a.json()["__type"]) for a in answers] == [
            (413, "RequestEntityTooLargeException")
        ]
        assert closed
        assert server.budget.used == 0


def test_pipelined_requests_are_answered_in_order(server: EcrHTTPServer) -> None:
    one = api_request(
        "DescribeRepositories", json.dumps({"repositoryNames": ["team/api"]}).encode()
    )
    two = api_request("DescribeRepositories", json.dumps({"repositoryNames": ["keep/me"]}).encode())
    with connect(server.endpoint_url) as sock:
        sock.sendall(one + two + one)
        reader = Reader(sock)
        got = []
        for _ in range(3):
            answer = reader.answer()
            assert answer is not None
            got.append(answer.json()["repositories"][0]["repositoryName"])
    assert got == ["team/api", "keep/me", "team/api"]


def test_thousands_of_pipelined_requests_in_one_read(server: EcrHTTPServer) -> None:
    # Answered on the loop thread one after the other, never one inside another.
    request = api_request("DescribeRepositories", b"{}")
    with connect(server.endpoint_url) as sock:
        sock.sendall(request * 3000 + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = Reader(sock)
        statuses = []
        for _ in range(3001):
            answer = reader.answer()
            assert answer is not None
            statuses.append(answer.status)
    assert statuses == [200] * 3000 + [404]


def test_http_1_0_is_answered_and_closed(server: EcrHTTPServer) -> None:
    request = api_request("DescribeRepositories", b"{}").replace(b"HTTP/1.1", b"HTTP/1.0", 1)
    answers, closed = exchange(server, request)
    assert [a.status for a in answers] == [200]
    assert closed


@pytest.mark.slow
def test_a_dripping_client_is_dropped(fake: FakeEcr) -> None:
    # One byte every 0.1 s: never silent for the idle timeout, but never done either.
    with EcrHTTPServer(fake, idle_timeout=1.0, request_timeout=1.0) as server:
        request = api_request("DescribeRepositories", b"{}")
        with connect(server.endpoint_url, timeout=10) as sock:
            started = time.monotonic()
            dropped = False
            for byte in request * 10:
                try:
                    sock.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    dropped = True
                    break
                sock.settimeout(0.1)
                try:
                    if sock.recv(1) == b"":
                        dropped = True
                        break
                except TimeoutError:
                    pass
                except ConnectionResetError:
                    # Closed with bytes unread: the kernel answers with a reset.
                    dropped = True
                    break
                if time.monotonic() - started > 15:
                    break
            assert dropped
        assert len(server.connections) == 0


MiB = 1024 * 1024


def test_a_big_padded_body_is_read_as_the_value_inside_its_whitespace(
    server: EcrHTTPServer,
) -> None:
    # The padding is dropped a slice at a time before parsing (json.loads would skip it
    # in one regular-expression call that holds the GIL).
    body = b" \t" * MiB + b'{"repositoryNames": ["keep/me"]}' + b"\r\n" * MiB
    answers = answers_to(server, api_request("DescribeRepositories", body))
    assert [a.status for a in answers] == [200]
    assert [r["repositoryName"] for r in answers[0].json()["repositories"]] == ["keep/me"]


def test_a_big_body_of_whitespace_alone_is_still_a_serialization_exception(
    server: EcrHTTPServer,
) -> None:
    answers = answers_to(server, api_request("DescribeRepositories", b"\n" * (2 * MiB)))
    assert [(a.status, a.json()["__type"]) for a in answers] == [(400, "SerializationException")]


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1}',
        b"  " + b"\n" * 10,
        " {} ".encode("utf-16"),  # not UTF-8: left to json.loads as it is
        b"\xef\xbb\xbf {} ",  # a UTF-8 BOM: json.loads decides
        b"x" * (2 * MiB),
    ],
)
def test_dropping_padding_never_changes_what_json_loads_makes_of_a_body(body: bytes) -> None:
    def parsed(data: bytes | bytearray) -> object:
        try:
            return json.loads(data)
        except ValueError:
            return ValueError

    assert parsed(without_padding(body)) == parsed(body)
    assert parsed(without_padding(b" " * MiB + body + b"\t" * MiB)) == parsed(
        b" " * MiB + body + b"\t" * MiB
    )
