"""The loopback endpoint under hostile load: many connections, slow clients and big
bodies at once, with the server's memory, threads and connections sampled and the
latency of a well-behaved client measured meanwhile.

Run from the repository root::

    python benchmarks/httpstress.py            # 40 s, the server's default bounds
    python benchmarks/httpstress.py --quick    # 12 s, request_timeout 5 s

Three processes, so that no one's work shows in another's figures: the server
(``EcrHTTPServer`` with its default bounds, in a child process that reports its RSS,
threads, connections and byte budget twice a second, and serves as ``pytest-ecr serve``
does, inside ``standalone.heap_settled()``); the load (one asyncio process); and a
probe (one keep-alive client sending a small DescribeRepositories every 20 ms, and a
fresh connection every tenth time). The load, all at once:

- ``--connections`` [500] keep-alive connections, each sending a small request about
  once a second (500 req/s together, a third of what one server core answers);
- ``--slow`` [150] clients that send a request head one byte every 2 s (never silent
  for the idle timeout; dropped by the request timeout);
- ``--big`` [24] clients that send a 16 MiB body each at the same moment, two seconds
  in (whitespace-padded ``{}``: every byte is read, parsed and answered).

The server also samples its own event loop every 5 ms and reports each tick that ran
more than 20 ms late: a late loop is what every client waits through.

Figures are reported, never asserted; the script exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
TARGET = "AmazonEC2ContainerRegistry_V20150921."
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAPYTESTECR0000000/20260101/us-east-1/ecr/aws4_request, "
    "SignedHeaders=host, Signature=00"
)
REGISTRY = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}


def request(operation: str, body: bytes) -> bytes:
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {TARGET}{operation}\r\n"
        f"Authorization: {AUTHORIZATION}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


SMALL = request("DescribeRepositories", b"{}")
_TICK = 0.005  # the server loop's lag is sampled this often


# -- the server ------------------------------------------------------------------------


def _status_bytes(field: str) -> int:
    """A ``/proc/self/status`` memory figure (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def serve(options: dict[str, Any]) -> int:
    from pytest_ecr import FakeEcr
    from pytest_ecr.transports.http_server import EcrHTTPServer
    from pytest_ecr.transports.http_server.standalone import heap_settled

    server = EcrHTTPServer(FakeEcr([REGISTRY], fake_environment=False), **options)
    server.start()
    lags: list[tuple[float, float]] = []  # (seconds since start, lag) of each tick
    started = time.monotonic()

    def tick(planned: float) -> None:
        now = time.monotonic()
        lags.append((now - started, now - planned))
        server.loop.call_later(_TICK, tick, now + _TICK)

    server.loop.call_soon_threadsafe(tick, time.monotonic())
    # As `pytest-ecr serve` serves: start-up's heap frozen out of the collector's way.
    with heap_settled():
        report_figures(server, lags, started)
    server.stop()
    return 0


def report_figures(server: Any, lags: list[tuple[float, float]], started: float) -> None:
    """Print the server's figures as JSON: once now, then for each line of stdin."""
    print(json.dumps({"url": server.endpoint_url, "rss": _rss()}), flush=True)
    for _ in sys.stdin:
        print(
            json.dumps(
                {
                    "rss": _rss(),
                    # VmHWM: ru_maxrss would carry the launching process's size over exec.
                    "max_rss": _status_bytes("VmHWM"),
                    "threads": threading.active_count(),
                    "connections": len(server.connections),
                    "budget_used": server.budget.used,
                    "budget_peak": server.budget.peak,
                    "budget_waiting": server.budget.waiting,
                    "errors": len(server.errors),
                    "late": [
                        (round(at, 2), round(lag * 1000, 1)) for at, lag in lags if lag > 0.02
                    ],
                }
            ),
            flush=True,
        )


# -- the probe -------------------------------------------------------------------------


def _read_answer(sock: socket.socket) -> int:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head.split()[1])


def probe(url: str, seconds: float) -> int:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    slow_at: list[float] = []  # seconds into the run of the answers over 50 ms
    begun = time.monotonic()
    failures = 0
    sock = socket.create_connection((host, int(port)), timeout=10)
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        count += 1
        if count % 10 == 0:
            sock.close()
            sock = socket.create_connection((host, int(port)), timeout=10)
        started = time.perf_counter()
        try:
            sock.sendall(SMALL)
            status = _read_answer(sock)
            if status != 200:
                failures += 1
            latencies.append(time.perf_counter() - started)
            if latencies[-1] > 0.05:
                slow_at.append(round(time.monotonic() - begun, 1))
        except OSError:
            failures += 1
            sock = socket.create_connection((host, int(port)), timeout=10)
        time.sleep(0.02)
    sock.close()
    json.dump({"latencies": latencies, "failures": failures, "slow_at": slow_at}, sys.stdout)
    return 0


# -- the load --------------------------------------------------------------------------


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return int(head.split()[1])


