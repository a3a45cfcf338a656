"""Async clients end to end: real aiobotocore and aioboto3 clients answered by the fake
in process (the aiobotocore hook) and over the HTTP endpoint, with faults below
aiobotocore's retry loop, its backoff on the fake's virtual clock, and the call history.
The network guard and credentials: tests/reliability/test_async_credentials.py. Each test
drives its coroutine with ``asyncio.run`` (and a timeout)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import botocore.exceptions
import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.transports.guard import EcrNetworkGuardError
from pytest_ecr.transports.http_server import EcrServer

aiobotocore_session = pytest.importorskip("aiobotocore.session")
aiohttp = pytest.importorskip("aiohttp")

T = TypeVar("T")
REGISTRY = {
    "version": 1,
    "account": "111122223333",
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1"]}, {"tags": ["v2"]}, {"tags": ["v3"]}]},
    ],
}
IDS = [{"imageTag": "v1"}]
pytestmark = pytest.mark.ecr_registry(REGISTRY)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run *coroutine* in a new event loop, failing after 60 s instead of hanging."""
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def client(**kwargs: Any) -> Any:
    """An aiobotocore ECR client (an async context manager), created as application code
    creates one: no keys given, so during a fake it is given the fake's."""
    from botocore.config import Config

    retries = kwargs.pop("retries", None)
    config = Config(retries=retries) if retries else None
    return aiobotocore_session.get_session().create_client(
        "ecr", region_name="us-east-1", config=config, **kwargs
    )


async def with_client(use: Callable[[Any], Awaitable[T]], **kwargs: Any) -> T:
    async with client(**kwargs) as ecr_client:
        return await use(ecr_client)


@pytest.fixture(name="real_sleeps")
def real_sleeps_fixture(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay given to the real ``asyncio.sleep`` during the test (aiohttp's and the
    hook's own zero-second yields included)."""
    slept: list[float] = []
    real = asyncio.sleep

    async def spy(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return await real(0, result)

    monkeypatch.setattr(asyncio, "sleep", spy)
    return slept


# -- answers ----------------------------------------------------------------------------


def test_reads_writes_and_pages_through_aiobotocore(ecr: FakeEcr) -> None:
    async def use(c: Any) -> tuple[Any, Any, list[Any], Any]:
        got = await c.batch_get_image(repositoryName="team/api", imageIds=IDS)
        manifest = got["images"][0]["imageManifest"]
        put = await c.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="rc")
        pages = [
            page
            async for page in c.get_paginator("describe_images").paginate(
                repositoryName="team/api", PaginationConfig={"PageSize": 1}
            )
        ]
        described = await c.describe_images(
            repositoryName="team/api", imageIds=[{"imageTag": "rc"}]
        )
        return got, put, pages, described

    got, put, pages, described = run(with_client(use))
    sync = ecr.client().batch_get_image(repositoryName="team/api", imageIds=IDS)
    assert got["images"] == sync["images"]
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["image"]["imageId"] == {
        "imageDigest": got["images"][0]["imageId"]["imageDigest"],
        "imageTag": "rc",
    }
    assert [len(p["imageDetails"]) for p in pages] == [1, 1, 1]
    assert sorted(t for p in pages for d in p["imageDetails"] for t in d["imageTags"]) == [
        "rc",
        "v1",
        "v2",
        "v3",
    ]
    assert sorted(described["imageDetails"][0]["imageTags"]) == ["rc", "v1"]
    calls = ecr.calls()
    assert [c.operation for c in calls] == [
        "BatchGetImage", "PutImage", "DescribeImages", "DescribeImages", "DescribeImages",
        "DescribeImages", "BatchGetImage",
    ]  # fmt: skip
    assert [c.transport for c in calls][:-1] == ["aiobotocore"] * 6
    assert calls[-1].transport == "botocore"
    ecr.calls("PutImage").assert_called_with(repositoryName="team/api", imageTag="rc")


def test_aioboto3_client_and_paginator(ecr: FakeEcr) -> None:
    aioboto3 = pytest.importorskip("aioboto3")

    async def use() -> tuple[Any, list[str]]:
        async with aioboto3.Session().client("ecr", region_name="us-east-1") as c:
            got = await c.batch_get_image(repositoryName="team/api", imageIds=IDS)
            paginator = c.get_paginator("list_images")
            tags = [
                i["imageTag"]
                async for page in paginator.paginate(
                    repositoryName="team/api", PaginationConfig={"PageSize": 2}
                )
                for i in page["imageIds"]
            ]
            return got, tags

    got, tags = run(use())
    assert got["images"][0]["imageId"]["imageTag"] == "v1"
    assert sorted(tags) == ["v1", "v2", "v3"]
    assert [c.transport for c in ecr.calls()] == ["aiobotocore"] * 3
    assert ecr.calls("ListImages").count == 2


# -- errors -----------------------------------------------------------------------------


def test_an_error_is_the_modeled_exception_with_ecrs_text(ecr: FakeEcr) -> None:
    async def use(c: Any) -> Any:
        with pytest.raises(c.exceptions.RepositoryNotFoundException) as raised:
            await c.batch_get_image(repositoryName="team/none", imageIds=IDS)
        return raised.value

    error = run(with_client(use))
    with pytest.raises(botocore.exceptions.ClientError) as sync:
        ecr.client().batch_get_image(repositoryName="team/none", imageIds=IDS)
    assert error.response["Error"] == sync.value.response["Error"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert str(error) == str(sync.value)
    assert [c.error_code for c in ecr.calls()] == ["RepositoryNotFoundException"] * 2


def test_a_write_the_caller_saw_fail_is_not_applied(ecr: FakeEcr) -> None:
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + "1" * 64,
                "size": 2,
            },
            "layers": [],
        }
    )
    ecr.fault("PutImage", error="ServerException")

    async def use(c: Any) -> list[str]:
        with pytest.raises(botocore.exceptions.ClientError, match="ServerException"):
            await c.put_image(repositoryName="team/api", imageManifest=manifest, imageTag="new")
        listed = await c.list_images(repositoryName="team/api")
        return [i.get("imageTag", "") for i in listed["imageIds"]]

    tags = run(with_client(use, retries={"mode": "standard"}))
    assert "new" not in tags
    assert ecr.calls("PutImage").attempts == [1, 2, 3]
    assert all(c.error_code == "ServerException" for c in ecr.calls("PutImage"))


