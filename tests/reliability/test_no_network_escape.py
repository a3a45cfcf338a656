"""No ECR request opens a socket while a fake is active, and real-looking credentials
never sign one. The suite-wide loopback guard (tests/conftest.py) is tested here too."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import botocore.httpsession
import pytest

from pytest_ecr import EcrNetworkGuardError, FakeEcr, credentials
from pytest_ecr.transports import botocore_hook, guard

REGISTRY = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}


def test_guard_blocks_connections_and_lookups() -> None:
    with pytest.raises(AssertionError, match="only loopback is allowed"):
        socket.getaddrinfo("api.ecr.us-east-1.amazonaws.com", 443)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError, match="only loopback is allowed"):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    finally:
        sock.close()


def test_no_socket_and_fake_credentials_with_real_looking_ones_around(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALLOOKING")
    opened: list[Any] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> None:
        opened.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    # Created before the fake is active, with the real-looking keys from the environment.
    early = boto3.session.Session().client("ecr", region_name="us-east-1")
    authorizations: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        authorizations.append(request.headers["Authorization"].decode())

    early.meta.events.register("before-send.ecr", capture)
    with FakeEcr([REGISTRY]) as fake:
        late = boto3.client("ecr", region_name="us-east-1")
        late.meta.events.register("before-send.ecr", capture)
        for client in (early, late):
            client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
            with pytest.raises(client.exceptions.RepositoryNotFoundException):
                client.describe_images(repositoryName="team/none")
        assert fake.calls().count == 4
    assert opened == []
    assert len(authorizations) == 4
    for header in authorizations:
        assert f"Credential={credentials.FAKE_ACCESS_KEY}/" in header
        assert "AKIAREALLOOKINGKEY00" not in header


def test_the_suite_runs_with_the_guard_on() -> None:
    # No ini key and no option in this project: the default.
    assert guard.guard_on()


def test_guard_stops_an_ecr_request_when_no_fake_is_active() -> None:
    client = boto3.session.Session().client(
        "ecr", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(EcrNetworkGuardError) as excinfo:
        client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert "no fake ECR is active" in str(excinfo.value)
    assert "BatchGetImage" in str(excinfo.value)
    # with a fake active the same client is answered as usual
    with FakeEcr([REGISTRY]):
        client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])


@pytest.fixture(name="reached")
def reached_fixture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What reaches botocore's HTTP layer (URL, Authorization), stopped there."""
    reached: list[tuple[str, str]] = []

    def send(self: Any, request: Any) -> Any:
        reached.append((request.url, request.headers.get("Authorization", b"").decode()))
        raise ConnectionAbortedError(request.url)

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send)
    return reached


def test_without_credentials_the_guard_error_is_what_the_test_sees(
    monkeypatch: pytest.MonkeyPatch, reached: list[tuple[str, str]]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    client = boto3.session.Session().client("ecr", region_name="us-east-1")
    assert client._request_signer._credentials is None
    with pytest.raises(EcrNetworkGuardError, match="no fake ECR is active"):
        client.describe_repositories()
    assert reached == []


def test_network_allowed_lets_the_request_go_out_with_the_clients_keys(
    reached: list[tuple[str, str]],
) -> None:
    client = boto3.session.Session().client(
        "ecr",
        region_name="us-east-1",
        aws_access_key_id="AKIAOWNKEY0000000000",
        aws_secret_access_key="b",
    )
    with guard.network_allowed(), pytest.raises(ConnectionAbortedError):
        client.describe_repositories()
    assert [url for url, _ in reached] == ["https://api.ecr.us-east-1.amazonaws.com/"]
    assert "Credential=AKIAOWNKEY0000000000/" in reached[0][1]
    assert guard.guard_on()  # the block is over


def test_ecr_public_is_stopped_with_or_without_a_fake(reached: list[tuple[str, str]]) -> None:
    public = boto3.session.Session().client(
        "ecr-public",
        region_name="us-east-1",
        aws_access_key_id="AKIAREALLOOKINGKEY00",
        aws_secret_access_key="b",
    )
    signed: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        signed.append(str(request.headers["Authorization"]))

    # Runs after botocore's signer: what would have gone out.
    public.meta.events.register("request-created.ecr-public", capture)
    with pytest.raises(EcrNetworkGuardError, match="not ECR Public"):
        public.describe_repositories()
    with FakeEcr([REGISTRY]) as fake, pytest.raises(EcrNetworkGuardError, match="not ECR Public"):
        public.describe_registries()
    assert fake.calls().count == 0
    assert reached == []
    # botocore < 1.34.6x: stopped before signing when no fake is active; never a real key.
    assert len(signed) == (2 if botocore_hook._REQUEST_CREDENTIALS else 1)
    assert all(f"Credential={credentials.FAKE_ACCESS_KEY}/" in header for header in signed)


def test_guard_lets_moto_answer() -> None:
    moto = pytest.importorskip("moto")
    assert guard.guard_on()
    with moto.mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        client.create_repository(repositoryName="team/api")
        assert client.describe_repositories()["repositories"]