async def steady(host: str, port: int, until: float, counts: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    await asyncio.sleep(random.random())
    try:
        while time.monotonic() < until:
            writer.write(SMALL)
            status = await _answer(reader)
            counts[str(status)] = counts.get(str(status), 0) + 1
            await asyncio.sleep(0.5 + random.random())
    except (OSError, asyncio.IncompleteReadError):
        counts["dropped"] = counts.get("dropped", 0) + 1
    finally:
        writer.close()


async def slow(host: str, port: int, until: float, dropped: list[float], start: float) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for byte in SMALL:
            if time.monotonic() > until:
                return
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1), timeout=2.0) == b"":
                    dropped.append(time.monotonic() - start)
                    return
            except asyncio.TimeoutError:
                pass
    except OSError:
        dropped.append(time.monotonic() - start)
    finally:
        writer.close()


async def big(host: str, port: int, size: int, results: list[tuple[int, float]]) -> None:
    body = b"{}" + b" " * (size - 2)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request("DescribeRepositories", body))
    await writer.drain()
    status = await _answer(reader)
    results.append((status, time.monotonic() - started))
    writer.close()


async def load(url: str, args: argparse.Namespace) -> dict[str, Any]:
    host, port_text = url.removeprefix("http://").split(":")
    port = int(port_text)
    start = time.monotonic()
    until = start + args.seconds
    counts: dict[str, int] = {}
    dropped: list[float] = []
    bigs: list[tuple[int, float]] = []
    tasks = [
        asyncio.create_task(steady(host, port, until, counts)) for _ in range(args.connections)
    ]
    tasks += [
        asyncio.create_task(slow(host, port, until, dropped, start)) for _ in range(args.slow)
    ]
    await asyncio.sleep(2)
    tasks += [asyncio.create_task(big(host, port, 16 * MiB, bigs)) for _ in range(args.big)]
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"steady": counts, "slow_dropped_at": dropped, "big": bigs}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(args: argparse.Namespace) -> int:
    options = {"request_timeout": 5.0} if args.quick else {}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    first = json.loads(server.stdout.readline())
    url = first["url"]
    samples: list[dict[str, Any]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            server.stdin.write("stats\n")  # type: ignore[union-attr]
            server.stdin.flush()  # type: ignore[union-attr]
            samples.append(json.loads(server.stdout.readline()))  # type: ignore[union-attr]

    sampler = threading.Thread(target=sample)
    sampler.start()
    prober = subprocess.Popen(
        [sys.executable, __file__, "--probe", url, str(args.seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    seen = asyncio.run(load(url, args))
    probed = json.loads(prober.communicate(timeout=args.seconds + 60)[0])
    time.sleep(1)
    stop.set()
    sampler.join()
    server.stdin.close()
    server.wait(timeout=30)
    report(args, first, samples, seen, probed)
    return 0


def report(
    args: argparse.Namespace,
    first: dict[str, Any],
    samples: list[dict[str, Any]],
    seen: dict[str, Any],
    probed: dict[str, Any],
) -> None:
    latencies = [x * 1000 for x in probed["latencies"]]
    bigs = seen["big"]
    print(f"load: {args.connections} connections (~1 req/s each), {args.slow} slow clients")
    print(f"      (1 byte / 2 s), {args.big} x 16 MiB bodies at 2 s; {args.seconds:g} s")
    print(f"server RSS at start: {first['rss'] / MiB:.0f} MiB")
    print(f"server RSS peak: {max(s['max_rss'] for s in samples) / MiB:.0f} MiB")
    print(f"server threads, most at once: {max(s['threads'] for s in samples)}")
    print(f"server connections, most at once: {max(s['connections'] for s in samples)}")
    print(f"byte budget, most held at once: {max(s['budget_peak'] for s in samples) / MiB:.0f} MiB")
    print(f"route errors: {samples[-1]['errors']}")
    print(f"steady clients' answers: {seen['steady']}")
    dropped = seen["slow_dropped_at"]
    if dropped:
        print(
            f"slow clients dropped: {len(dropped)} of {args.slow}, "
            f"at {min(dropped):.1f}-{max(dropped):.1f} s"
        )
    else:
        print(f"slow clients dropped: 0 of {args.slow}")
    statuses = sorted({status for status, _ in bigs})
    times = [t for _, t in bigs]
    if times:
        print(
            f"big bodies: {len(bigs)} answered, statuses {statuses}, "
            f"{min(times):.2f}-{max(times):.2f} s each"
        )
    if latencies:
        print(
            f"probe: {len(latencies)} answers, {probed['failures']} failures; latency ms "
            f"median {statistics.median(latencies):.1f}, p99 {_percentile(latencies, 0.99):.1f}, "
            f"max {max(latencies):.1f}; within 50 ms: "
            f"{sum(1 for x in latencies if x <= 50) / len(latencies):.1%}"
        )
        print(f"probe answers over 50 ms, seconds into the run: {probed['slow_at']}")
    late = samples[-1]["late"]
    print(
        f"server loop lag over 20 ms (sampled every {_TICK * 1000:g} ms): {len(late)} times, "
        f"longest {max((lag for _, lag in late), default=0):.1f} ms; at (s, ms): {late[:12]}"
    )
    print(f"machine load average (1, 5, 15 min) at the end: {os.getloadavg()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="12 s, request_timeout 5 s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--slow", type=int, default=150)
    parser.add_argument("--big", type=int, default=24)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--probe", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        return serve(json.loads(args.serve))
    if args.probe is not None:
        return probe(args.probe[0], float(args.probe[1]))
    if args.seconds is None:
        args.seconds = 12.0 if args.quick else 40.0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    del soft
    return run(args)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