# -- faults below aiobotocore's retry loop -------------------------------------------------


@pytest.mark.parametrize(("mode", "attempts"), [("standard", 3), ("legacy", 5)])
def test_a_throttle_is_retried_on_the_virtual_clock(
    ecr: FakeEcr, real_sleeps: list[float], mode: str, attempts: int
) -> None:
    ecr.fault("BatchGetImage", error="ThrottlingException")

    async def use(c: Any) -> Any:
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            await c.batch_get_image(repositoryName="team/api", imageIds=IDS)
        return raised.value

    error = run(with_client(use, retries={"mode": mode}))
    assert error.response["Error"]["Code"] == "ThrottlingException"
    assert ecr.calls("BatchGetImage").attempts == list(range(1, attempts + 1))
    assert len(ecr.backoff) == attempts - 1
    assert [s.kind for s in ecr.sleeps] == ["backoff"] * (attempts - 1)
    assert [delay for delay in real_sleeps if delay] == []  # nothing slept for real


def test_a_throttle_then_success_reports_the_retries(
    ecr: FakeEcr, real_sleeps: list[float]
) -> None:
    ecr.fault("BatchGetImage", error="ThrottlingException", times=2)

    async def use(c: Any) -> Any:
        return await c.batch_get_image(repositoryName="team/api", imageIds=IDS)

    response = run(with_client(use, retries={"mode": "standard"}))
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert response["images"][0]["imageId"]["imageTag"] == "v1"
    assert [c.error_code for c in ecr.calls("BatchGetImage")] == [
        "ThrottlingException", "ThrottlingException", None,
    ]  # fmt: skip
    assert len(ecr.backoff) == 2
    assert [delay for delay in real_sleeps if delay] == []


@pytest.mark.parametrize(
    ("kind", "exception", "cause"),
    [
        ("reset", botocore.exceptions.ConnectionClosedError, "ServerDisconnectedError"),
        ("timeout", botocore.exceptions.ReadTimeoutError, "ServerTimeoutError"),
        ("endpoint", botocore.exceptions.EndpointConnectionError, "ClientConnectorError"),
    ],
)
def test_a_connection_fault_is_aiobotocores_error_after_retries(
    ecr: FakeEcr, real_sleeps: list[float], kind: str, exception: type[Exception], cause: str
) -> None:
    ecr.fault("BatchGetImage", connection=kind)

    async def use(c: Any) -> Any:
        with pytest.raises(exception) as raised:
            await c.batch_get_image(repositoryName="team/api", imageIds=IDS)
        return raised.value

    error: Any = run(with_client(use, retries={"mode": "standard"}))
    assert type(error.kwargs["error"]).__name__ == cause
    assert isinstance(error.kwargs["error"], aiohttp.ClientError)
    assert error.kwargs["endpoint_url"].startswith("https://")
    assert ecr.calls("BatchGetImage").attempts == [1, 2, 3]
    assert len(ecr.backoff) == 2
    assert [delay for delay in real_sleeps if delay] == []


