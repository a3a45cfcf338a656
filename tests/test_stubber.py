"""Stubber mode: ``ecr_stubber`` is a real botocore Stubber on ``ecr_client`` whose queued
answers are what the declared registry answers; strict parameters and order; pending
expectations fail the test at teardown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import StubAssertionError, Stubber, StubResponseError, UnStubbedResponseError

from pytest_ecr import FakeEcr
from pytest_ecr.backends.stubber import EcrStubber

declared = pytest.mark.ecr_registry("data/registry.yaml")
REGISTRY = str(Path(__file__).parent / "data" / "registry.yaml")
ACCOUNT = "111122223333"
IDS = [{"imageTag": "v1"}, {"imageTag": "nope"}]
NEW_MANIFEST = (
    '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
    '"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":3,'
    '"digest":"sha256:' + "5" * 64 + '"},"layers":[]}'
)


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@declared
def test_is_a_real_stubber_on_ecr_client(ecr_stubber: EcrStubber, ecr_client: Any) -> None:
    assert isinstance(ecr_stubber, Stubber)
    assert ecr_stubber.client is ecr_client


@declared
def test_expect_queues_what_the_registry_answers(
    ecr: FakeEcr, ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    queued = ecr_stubber.expect("BatchGetImage", repositoryName="team/api", imageIds=IDS)
    answer = ecr_client.batch_get_image(repositoryName="team/api", imageIds=IDS)
    assert answer == queued
    # exactly what the in-process path answers, parsed the same way
    real = ecr.client().batch_get_image(repositoryName="team/api", imageIds=IDS)
    assert without_metadata(answer) == without_metadata(real)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@declared
def test_timestamps_are_parsed_as_botocore_parses_them(
    ecr: FakeEcr, ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    ecr_stubber.expect("describe_images", repositoryName="team/api")
    stubbed = ecr_client.describe_images(repositoryName="team/api")
    real = ecr.client().describe_images(repositoryName="team/api")
    assert without_metadata(stubbed) == without_metadata(real)
    assert stubbed["imageDetails"][0]["imagePushedAt"].tzinfo is not None


@declared
def test_parameters_are_checked_strictly(ecr_stubber: EcrStubber, ecr_client: Any) -> None:
    ecr_stubber.expect("BatchGetImage", repositoryName="team/api", imageIds=IDS)
    with pytest.raises(StubAssertionError, match="Expected parameters"):
        ecr_client.batch_get_image(repositoryName="team/api", imageIds=IDS[:1])
    with pytest.raises(StubAssertionError):
        ecr_client.batch_get_image(
            repositoryName="team/api", imageIds=IDS, acceptedMediaTypes=["x/y"]
        )
    ecr_client.batch_get_image(repositoryName="team/api", imageIds=IDS)


@declared
def test_order_is_checked_strictly(ecr_stubber: EcrStubber, ecr_client: Any) -> None:
    ecr_stubber.expect("DescribeRepositories")
    ecr_stubber.expect("ListImages", repositoryName="ubuntu")
    assert ecr_stubber.pending == ["DescribeRepositories", "ListImages"]
    with pytest.raises(StubResponseError, match="Operation mismatch"):
        ecr_client.list_images(repositoryName="ubuntu")
    ecr_client.describe_repositories()
    ecr_client.list_images(repositoryName="ubuntu")
    with pytest.raises(UnStubbedResponseError):
        ecr_client.list_images(repositoryName="ubuntu")


@declared
def test_an_error_answer_of_the_registry_is_queued_as_a_client_error(
    ecr: FakeEcr, ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    queued = ecr_stubber.expect("BatchGetImage", repositoryName="team/nope", imageIds=IDS)
    assert queued["Error"]["Code"] == "RepositoryNotFoundException"
    with pytest.raises(ecr_client.exceptions.RepositoryNotFoundException) as stubbed:
        ecr_client.batch_get_image(repositoryName="team/nope", imageIds=IDS)
    real_client = ecr.client()
    with pytest.raises(real_client.exceptions.RepositoryNotFoundException) as real:
        real_client.batch_get_image(repositoryName="team/nope", imageIds=IDS)
    assert stubbed.value.response["Error"] == real.value.response["Error"]
    assert stubbed.value.response["message"] == real.value.response["message"]
    assert stubbed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@declared
def test_expect_error_uses_the_registry_text_ecr_text_or_the_given_one(
    ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    ecr_stubber.expect_error("DescribeImages", "ImageNotFoundException", **NOPE_DESCRIBE)
    ecr_stubber.expect_error("BatchGetImage", "ThrottlingException", **GET_V1)
    ecr_stubber.expect_error("BatchGetImage", "ServerException", **GET_V1)
    ecr_stubber.expect_error("BatchGetImage", "ServerException", "boom", status=503, **GET_V1)
    with pytest.raises(ecr_client.exceptions.ImageNotFoundException) as not_found:
        ecr_client.describe_images(**NOPE_DESCRIBE)
    assert not_found.value.response["Error"]["Message"] == (
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the "
        f"repository with name 'team/api' in the registry with id '{ACCOUNT}'"
    )
    answers = []
    for _ in range(3):
        with pytest.raises(ClientError) as error:
            ecr_client.batch_get_image(**GET_V1)
        answers.append(
            (
                error.value.response["Error"]["Code"],
                error.value.response["Error"]["Message"],
                error.value.response["ResponseMetadata"]["HTTPStatusCode"],
            )
        )
    assert answers == [
        ("ThrottlingException", "Rate exceeded", 400),
        ("ServerException", "Internal server error", 500),
        ("ServerException", "boom", 503),
    ]


NOPE_DESCRIBE: dict[str, Any] = {"repositoryName": "team/api", "imageIds": [{"imageTag": "nope"}]}
GET_V1: dict[str, Any] = {"repositoryName": "team/api", "imageIds": [{"imageTag": "v1"}]}


@declared
def test_expectations_share_state_in_queue_order(
    ecr: FakeEcr, ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    ecr_stubber.registry.allow_missing_layers()  # NEW_MANIFEST's config was never uploaded
    ecr_stubber.expect(
        "put_image", repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="new"
    )
    ecr_stubber.expect("batch_get_image", repositoryName="ubuntu", imageIds=[{"imageTag": "new"}])
    ecr_client.put_image(repositoryName="ubuntu", imageManifest=NEW_MANIFEST, imageTag="new")
    answer = ecr_client.batch_get_image(repositoryName="ubuntu", imageIds=[{"imageTag": "new"}])
    assert answer["images"][0]["imageManifest"] == NEW_MANIFEST
    # The stubber's registry is its own: the test's registry never saw the push.
    with pytest.raises(KeyError):
        ecr.registry.repository("ubuntu").image("new")


@declared
@pytest.mark.ecr_fault("BatchGetImage", error="ServerException")
def test_stubbed_calls_skip_the_hook_and_faults_but_are_recorded(
    ecr: FakeEcr, ecr_stubber: EcrStubber, ecr_client: Any
) -> None:
    ecr_stubber.expect("BatchGetImage", **GET_V1)
    ecr_stubber.expect("BatchGetImage", repositoryName="team/nope", imageIds=IDS)
    ecr_client.batch_get_image(**GET_V1)
    with pytest.raises(ClientError):
        ecr_client.batch_get_image(repositoryName="team/nope", imageIds=IDS)
    assert ecr.faults[0].fired == 0
    first, second = ecr.calls()
    assert (first.transport, first.operation, first.params, first.status) == (
        "stubber",
        "BatchGetImage",
        GET_V1,
        200,
    )
    assert first.response is not None
    assert first.response["images"][0]["imageId"]["imageTag"] == "v1"
    assert (second.status, second.error_code) == (400, "RepositoryNotFoundException")
    # an unstubbed client of the same test is still answered by the fake, with faults
    with pytest.raises(ClientError, match="ServerException"):
        ecr.client(retries={"max_attempts": 1}).batch_get_image(**GET_V1)
    assert ecr.calls().last.transport == "botocore"


@declared
def test_operation_names_are_checked(ecr_stubber: EcrStubber) -> None:
    with pytest.raises(
        ValueError, match="unknown ECR operation 'GetImage'; did you mean 'BatchGetImage'"
    ):
        ecr_stubber.expect("GetImage")


def test_works_without_pytest() -> None:
    with FakeEcr([REGISTRY]) as fake, fake.stubber() as stubber:
        stubber.expect("ListImages", repositoryName="ubuntu")
        assert stubber.client.list_images(repositoryName="ubuntu")["imageIds"][0]["imageTag"] == (
            "precise"
        )
        stubber.assert_no_pending_responses()


PENDING = """
import pytest

pytestmark = pytest.mark.ecr_registry({registry!r})

def test_forgets_a_call(ecr_stubber):
    ecr_stubber.expect("BatchGetImage", repositoryName="team/api", imageIds=[{{"imageTag": "v1"}}])

def test_fails_and_forgets(ecr_stubber):
    ecr_stubber.expect("ListImages", repositoryName="ubuntu")
    assert False, "the test's own failure"

def test_consumes_everything(ecr_stubber, ecr_client):
    ecr_stubber.expect("ListImages", repositoryName="ubuntu")
    ecr_client.list_images(repositoryName="ubuntu")
"""


def test_a_pending_expectation_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PENDING.format(registry=REGISTRY))
    result = pytester.runpytest("-p", "no:randomly")
    # The failing test reports its own failure only, not the pending answer as well.
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_forgets_a_call*"])
    assert (
        "1 expected ECR call(s) were never made (ecr_stubber expectations, in queue order):\n"
        "  - BatchGetImage with {'imageIds': [{'imageTag': 'v1'}], 'repositoryName': 'team/api'}"
    ) in result.stdout.str()
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_fails_and_forgets*")
