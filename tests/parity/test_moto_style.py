"""A suite written the way a moto user writes one, run twice: under moto's ``mock_aws``,
and ported to pytest-ecr by swapping ``mock_aws`` for the ``ecr`` fixture.

Every test here passes on moto: it is the suite as its authors wrote it. On pytest-ecr it
passes too, except where the test asserts one of moto's own deviations from ECR; those
runs are strict expected failures naming the deviation (and what ECR does), so the port
fails exactly where moto is wrong, and the day a test starts agreeing it is listed.

The suite pushes placeholder manifests (made-up layer digests), as moto suites do; ECR
refuses those (``LayersNotFoundException``), so the port allows them the documented way
(``ecr.registry.allow_missing_layers()``), except in the one test that shows the
deviation itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _manifest(seed: int) -> str:
    layers = [
        {
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 1000 + n,
            "digest": "sha256:" + hashlib.sha256(f"{seed}/{n}".encode()).hexdigest(),
        }
        for n in range(2)
    ]
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023,
                "digest": "sha256:" + hashlib.sha256(f"config/{seed}".encode()).hexdigest(),
            },
            "layers": layers,
        }
    )


def _harnesses(deviation: str | None = None) -> list[Any]:
    ported = pytest.param(
        "pytest-ecr",
        marks=pytest.mark.xfail(strict=True, reason=f"moto deviation: {deviation}")
        if deviation
        else (),
    )
    # mock_aws per test: the fast lane leaves it to CI.
    return [pytest.param("moto", marks=pytest.mark.slow), ported]


def harnesses(deviation: str | None = None) -> Any:
    """The suite's two runs; with *deviation*, the test asserts moto's own behaviour."""
    return pytest.mark.parametrize("harness", _harnesses(deviation))


@pytest.fixture
def client(harness: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``boto3.client("ecr")`` under ``mock_aws`` (as written) or under ``ecr`` (ported)."""
    if harness == "moto":
        moto = pytest.importorskip("moto")
        with moto.mock_aws():
            yield boto3.client("ecr", region_name=REGION)
        return
    ecr = request.getfixturevalue("ecr")
    if harness == "pytest-ecr":
        ecr.registry.allow_missing_layers()
    yield boto3.client("ecr", region_name=REGION)


# -- repositories and images: where moto and ECR agree -----------------------------------


@harnesses()
def test_create_and_describe_repository(client: Any) -> None:
    created = client.create_repository(repositoryName="team/api")["repository"]
    assert created["repositoryName"] == "team/api"
    assert created["imageTagMutability"] == "MUTABLE"
    (described,) = client.describe_repositories(repositoryNames=["team/api"])["repositories"]
    assert described["repositoryArn"] == created["repositoryArn"]


@harnesses()
def test_put_and_get_image_by_tag(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    answer = client.batch_get_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    (image,) = answer["images"]
    assert image["imageManifest"] == _manifest(1)
    assert answer["failures"] == []


@pytest.mark.parametrize(
    "harness",
    [
        pytest.param("moto"),
        pytest.param(
            "pytest-ecr-checked",
            marks=pytest.mark.xfail(
                strict=True,
                reason="moto deviation: PutImage accepts a manifest whose config and layers "
                "were never uploaded (ECR: LayersNotFoundException)",
            ),
        ),
    ],
)
def test_a_manifest_can_be_pushed_without_its_layers(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    assert client.list_images(repositoryName="team/api")["imageIds"][0]["imageTag"] == "v1"


@harnesses()
def test_delete_a_repository_with_images_needs_force(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    with pytest.raises(client.exceptions.RepositoryNotEmptyException):
        client.delete_repository(repositoryName="team/api")
    client.delete_repository(repositoryName="team/api", force=True)
    assert client.describe_repositories()["repositories"] == []


@harnesses()
def test_batch_delete_by_tag(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    answer = client.batch_delete_image(repositoryName="team/api", imageIds=[{"imageTag": "v1"}])
    assert [i["imageTag"] for i in answer["imageIds"]] == ["v1"]
    assert client.list_images(repositoryName="team/api")["imageIds"] == []


@harnesses()
def test_tags_on_a_repository(client: Any) -> None:
    arn = client.create_repository(repositoryName="team/api")["repository"]["repositoryArn"]
    client.tag_resource(resourceArn=arn, tags=[{"Key": "team", "Value": "core"}])
    client.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "prod"}])
    client.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"Key": "team", "Value": "core"}
    ]


