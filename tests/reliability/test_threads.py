"""Concurrent callers in-process: every answer right, fault counts exact, history whole,
no deadlock (every join is bounded)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pytest_ecr import FakeEcr

THREADS = 8
CALLS = 1_000
REGISTRY = {
    "version": 1,
    "repositories": [
        {"name": "team/api", "images": [{"tags": [f"t{i}"]} for i in range(THREADS)]},
    ],
}


@pytest.mark.slow
def test_8_threads_by_1000_calls() -> None:
    with FakeEcr([REGISTRY]) as fake:
        repo = fake.registry.repository("team/api")
        expected = {f"t{i}": repo.image(f"t{i}").digest for i in range(THREADS)}
        armed = fake.fault(
            "BatchGetImage", failure="UpstreamUnavailable", image="team/api:t0", times=100
        )
        wrong: list[str] = []
        failures = 0
        lock = threading.Lock()

        def work(index: int) -> None:
            nonlocal failures
            client = fake.client(retries={"total_max_attempts": 1})
            tag = f"t{index}"
            for _ in range(CALLS):
                response: Any = client.batch_get_image(
                    repositoryName="team/api", imageIds=[{"imageTag": tag}]
                )
                if response["failures"]:
                    with lock:
                        failures += 1
                    if (
                        tag != "t0"
                        or response["failures"][0]["failureCode"] != "UpstreamUnavailable"
                    ):
                        wrong.append(repr(response["failures"]))
                elif response["images"][0]["imageId"]["imageDigest"] != expected[tag]:
                    wrong.append(repr(response["images"][0]["imageId"]))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "deadlock: threads still running"
        assert wrong == []
        assert failures == 100 == armed.fired
        calls = fake.calls("BatchGetImage")
        assert calls.count == THREADS * CALLS
        assert sum(1 for c in calls if c.fault) == 100


@pytest.mark.slow
def test_readers_never_see_an_answer_a_write_replaced() -> None:
    """Readers while a writer moves a tag back and forth through the API: each
    answer is whole (digest and manifest of one image), the writer reads its own write
    every time, and after the last write the tag is where it left it."""
    with FakeEcr([REGISTRY]) as fake:
        repo = fake.registry.repository("team/api")
        first, second = repo.image("t0").digest, repo.image("t1").digest
        manifests = {first: repo.image(first).manifest, second: repo.image(second).manifest}
        done = threading.Event()
        wrong: list[str] = []

        def read() -> None:
            client = fake.client(retries={"total_max_attempts": 1})
            while not done.is_set():
                image: Any = client.batch_get_image(
                    repositoryName="team/api", imageIds=[{"imageTag": "moving"}]
                )["images"]
                if (
                    image
                    and manifests.get(image[0]["imageId"]["imageDigest"])
                    != image[0]["imageManifest"]
                ):
                    wrong.append(repr(image[0]["imageId"]))

        def write() -> None:
            client = fake.client(retries={"total_max_attempts": 1})
            try:
                for round_ in range(200):
                    target = first if round_ % 2 == 0 else second
                    client.put_image(
                        repositoryName="team/api",
                        imageManifest=manifests[target],
                        imageTag="moving",
                    )
                    # Read-your-writes: the answer after a write is never the one before.
                    seen: Any = client.batch_get_image(
                        repositoryName="team/api", imageIds=[{"imageTag": "moving"}]
                    )["images"]
                    if seen[0]["imageId"]["imageDigest"] != target:
                        wrong.append(f"round {round_}: stale {seen[0]['imageId']}")
            finally:
                done.set()

        readers = [threading.Thread(target=read) for _ in range(4)]
        writer = threading.Thread(target=write)
        for thread in [*readers, writer]:
            thread.start()
        for thread in [writer, *readers]:
            thread.join(timeout=300)
        assert not any(t.is_alive() for t in [writer, *readers]), "deadlock: threads still running"
        assert wrong == []
        final = fake.client().batch_get_image(
            repositoryName="team/api", imageIds=[{"imageTag": "moving"}]
        )["images"]
        assert final[0]["imageId"]["imageDigest"] == second  # round 199 moved it there
        answered = [c for c in fake.calls("BatchGetImage") if c.response and c.response["images"]]
        assert len(answered) > 200, "the readers never ran alongside the writer"
