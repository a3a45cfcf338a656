"""``pytest-ecr``: validate declarations and serve a registry outside pytest."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pytest_ecr import __version__


def _validate(paths: Sequence[str], out: TextIO) -> int:
    from pytest_ecr.declarations import DeclarationError, load_sources

    status = 0
    for path in paths:
        try:
            load_sources([str(Path(path).resolve())])
        except DeclarationError as error:
            status = 1
            for problem in error.problems:
                print(problem, file=out)
        else:
            print(f"{path}: ok", file=out)
    return status


def _serve(path: str, port: int, out: TextIO, stop: threading.Event | None = None) -> int:
    from pytest_ecr.declarations import DeclarationError
    from pytest_ecr.fake import FakeEcr
    from pytest_ecr.transports.http_server import EcrHTTPServer, export_environment

    try:
        fake = FakeEcr([str(Path(path).resolve())], fake_environment=False)
    except DeclarationError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    server = EcrHTTPServer(fake, port=port)
    server.start()
    print(f"pytest-ecr {__version__} serving {path} at {server.endpoint_url}", file=out)
    print("export these to point the AWS CLI or an SDK at it:", file=out)
    for name, value in export_environment(server.endpoint_url, fake.region).items():
        print(f"export {name}={shlex.quote(value)}", file=out)
    print("Ctrl-C stops the server.", file=out, flush=True)
    stop = stop or threading.Event()
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.2):
            for failure in server.take_errors():
                print(f"pytest-ecr: internal error: {failure!r}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    print("pytest-ecr: stopped", file=out, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pytest-ecr", description="Tools for pytest-ecr registry declarations."
    )
    parser.add_argument("--version", action="version", version=f"pytest-ecr {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser(
        "validate", help="check declaration files; print every problem as file:line"
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    serve = commands.add_parser("serve", help="serve a declared registry over HTTP on 127.0.0.1")
    serve.add_argument("file", metavar="FILE")
    serve.add_argument("--port", type=int, default=0, help="port (default: an ephemeral one)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.files, sys.stdout)
    return _serve(args.file, args.port, sys.stdout)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
