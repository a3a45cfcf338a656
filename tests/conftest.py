from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# The one place the tests name the fake credentials (moving to pytest_ecr.credentials).
from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

pytest_plugins = ["pytester"]


#: The processes started in this test process (audit events), in order.
_STARTED: list[str] = []
_PROCESS_EVENTS = frozenset(
    {"subprocess.Popen", "os.posix_spawn", "os.spawn", "os.system", "os.exec", "os.fork"}
)


def _watch_processes(event: str, args: tuple[Any, ...]) -> None:
    if event in _PROCESS_EVENTS:
        _STARTED.append(f"{event} {args[0]!r}" if args else event)


sys.addaudithook(_watch_processes)


@pytest.fixture(autouse=True)
def _slow_if_it_starts_a_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """The fast lane (``-m "not slow"``) starts no process: a test that starts one (or
    whose fixtures do) and is not marked ``slow`` errors at teardown, naming what it ran."""
    if request.node.get_closest_marker("slow") is not None:
        yield
        return
    before = len(_STARTED)
    yield
    started = _STARTED[before:]
    if started:
        pytest.fail(
            f"{request.node.nodeid} started {len(started)} process(es), the first "
            f"{started[0]}, but is not marked slow: mark it @pytest.mark.slow so that the "
            'fast lane (-m "not slow") starts none',
            pytrace=False,
        )


class NetworkEscape(AssertionError):
    """A test tried to reach a host that is not loopback."""


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """The guard of the whole suite: any connection or name lookup beyond loopback fails.

    Tests never reach the network; only the package clients' registries (at install time)
    and 127.0.0.1 are used. Subprocesses (the AWS CLI) are pointed at loopback by the
    tests that start them.
    """
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkEscape(f"test tried to connect to {address!r}: only loopback is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host if isinstance(host, str) else host.decode()):
            raise NetworkEscape(f"test tried to resolve {host!r}: only loopback is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", connect)
    patch.setattr(socket.socket, "connect_ex", connect_ex)
    patch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _no_real_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never depend on the developer's AWS configuration."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(name="fake_authorization")
def fake_authorization_fixture() -> str:
    """An ``Authorization`` header as the fake's own signer writes it (signature not checked)."""
    return (
        f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20260101/us-east-1/ecr/aws4_request, "
        "SignedHeaders=host, Signature=00"
    )


@pytest.fixture(name="endpoint_client", scope="session")
def endpoint_client_fixture() -> Callable[..., Any]:
    """A factory of boto3 ECR clients for an endpoint URL, signed with the fake credentials.

    Keyword arguments other than ``config`` become a :class:`botocore.config.Config`.
    """
    import boto3
    from botocore.config import Config

    def make(endpoint_url: str, config: Any = None, **options: Any) -> Any:
        return boto3.session.Session().client(
            "ecr",
            region_name="us-east-1",
            endpoint_url=endpoint_url,
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
            config=config if config is not None else (Config(**options) if options else None),
        )

    return make