@harnesses()
def test_replication_configuration_round_trip(client: Any) -> None:
    rules = [{"destinations": [{"region": "eu-west-1", "registryId": ACCOUNT}]}]
    client.put_replication_configuration(replicationConfiguration={"rules": rules})
    described = client.describe_registry()["replicationConfiguration"]["rules"]
    assert described[0]["destinations"] == rules[0]["destinations"]


@harnesses()
def test_tag_mutability_setting(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image_tag_mutability(repositoryName="team/api", imageTagMutability="IMMUTABLE")
    (repo,) = client.describe_repositories(repositoryNames=["team/api"])["repositories"]
    assert repo["imageTagMutability"] == "IMMUTABLE"


# -- what moto-written suites commonly assert, and ECR does otherwise --------------------


@harnesses(
    "the digest of a manifest with layers is sha256 of the layers' digests; ECR's is "
    "sha256 of the exact manifest bytes"
)
def test_digest_is_computed_from_the_layers(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    image = client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")[
        "image"
    ]
    layers = "".join(layer["digest"] for layer in json.loads(_manifest(1))["layers"])
    assert (
        image["imageId"]["imageDigest"] == "sha256:" + hashlib.sha256(layers.encode()).hexdigest()
    )


@harnesses(
    "registryId is ignored: another account's id finds the caller's repository; ECR "
    "looks in that account's registry (RepositoryNotFoundException)"
)
def test_another_registry_id_still_finds_the_repository(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    answer = client.batch_get_image(
        registryId="999999999999", repositoryName="team/api", imageIds=[{"imageTag": "v1"}]
    )
    assert len(answer["images"]) == 1


@harnesses("a moved tag deletes the image it left; ECR keeps that image, untagged")
def test_moving_a_tag_leaves_one_image(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="latest")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(2), imageTag="latest")
    assert len(client.list_images(repositoryName="team/api")["imageIds"]) == 1


@harnesses(
    "the authorization token is 'AWS:<registry id>-auth-token', expired in 2015; ECR's "
    "is a password valid for 12 hours"
)
def test_the_authorization_token_is_a_fixed_string(client: Any) -> None:
    (data,) = client.get_authorization_token()["authorizationData"]
    assert base64.b64decode(data["authorizationToken"]).decode() == f"AWS:{ACCOUNT}-auth-token"
    assert data["expiresAt"].year == 2015


@harnesses(
    "an immutable tag pushed again is ImageAlreadyExistsException; ECR answers "
    "ImageTagAlreadyExistsException"
)
def test_an_immutable_tag_cannot_move(client: Any) -> None:
    client.create_repository(repositoryName="team/api", imageTagMutability="IMMUTABLE")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    with pytest.raises(client.exceptions.ImageAlreadyExistsException):
        client.put_image(repositoryName="team/api", imageManifest=_manifest(2), imageTag="v1")


@harnesses("the repository policy text is echoed as sent; ECR re-serialises it")
def test_the_repository_policy_comes_back_as_sent(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "pull",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": ["ecr:BatchGetImage"],
                }
            ],
        }
    )
    client.set_repository_policy(repositoryName="team/api", policyText=text)
    assert client.get_repository_policy(repositoryName="team/api")["policyText"] == text


@harnesses("the lifecycle policy text is echoed as sent; ECR stores it minified")
def test_the_lifecycle_policy_comes_back_as_sent(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    text = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 14,
                    },
                    "action": {"type": "expire"},
                }
            ]
        },
        indent=2,
    )
    client.put_lifecycle_policy(repositoryName="team/api", lifecyclePolicyText=text)
    got = client.get_lifecycle_policy(repositoryName="team/api")["lifecyclePolicyText"]
    assert got == text


@harnesses("a scan is complete at once; ECR's is IN_PROGRESS until it finishes (a waiter waits)")
def test_a_scan_has_findings_right_after_it_starts(client: Any) -> None:
    client.create_repository(repositoryName="team/api")
    client.put_image(repositoryName="team/api", imageManifest=_manifest(1), imageTag="v1")
    client.start_image_scan(repositoryName="team/api", imageId={"imageTag": "v1"})
    answer = client.describe_image_scan_findings(
        repositoryName="team/api", imageId={"imageTag": "v1"}
    )
    assert answer["imageScanStatus"]["status"] == "COMPLETE"
