"""Concurrent callers in-process: every answer right, fault counts exact, history whole,
no deadlock (every join is bounded)."""

from __future__ import annotations

import threading
from typing import Any

from pytest_ecr import FakeEcr

THREADS = 8
CALLS = 1_000
REGISTRY = {
    "version": 1,
    "repositories": [
        {"name": "team/api", "images": [{"tags": [f"t{i}"]} for i in range(THREADS)]},
    ],
}


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
