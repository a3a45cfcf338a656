"""State written by one test is never seen by another, and a fake never outlives its
test — also when the test failed or errored in set-up. The suite runs under xdist and in
random order in CI, so the pairs below run in either order."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecr import FakeEcr

REGISTRY = {
    "version": 1,
    "repositories": [
        {"name": "team/api", "images": [{"tags": ["v1", "latest"]}, {"tags": ["v2"]}]}
    ],
}


def retag(client: Any, source: str, tag: str) -> None:
    manifest = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": source}])
    client.put_image(
        repositoryName="team/api",
        imageManifest=manifest["images"][0]["imageManifest"],
        imageTag=tag,
    )


def tags(client: Any) -> set[str]:
    listed = client.list_images(repositoryName="team/api", filter={"tagStatus": "TAGGED"})
    return {i["imageTag"] for i in listed["imageIds"]}


@pytest.mark.ecr_registry(REGISTRY)
@pytest.mark.parametrize("me", ["a", "b"])
def test_writes_stay_in_their_test(ecr: FakeEcr, ecr_client: Any, me: str) -> None:
    declared = ecr.declared.repository("team/api").image("latest").digest
    assert tags(ecr_client) == {"v1", "latest", "v2"}  # nothing from the other test
    retag(ecr_client, "v2", "latest")  # move a declared tag
    retag(ecr_client, "v1", f"written-by-{me}")
    ecr_client.batch_delete_image(repositoryName="team/api", imageIds=[{"imageTag": "v2"}])
    ecr_client.create_repository(repositoryName=f"team/new-{me}")
    assert tags(ecr_client) == {"v1", "latest", f"written-by-{me}"}
    # the declaration itself is untouched
    assert ecr.declared.repository("team/api").image("latest").digest == declared
    assert ecr.declared.get_repository(ecr.account, ecr.region, f"team/new-{me}") is None


def test_fake_never_outlives_a_failed_or_broken_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest
        from pytest_ecr import credentials
        from pytest_ecr.transports import responder

        REG = {"version": 1, "repositories": [{"name": "team/api", "images": [{"tags": ["v1"]}]}]}

        @pytest.mark.ecr_registry(REG)
        def test_1_fails_with_fake_active(ecr):
            assert responder.active() is ecr
            raise RuntimeError("the code under test broke")

        def test_2_next_test_sees_no_fake():
            assert responder.active() is None
            assert os.environ.get("AWS_ACCESS_KEY_ID") != credentials.FAKE_ACCESS_KEY

        @pytest.mark.ecr_registry("missing.yaml")
        def test_3_errors_in_setup(ecr):
            pass

        @pytest.mark.ecr_registry(REG)
        @pytest.mark.ecr_fault("BatchGetImage", eror="x")
        def test_4_errors_in_setup_after_loading(ecr):
            pass

        def test_5_still_no_fake():
            assert responder.active() is None
            assert os.environ.get("AWS_ACCESS_KEY_ID") != credentials.FAKE_ACCESS_KEY
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1, errors=2)
