"""BatchGetImage through real boto3 clients: every row of ECR's per-id resolution table
(API Reference, BatchGetImage and ImageFailure) and every request-level error, with full
responses."""

from __future__ import annotations

import hashlib
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from pytest_ecr import FakeEcr

from .support import batch_get

pytestmark = pytest.mark.ecr_registry("../data/registry.yaml")

ACCOUNT = "111122223333"
REPO = "team/api"
DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI = "application/vnd.oci.image.manifest.v1+json"


def digest_of(ecr: FakeEcr, ref: str, repo: str = REPO) -> str:
    return ecr.registry.repository(repo).image(ref).digest


def manifest_of(ecr: FakeEcr, ref: str, repo: str = REPO) -> str:
    return ecr.registry.repository(repo).image(ref).manifest


def get(client: Any, *ids: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    return batch_get(client, *ids, repo=REPO, **kwargs)


def entry(
    ecr: FakeEcr, ref: str, image_id: dict[str, str], media_type: str = DOCKER_V2
) -> dict[str, Any]:
    return {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "imageId": image_id,
        "imageManifest": manifest_of(ecr, ref),
        "imageManifestMediaType": media_type,
    }


def failure(image_id: dict[str, str], code: str, reason: str) -> dict[str, Any]:
    return {"imageId": image_id, "failureCode": code, "failureReason": reason}


# -- the resolution table ------------------------------------------------------------------


def test_row1_neither_tag_nor_digest(ecr: FakeEcr) -> None:
    client = ecr.client(parameter_validation=True)
    assert get(client, {}) == {
        "images": [],
        "failures": [
            failure(
                {},
                "MissingDigestAndTag",
                "Invalid request parameters: both tag and digest cannot be null",
            )
        ],
    }


def test_row2_malformed_digest(ecr_client: Any) -> None:
    assert get(ecr_client, {"imageDigest": "invalid_digest"}) == {
        "images": [],
        "failures": [
            failure(
                {"imageDigest": "invalid_digest"},
                "InvalidImageDigest",
                "Invalid request parameters: image digest should satisfy the regex "
                "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
            )
        ],
    }


def test_row3a_tag_found_echoes_the_requested_tag(ecr: FakeEcr, ecr_client: Any) -> None:
    digest = digest_of(ecr, "v1")
    assert get(ecr_client, {"imageTag": "latest"}) == {
        "images": [entry(ecr, "v1", {"imageDigest": digest, "imageTag": "latest"})],
        "failures": [],
    }


def test_row3b_tag_missing(ecr_client: Any) -> None:
    assert get(ecr_client, {"imageTag": "nope"}) == {
        "images": [],
        "failures": [failure({"imageTag": "nope"}, "ImageNotFound", "Requested image not found")],
    }


def test_row4a_digest_of_tagged_image_gives_one_entry_per_tag(
    ecr: FakeEcr, ecr_client: Any
) -> None:
    digest = digest_of(ecr, "v1")
    assert get(ecr_client, {"imageDigest": digest}) == {
        "images": [
            entry(ecr, "v1", {"imageDigest": digest, "imageTag": "v1"}),
            entry(ecr, "v1", {"imageDigest": digest, "imageTag": "latest"}),
        ],
        "failures": [],
    }


def test_row4b_digest_of_untagged_image(ecr: FakeEcr, ecr_client: Any) -> None:
    repo = ecr.registry.repository(REPO)
    untagged = next(i for i in repo.images() if not repo.tags_of(i.digest))
    response = get(ecr_client, {"imageDigest": untagged.digest})
    assert response == {
        "images": [
            {
                "registryId": ACCOUNT,
                "repositoryName": REPO,
                "imageId": {"imageDigest": untagged.digest},
                "imageManifest": untagged.manifest,
                "imageManifestMediaType": DOCKER_V2,
            }
        ],
        "failures": [],
    }


def test_row4c_digest_missing(ecr_client: Any) -> None:
    digest = "sha256:" + "0" * 64
    assert get(ecr_client, {"imageDigest": digest}) == {
        "images": [],
        "failures": [
            failure({"imageDigest": digest}, "ImageNotFound", "Requested image not found")
        ],
    }


def test_row5a_tag_and_matching_digest(ecr: FakeEcr, ecr_client: Any) -> None:
    digest = digest_of(ecr, "latest")
    assert get(ecr_client, {"imageTag": "latest", "imageDigest": digest}) == {
        "images": [entry(ecr, "v1", {"imageDigest": digest, "imageTag": "latest"})],
        "failures": [],
    }


@pytest.mark.parametrize("other", ["existing image", "unknown digest"])
def test_row5b_tag_and_other_digest(ecr: FakeEcr, ecr_client: Any, other: str) -> None:
    digest = digest_of(ecr, "v2") if other == "existing image" else "sha256:" + "ab" * 32
    ident = {"imageTag": "v1", "imageDigest": digest}
    assert get(ecr_client, ident) == {
        "images": [],
        "failures": [
            failure(
                {"imageDigest": digest, "imageTag": "v1"},
                "ImageTagDoesNotMatchDigest",
                "Invalid request parameters: given tag does not map to the given digest",
            )
        ],
    }


def test_row5c_missing_tag_with_digest(ecr: FakeEcr, ecr_client: Any) -> None:
    digest = digest_of(ecr, "v1")
    assert get(ecr_client, {"imageTag": "gone", "imageDigest": digest}) == {
        "images": [],
        "failures": [
            failure(
                {"imageDigest": digest, "imageTag": "gone"},
                "ImageNotFound",
                "Requested image not found",
            )
        ],
    }


def test_row6_tag_longer_than_300(ecr_client: Any) -> None:
    tag = "t" * 301
    response = get(ecr_client, {"imageTag": tag})
    assert response["images"] == []
    assert [f["failureCode"] for f in response["failures"]] == ["InvalidImageTag"]
    assert response["failures"][0]["imageId"] == {"imageTag": tag}


def test_declared_failure_replaces_the_image(ecr_client: Any) -> None:
    assert get(ecr_client, {"imageTag": "encrypted"}) == {
        "images": [],
        "failures": [
            failure(
                {"imageTag": "encrypted"},
                "KmsError",
                "The KMS key used to encrypt the image is disabled or access to it was denied",
            )
        ],
    }


def test_mixed_request_keeps_request_order(ecr: FakeEcr, ecr_client: Any) -> None:
    response = get(ecr_client, {"imageTag": "v2"}, {"imageTag": "missing"}, {"imageTag": "v1"})
    assert [i["imageId"]["imageTag"] for i in response["images"]] == ["v2", "v1"]
    assert response["images"][0]["imageManifestMediaType"] == OCI
    assert [f["imageId"] for f in response["failures"]] == [{"imageTag": "missing"}]


def test_duplicate_ids_collapse(ecr: FakeEcr, ecr_client: Any) -> None:
    digest = digest_of(ecr, "v1")
    response = get(
        ecr_client,
        {"imageTag": "v1"},
        {"imageTag": "v1"},
        {"imageDigest": digest},
        {"imageTag": "nope"},
        {"imageTag": "nope"},
    )
    assert [i["imageId"] for i in response["images"]] == [
        {"imageDigest": digest, "imageTag": "v1"},
        {"imageDigest": digest, "imageTag": "latest"},
    ]
    assert [f["imageId"] for f in response["failures"]] == [{"imageTag": "nope"}]


def test_every_returned_manifest_hashes_to_its_digest(ecr: FakeEcr, ecr_client: Any) -> None:
    repo = ecr.registry.repository(REPO)
    ids = [{"imageDigest": image.digest} for image in repo.images()]
    response = get(ecr_client, *ids)
    assert len(response["images"]) == 4  # v1+latest, v2, untagged; the KmsError one fails
    for image in response["images"]:
        computed = "sha256:" + hashlib.sha256(image["imageManifest"].encode()).hexdigest()
        assert computed == image["imageId"]["imageDigest"]


# -- acceptedMediaTypes ------------------------------------------------------------------


def test_accepted_media_types_including_the_stored_type(ecr: FakeEcr, ecr_client: Any) -> None:
    response = get(ecr_client, {"imageTag": "v2"}, acceptedMediaTypes=[DOCKER_V2, OCI])
    assert response["images"][0]["imageManifest"] == manifest_of(ecr, "v2")
    assert response["images"][0]["imageManifestMediaType"] == OCI


def test_by_digest_ignores_accepted_media_types(ecr: FakeEcr, ecr_client: Any) -> None:
    digest = digest_of(ecr, "v2")
    response = get(ecr_client, {"imageDigest": digest}, acceptedMediaTypes=[DOCKER_V2])
    assert response["images"][0]["imageManifest"] == manifest_of(ecr, "v2")
    assert response["images"][0]["imageManifestMediaType"] == OCI


# -- request-level errors ----------------------------------------------------------------


def error_of(
    excinfo: pytest.ExceptionInfo[botocore.exceptions.ClientError],
) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_repository_not_found(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.RepositoryNotFoundException) as excinfo:
        ecr_client.batch_get_image(repositoryName="team/nope", imageIds=[{"imageTag": "v1"}])
    assert error_of(excinfo) == (
        "RepositoryNotFoundException",
        "The repository with name 'team/nope' does not exist in the registry with id "
        "'111122223333'",
        400,
    )


def test_repository_not_found_names_the_requested_registry(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.RepositoryNotFoundException) as excinfo:
        ecr_client.batch_get_image(
            registryId="999999999999", repositoryName=REPO, imageIds=[{"imageTag": "v1"}]
        )
    assert "in the registry with id '999999999999'" in error_of(excinfo)[1]


def test_more_than_100_ids(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.InvalidParameterException) as excinfo:
        ecr_client.batch_get_image(
            repositoryName=REPO, imageIds=[{"imageTag": f"t{i}"} for i in range(101)]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Invalid parameter at 'imageIds' failed to satisfy constraint: "
        "'Member must have length less than or equal to 100'",
        400,
    )


def test_empty_ids_with_client_validation_off(ecr: FakeEcr) -> None:
    client = ecr.client(parameter_validation=False)
    with pytest.raises(client.exceptions.InvalidParameterException) as excinfo:
        client.batch_get_image(repositoryName=REPO, imageIds=[])
    assert error_of(excinfo)[1] == (
        "Invalid parameter at 'imageIds' failed to satisfy constraint: "
        "'Member must have length greater than or equal to 1'"
    )


def test_malformed_repository_name(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.InvalidParameterException) as excinfo:
        ecr_client.batch_get_image(repositoryName="REPO_BAD!", imageIds=[{"imageTag": "v1"}])
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == (
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy "
        "regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)"
        "[a-z0-9]+)*)*''"
    )


def test_malformed_registry_id(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.InvalidParameterException) as excinfo:
        ecr_client.batch_get_image(
            registryId="abc", repositoryName=REPO, imageIds=[{"imageTag": "v1"}]
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Invalid parameter at 'registryId' failed to satisfy constraint: "
        "'must satisfy regular expression '[0-9]{12}''",
        400,
    )


def test_too_many_accepted_media_types(ecr_client: Any) -> None:
    with pytest.raises(ecr_client.exceptions.InvalidParameterException):
        get(ecr_client, {"imageTag": "v1"}, acceptedMediaTypes=[OCI] * 101)


# -- registries and regions --------------------------------------------------------------


def test_registry_id_selects_another_declared_registry(ecr: FakeEcr) -> None:
    client = ecr.client(region="eu-west-1")
    response = client.batch_get_image(
        registryId="210987654321", repositoryName="mirror/ubuntu", imageIds=[{"imageTag": "jammy"}]
    )
    assert response["images"][0]["registryId"] == "210987654321"
    assert response["failures"] == []


def test_region_comes_from_the_client(ecr: FakeEcr) -> None:
    client = ecr.client(region="eu-west-1")
    with pytest.raises(client.exceptions.RepositoryNotFoundException):
        client.batch_get_image(repositoryName=REPO, imageIds=[{"imageTag": "v1"}])
    other = ecr.client(region="us-east-1")
    with pytest.raises(other.exceptions.RepositoryNotFoundException):
        other.batch_get_image(
            registryId="210987654321",
            repositoryName="mirror/ubuntu",
            imageIds=[{"imageTag": "jammy"}],
        )


# -- real data -------------------------------------------------------------------------


def test_aws_sdk_documentation_example(ecr: FakeEcr) -> None:
    """The BatchGetImageCommand example of the AWS SDK for JavaScript reference."""
    client = ecr.client()
    response = client.batch_get_image(imageIds=[{"imageTag": "precise"}], repositoryName="ubuntu")
    assert response["failures"] == []
    [image] = response["images"]
    assert image["imageId"]["imageTag"] == "precise"
    assert image["registryId"] == ACCOUNT
    assert image["repositoryName"] == "ubuntu"
    assert '"name": "ubuntu"' in image["imageManifest"]
    assert image["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v1+json"
    assert image["imageId"]["imageDigest"] == (
        "sha256:" + hashlib.sha256(image["imageManifest"].encode()).hexdigest()
    )


def test_manifest_copied_from_a_real_ecr_response_keeps_its_digest(ecr_client: Any) -> None:
    """The AWS CLI ``batch-get-image`` example: ECR printed this digest for these bytes."""
    response = ecr_client.batch_get_image(
        repositoryName="aws-cli-example", imageIds=[{"imageTag": "latest"}]
    )
    assert response["images"][0]["imageId"]["imageDigest"] == (
        "sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5"
    )


def test_retries_and_parsing_stay_in_botocore(ecr: FakeEcr) -> None:
    client = ecr.client(retries={"mode": "standard", "max_attempts": 2})
    response = client.batch_get_image(repositoryName=REPO, imageIds=[{"imageTag": "v1"}])
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert response["ResponseMetadata"]["RequestId"]
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/x-amz-json-1.1"
    )
    assert ecr.calls("BatchGetImage").count == 1


def test_unimplemented_operation_says_so(ecr_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # An operation newer than pytest-ecr's table: played by one taken out of it.
    from pytest_ecr import service

    table = tuple(name for name in service.OPERATION_NAMES if name != "ListImages")
    monkeypatch.setattr(service, "OPERATIONS", service.Operations(table))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ecr_client.list_images(repositoryName=REPO)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("NotImplementedByPytestEcr", 501)
    assert "'ListImages'" in message
    assert '@pytest.mark.ecr_backend("moto")' in message


def test_client_config_is_kept(ecr: FakeEcr) -> None:
    client = ecr.client(region="eu-west-1", retries={"total_max_attempts": 1})
    assert client.meta.region_name == "eu-west-1"
    assert isinstance(client.meta.config, Config)
