"""``pytest-ecr serve`` as users run it: bad ports end in one line and a non-zero exit,
and SIGINT and SIGTERM stop it, also when it started with SIGINT ignored (issue 15,
defect 10)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REGISTRY = str(DATA / "registry.yaml")


def serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_ecr.cli", "serve", REGISTRY, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_port_out_of_range_is_one_line(port: str) -> None:
    result = serve("--port", port)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"pytest-ecr serve: --port {port}: not a port (0-65535)"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = serve("--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"pytest-ecr serve: port {port} on 127.0.0.1 is already in use"
    ]


@contextmanager
def running(
    *args: str, ignore_sigint: bool = False
) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """``pytest-ecr serve`` in a child process, and the variables its banner exports."""

    def ignore() -> None:  # as a shell does for `nohup ... &`
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_ecr.cli", "serve", REGISTRY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore if ignore_sigint else None,  # no threads started yet
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        exports: dict[str, str] = {}
        line = process.stdout.readline()
        while line and not line.startswith("Ctrl-C"):
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value.strip("'")
            line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        yield process, exports
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("ignore_sigint", [False, True], ids=["plain", "sigint-ignored"])
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_stop_the_server(number: signal.Signals, ignore_sigint: bool) -> None:
    with running(ignore_sigint=ignore_sigint) as (process, _):
        process.send_signal(number)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "pytest-ecr: stopped" in out
        assert "Traceback" not in err


def aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", "ecr", *args, "--output", "json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_verify_signatures_checks_the_aws_cli_requests() -> None:
    with running("--verify-signatures") as (_, exports):
        good = aws(exports, "describe-repositories")
        assert good.returncode == 0, good.stderr
        wrong = aws(
            {**exports, "AWS_SECRET_ACCESS_KEY": "not-the-fake-secret"}, "describe-repositories"
        )
        assert wrong.returncode != 0
        assert "InvalidSignatureException" in wrong.stderr
        stranger = aws(
            {**exports, "AWS_ACCESS_KEY_ID": "AKIAOTHER0000000000"}, "describe-repositories"
        )
        assert "UnrecognizedClientException" in stranger.stderr


def test_serving_keeps_start_ups_heap_out_of_the_collectors_way_and_gives_it_back() -> None:
    # A full collection under load held every client for 40-80 ms while it walked the
    # modules and models start-up made; serving freezes them (gc.freeze), and unfreezes
    # when it stops (the CLI may run inside another process, as here).
    import gc
    import io
    import threading
    import time

    from pytest_ecr.cli import _serve

    before = gc.get_freeze_count()
    stop = threading.Event()
    out = io.StringIO()
    thread = threading.Thread(target=_serve, args=(REGISTRY, 0, out, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while "Ctrl-C" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "Ctrl-C" in out.getvalue()
        assert gc.get_freeze_count() > before + 10_000
    finally:
        stop.set()
        thread.join(timeout=30)
    assert "pytest-ecr: stopped" in out.getvalue()
    assert gc.get_freeze_count() == before
