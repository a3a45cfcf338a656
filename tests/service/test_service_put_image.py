"""PutImage through real boto3 clients: pushes, retags, moves and every refusal."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_ecr import FakeEcr
from pytest_ecr.model import Image, RegistryState, TagMutability

from .support import (
    ACCOUNT,
    DOCKER_LIST,
    DOCKER_V2,
    OCI,
    PUSHED_AT,
    error_of,
    image_manifest,
    strip,
    upload_blob,
    uploaded_manifest,
)

REPO = "team/api"


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def details(client: Any, repo: str = REPO) -> dict[str, dict[str, Any]]:
    return {
        d["imageDigest"]: d for d in client.describe_images(repositoryName=repo)["imageDetails"]
    }


def test_push_a_new_manifest_with_a_tag(client: Any) -> None:
    # Trailing newline and 2-space indentation: stored and echoed byte for byte.
    manifest = json.dumps(json.loads(uploaded_manifest(client, REPO, 40)), indent=2) + "\n"
    before = int(time.time())
    response = client.put_image(repositoryName=REPO, imageManifest=manifest, imageTag="v3")
    after = time.time()
    assert strip(response) == {
        "image": {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageId": {"imageDigest": sha(manifest), "imageTag": "v3"},
            "imageManifest": manifest,
            "imageManifestMediaType": DOCKER_V2,
        }
    }
    pushed = details(client)[sha(manifest)]
    assert pushed["imageTags"] == ["v3"]
    # Whole seconds, like every imagePushedAt ECR has been seen to send.
    assert pushed["imagePushedAt"].timestamp() == int(pushed["imagePushedAt"].timestamp())
    assert before <= pushed["imagePushedAt"].timestamp() <= after


def test_push_without_a_tag_stores_an_untagged_image(client: Any) -> None:
    manifest = uploaded_manifest(client, REPO, 41, OCI)
    image = client.put_image(repositoryName=REPO, imageManifest=manifest)["image"]
    assert image["imageId"] == {"imageDigest": sha(manifest)}
    assert image["imageManifestMediaType"] == OCI
    assert "imageTags" not in details(client)[sha(manifest)]


def test_whitespace_makes_a_different_image(client: Any) -> None:
    compact = json.dumps(json.loads(image_manifest(1)), separators=(",", ":"))
    image = client.put_image(repositoryName=REPO, imageManifest=compact, imageTag="compact")
    assert image["image"]["imageId"]["imageDigest"] == sha(compact)
    assert sha(compact) != sha(image_manifest(1))


def test_retag_keeps_the_original_push_time(fake: FakeEcr, client: Any) -> None:
    a = fake.registry.repository(REPO).image("v1")
    response = client.put_image(repositoryName=REPO, imageManifest=a.manifest, imageTag="prod")
    assert response["image"]["imageId"] == {"imageDigest": a.digest, "imageTag": "prod"}
    assert response["image"]["imageManifest"] == a.manifest
    retagged = details(client)[a.digest]
    assert retagged["imageTags"] == ["v1", "latest", "prod"]
    assert retagged["imagePushedAt"] == datetime.fromtimestamp(PUSHED_AT, timezone.utc)


def test_moving_a_tag_leaves_the_old_image_untagged(fake: FakeEcr, client: Any) -> None:
    old = fake.registry.repository(REPO).image("v2")
    manifest = uploaded_manifest(client, REPO, 42, OCI)
    client.put_image(repositoryName=REPO, imageManifest=manifest, imageTag="v2")
    after = details(client)
    assert "imageTags" not in after[old.digest]
    assert after[sha(manifest)]["imageTags"] == ["v2"]


def test_same_manifest_same_tag(fake: FakeEcr, client: Any) -> None:
    a = fake.registry.repository(REPO).image("v1")
    assert error_of(
        client.put_image, repositoryName=REPO, imageManifest=a.manifest, imageTag="latest"
    ) == (
        "ImageAlreadyExistsException",
        f"Image with digest '{a.digest}' and tag 'latest' already exists in the repository "
        f"with name '{REPO}' in registry with id '{ACCOUNT}'",
        400,
    )


def test_same_manifest_without_a_tag(fake: FakeEcr, client: Any) -> None:
    a = fake.registry.repository(REPO).image("v1")
    assert error_of(client.put_image, repositoryName=REPO, imageManifest=a.manifest) == (
        "ImageAlreadyExistsException",
        f"Image with digest '{a.digest}' and tag 'null' already exists in the repository "
        f"with name '{REPO}' in registry with id '{ACCOUNT}'",
        400,
    )


def test_immutable_tag_on_another_image(client: Any) -> None:
    assert error_of(
        client.put_image,
        repositoryName="team/locked",
        imageManifest=uploaded_manifest(client, "team/locked", 43),
        imageTag="v1",
    ) == (
        "ImageTagAlreadyExistsException",
        "The image tag 'v1' already exists in the 'team/locked' repository and cannot be "
        "overwritten because the repository is immutable.",
        400,
    )


def test_immutable_repository_same_digest_same_tag(fake: FakeEcr, client: Any) -> None:
    locked = fake.registry.repository("team/locked").image("v1")
    code, _, status = error_of(
        client.put_image, repositoryName="team/locked", imageManifest=locked.manifest, imageTag="v1"
    )
    assert (code, status) == ("ImageAlreadyExistsException", 400)


def test_immutable_repository_accepts_new_tags(fake: FakeEcr, client: Any) -> None:
    locked = fake.registry.repository("team/locked").image("v1")
    client.put_image(repositoryName="team/locked", imageManifest=locked.manifest, imageTag="v1.0")
    manifest = uploaded_manifest(client, "team/locked", 44)
    client.put_image(repositoryName="team/locked", imageManifest=manifest, imageTag="v2")
    tags = {i.get("imageTag") for i in client.list_images(repositoryName="team/locked")["imageIds"]}
    assert tags == {"v1", "v1.0", "v2"}


@pytest.mark.parametrize(
    ("mode", "movable", "fixed"),
    [
        (TagMutability.IMMUTABLE_WITH_EXCLUSION, "latest", "v1"),
        (TagMutability.MUTABLE_WITH_EXCLUSION, "v1", "latest"),
    ],
)
def test_exclusion_filters(mode: TagMutability, movable: str, fixed: str) -> None:
    state = RegistryState(ACCOUNT, "us-east-1")
    repo = state.create_repository(
        "team/x", tag_mutability=mode, tag_mutability_exclusion_filters=("lat*",)
    )
    first = repo.put(Image.from_manifest(image_manifest(50)))
    repo.tag("v1", first.digest)
    repo.tag("latest", first.digest)
    with FakeEcr(state=state) as fake:
        client = fake.client()
        client.put_image(
            repositoryName="team/x",
            imageManifest=uploaded_manifest(client, "team/x", 51),
            imageTag=movable,
        )
        code = error_of(
            client.put_image,
            repositoryName="team/x",
            imageManifest=uploaded_manifest(client, "team/x", 52),
            imageTag=fixed,
        )[0]
    assert code == "ImageTagAlreadyExistsException"


def test_image_digest_must_match(client: Any) -> None:
    manifest = uploaded_manifest(client, REPO, 45)
    wrong = "sha256:" + "e" * 64
    assert error_of(
        client.put_image, repositoryName=REPO, imageManifest=manifest, imageDigest=wrong
    ) == (
        "ImageDigestDoesNotMatchException",
        f"The specified image digest '{wrong}' does not match the digest that Amazon ECR "
        f"calculated for the image manifest: '{sha(manifest)}'",
        400,
    )
    response = client.put_image(
        repositoryName=REPO, imageManifest=manifest, imageDigest=sha(manifest)
    )
    assert response["image"]["imageId"]["imageDigest"] == sha(manifest)


@pytest.mark.parametrize("manifest", ['{"schemaVersion": 2,', "[1, 2]", "not json"])
def test_manifest_that_is_not_a_json_object(client: Any, manifest: str) -> None:
    assert error_of(client.put_image, repositoryName=REPO, imageManifest=manifest) == (
        "InvalidParameterException",
        "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
        400,
    )


def test_manifest_without_any_media_type(client: Any) -> None:
    doc = json.loads(uploaded_manifest(client, REPO, 46, OCI))
    del doc["mediaType"]
    text = json.dumps(doc)
    assert error_of(client.put_image, repositoryName=REPO, imageManifest=text) == (
        "InvalidParameterException",
        "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: "
        "'Member must not be null when the image manifest has no mediaType'",
        400,
    )
    image = client.put_image(
        repositoryName=REPO, imageManifest=text, imageManifestMediaType=OCI, imageTag="oci"
    )["image"]
    assert image["imageManifestMediaType"] == OCI
    assert image["imageManifest"] == text


def test_media_type_parameter_contradicting_the_manifest(client: Any) -> None:
    assert error_of(
        client.put_image,
        repositoryName=REPO,
        imageManifest=image_manifest(47),
        imageManifestMediaType=OCI,
    ) == (
        "InvalidParameterException",
        "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: "
        f"'Member must match the mediaType of the image manifest ('{DOCKER_V2}')'",
        400,
    )


def test_schema1_needs_no_media_type(client: Any) -> None:
    manifest = json.dumps({"schemaVersion": 1, "name": "legacy", "tag": "x", "fsLayers": []})
    image = client.put_image(repositoryName="legacy", imageManifest=manifest, imageTag="x")
    assert image["image"]["imageManifestMediaType"] == (
        "application/vnd.docker.distribution.manifest.v1+json"
    )


def list_of(*digests: str) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_LIST,
            "manifests": [{"mediaType": DOCKER_V2, "size": 1, "digest": d} for d in digests],
        },
        indent=3,
    )


def test_manifest_list_with_missing_children(fake: FakeEcr, client: Any) -> None:
    present = fake.registry.repository(REPO).image("v1").digest
    missing = "sha256:" + "f" * 64
    assert error_of(
        client.put_image, repositoryName=REPO, imageManifest=list_of(present, missing)
    ) == (
        "ReferencedImagesNotFoundException",
        f"Images with digests '[{missing}]' required for pushing image into repository with "
        f"name '{REPO}' in the registry with id '{ACCOUNT}' do not exist",
        400,
    )


def test_manifest_list_over_pushed_children(fake: FakeEcr, client: Any) -> None:
    children, sizes = [], []
    for seed in (60, 61):
        manifest = uploaded_manifest(client, REPO, seed, layers=seed - 58)
        sizes.append(Image.from_manifest(manifest).size_bytes)
        children.append(client.put_image(repositoryName=REPO, imageManifest=manifest)["image"])
    listed = list_of(*(c["imageId"]["imageDigest"] for c in children))
    image = client.put_image(repositoryName=REPO, imageManifest=listed, imageTag="multi")["image"]
    assert image["imageManifestMediaType"] == DOCKER_LIST
    [described] = client.describe_images(repositoryName=REPO, imageIds=[{"imageTag": "multi"}])[
        "imageDetails"
    ]
    # A list reports its largest image: config plus layers.
    assert described["imageSizeInBytes"] == max(sizes)
    assert "artifactMediaType" not in described


def test_put_into_a_missing_repository(client: Any) -> None:
    assert error_of(client.put_image, repositoryName="team/nope", imageManifest="{}") == (
        "RepositoryNotFoundException",
        f"The repository with name 'team/nope' does not exist in the registry with id '{ACCOUNT}'",
        400,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"imageTag": "t" * 301},
            "Invalid parameter at 'imageTag' failed to satisfy constraint: "
            "'Member must have length less than or equal to 300'",
        ),
        (
            {"imageManifest": " " * 4_194_305},
            "Invalid parameter at 'imageManifest' failed to satisfy constraint: "
            "'Member must have length less than or equal to 4194304'",
        ),
    ],
    ids=["tag", "manifest"],
)
def test_put_parameters_too_long(client: Any, params: dict[str, Any], message: str) -> None:
    params = {"imageManifest": image_manifest(48), **params}
    assert error_of(client.put_image, repositoryName=REPO, **params) == (
        "InvalidParameterException",
        message,
        400,
    )


# -- the layers a manifest names -------------------------------------------------------


def test_a_manifest_whose_layers_were_never_uploaded_is_refused(any_client: Any) -> None:
    client = any_client
    manifest = image_manifest(70)
    config = json.loads(manifest)["config"]["digest"]
    assert error_of(client.put_image, repositoryName=REPO, imageManifest=manifest) == (
        "LayersNotFoundException",
        f"The layer with digest '{config}' does not exist within the repository with name "
        f"'{REPO}' in the registry with id '{ACCOUNT}'",
        400,
    )
    assert sha(manifest) not in details(client)


def test_every_blob_is_checked_config_then_layers(any_client: Any) -> None:
    client = any_client
    doc = json.loads(image_manifest(71))
    doc["config"]["digest"] = upload_blob(client, REPO, b"config 71")
    doc["layers"][0]["digest"] = upload_blob(client, REPO, b"layer 71")
    missing = doc["layers"][1]["digest"]
    code, message, _ = error_of(
        client.put_image, repositoryName=REPO, imageManifest=json.dumps(doc)
    )
    assert (code, f"'{missing}'" in message) == ("LayersNotFoundException", True)


def test_layers_another_image_of_the_repository_names_count(fake: FakeEcr, client: Any) -> None:
    # The declared image names blobs nobody uploaded: a manifest reusing them is accepted,
    # as ECR accepts a new manifest over layers already in the repository.
    declared = json.loads(fake.registry.repository(REPO).image("v1").manifest)
    declared["layers"] = declared["layers"][:1]
    text = json.dumps(declared)
    image = client.put_image(repositoryName=REPO, imageManifest=text, imageTag="slim")["image"]
    assert image["imageId"] == {"imageDigest": sha(text), "imageTag": "slim"}


def test_layers_of_another_repository_do_not_count(fake: FakeEcr, client: Any) -> None:
    # Layers are scoped to a repository: copying a manifest elsewhere needs its layers there.
    manifest = fake.registry.repository(REPO).image("v1").manifest
    code, _, _ = error_of(client.put_image, repositoryName="team/locked", imageManifest=manifest)
    assert code == "LayersNotFoundException"


def test_a_foreign_layer_needs_no_bytes(client: Any) -> None:
    doc = json.loads(uploaded_manifest(client, REPO, 72))
    doc["layers"].append(
        {
            "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "size": 1,
            "digest": "sha256:" + "9" * 64,
            "urls": ["https://layers.example.test/base"],
        }
    )
    text = json.dumps(doc)
    assert client.put_image(repositoryName=REPO, imageManifest=text)["image"]["imageId"] == {
        "imageDigest": sha(text)
    }


def test_the_registry_switch_lets_placeholders_in(fake: FakeEcr, any_client: Any) -> None:
    fake.registry.allow_missing_layers()
    manifest = image_manifest(73)
    answer = any_client.put_image(repositoryName=REPO, imageManifest=manifest, imageTag="p")
    assert answer["image"]["imageId"] == {"imageDigest": sha(manifest), "imageTag": "p"}
    fake.registry.allow_missing_layers(False)
    code, _, _ = error_of(
        any_client.put_image, repositoryName=REPO, imageManifest=image_manifest(74)
    )
    assert code == "LayersNotFoundException"


def test_a_repository_setting_wins_over_its_registrys(fake: FakeEcr, client: Any) -> None:
    fake.registry.allow_missing_layers()
    fake.registry.repository("team/locked").set_setting("allow_missing_layers", False)
    manifest = image_manifest(75)
    client.put_image(repositoryName=REPO, imageManifest=manifest)
    code, _, _ = error_of(client.put_image, repositoryName="team/locked", imageManifest=manifest)
    assert code == "LayersNotFoundException"
