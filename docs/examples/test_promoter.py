"""The promoter's test suite: how a team tests ECR-dependent code with pytest-ecr.

Every test runs against ``registry.yaml`` (the module's marker). Faults are declared per
test with ``ecr_fault`` markers or ``ecr.fault()``, and act below botocore's retry loop,
so the promoter's real client retries them, without sleeping through the backoff.
"""

from __future__ import annotations

from pathlib import Path

import botocore.exceptions
import pytest
from promoter import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    DigestMismatch,
    ImageUnavailable,
    Promoter,
    TagLocked,
)

from pytest_ecr import FakeEcr

pytestmark = pytest.mark.ecr_registry("registry.yaml")  # relative to this file
MANIFESTS = Path(__file__).parent / "manifests"


# -- the happy path ----------------------------------------------------------------------


def test_promotes_a_release_to_prod(ecr: FakeEcr, promoter: Promoter) -> None:
    promotion = promoter.promote("team/api", "v1.2.0", "prod")

    api = ecr.registry.repository("team/api")
    assert promotion.changed
    assert api.image("prod").digest == api.image("v1.2.0").digest == promotion.digest
    ecr.calls("BatchGetImage").assert_called_with(
        repositoryName="team/api", imageIds=[{"imageTag": "v1.2.0"}]
    )
    ecr.calls("PutImage").assert_called_with(
        repositoryName="team/api", imageTag="prod", imageDigest=promotion.digest
    )


def test_the_manifest_is_retagged_byte_for_byte(ecr: FakeEcr, promoter: Promoter) -> None:
    promoter.promote("team/api", "v1.1.0", "prod")

    sent = ecr.calls("PutImage").last.params["imageManifest"]
    assert sent == (MANIFESTS / "api-v1.1.0.json").read_text(encoding="utf-8")


def test_promoting_twice_is_a_no_op(ecr: FakeEcr, promoter: Promoter) -> None:
    first = promoter.promote("team/api", "v1.2.0", "prod")
    second = promoter.promote("team/api", "v1.2.0", "prod")

    assert (first.changed, second.changed) == (True, False)
    assert [call.error_code for call in ecr.calls("PutImage")] == [
        None,
        "ImageAlreadyExistsException",
    ]


def test_moving_prod_keeps_the_old_image_untagged(ecr: FakeEcr, promoter: Promoter) -> None:
    promoter.promote("team/api", "v1.1.0", "prod")
    promoter.promote("team/api", "v1.2.0", "prod")

    api = ecr.registry.repository("team/api")
    assert api.image("prod").digest == api.image("v1.2.0").digest
    assert api.tags_of(api.image("v1.1.0").digest) == ("v1.1.0",)


def test_a_multi_arch_index_is_promoted_whole(ecr: FakeEcr, promoter: Promoter) -> None:
    promotion = promoter.promote("team/web", "v2.0.0", "prod")

    web = ecr.registry.repository("team/web")
    index = web.image("prod")
    assert index.media_type == OCI_INDEX
    assert index.digest == promotion.digest
    assert len(index.children) == 2
    assert all(web.get_image(child) is not None for child in index.children)


def test_release_tags_are_listed_newest_first(promoter: Promoter) -> None:
    assert promoter.releases("team/api") == ["v1.2.0", "v1.1.0", "v0.9.0", "v1.0.0"]


def test_a_shared_base_image_in_another_account(ecr: FakeEcr) -> None:
    platform = Promoter(registry_id="210987654321")

    image = platform.resolve("base/python", "3.12")

    assert image.digest == (
        ecr.registry.repository("base/python", account="210987654321").image("3.12").digest
    )
    ecr.calls("BatchGetImage").assert_any_call(registryId="210987654321")


# -- faults botocore retries -------------------------------------------------------------


@pytest.mark.ecr_fault("BatchGetImage", error="ThrottlingException", times=2)
def test_throttling_is_retried_by_botocore(ecr: FakeEcr, promoter: Promoter) -> None:
    promoter.promote("team/api", "v1.2.0", "prod")

    calls = ecr.calls("BatchGetImage")
    assert calls.count == 3
    assert calls.attempts == [1, 2, 3]  # one request, retried twice by botocore
    assert [call.error_code for call in calls] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    # botocore asked for two backoff sleeps; they were recorded, not slept.
    assert len(ecr.backoff) == 2
    assert all(0 <= delay <= 20 for delay in ecr.backoff)


@pytest.mark.ecr_fault("PutImage", error="ServerException")
def test_a_failing_put_image_gives_up_after_five_attempts(ecr: FakeEcr, promoter: Promoter) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        promoter.promote("team/api", "v1.2.0", "prod")

    assert excinfo.value.response["Error"]["Code"] == "ServerException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert ecr.calls("PutImage").attempts == [1, 2, 3, 4, 5]
    assert len(ecr.backoff) == 4
    with pytest.raises(KeyError):
        ecr.registry.repository("team/api").image("prod")


