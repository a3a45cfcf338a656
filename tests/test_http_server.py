"""The registry served over HTTP on loopback: real boto3 clients, the real AWS CLI in a
subprocess, bad HTTP, concurrency, and the standalone ``pytest-ecr serve``."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.http_server import MAX_BODY, EcrServer

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.ecr_registry("data/registry.yaml")
TARGET = "AmazonEC2ContainerRegistry_V20150921."


def post(server: EcrServer, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    host, port = server.endpoint_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def aws(server: EcrServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", "ecr", *args, "--output", "json"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_same_answer_over_http_as_in_process(
    ecr: FakeEcr, ecr_server: EcrServer, endpoint_client: Any
) -> None:
    ids = [{"imageTag": "v1"}, {"imageTag": "nope"}, {}]
    local = ecr.client().batch_get_image(repositoryName="team/api", imageIds=ids)
    remote = endpoint_client(ecr_server.endpoint_url).batch_get_image(
        repositoryName="team/api", imageIds=ids
    )
    del local["ResponseMetadata"], remote["ResponseMetadata"]
    assert remote == local
    assert [c.transport for c in ecr.calls()] == ["botocore", "http"]


@pytest.mark.slow
def test_errors_over_http(ecr_server: EcrServer, endpoint_client: Any) -> None:
    client = endpoint_client(ecr_server.endpoint_url)
    with pytest.raises(client.exceptions.RepositoryNotFoundException) as excinfo:
        client.batch_get_image(repositoryName="team/nope", imageIds=[{"imageTag": "v1"}])
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_faults_and_retries_over_http(
    ecr: FakeEcr, ecr_server: EcrServer, endpoint_client: Any
) -> None:
    ecr.fault("BatchGetImage", error="ServerException", times=2)
    client = endpoint_client(ecr_server.endpoint_url)
    response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert ecr.calls("BatchGetImage").attempts == [1, 2, 3]


def test_connection_reset_over_http(
    ecr: FakeEcr, ecr_server: EcrServer, endpoint_client: Any
) -> None:
    import botocore.exceptions

    ecr.fault("BatchGetImage", connection="reset", times=1)
    client = endpoint_client(
        ecr_server.endpoint_url, retries={"total_max_attempts": 1, "mode": "standard"}
    )
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    # and the server is still up
    assert client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])


@pytest.mark.slow
def test_aws_cli_batch_get_image(ecr: FakeEcr, ecr_server: EcrServer) -> None:
    result = aws(
        ecr_server,
        "batch-get-image",
        "--repository-name",
        "ubuntu",
        "--image-ids",
        "imageTag=precise",
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    image = ecr.registry.repository("ubuntu").image("precise")
    assert printed["failures"] == []
    assert printed["images"][0]["imageManifest"] == image.manifest
    assert printed["images"][0]["imageId"] == {"imageDigest": image.digest, "imageTag": "precise"}
    assert ecr.calls("BatchGetImage").last.transport == "http"


@pytest.mark.slow
def test_aws_cli_describe_images(ecr: FakeEcr, ecr_server: EcrServer) -> None:
    result = aws(
        ecr_server, "describe-images", "--repository-name", "team/api", "--image-ids", "imageTag=v1"
    )
    assert result.returncode == 0, result.stderr
    [detail] = json.loads(result.stdout)["imageDetails"]
    image = ecr.registry.repository("team/api").image("v1")
    assert detail["imageDigest"] == image.digest
    assert detail["imageTags"] == ["v1", "latest"]
    assert detail["imageSizeInBytes"] == image.size_bytes == 1470 + 3370706
    assert detail["registryId"] == "111122223333"


@pytest.mark.slow
def test_aws_cli_get_authorization_token(ecr_server: EcrServer) -> None:
    import base64

    result = aws(ecr_server, "get-authorization-token")
    assert result.returncode == 0, result.stderr
    [data] = json.loads(result.stdout)["authorizationData"]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    assert password
    assert ":" not in password
    assert data["proxyEndpoint"].startswith("https://111122223333.dkr.ecr.us-east-1.")
    # and the CLI's own login helper accepts it
    login = subprocess.run(
        [sys.executable, "-m", "awscli", "ecr", "get-login-password"],
        env=ecr_server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert login.returncode == 0, login.stderr
    # a fresh token per call (its expiry moves), in the same shape
    assert login.stdout.strip()
    assert ":" not in login.stdout.strip()


@pytest.mark.slow
def test_aws_cli_retries_an_injected_fault(ecr: FakeEcr, ecr_server: EcrServer) -> None:
    ecr.fault("BatchGetImage", error="ThrottlingException", times=1)
    result = aws(
        ecr_server,
        "batch-get-image",
        "--repository-name",
        "team/api",
        "--image-ids",
        "imageTag=v1",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["images"][0]["imageId"]["imageTag"] == "v1"
    assert [c.error_code for c in ecr.calls("BatchGetImage")] == ["ThrottlingException", None]


@pytest.mark.slow
def test_aws_cli_sees_the_error_text(ecr_server: EcrServer) -> None:
    result = aws(
        ecr_server,
        "batch-get-image",
        "--repository-name",
        "team/nope",
        "--image-ids",
        "imageTag=v1",
    )
    assert result.returncode == 254 or result.returncode == 255
    assert "RepositoryNotFoundException" in result.stderr
    assert "The repository with name 'team/nope' does not exist" in result.stderr


# -- bad HTTP ------------------------------------------------------------------------


def test_unknown_target(ecr_server: EcrServer, fake_authorization: str) -> None:
    status, body = post(
        ecr_server, b"{}", {"X-Amz-Target": TARGET + "Nope", "Authorization": fake_authorization}
    )
    assert status == 501
    assert body["__type"] == "NotImplementedByPytestEcr"
    status, body = post(
        ecr_server,
        b"{}",
        {"X-Amz-Target": "Other.BatchGetImage", "Authorization": fake_authorization},
    )
    assert (status, body["__type"]) == (400, "UnknownOperationException")


def test_malformed_json(ecr_server: EcrServer, fake_authorization: str) -> None:
    status, body = post(
        ecr_server,
        b"{not json",
        {"X-Amz-Target": TARGET + "BatchGetImage", "Authorization": fake_authorization},
    )
    assert (status, body["__type"]) == (400, "SerializationException")


def test_missing_authorization(ecr_server: EcrServer) -> None:
    status, body = post(ecr_server, b"{}", {"X-Amz-Target": TARGET + "BatchGetImage"})
    assert (status, body["__type"], body["message"]) == (
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )


def test_oversized_body_and_server_stays_up(
    ecr_server: EcrServer, fake_authorization: str, endpoint_client: Any
) -> None:
    host, port = ecr_server.endpoint_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.putheader("Authorization", fake_authorization)
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["__type"] == "RequestEntityTooLargeException"
    conn.close()
    client = endpoint_client(ecr_server.endpoint_url)
    assert client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])


@pytest.mark.slow
def test_200_concurrent_connections(
    ecr: FakeEcr, ecr_server: EcrServer, fake_authorization: str
) -> None:
    digest = ecr.registry.repository("team/api").image("v1").digest
    headers = {
        "X-Amz-Target": TARGET + "BatchGetImage",
        "Authorization": fake_authorization,
        "Content-Type": "application/x-amz-json-1.1",
    }
    good = json.dumps({"repositoryName": "team/api", "imageIds": [{"imageTag": "v1"}]}).encode()

    def one(i: int) -> tuple[int, str]:
        if i % 10 == 0:  # a malformed request among the good ones
            status, body = post(ecr_server, b"[1,", headers)
            return status, body["__type"]
        status, body = post(ecr_server, good, headers)
        return status, body["images"][0]["imageId"]["imageDigest"]

    def outcome(i: int) -> tuple[int, str]:
        status, body = post(ecr_server, good, headers)
        if status == 200:
            return status, body["images"][0]["imageId"]["imageDigest"]
        return status, body["__type"]

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200), timeout=120))
        armed = ecr.fault("BatchGetImage", error="ThrottlingException", times=30)
        # the same load with a fault armed: exactly 30 throttled, the rest answered
        faulted = list(pool.map(outcome, range(200), timeout=120))
    assert results.count((400, "SerializationException")) == 20
    assert results.count((200, digest)) == 180
    assert faulted.count((400, "ThrottlingException")) == 30 == armed.fired
    assert faulted.count((200, digest)) == 170
    calls = ecr.calls("BatchGetImage")
    assert calls.count == 180 + 200
    assert sum(1 for c in calls if c.fault) == 30


@pytest.mark.slow
def test_server_thread_errors_are_raised_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import http.client, json, pytest

        REG = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}

        @pytest.mark.ecr_registry(REG)
        def test_boom(ecr, ecr_server, monkeypatch):
            def broken(request):
                raise ZeroDivisionError("bug in the fake")
            monkeypatch.setattr(ecr, "answer", broken)
            host, port = ecr_server.endpoint_url[7:].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("POST", "/", body=b"{}", headers={
                "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.BatchGetImage",
                "Authorization": "AWS4-HMAC-SHA256 "
                                 "Credential=A/20260101/us-east-1/ecr/aws4_request"})
            response = conn.getresponse()
            assert response.status == 500
            assert json.loads(response.read())["__type"] == "InternalFailure"
        """
    )
    # In a subprocess: this module's own fake is active in this process.
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_boom*", "*ZeroDivisionError: bug in the fake*"]
    )


