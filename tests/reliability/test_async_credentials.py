"""Async clients and the promises the botocore hook keeps for sync ones: no credential
provider runs while a fake is active, an ECR request no fake answers is stopped, and a
fake's real-time latency does not stop the event loop.

The pytester runs use the ``aws_project`` fixture (tests/reliability/conftest.py): real
profile files in a temporary HOME (``role``: assume-role; ``proc``: a credential_process
that records its runs). Their conftest here also stops and records whatever reaches
aiobotocore's HTTP layer (``AIOHTTPSession.send``), so "goes out" means "reached it".
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.credentials import FAKE_ACCESS_KEY
from pytest_ecr.transports.guard import EcrNetworkGuardError

if TYPE_CHECKING:
    from conftest import AwsProject

aiobotocore_session = pytest.importorskip("aiobotocore.session")

REGISTRY = '{"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}'

#: Appended to the child conftest: aiobotocore's HTTP layer records and stops every request.
ASYNC_SOCKET_LAYER = """

import aiobotocore.httpsession


async def _aio_send(self, request):
    auth = request.headers.get("Authorization") or b""
    REACHED.append((request.url, auth.decode() if isinstance(auth, bytes) else auth))
    raise ReachedTheSocketLayer(request.url)


aiobotocore.httpsession.AIOHTTPSession.send = _aio_send
"""


def _async_project(aws_project: AwsProject) -> pytest.Pytester:
    conftest = aws_project.pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text() + ASYNC_SOCKET_LAYER)
    return aws_project.pytester


def test_the_guard_stops_an_async_request_no_fake_answers() -> None:
    """No fake in this test: the request is stopped where aiobotocore would open a socket,
    signed with the fake's keys, not the client's."""
    signed: list[str] = []

    async def call() -> None:
        session = aiobotocore_session.get_session()
        async with session.create_client(
            "ecr",
            region_name="us-east-1",
            aws_access_key_id="AKIACLIENTKEY0000000",
            aws_secret_access_key="client-secret",
        ) as client:
            client.meta.events.register(
                "before-send.ecr",
                lambda request, **_: signed.append(request.headers["Authorization"].decode()),
            )
            await client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])

    with pytest.raises(EcrNetworkGuardError) as raised:
        asyncio.run(asyncio.wait_for(call(), 60))
    message = str(raised.value)
    assert "pytest-ecr's network guard stopped an ECR request to https://" in message
    assert "(BatchGetImage): no fake ECR is active in this test" in message
    assert len(signed) == 1
    assert f"Credential={FAKE_ACCESS_KEY}/" in signed[0]


@pytest.mark.slow
def test_no_provider_runs_for_async_clients_during_a_fake(
    aws_project: AwsProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client made before the fake from an assume-role profile (STS would be called at
    its first signing) and one from a credential_process profile (its credentials expired
    on arrival, so every signing would run the process again), and clients made during
    the fake from sessions made before it (which would resolve their profiles' credentials
    then): none of them runs a provider, nothing reaches
    aiobotocore's HTTP layer, every request is signed with the fake's keys."""
    monkeypatch.setenv("AWS_PROFILE", "role")
    pytester = _async_project(aws_project)
    pytester.makepyfile(
        test_it=f"""
        import asyncio, json, pathlib
        import aiobotocore.session
        from pytest_ecr import FakeEcr

        RUNS = pathlib.Path({str(aws_project.runs)!r})
        IDS = [{{"imageTag": "v1"}}]

        async def scenario(signed):
            role = aiobotocore.session.AioSession()  # AWS_PROFILE=role
            proc = aiobotocore.session.AioSession(profile="proc")
            # Sessions that read their profile before the fake (as code that takes its
            # region from one does) and create their first client during it.
            fresh_role = aiobotocore.session.AioSession()
            fresh_proc = aiobotocore.session.AioSession(profile="proc")
            assert fresh_role.get_config_variable("region") == "us-east-1"
            assert fresh_proc.get_config_variable("region") == "us-east-1"
            async with (
                role.create_client("ecr") as early_role,
                proc.create_client("ecr") as early_proc,
            ):
                runs_before = RUNS.read_text()  # the process ran once, at creation
                with FakeEcr([json.loads({REGISTRY!r})]) as fake:
                    async with (
                        fresh_role.create_client("ecr") as late_role,
                        fresh_proc.create_client("ecr") as late_proc,
                    ):
                        for client in (early_role, early_proc, late_role, late_proc):
                            client.meta.events.register(
                                "before-send.ecr",
                                lambda request, **_: signed.append(
                                    request.headers["Authorization"].decode()
                                ),
                            )
                            for _ in range(2):
                                await client.batch_get_image(
                                    repositoryName="team/api", imageIds=IDS
                                )
                    assert fake.calls("BatchGetImage").count == 8
                    assert {{c.transport for c in fake.calls()}} == {{"aiobotocore"}}
                assert RUNS.read_text() == runs_before, "credential_process ran during the fake"

        def test_it(socket_layer):
            signed = []
            asyncio.run(asyncio.wait_for(scenario(signed), 60))
            assert socket_layer == []
            assert len(signed) == 8
            assert all("Credential={FAKE_ACCESS_KEY}/" in header for header in signed)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert aws_project.real_key not in result.stdout.str()
    assert aws_project.ran() == 1  # once, when the early client was made


@pytest.mark.slow
def test_the_guard_stops_an_async_client_of_a_profile_without_its_provider(
    aws_project: AwsProject,
) -> None:
    """No fake: an assume-role client's request is stopped by the guard, and the guard's
    signing with the fake's keys keeps STS from being called for it."""
    pytester = _async_project(aws_project)
    pytester.makepyfile(
        test_it="""
        import asyncio
        import aiobotocore.session
        import pytest
        from pytest_ecr import EcrNetworkGuardError

        async def call():
            session = aiobotocore.session.AioSession(profile="role")
            async with session.create_client("ecr") as client:
                await client.describe_repositories()

        def test_it(socket_layer):
            with pytest.raises(EcrNetworkGuardError, match="no fake ECR is active"):
                asyncio.run(asyncio.wait_for(call(), 60))
            assert socket_layer == []  # no STS call for the profile's credentials either
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert aws_project.real_key not in result.stdout.str()


@pytest.mark.slow
def test_real_time_latency_leaves_the_loop_running_and_a_cancelled_write_applies() -> None:
    """With real time, an injected latency is slept in a worker thread: the caller's
    ``wait_for`` times out while the answer is pending (it could not, were the loop
    blocked), and the write it carried is applied all the same, as a request that reached
    ECR is."""
    answered = threading.Event()

    async def put(fake: FakeEcr) -> Any:
        session = aiobotocore_session.get_session()
        async with session.create_client("ecr", region_name="us-east-1") as client:
            got = await client.batch_get_image(
                repositoryName="team/api", imageIds=[{"imageTag": "v1"}]
            )
            manifest = got["images"][0]["imageManifest"]
            fake.fault("PutImage", latency=2)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(
                    client.put_image(
                        repositoryName="team/api", imageManifest=manifest, imageTag="late"
                    ),
                    0.2,
                )

    with FakeEcr([json.loads(REGISTRY)], real_time=True) as fake:
        original = fake.answer

        def answer(request: Any) -> Any:
            try:
                return original(request)
            finally:
                if request.operation == "PutImage":
                    answered.set()

        fake.answer = answer  # type: ignore[method-assign]
        asyncio.run(asyncio.wait_for(put(fake), 60))
        assert answered.wait(30), "the PutImage answer never completed"
        assert fake.registry.repository("team/api").image("late")
        assert [(s.seconds, s.kind) for s in fake.sleeps] == [(2.0, "latency")]
