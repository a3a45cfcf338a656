"""The in-process transport: which clients are answered, with what credentials, and what
is left alone."""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.session
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.credentials import FAKE_ACCESS_KEY
from pytest_ecr.transports import botocore_hook, guard, responder

REGISTRY = {
    "version": 1,
    "account": "111122223333",
    "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}],
}


@pytest.mark.ecr_registry(REGISTRY)
def test_default_boto3_client_is_answered() -> None:
    client = boto3.client("ecr", region_name="us-east-1")
    response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert response["images"][0]["registryId"] == "111122223333"


@pytest.mark.ecr_registry(REGISTRY)
def test_plain_botocore_client_is_answered() -> None:
    client = botocore.session.get_session().create_client("ecr", region_name="us-east-1")
    response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert len(response["images"]) == 1


@pytest.mark.ecr_registry(REGISTRY)
def test_fake_credentials_sign_even_when_real_looking_ones_are_given(ecr: FakeEcr) -> None:
    client = boto3.session.Session().client(
        "ecr",
        region_name="us-east-1",
        aws_access_key_id="AKIAREALLOOKING00000",
        aws_secret_access_key="real-looking-secret",
    )
    captured: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        captured.append(request.headers["Authorization"].decode())

    # Registered after the hook's own registration: sees the signed request first? No:
    # handlers of the same event run in registration order, and ours answers without
    # stopping the others, so this one still sees the request as signed.
    client.meta.events.register("before-send.ecr", capture)
    client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert captured
    assert f"Credential={FAKE_ACCESS_KEY}/" in captured[0]
    assert "AKIAREALLOOKING00000" not in captured[0]


def test_environment_is_faked_only_while_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING00000")
    monkeypatch.setenv("AWS_PROFILE", "production")
    fake = FakeEcr([REGISTRY])
    with fake:
        assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_ACCESS_KEY
        assert "AWS_PROFILE" not in os.environ
        assert fake.active
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALLOOKING00000"
    assert os.environ["AWS_PROFILE"] == "production"
    assert responder.active() is None


def test_no_credentials_at_all_still_signs_with_fake_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    # Created before the fake is active: resolves no credentials at all.
    client = botocore.session.Session().create_client("ecr", region_name="us-east-1")
    with FakeEcr([REGISTRY]):
        response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert response["images"]


def test_fakes_do_not_nest() -> None:
    with FakeEcr([REGISTRY]), pytest.raises(RuntimeError, match="already active"):
        FakeEcr([REGISTRY]).activate()


def test_attach_covers_a_client_from_a_session_made_before_the_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Simulate a session created before pytest-ecr loaded: no builtin hook handlers.
    import botocore.handlers

    trimmed = [
        spec
        for spec in botocore.handlers.BUILTIN_HANDLERS
        if not getattr(spec[1], "__module__", "").startswith("pytest_ecr")
    ]
    assert len(trimmed) < len(botocore.handlers.BUILTIN_HANDLERS)
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", trimmed)
    session = botocore.session.Session()
    client = session.create_client(
        "ecr", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    with FakeEcr([REGISTRY]) as fake:
        fake.attach(client)
        fake.attach(client)  # twice is harmless
        response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
        assert response["images"]
        assert fake.calls().count == 1


def test_attach_rejects_other_services() -> None:
    s3 = botocore.session.Session().create_client("s3", region_name="us-east-1")
    with pytest.raises(TypeError, match="ECR client"):
        FakeEcr().attach(s3)


def test_dormant_hook_leaves_ecr_alone_when_no_fake_is_active() -> None:
    client = botocore.session.Session().create_client(
        "ecr", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    seen: list[str] = []

    def canned(request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        seen.append(request.headers["Authorization"].decode())

        class Raw:
            def stream(self, **_: Any) -> Any:
                yield b'{"images":[],"failures":[]}'

        return AWSResponse(request.url, 200, {}, Raw())

    client.meta.events.register("before-send.ecr", canned)
    # The network guard (on in this suite) would sign with the fake's keys a request it is
    # about to stop; a test that means to reach AWS opens it.
    with guard.network_allowed():
        response = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert response["images"] == []
    assert len(seen) == 1
    assert "Credential=x/" in seen[0]  # the client's own key: the hook changed nothing
    if not botocore_hook._REQUEST_CREDENTIALS:  # botocore < 1.34.6x: stopped before signing
        with pytest.raises(botocore_hook.EcrNetworkGuardError):
            client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
        assert len(seen) == 1
        return
    client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert f"Credential={FAKE_ACCESS_KEY}/" in seen[1]  # guard closed: never a real key


class TestWithMoto:
    """moto's mock_aws and the fake in one test: ECR is answered only by the fake."""

    def test_ecr_answered_once_other_services_by_moto(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        moto = pytest.importorskip("moto")
        from moto.core.models import botocore_stubber

        seen_by_moto: list[str] = []
        original = botocore_stubber.process_request

        def spy(request: Any) -> Any:
            seen_by_moto.append(request.url)
            return original(request)

        monkeypatch.setattr(botocore_stubber, "process_request", spy)
        with moto.mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="untouched")
            moto_ecr = boto3.client("ecr", region_name="us-east-1")
            moto_ecr.create_repository(repositoryName="moto/only")
            seen_by_moto.clear()
            with FakeEcr([REGISTRY]) as fake:
                client = fake.client()
                assert client.batch_get_image(
                    repositoryName="team/api", imageIds=[{"imageTag": "v1"}]
                )["images"]
                with pytest.raises(client.exceptions.RepositoryNotFoundException):
                    client.batch_get_image(repositoryName="moto/only", imageIds=[{"imageTag": "x"}])
                assert not any("api.ecr" in url for url in seen_by_moto)
                # other services still go to moto
                assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["untouched"]
                assert any("s3" in url for url in seen_by_moto)
            assert fake.calls().count == 2
            # after the fake, ECR is moto's again
            assert moto_ecr.describe_repositories()["repositories"][0]["repositoryName"] == (
                "moto/only"
            )