def test_state_is_per_test_on_a_shared_server(ecr: FakeEcr, ecr_server: EcrServer) -> None:
    assert ecr_server.server.fake is ecr
    assert ecr.calls().count == 0


@pytest.mark.slow
def test_pytest_ecr_serve_standalone() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_ecr.cli", "serve", str(DATA / "registry.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "serving" in banner, banner
        endpoint = banner.rsplit(" at ", 1)[1].strip()
        exports: dict[str, str] = {}
        line = process.stdout.readline()
        while not line.startswith("Ctrl-C"):
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = value.strip("'")
            line = process.stdout.readline()
        assert exports["AWS_ENDPOINT_URL_ECR"] == endpoint
        import os

        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "awscli",
                "ecr",
                "batch-get-image",
                "--repository-name",
                "team/api",
                "--image-ids",
                "imageTag=latest",
                "--output",
                "json",
            ],
            env={**os.environ, **exports},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["images"][0]["imageId"]["imageTag"] == "latest"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.slow
def test_slow_client_is_dropped_and_others_are_served() -> None:
    import socket
    import time

    from pytest_ecr.transports.http_server import EcrHTTPServer

    fake = FakeEcr([{"version": 1, "repositories": [{"name": "team/api"}]}])
    with EcrHTTPServer(fake, idle_timeout=0.5) as server:
        host, port = server.endpoint_url.removeprefix("http://").split(":")
        slow = socket.create_connection((host, int(port)), timeout=10)
        slow.sendall(b"POST / HTTP/1.1\r\nContent-Le")  # and then nothing
        # a well-behaved client is served meanwhile
        fake.http_endpoints = (server.endpoint_url,)
        client = boto3.session.Session().client(
            "ecr",
            region_name="us-east-1",
            endpoint_url=server.endpoint_url,
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        assert client.describe_repositories()["repositories"]
        started = time.perf_counter()
        assert slow.recv(1024) == b""  # the server hung up on the silent client
        assert time.perf_counter() - started < 9
        slow.close()
        assert client.describe_repositories()["repositories"]