@pytest.mark.ecr_fault("BatchGetImage", connection="reset", times=1)
def test_a_dropped_connection_is_retried(ecr: FakeEcr, promoter: Promoter) -> None:
    promoter.promote("team/api", "v1.2.0", "prod")

    assert ecr.calls("BatchGetImage").attempts == [1, 2]
    assert ecr.calls("BatchGetImage")[0].extra == {"connection": "reset"}


def test_faults_can_be_armed_in_the_test_body(ecr: FakeEcr, promoter: Promoter) -> None:
    throttle = ecr.fault("DescribeImages", error="ThrottlingException", times=1)

    assert promoter.releases("team/api")[0] == "v1.2.0"
    assert throttle.fired == 1
    assert ecr.calls("DescribeImages").attempts == [1, 2]


# -- per-image failures: in a 200 response, so the promoter's own loop handles them --------


@pytest.mark.ecr_fault(
    "BatchGetImage", failure="UpstreamTooManyRequests", image="team/api:v1.2.0", times=2
)
def test_upstream_failures_are_retried_by_the_promoter(
    ecr: FakeEcr, promoter: Promoter, pauses: list[float]
) -> None:
    promoter.promote("team/api", "v1.2.0", "prod")

    calls = ecr.calls("BatchGetImage")
    assert calls.count == 3
    assert calls.attempts == [1, 1, 1]  # three requests, none retried by botocore
    assert [len(call.response["failures"]) for call in calls if call.response] == [1, 1, 0]
    assert pauses == [1.0, 2.0]
    assert ecr.backoff == []


@pytest.mark.ecr_fault("BatchGetImage", failure="UpstreamUnavailable", image="team/api:v1.2.0")
def test_the_promoter_gives_up_on_a_lasting_upstream_failure(
    ecr: FakeEcr, promoter: Promoter, pauses: list[float]
) -> None:
    with pytest.raises(ImageUnavailable) as excinfo:
        promoter.promote("team/api", "v1.2.0", "prod")

    assert excinfo.value.code == "UpstreamUnavailable"
    assert ecr.calls("BatchGetImage").count == 3
    assert pauses == [1.0, 2.0]
    ecr.calls("PutImage").assert_not_called()


def test_a_declared_failure_is_not_retried(ecr: FakeEcr, promoter: Promoter) -> None:
    with pytest.raises(ImageUnavailable) as excinfo:
        promoter.promote("team/api", "v0.9.0", "prod")

    assert excinfo.value.code == "KmsError"
    ecr.calls("BatchGetImage").assert_called(times=1)
    ecr.calls("PutImage").assert_not_called()


def test_a_missing_tag_is_reported_with_ecr_failure_code(promoter: Promoter) -> None:
    with pytest.raises(ImageUnavailable) as excinfo:
        promoter.promote("team/api", "v9.9.9", "prod")

    assert excinfo.value.code == "ImageNotFound"
    assert excinfo.value.reason == "Requested image not found"


# -- what ECR refuses ----------------------------------------------------------------------


def test_an_immutable_tag_is_not_moved(ecr: FakeEcr, promoter: Promoter) -> None:
    with pytest.raises(TagLocked):
        promoter.promote("team/payments", "v3.1.0", "prod")

    payments = ecr.registry.repository("team/payments")
    assert payments.image("prod").digest == payments.image("v3.0.0").digest
    assert ecr.calls("PutImage").last.error_code == "ImageTagAlreadyExistsException"


def test_a_missing_repository_is_a_client_error(promoter: Promoter) -> None:
    with pytest.raises(promoter.client.exceptions.RepositoryNotFoundException) as excinfo:
        promoter.promote("team/gone", "v1", "prod")

    assert excinfo.value.response["Error"]["Message"] == (
        "The repository with name 'team/gone' does not exist in the registry with id '123456789012'"
    )


def test_a_translated_manifest_is_refused(ecr: FakeEcr) -> None:
    # A client that accepts only Docker manifests gets an OCI image translated by ECR:
    # the bytes no longer hash to the image's digest, and the promoter refuses to retag.
    docker_only = Promoter(accepted_media_types=[DOCKER_MANIFEST])

    with pytest.raises(DigestMismatch):
        docker_only.promote("team/api", "v1.2.0", "prod")

    assert ecr.calls("BatchGetImage").last.response["images"][0]["imageManifestMediaType"] == (
        DOCKER_MANIFEST
    )
    ecr.calls("PutImage").assert_not_called()


@pytest.mark.ecr_registry(
    """
    version: 1
    repositories:
      - name: team/worker
        images:
          - tags: [stable]
    """
)
def test_a_test_can_declare_its_own_registry(ecr: FakeEcr, promoter: Promoter) -> None:
    # The closest marker adds to the module's: both registries' repositories are here.
    promoter.promote("team/worker", "stable", "prod")

    assert ecr.registry.repository("team/worker").image("prod")
    assert ecr.registry.repository("team/api").image("v1.2.0")
