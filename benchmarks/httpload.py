"""HTTP throughput: pytest-ecr's server and moto's, each in its own process, under load.

The issue's yardstick is throughput for 1-id BatchGetImage. Each server runs as users run
it outside Python tests (``pytest-ecr serve FILE``; ``python -m moto.server``) in its own
process, and a separate load process sends the same signed 1-id request over one
keep-alive connection, back to back, for a fixed time: responses per second is the
server's throughput for one client (the load process needs a fraction of the time the
servers do, and each has a core of its own on a 2-core machine).

Run as a worker by :mod:`run` (``python benchmarks/httpload.py --load URL SECONDS``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
TARGET = "AmazonEC2ContainerRegistry_V20150921.BatchGetImage"


@dataclass(frozen=True)
class Load:
    """What one load run saw."""

    responses: int
    seconds: float
    median_latency: float  # seconds
    images: int  # images in the last answer (1 when the server answered right)

    @property
    def per_second(self) -> float:
        return self.responses / self.seconds


def signed_request(
    url: str, body: bytes, region: str, access_key: str, secret: str
) -> dict[str, str]:
    """The headers botocore would send for *body*, signed once (neither server checks a
    signature's value; both read the region from its credential scope)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(access_key, secret), "ecr", region).add_auth(request)
    return {key: str(value) for key, value in request.headers.items()}


def _load(url: str, seconds: float, request: dict[str, Any]) -> Load:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    body = request["body"].encode()
    headers = request["headers"]
    latencies: list[float] = []
    last = b""
    clock = time.perf_counter
    start = clock()
    deadline = start + seconds
    while True:
        sent = clock()
        if sent >= deadline:
            break
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        last = response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}: {last[:300]!r}")
        latencies.append(clock() - sent)
    elapsed = clock() - start
    connection.close()
    images = len(json.loads(last).get("images", [])) if last else 0
    return Load(len(latencies), elapsed, statistics.median(latencies), images)


def run_load(url: str, seconds: float, request: dict[str, Any]) -> Load:
    """One load process against *url*; what it saw."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--load", url, str(seconds)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load on {url} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return Load(**json.loads(done.stdout))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any], what: str) -> None:
    """Return once *process* (called *what* in errors) accepts connections on *port*."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within 60 s")


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM *process*, then kill it if it has not ended within 10 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _serving(command: list[str], port: int, what: str, env: dict[str, str]) -> Iterator[str]:
    """*command* in its own process until the block ends; yields its endpoint URL."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    try:
        wait_listening(port, process, what)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def pytest_ecr_server(declaration: Path, env: dict[str, str]) -> AbstractContextManager[str]:
    """``pytest-ecr serve FILE`` in its own process."""
    port = free_port()
    code = "import sys; from pytest_ecr.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", code, "serve", str(declaration), "--port", str(port)]
    return _serving(command, port, "pytest-ecr serve", env)


def moto_server(env: dict[str, str]) -> AbstractContextManager[str]:
    """``python -m moto.server`` in its own process."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return _serving(command, port, "moto server", env)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--load", nargs=2, metavar=("URL", "SECONDS"), required=True)
    args = parser.parse_args(argv)
    url, seconds = args.load
    request = json.loads(sys.stdin.read())
    result = _load(url, float(seconds), request)
    json.dump(result.__dict__, sys.stdout)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