def test_a_per_image_failure_fault(ecr: FakeEcr) -> None:
    ecr.fault("BatchGetImage", failure="UpstreamUnavailable", image="team/api:v2")

    async def use(c: Any) -> Any:
        ids = [{"imageTag": "v1"}, {"imageTag": "v2"}]
        return await c.batch_get_image(repositoryName="team/api", imageIds=ids)

    response = run(with_client(use))
    assert [i["imageId"]["imageTag"] for i in response["images"]] == ["v1"]
    assert [(f["imageId"], f["failureCode"]) for f in response["failures"]] == [
        ({"imageTag": "v2"}, "UpstreamUnavailable")
    ]
    assert ecr.calls("BatchGetImage").count == 1


def test_injected_latency_is_virtual(ecr: FakeEcr, real_sleeps: list[float]) -> None:
    ecr.fault("DescribeRepositories", latency=30)

    async def use(c: Any) -> Any:
        return await c.describe_repositories()

    assert run(with_client(use))["repositories"][0]["repositoryName"] == "team/api"
    assert [(s.seconds, s.kind) for s in ecr.sleeps] == [(30.0, "latency")]
    assert [delay for delay in real_sleeps if delay] == []


def test_a_waiter_polls_on_the_virtual_clock(ecr: FakeEcr, real_sleeps: list[float]) -> None:
    async def use(c: Any) -> None:
        await c.start_image_scan(repositoryName="team/api", imageId={"imageTag": "v1"})
        await c.get_waiter("image_scan_complete").wait(
            repositoryName="team/api", imageId={"imageTag": "v1"}
        )

    run(with_client(use))
    polls = [s for s in ecr.sleeps if s.kind == "waiter"]
    assert polls  # the scan completes on the fake's clock, after at least one poll
    assert ecr.calls("DescribeImageScanFindings").count == len(polls) + 1
    assert [delay for delay in real_sleeps if delay] == []


def test_attach_routes_a_client_without_the_hook(ecr: FakeEcr) -> None:
    """A client whose session predates pytest-ecr (here: the hook's handlers taken off
    it) is stopped by the guard with a message saying so, and answered once attached."""
    from pytest_ecr.transports import aiobotocore_hook

    async def use(c: Any) -> tuple[str, Any]:
        for _, handler in aiobotocore_hook._ASYNC_HANDLERS:
            for event in ("choose-signer.ecr", "before-sign.ecr", "before-send.ecr"):
                c.meta.events.unregister(event, handler)
        with pytest.raises(EcrNetworkGuardError) as raised:
            await c.batch_get_image(repositoryName="team/api", imageIds=IDS)
        assert ecr.attach(c) is c
        return str(raised.value), await c.batch_get_image(repositoryName="team/api", imageIds=IDS)

    message, response = run(with_client(use))
    assert "this client was created before pytest-ecr was loaded" in message
    assert response["images"][0]["imageId"]["imageTag"] == "v1"
    assert [c.transport for c in ecr.calls()] == ["aiobotocore"]


# -- the HTTP endpoint ---------------------------------------------------------------------


def test_over_the_http_endpoint(
    ecr: FakeEcr, ecr_server: EcrServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ecr_server.server, "verify_signatures", True)
    ecr.fault("BatchGetImage", failure="ImageInaccessible", image="team/api:v2")

    async def use(c: Any) -> tuple[Any, list[Any], Any]:
        ids = [{"imageTag": "v1"}, {"imageTag": "v2"}]
        got = await c.batch_get_image(repositoryName="team/api", imageIds=ids)
        pages = [
            p
            async for p in c.get_paginator("describe_images").paginate(
                repositoryName="team/api", PaginationConfig={"PageSize": 2}
            )
        ]
        with pytest.raises(c.exceptions.RepositoryNotFoundException) as raised:
            await c.describe_images(repositoryName="team/none")
        return got, pages, raised.value

    got, pages, error = run(with_client(use, endpoint_url=ecr_server.endpoint_url))
    assert [i["imageId"]["imageTag"] for i in got["images"]] == ["v1"]
    assert got["failures"][0]["failureCode"] == "ImageInaccessible"
    assert [len(p["imageDetails"]) for p in pages] == [2, 1]
    assert error.response["Error"]["Message"].startswith("The repository with name 'team/none'")
    assert [c.transport for c in ecr.calls()] == ["http"] * 4
