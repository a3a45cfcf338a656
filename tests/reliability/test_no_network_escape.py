"""No ECR request opens a socket while a fake is active, and real-looking credentials
never sign one. The suite-wide loopback guard (tests/conftest.py) is tested here too."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import pytest

from pytest_ecr import FakeEcr, credentials
from pytest_ecr.transports import botocore_hook

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


def test_guard_stops_an_ecr_request_when_no_fake_is_active() -> None:
    client = boto3.session.Session().client(
        "ecr", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    botocore_hook.set_guard(True)
    try:
        with pytest.raises(botocore_hook.EcrNetworkGuardError) as excinfo:
            client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
        assert "no fake ECR is active" in str(excinfo.value)
        assert "BatchGetImage" in str(excinfo.value)
        # with a fake active the same client is answered as usual
        with FakeEcr([REGISTRY]):
            client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    finally:
        botocore_hook.set_guard(False)


def test_guard_lets_moto_answer() -> None:
    moto = pytest.importorskip("moto")
    botocore_hook.set_guard(True)
    try:
        with moto.mock_aws():
            client = boto3.client("ecr", region_name="us-east-1")
            client.create_repository(repositoryName="team/api")
            assert client.describe_repositories()["repositories"]
    finally:
        botocore_hook.set_guard(False)
