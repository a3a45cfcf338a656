"""The endpoint's bounds on connections, threads and buffered bytes hold, and slow
clients are dropped (issue 15, defect 4). Each server runs in a child process with a cap
on its address space and CPU time, so a bound that fails shows as a failed test, not as
a machine out of memory."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .rawhttp import Reader, api_request, connect

CHILD = Path(__file__).with_name("serve_child.py")
MiB = 1024 * 1024
pytestmark = pytest.mark.slow


@dataclass
class Child:
    url: str
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return dict(json.loads(self.process.stdout.readline()))


@contextmanager
def child_server(memory: int = 2048 * MiB, cpu: int = 120, **server: Any) -> Iterator[Child]:
    config = {"limits": {"memory": memory, "cpu": cpu}, "server": server}
    process = subprocess.Popen(
        [sys.executable, str(CHILD), json.dumps(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield Child(url, process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def ask(url: str, body: bytes = b"{}", operation: str = "DescribeRepositories") -> int:
    with connect(url, timeout=30) as sock:
        sock.sendall(api_request(operation, body))
        answer = Reader(sock).answer()
        assert answer is not None
        return answer.status


def wait_for(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_threads_stay_bounded_with_many_connections() -> None:
    with child_server(max_workers=3) as child, ExitStack() as stack:
        idle = [stack.enter_context(connect(child.url)) for _ in range(300)]
        wait_for(lambda: child.stats()["connections"] == 300)
        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(lambda _: ask(child.url), range(60), timeout=120))
        assert statuses == [200] * 60
        # the main thread, the loop thread and at most max_workers route threads
        assert child.stats()["threads"] <= 1 + 1 + 3
        assert len(idle) == 300


def test_connections_beyond_the_limit_wait_for_a_free_one() -> None:
    with child_server(max_connections=20) as child, ExitStack() as stack:
        idle = [stack.enter_context(connect(child.url)) for _ in range(20)]
        wait_for(lambda: child.stats()["connections"] == 20)
        waiting = stack.enter_context(connect(child.url))  # queued in the listen backlog
        waiting.sendall(api_request("DescribeRepositories", b"{}"))
        waiting.settimeout(0.5)
        with pytest.raises(TimeoutError):
            waiting.recv(1)
        assert child.stats()["connections"] == 20
        idle.pop().close()
        waiting.settimeout(10)
        answer = Reader(waiting).answer()
        assert answer is not None
        assert answer.status == 200
        assert child.stats()["connections"] <= 20


def test_buffered_bytes_stay_within_the_budget() -> None:
    body = b"{}" + b" " * (2 * MiB - 2)
    with child_server(max_buffered_bytes=8 * MiB, max_body=2 * MiB) as child, ExitStack() as st:
        stalled = []
        for _ in range(12):
            sock = st.enter_context(connect(child.url, timeout=30))
            request = api_request("DescribeRepositories", body)
            sock.sendall(request[: len(request) - MiB])  # the head and half the body
            stalled.append((sock, request[len(request) - MiB :]))
        wait_for(lambda: child.stats()["budget_waiting"] == 8)
        stats = child.stats()
        assert stats["budget_used"] == 8 * MiB
        # a small request is answered meanwhile
        assert ask(child.url) == 200
        for sock, rest in stalled:
            sock.sendall(rest)
        for sock, _ in stalled:
            answer = Reader(sock).answer()
            assert answer is not None
            assert answer.status == 200
        stats = child.stats()
        assert stats["budget_peak"] <= 8 * MiB
        assert stats["budget_used"] == 0


def test_big_bodies_at_once_in_bounded_memory() -> None:
    # 24 x 16 MiB at once; half of them of the shape that parses into many objects.
    plain = b"{}" + b" " * (16 * MiB - 2)
    member = b'"k":{},'
    objects = b"{" + member * ((16 * MiB - 8) // len(member)) + b'"k":{}}'

    def send(i: int, url: str) -> int:
        return ask(url, plain if i % 2 else objects)

    with child_server(memory=3072 * MiB) as child:
        with ThreadPoolExecutor(max_workers=24) as pool:
            statuses = list(pool.map(send, range(24), [child.url] * 24, timeout=300))
        stats = child.stats()
    assert sorted(set(statuses)) == [200, 400]
    assert statuses.count(200) == 12
    assert stats["errors"] == []
    assert stats["budget_peak"] <= 64 * MiB
    # 64 MiB of bodies, a copy of each joined body, the parse of at most a few at once
    assert stats["max_rss"] < 600 * MiB, stats


def test_slow_clients_are_dropped_and_others_answered() -> None:
    with child_server(idle_timeout=1.0, request_timeout=1.0) as child, ExitStack() as stack:
        slow = []
        for _ in range(150):
            sock = stack.enter_context(connect(child.url, timeout=30))
            sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow")
            slow.append(sock)
        assert ask(child.url) == 200
        wait_for(lambda: child.stats()["connections"] == 0)
        for sock in slow:
            sock.settimeout(5)
            with suppress(ConnectionResetError):
                assert sock.recv(1) == b""
        assert ask(child.url) == 200


def test_a_silent_client_does_not_hold_the_budget() -> None:
    with child_server(
        max_buffered_bytes=2 * MiB, max_body=2 * MiB, idle_timeout=1.0, request_timeout=2.0
    ) as child:
        with connect(child.url, timeout=30) as sock:
            sock.sendall(api_request("DescribeRepositories", b"{}" + b" " * (2 * MiB - 2))[:4096])
            wait_for(lambda: child.stats()["budget_used"] == 2 * MiB)
            wait_for(lambda: child.stats()["budget_used"] == 0)
            with suppress(ConnectionResetError, socket.timeout):
                assert sock.recv(1) == b""
        body = b"{}" + b" " * (MiB)
        assert ask(child.url, body) == 200
