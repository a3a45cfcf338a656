"""Signature checks on the endpoint (issue 15, defect 11): off by default (any signature
is accepted, as the fidelity page says); with ``verify_signatures=True`` a request must
be SigV4-signed with the fake credentials, and a bad one gets AWS's error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_ecr import FakeEcr
from pytest_ecr.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from pytest_ecr.transports.http_server import EcrHTTPServer

from .rawhttp import TARGET, Answer, Reader, connect

REGISTRY = {"version": 1, "repositories": [{"name": "team/api"}]}
BODY = json.dumps({"repositoryNames": ["team/api"]}).encode()


@pytest.fixture(name="fake")
def fake_fixture() -> FakeEcr:
    return FakeEcr([REGISTRY], fake_environment=False)


@pytest.fixture(name="server")
def server_fixture(fake: FakeEcr) -> Iterator[EcrHTTPServer]:
    with EcrHTTPServer(fake, verify_signatures=True) as server:
        yield server
    assert server.take_errors() == []


def signed(
    server: EcrHTTPServer,
    *,
    body: bytes = BODY,
    key: str = FAKE_ACCESS_KEY,
    secret: str = FAKE_SECRET_KEY,
    token: str | None = None,
    service: str = "ecr",
    path: str = "/",
) -> dict[str, str]:
    """The headers botocore's SigV4 signer gives a DescribeRepositories request."""
    request = AWSRequest(
        method="POST",
        url=server.endpoint_url + path,
        data=body,
        headers={
            "X-Amz-Target": TARGET + "DescribeRepositories",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    SigV4Auth(Credentials(key, secret, token), service, "us-east-1").add_auth(request)
    headers = {k: str(v) for k, v in request.headers.items()}
    headers["Host"] = server.endpoint_url.removeprefix("http://")
    return headers


def send(
    server: EcrHTTPServer, headers: dict[str, str], body: bytes = BODY, path: str = "/"
) -> Answer:
    lines = [f"POST {path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    with connect(server.endpoint_url) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = Reader(sock).answer()
    assert answer is not None
    return answer


def error_of(answer: Answer) -> tuple[int, str, str]:
    body: dict[str, Any] = answer.json()
    return answer.status, body["__type"], body["message"]


def test_a_well_signed_request_is_answered(server: EcrHTTPServer) -> None:
    answer = send(server, signed(server))
    assert answer.status == 200
    assert answer.json()["repositories"][0]["repositoryName"] == "team/api"


def test_a_signed_query_string_is_checked_too(server: EcrHTTPServer) -> None:
    path = "/?b=2&a=x%20y"
    assert send(server, signed(server, path=path), path=path).status == 200


def test_a_real_client_passes(server: EcrHTTPServer, fake: FakeEcr, endpoint_client: Any) -> None:
    fake.http_endpoints = (server.endpoint_url,)
    with fake:
        client = endpoint_client(server.endpoint_url)
        assert client.describe_repositories()["repositories"][0]["repositoryName"] == "team/api"


def test_a_wrong_secret_is_an_invalid_signature(server: EcrHTTPServer) -> None:
    answer = send(server, signed(server, secret="not-the-secret"))
    assert error_of(answer) == (
        400,
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details.",
    )


def test_a_changed_body_is_an_invalid_signature(server: EcrHTTPServer) -> None:
    headers = signed(server)
    other = json.dumps({"repositoryNames": ["team/other"]}).encode()
    assert error_of(send(server, headers, other))[1] == "InvalidSignatureException"


def test_another_service_scope_is_an_invalid_signature(server: EcrHTTPServer) -> None:
    status, code, message = error_of(send(server, signed(server, service="s3")))
    assert (status, code) == (400, "InvalidSignatureException")
    assert message == "Credential should be scoped to correct service: 'ecr'. "


def test_an_unsigned_host_is_an_invalid_signature(server: EcrHTTPServer) -> None:
    headers = signed(server)
    headers["Authorization"] = headers["Authorization"].replace(
        "SignedHeaders=content-type;host;", "SignedHeaders=content-type;"
    )
    status, code, message = error_of(send(server, headers))
    assert (status, code) == (400, "InvalidSignatureException")
    assert "'Host'" in message


def test_an_unknown_key_is_an_unrecognized_client(server: EcrHTTPServer) -> None:
    answer = send(server, signed(server, key="AKIAUNKNOWN000000000"))
    assert error_of(answer) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_a_session_token_is_an_unrecognized_client(server: EcrHTTPServer) -> None:
    answer = send(server, signed(server, token="session-token-the-fake-never-issued"))
    assert error_of(answer)[:2] == (400, "UnrecognizedClientException")


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (
            f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20260101/us-east-1/ecr/aws4_request",
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter.",
        ),
        (
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
            "Authorization header requires 'Credential' parameter.",
        ),
        ("Bearer abc", "Authorization header requires 'Credential' parameter."),
        (
            f"AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/us-east-1/ecr, "
            "SignedHeaders=host, Signature=00",
            "Credential must have exactly 5 slash-delimited elements",
        ),
    ],
    ids=["no-signature", "no-credential", "other-scheme", "short-scope"],
)
def test_an_incomplete_header_is_an_incomplete_signature(
    server: EcrHTTPServer, authorization: str, expected: str
) -> None:
    headers = signed(server)
    headers["Authorization"] = authorization
    status, code, message = error_of(send(server, headers))
    assert (status, code) == (400, "IncompleteSignatureException")
    assert message.startswith(expected)


def test_no_date_is_an_incomplete_signature(server: EcrHTTPServer) -> None:
    headers = signed(server)
    del headers["X-Amz-Date"]
    status, code, message = error_of(send(server, headers))
    assert (status, code) == (400, "IncompleteSignatureException")
    assert "requires existence of either a 'X-Amz-Date' or a 'Date' header" in message


@pytest.mark.parametrize("verify", [True, False], ids=["checked", "unchecked"])
def test_no_authorization_is_a_missing_token(fake: FakeEcr, verify: bool) -> None:
    with EcrHTTPServer(fake, verify_signatures=verify) as server:
        headers = signed(server)
        del headers["Authorization"]
        assert error_of(send(server, headers)) == (
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )


def test_unchecked_by_default(fake: FakeEcr) -> None:
    with EcrHTTPServer(fake) as server:
        answer = send(server, signed(server, secret="anything", key="AKIAANYTHING00000000"))
        assert answer.status == 200


def test_other_credentials_can_be_accepted(fake: FakeEcr) -> None:
    pairs = {"AKIATEAM000000000000": "team-secret"}
    with EcrHTTPServer(fake, verify_signatures=True, credentials=pairs) as server:
        ok = send(server, signed(server, key="AKIATEAM000000000000", secret="team-secret"))
        assert ok.status == 200
        fake_key = send(server, signed(server))
        assert error_of(fake_key)[1] == "UnrecognizedClientException"


@pytest.mark.ecr_registry(REGISTRY)
def test_the_ecr_server_fixture_checks_when_asked(
    ecr_server: Any, endpoint_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixture's server is shared by the session: monkeypatch puts the default back.
    monkeypatch.setattr(ecr_server.server, "verify_signatures", True)
    client = endpoint_client(ecr_server.endpoint_url)
    assert client.describe_repositories()["repositories"][0]["repositoryName"] == "team/api"
    answer = send(ecr_server.server, signed(ecr_server.server, secret="not-the-secret"))
    assert error_of(answer)[1] == "InvalidSignatureException"
